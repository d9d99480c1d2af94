"""Saved filters of the list pages (issue 12): a user saves the current filter under a name, sees and applies
their own, deletes them; a duplicate name is refused with a clear message; nobody sees another's."""

import pytest
from django.urls import reverse

from backend.core import services
from backend.core.errors import Conflict, NotFound, ValidationFailed
from backend.core.models import SavedFilter
from tests.factories import CustomerFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(make_user):
    return make_user("seller", "bid_manager", department=DepartmentFactory())


@pytest.fixture
def browser(client, seller):
    client.force_login(seller)
    return client


def test_save_apply_and_delete_a_filter(browser, seller):
    CustomerFactory(name="Alpha Bank", industry="finance", owner=seller)
    CustomerFactory(name="Beta Shop", industry="retail", owner=seller)
    save = reverse("lists:saved-save", args=["customers"])
    response = browser.post(save, {"name": "  金融 客户 ", "query": "industry=finance&sort=-name&page=3&export=xlsx"})
    assert response.status_code == 302 and response["Location"] == "/customers/?industry=finance&sort=-name"
    saved = SavedFilter.objects.get()
    assert (saved.user, saved.list_key, saved.name, saved.query) == (
        seller,
        "customers",
        "金融 客户",
        "industry=finance&sort=-name",
    )
    # the list offers it, and opening it applies the filter
    page = browser.get(reverse("customers:list")).content.decode()
    assert 'href="?industry=finance&amp;sort=-name" data-saved-filter="金融 客户"' in page
    applied = browser.get(reverse("customers:list") + "?" + saved.query)
    assert [c.name for c in applied.context["page"]] == ["Alpha Bank"]
    # delete it
    delete = reverse("lists:saved-delete", args=["customers", saved.pk])
    response = browser.post(delete, {"query": "industry=finance"})
    assert response.status_code == 302 and response["Location"] == "/customers/?industry=finance"
    assert not SavedFilter.objects.exists()
    assert "data-saved-filter" not in browser.get(reverse("customers:list")).content.decode()


def test_a_duplicate_name_is_refused_with_a_message(browser, seller):
    save = reverse("lists:saved-save", args=["customers"])
    browser.post(save, {"name": "Mine", "query": "industry=finance"})
    response = browser.post(save, {"name": "Mine", "query": "industry=retail"}, follow=True)
    text = response.content.decode()
    assert "You already have a saved filter named “Mine” for this list; choose another name." in text
    assert list(SavedFilter.objects.values_list("name", "query")) == [("Mine", "industry=finance")]
    # the same name on another list, or by another user, is fine
    services.saved_filter_create(user=seller, list_key="projects", name="Mine", query="mine=true")
    with pytest.raises(Conflict) as err:
        services.saved_filter_create(user=seller, list_key="projects", name="Mine", query="")
    assert err.value.code == "duplicate_name"
    assert SavedFilter.objects.count() == 2


def test_bad_input_is_refused_and_changes_nothing(browser, seller):
    save = reverse("lists:saved-save", args=["customers"])
    response = browser.post(save, {"name": "   ", "query": "industry=finance"}, follow=True)
    assert "Give the filter a name." in response.content.decode()
    response = browser.post(save, {"name": "x" * 101, "query": ""}, follow=True)
    assert "The name is too long" in response.content.decode()
    assert browser.post(reverse("lists:saved-save", args=["nosuchlist"]), {"name": "a"}).status_code == 404
    with pytest.raises(ValidationFailed):
        services.saved_filter_create(user=seller, list_key="customers", name="long", query="q=" + "x" * 2100)
    assert not SavedFilter.objects.exists()


def test_each_user_sees_and_deletes_only_their_own(client, browser, seller, make_user):
    other = make_user("other", "bid_manager", department=DepartmentFactory())
    theirs = services.saved_filter_create(user=other, list_key="customers", name="Theirs", query="tier=A")
    services.saved_filter_create(user=seller, list_key="customers", name="Mine", query="tier=B")
    page = browser.get(reverse("customers:list")).content.decode()
    assert 'data-saved-filter="Mine"' in page and "Theirs" not in page
    response = browser.post(reverse("lists:saved-delete", args=["customers", theirs.pk]))
    assert response.status_code == 404
    assert SavedFilter.objects.filter(pk=theirs.pk).exists()
    with pytest.raises(NotFound):
        services.saved_filter_delete(user=seller, pk=theirs.pk)


def test_saving_needs_a_login_and_a_post(client, browser):
    save = reverse("lists:saved-save", args=["customers"])
    assert browser.get(save).status_code == 405
    client.logout()
    response = client.post(save, {"name": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not SavedFilter.objects.exists()
