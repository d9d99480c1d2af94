"""Customer pages: list with search and filters, detail, create/edit with validation messages."""

import pytest
from django.urls import reverse

from backend.customers.models import Contact, Customer, Interaction
from tests.factories import ContactFactory, CustomerFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(make_user):
    return make_user("seller", "bid_manager", department=DepartmentFactory())


@pytest.fixture
def browser(client, seller):
    client.force_login(seller)
    return client


def test_login_required(client):
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_login_page_and_dashboard(client, seller):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "seller", "password": "pw"})
    assert response.status_code == 302
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.status_code == 200
    assert "seller" in dashboard.content.decode() or str(seller) in dashboard.content.decode()


def test_list_searches_filters_and_paginates(browser, seller):
    CustomerFactory(name="Alpha Bank", industry="finance", owner=seller)
    CustomerFactory(name="Beta Hospital", industry="healthcare", owner=seller)
    for i in range(30):
        CustomerFactory(name=f"Zeta {i:02d}", industry="retail", owner=seller)
    page = browser.get(reverse("customers:list"), {"q": "bank"}).content.decode()
    assert "Alpha Bank" in page and "Beta Hospital" not in page
    page = browser.get(reverse("customers:list"), {"industry": "healthcare"}).content.decode()
    assert "Beta Hospital" in page and "Alpha Bank" not in page
    first = browser.get(reverse("customers:list")).content.decode()
    second = browser.get(reverse("customers:list"), {"page": 2}).content.decode()
    assert "Zeta 22" in first and "Zeta 23" not in first and "Zeta 23" in second
    partial = browser.get(reverse("customers:list"), {"q": "alpha"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Alpha Bank" in partial and '<nav class="navbar' not in partial
    bad = browser.get(reverse("customers:list"), {"industry": "astrology"})
    assert bad.status_code == 200 and "astrology" in bad.content.decode()


def test_list_page_queries_do_not_grow(browser, seller, count_queries):
    def fill(n):
        for _ in range(n):
            ContactFactory(customer=CustomerFactory(owner=seller))

    fill(5)
    five = count_queries(lambda: browser.get(reverse("customers:list")))
    fill(20)  # 25 rows: a full page
    twenty_five = count_queries(lambda: browser.get(reverse("customers:list")))
    assert five == twenty_five


def test_detail_page_queries_do_not_grow(browser, seller, count_queries):
    customer = CustomerFactory(owner=seller)

    def fill(n):
        for _ in range(n):
            contact = ContactFactory(customer=customer)
            interaction = customer.interactions.create(
                kind="call", occurred_at="2026-11-01T10:00:00+08:00", summary="call", author=seller
            )
            interaction.contacts.add(contact)

    fill(5)
    five = count_queries(lambda: browser.get(reverse("customers:detail", args=[customer.pk])))
    fill(45)
    fifty = count_queries(lambda: browser.get(reverse("customers:detail", args=[customer.pk])))
    assert five == fifty


def test_create_shows_validation_and_duplicate_messages(browser, seller):
    CustomerFactory(name="Contoso Ltd", owner=seller)
    response = browser.post(reverse("customers:create"), {"name": "contoso ltd.", "industry": "retail"})
    assert response.status_code == 200
    assert "Contoso Ltd" in response.content.decode()  # the duplicate guard names the existing customer
    CustomerFactory(name="Hidden Ltd")  # someone else's: its existence is told, not its name or owner
    response = browser.post(reverse("customers:create"), {"name": "HIDDEN LTD", "industry": "retail"})
    assert "not visible to you" in response.content.decode() and "Hidden Ltd" not in response.content.decode()
    response = browser.post(reverse("customers:create"), {"name": "", "industry": "retail"})
    assert "is-invalid" in response.content.decode()
    response = browser.post(
        reverse("customers:create"), {"name": "New Co", "industry": "retail", "credit_code": "91350100M000100Y44"}
    )
    assert "check character" in response.content.decode()
    assert Customer.objects.count() == 2
    response = browser.post(reverse("customers:create"), {"name": "New Co", "industry": "retail", "region": "east"})
    created = Customer.objects.get(name="New Co")
    assert response.status_code == 302 and response["Location"] == reverse("customers:detail", args=[created.pk])
    assert created.owner == seller


def test_edit_add_contact_and_log_interaction(browser, seller):
    customer = CustomerFactory(owner=seller, name="Old Name")
    response = browser.post(
        reverse("customers:edit", args=[customer.pk]), {"name": "New Name", "industry": "finance", "region": "north"}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "New Name"
    response = browser.post(
        reverse("customers:contact-add", args=[customer.pk]),
        {"contact-name": "韩冰", "contact-decision_role": "influencer"},
    )
    assert response.status_code == 302
    contact = Contact.objects.get(customer=customer)
    response = browser.post(
        reverse("customers:interaction-add", args=[customer.pk]),
        {
            "interaction-kind": "visit",
            "interaction-occurred_at": "2026-11-20T10:00",
            "interaction-summary": "现场调研",
            "interaction-contacts": [contact.pk],
        },
    )
    assert response.status_code == 302
    assert Interaction.objects.get(customer=customer).contacts.get() == contact
    bad = browser.post(reverse("customers:interaction-add", args=[customer.pk]), {"interaction-kind": "visit"})
    assert bad.status_code == 400 and Interaction.objects.count() == 1
    detail = browser.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "韩冰" in detail and "现场调研" in detail


def test_invisible_customer_pages_are_404(client, make_user):
    other = CustomerFactory()
    client.force_login(make_user("outsider", "bid_manager"))
    for name in ("customers:detail", "customers:edit"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404
    assert client.post(reverse("customers:contact-add", args=[other.pk]), {"contact-name": "x"}).status_code == 404


def test_pages_render_in_simplified_chinese(browser):
    response = browser.get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    assert "客户" in page and "New customer" not in page


def test_a_customer_seen_through_a_project_offers_no_edit_and_a_typed_url_is_told_why(client, make_user):
    from backend.projects import services as projects

    owner = make_user("owner", "bid_manager", department=DepartmentFactory())
    teammate = make_user("teammate", "engineer", department=DepartmentFactory())
    customer = CustomerFactory(owner=owner, name="华东电网")
    project = projects.project_create(actor=owner, name="调度系统", customer=customer, estimated_amount=10)
    projects.member_add(actor=owner, project=project, user=teammate, role="engineer")
    client.force_login(teammate)
    detail = client.get(reverse("customers:detail", args=[customer.pk]))
    assert detail.status_code == 200 and "华东电网" in detail.content.decode()
    assert reverse("customers:edit", args=[customer.pk]) not in detail.content.decode()
    for response in (
        client.get(reverse("customers:edit", args=[customer.pk]), follow=True),
        client.post(reverse("customers:edit", args=[customer.pk]), {"name": "改名", "industry": "energy"}, follow=True),
    ):
        assert response.redirect_chain == [(reverse("customers:detail", args=[customer.pk]), 302)]
        assert "You may not change customer 华东电网." in [str(m) for m in response.context["messages"]]
    customer.refresh_from_db()
    assert customer.name == "华东电网"
