"""The customer page as a 360° view: projects with states and amounts, the latest quotation per project,
contract value, receivables outstanding and overdue, contacts with their roles and the interaction timeline,
all limited to what the reader may see and read in a constant number of queries. Also: the grade set by hand,
and the duplicate refusal that links to the customer that exists."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.bids.models import Quotation, QuotationLine
from backend.customers import services
from backend.customers.models import Customer
from backend.payments.models import PaymentTerm, Receipt
from backend.projects.choices import Status
from tests.factories import ContactFactory, CustomerFactory, DepartmentFactory, ProjectFactory, set_status

pytestmark = pytest.mark.django_db

PAST = date(2026, 10, 1)
FUTURE = date(2099, 1, 1)


@pytest.fixture
def seller(make_user):
    return make_user("seller", "bid_manager", department=DepartmentFactory(name="华北销售部"))


@pytest.fixture
def stranger(make_user):
    return make_user("stranger", "bid_manager", department=DepartmentFactory(name="华南销售部"))


def quotation(project, version: int, unit_price: int, by) -> Quotation:
    q = Quotation.objects.create(project=project, version=version, created_by=by)
    QuotationLine.objects.create(
        quotation=q, description="服务器", quantity=10, unit_price=unit_price, unit_cost=5000, tax_rate=13
    )
    return q


def project(customer, owner, code: str, name: str, status: str, estimated: int, contract: int | None = None):
    p = ProjectFactory(customer=customer, owner=owner, code=code, name=name, estimated_amount=estimated)
    if contract is not None:
        p.contract_amount = contract
        p.save(update_fields=["contract_amount"])
    set_status(p, status)
    return p


@pytest.fixture
def account(seller, stranger):
    """华信银行, owned by the seller: three projects the seller sees, one of the stranger's the seller does not."""
    customer = CustomerFactory(name="华信银行", owner=seller)
    won = project(customer, seller, "P-A", "核心机房", Status.WON, 1_000_000, 1_200_000)
    delivering = project(customer, seller, "P-B", "灾备中心", Status.IMPLEMENTATION, 700_000, 800_000)
    bidding = project(customer, seller, "P-C", "网络改造", Status.BIDDING, 500_000)
    hidden = project(customer, stranger, "P-X", "保密项目", Status.WON, 9_000_000, 9_999_000)
    quotation(bidding, 1, 10_000, seller)  # net 100,000.00
    quotation(bidding, 2, 12_000, seller)  # net 120,000.00, with 13 % tax 135,600.00
    quotation(hidden, 1, 99_000, stranger)
    first = PaymentTerm.objects.create(project=won, name="首付款", percent=50, amount=600_000, due_date=PAST)
    PaymentTerm.objects.create(project=won, name="验收款", percent=50, amount=600_000, due_date=FUTURE)
    Receipt.objects.create(project=won, payment_term=first, amount=200_000, received_on=PAST, recorded_by=seller)
    PaymentTerm.objects.create(project=hidden, name="全款", percent=100, amount=1_000_000, due_date=PAST)
    ContactFactory(customer=customer, name="王建国", decision_role="decision_maker")
    ContactFactory(customer=customer, name="李娜", decision_role="influencer")
    for when, summary in [(datetime(2026, 9, 1, 10), "首次拜访"), (datetime(2026, 11, 2, 10), "方案交流")]:
        customer.interactions.create(
            kind="visit", occurred_at=timezone.make_aware(when), summary=summary, author=seller
        )
    return {"customer": customer, "won": won, "delivering": delivering, "bidding": bidding, "hidden": hidden}


def panels(response) -> dict:
    return {panel["name"]: panel["context"] for panel in response.context["panels"]}


def test_the_seller_sees_projects_quotations_money_contacts_and_timeline(client, seller, account):
    client.force_login(seller)
    response = client.get(reverse("customers:detail", args=[account["customer"].pk]))
    assert response.status_code == 200
    ctx = panels(response)
    # projects: the three the seller sees, newest first, never the stranger's
    assert [p.code for p in ctx["projects"]["projects"]] == ["P-C", "P-B", "P-A"]
    assert ctx["projects"]["figures"] == {
        "projects": 3,
        "contracted": 2,
        "contract_value": Decimal("2000000.00"),  # 1,200,000 won + 800,000 in delivery; 9,999,000 hidden
    }
    # the latest quotation of each visible project: v2 of P-C only
    assert [(q.project.code, q.version, q.net, q.gross) for q in ctx["quotations"]["quotations"]] == [
        ("P-C", 2, Decimal("120000.00"), Decimal("135600.00"))
    ]
    # receivables: 400,000 left of the first term (past due) + 600,000 not due yet; the hidden 1,000,000 not
    assert ctx["receivables"]["receivables"] == {
        "outstanding_total": Decimal("1000000.00"),
        "overdue_total": Decimal("400000.00"),
    }
    page = response.content.decode()
    assert "2,000,000.00" in page and "135,600.00" in page and "400,000.00" in page
    assert "Implementation" in page and "Bidding" in page  # states by their labels
    assert "保密项目" not in page and "P-X" not in page and "9,999,000" not in page
    assert "Decision maker" in page and "Influencer" in page
    assert page.index("方案交流") < page.index("首次拜访")  # the timeline newest first
    assert reverse("payments:receivables") in page


def test_state_labels_are_chinese_for_a_chinese_reader(client, seller, account):
    seller.language = "zh-hans"
    seller.save(update_fields=["language"])
    client.force_login(seller)
    page = client.get(
        reverse("customers:detail", args=[account["customer"].pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "实施中" in page and "合同总额" in page and "已逾期" in page and "按项目的最新报价版本" in page


def test_a_department_head_sees_the_hidden_project_and_its_money(client, stranger, account, make_user):
    director = make_user("director", "director")
    client.force_login(director)
    ctx = panels(client.get(reverse("customers:detail", args=[account["customer"].pk])))
    assert [p.code for p in ctx["projects"]["projects"]] == ["P-X", "P-C", "P-B", "P-A"]
    assert ctx["projects"]["figures"]["contract_value"] == Decimal("11999000.00")
    assert ctx["receivables"]["receivables"] == {
        "outstanding_total": Decimal("2000000.00"),
        "overdue_total": Decimal("1400000.00"),
    }
    assert [q.project.code for q in ctx["quotations"]["quotations"]] == ["P-X", "P-C"]


def test_customer_page_queries_do_not_grow_with_projects(client, seller, count_queries):
    customer = CustomerFactory(owner=seller)

    def fill(n: int, start: int) -> None:
        for i in range(start, start + n):
            p = project(customer, seller, f"Q-{i:02d}", f"项目 {i}", Status.WON, 100_000, 150_000)
            quotation(p, 1, 1_000, seller)
            term = PaymentTerm.objects.create(project=p, name="款", percent=100, amount=150_000, due_date=PAST)
            Receipt.objects.create(project=p, payment_term=term, amount=50_000, received_on=PAST, recorded_by=seller)

    client.force_login(seller)
    fill(2, 0)
    two = count_queries(lambda: client.get(reverse("customers:detail", args=[customer.pk])))
    fill(8, 2)  # ten projects, each with a quotation, a payment term and a receipt
    response = client.get(reverse("customers:detail", args=[customer.pk]))
    ten = count_queries(lambda: client.get(reverse("customers:detail", args=[customer.pk])))
    assert two == ten
    ctx = panels(response)
    assert len(ctx["projects"]["projects"]) == 10 and len(ctx["quotations"]["quotations"]) == 10
    assert ctx["projects"]["figures"]["contract_value"] == Decimal("1500000.00")
    assert ctx["receivables"]["receivables"]["overdue_total"] == Decimal("1000000.00")


# --- the grade ------------------------------------------------------------------------------------------


def test_the_owner_sets_the_grade_and_the_nightly_ranking_keeps_it(client, seller, account):
    from reports.services import customer_tiers_recompute

    customer = account["customer"]
    client.force_login(seller)
    response = client.post(reverse("customers:grade", args=[customer.pk]), {"tier": "A"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.tier, customer.tier_manual) == ("A", True)
    customer_tiers_recompute()  # no won amounts in three years would make it C
    customer.refresh_from_db()
    assert customer.tier == "A"
    client.post(reverse("customers:grade", args=[customer.pk]), {"tier": ""})  # back to the ranking
    customer_tiers_recompute()
    customer.refresh_from_db()
    assert (customer.tier, customer.tier_manual) == ("C", False)
    assert customer.history.filter(tier="A").exists()  # the change is in the audit history


def test_someone_who_may_not_change_the_customer_cannot_set_its_grade(client, stranger, account):
    customer = account["customer"]
    # the stranger sees the customer (a member of one of its projects) but may not change it
    client.force_login(stranger)
    assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
    response = client.post(reverse("customers:grade", args=[customer.pk]), {"tier": "A"}, follow=True)
    assert "You may not change customer 华信银行." in response.content.decode()
    customer.refresh_from_db()
    assert (customer.tier, customer.tier_manual) == ("", False)
    assert 'id="grade-form"' not in response.content.decode()


def test_a_grade_that_does_not_exist_is_refused(seller, account):
    from backend.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="Z is not a grade"):
        services.customer_grade_set(actor=seller, customer=account["customer"], tier="Z")


# --- the duplicate refusal ------------------------------------------------------------------------------


def test_duplicate_links_to_the_existing_customer_the_user_may_see(client, seller, account):
    client.force_login(seller)
    response = client.post(reverse("customers:create"), {"name": "华信银行", "industry": "finance"})
    page = response.content.decode()
    assert "A customer with this name already exists: 华信银行" in page
    assert f'href="{reverse("customers:detail", args=[account["customer"].pk])}"' in page
    assert Customer.objects.filter(name_key="华信银行").count() == 1


def test_duplicate_the_user_may_not_see_is_not_leaked(client, make_user, account):
    outsider = make_user("outsider", "bid_manager", department=DepartmentFactory())
    client.force_login(outsider)
    response = client.post(reverse("customers:create"), {"name": "华信 银行", "industry": "finance"})
    page = response.content.decode()
    assert "is already registered, but it is not visible to you" in page
    assert reverse("customers:detail", args=[account["customer"].pk]) not in page
    assert 'id="existing-customer"' not in page
