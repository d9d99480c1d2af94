"""Words that mean two things in English read as the right one in Chinese (issue 12, item 1): each is
looked up where the page shows it, in zh-Hans."""

from __future__ import annotations

from decimal import Decimal as Decimal_

import pytest
from django.utils import translation

from backend.accounts.models import User
from backend.customers.models import Contact
from backend.milestones.choices import AcceptanceResult, MilestoneStatus
from backend.tenders.forms import TenderFilterSet
from backend.tenders.models import Tender
from workflows.choices import ReviewStatus


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def test_a_persons_title_is_a_job_and_a_documents_title_is_a_heading():
    assert str(User._meta.get_field("title").verbose_name) == "职务"
    assert str(Contact._meta.get_field("title").verbose_name) == "职务"
    assert str(Tender._meta.get_field("title").verbose_name) == "标题"


def test_states_and_results_read_as_what_they_are():
    assert str(MilestoneStatus.PLANNED.label) == "未开始"
    assert str(AcceptanceResult.PASSED.label) == "通过"
    assert str(AcceptanceResult.FAILED.label) == "未通过"
    assert str(ReviewStatus.PENDING.label) == "待处理"


@pytest.mark.django_db
def test_a_deadline_that_has_passed_is_closed_not_approved():
    choices = dict(TenderFilterSet().filters["deadline"].extra["choices"])
    assert str(choices["passed"]) == "已截止"


@pytest.mark.django_db
def test_pages_use_the_words_in_context(client, make_user):
    from tests.factories import CustomerFactory

    user = make_user("zhang", "bid_manager")
    customer = CustomerFactory(owner=user)
    client.force_login(user)
    page = client.get(f"/customers/{customer.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<th>职务</th>" in page and "<th>标题</th>" not in page


def test_amounts_are_grouped_by_thousands_in_both_languages():
    from decimal import Decimal

    from django.template.defaultfilters import floatformat

    assert floatformat(Decimal("12600000"), "2g") == "12,600,000.00"
    with translation.override("en"):
        assert floatformat(Decimal("12600000"), "2g") == "12,600,000.00"


@pytest.mark.django_db
def test_the_tender_list_shows_budgets_grouped(client, make_user):

    user = make_user("li", "bid_manager")
    Tender.objects.create(number="ZB-1", title="园区网改造", buyer="某局", budget=Decimal_("9900000"), owner=user)
    client.force_login(user)
    page = client.get("/tenders/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "9,900,000.00 CNY" in page and "9900000.00" not in page
