"""Receivables on 15 July 2026: six payment terms of three projects, with their receipts written out."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from backend.payments.models import PaymentTerm, Receipt
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory
from tests.reports.conftest import make_deal, metric, table
from tests.reports.test_win_loss import assert_links_count_exactly

pytestmark = pytest.mark.django_db
TODAY = "2026-07-15 12:00 +0800"
PERIOD = {"date_from": "2026-01-01", "date_to": "2026-09-30"}


@pytest.fixture
def money(db):
    owner, department = UserFactory(username="owner"), DepartmentFactory(name="Sales")
    c1 = CustomerFactory(name="甲公司 Alpha", owner=owner)
    c2 = CustomerFactory(name="乙公司 Beta", owner=owner)
    r1 = make_deal(owner=owner, department=department, created="2025-06-01", status="implementation", name="R1")
    r2 = make_deal(owner=owner, department=department, created="2025-06-01", status="warranty", name="R2")
    r3 = make_deal(owner=owner, department=department, created="2025-06-01", status="closed", name="R3")
    for project, customer in ((r1, c1), (r2, c2), (r3, c1)):
        project.customer = customer
        project.save(update_fields=["customer"])

    def term(project, amount, due, receipts=(), written_off=0):
        t = PaymentTerm.objects.create(
            project=project,
            name="款",
            percent=10,
            amount=amount,
            due_date=date.fromisoformat(due),
            written_off=written_off,
        )
        for paid, day in receipts:
            Receipt.objects.create(
                project=project, payment_term=t, amount=paid, received_on=date.fromisoformat(day), recorded_by=owner
            )

    term(r1, 300_000, "2026-02-15", [(300_000, "2026-02-20")])
    term(r1, 500_000, "2026-06-30", [(200_000, "2026-07-05")])  # 300,000 overdue 15 days
    term(r1, 200_000, "2026-09-30")  # not due yet
    term(r2, 1_000_000, "2026-03-31", [(400_000, "2026-04-10")], written_off=100_000)  # 500,000 overdue 106 days
    term(r2, 250_000, "2026-05-31")  # overdue 45 days
    term(r3, 100_000, "2025-12-01")  # overdue 226 days
    return {"c1": c1, "c2": c2}


def get(client_for, user):
    with time_machine.travel(TODAY, tick=False):
        response = client_for(user).get("/api/v1/reports/receivables/", PERIOD)
    assert response.status_code == 200, response.content
    return response.json()


def test_planned_collected_aging_customers_and_dso(client_for, money, make_user):
    body = get(client_for, make_user("cfo", "finance"))
    monthly = table(body, "monthly")
    assert {
        k: (v["planned"], v["collected"])
        for k, v in monthly.items()
        if v["planned"] != "0.00" or v["collected"] != "0.00"
    } == {
        "2026-02": ("300000.00", "300000.00"),
        "2026-03": ("1000000.00", "0.00"),
        "2026-04": ("0.00", "400000.00"),
        "2026-05": ("250000.00", "0.00"),
        "2026-06": ("500000.00", "0.00"),
        "2026-07": ("0.00", "200000.00"),
        "2026-09": ("200000.00", "0.00"),
    }
    assert len(monthly) == 9
    assert (metric(body, "planned"), metric(body, "collected"), metric(body, "collection_rate")) == (
        "2250000.00",
        "900000.00",
        40.0,
    )
    aging = table(body, "aging")
    assert [(v["projects"], v["amount"]) for v in aging.values()] == [
        (1, "300000.00"),
        (1, "250000.00"),
        (1, "500000.00"),
        (1, "100000.00"),
        (3, "1150000.00"),
    ]
    customers = table(body, "top_overdue_customers")
    assert [(k, v["projects"], v["amount"]) for k, v in customers.items()] == [
        ("乙公司 Beta", 1, "750000.00"),
        ("甲公司 Alpha", 2, "400000.00"),
    ]
    # 1,150,000 overdue ÷ 750,000 fallen due in the last 90 days × 90
    assert metric(body, "dso") == 138.0
    assert metric(body, "overdue") == "1150000.00"


def test_receivable_links(client_for, money, make_user):
    with time_machine.travel(TODAY, tick=False):
        assert assert_links_count_exactly(client_for, make_user("cfo", "finance"), "receivables", **PERIOD) >= 20
