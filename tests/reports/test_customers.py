"""Customer ABC tiers and the going-cold report, on customers whose won amounts and interactions are written out."""

from __future__ import annotations

import pytest
import time_machine

from backend.customers.models import Customer
from reports import services
from reports.models import TierPolicy
from tests.factories import CustomerFactory, DepartmentFactory, InteractionFactory, UserFactory
from tests.reports.conftest import at, make_deal, metric, table

pytestmark = pytest.mark.django_db
TODAY = "2026-07-15 12:00 +0800"


@pytest.fixture
def customers(db):
    owner, department = UserFactory(username="owner", department=None), DepartmentFactory(name="Sales")
    found = {}
    for name, won, closed in (
        ("C1", 500, "2025-05-01"),
        ("C2", 300, "2026-01-01"),
        ("C3", 100, "2024-09-01"),
        ("C4", 60, "2026-06-01"),
        ("C5", 40, "2025-01-01"),
        ("C6", 0, None),
        ("C7", 900, "2023-06-01"),  # C7 won four years ago
    ):
        customer = CustomerFactory(name=name, owner=owner)
        found[name] = customer
        if closed:
            make_deal(
                owner=owner,
                department=department,
                created="2023-01-01",
                closed=closed,
                status="won",
                outcome="won",
                contract=won * 10_000,
                customer=customer,
            )
    # a lost deal's amount does not count
    make_deal(
        owner=owner,
        department=department,
        created="2026-01-01",
        closed="2026-02-01",
        status="lost",
        outcome="lost",
        estimated=99_000_000,
        customer=found["C6"],
    )
    return found


def test_tiers_by_trailing_three_year_won_amount(customers):
    with time_machine.travel(TODAY, tick=False):
        counts = services.customer_tiers_recompute()
    tiers = dict(Customer.objects.values_list("name", "tier"))
    # 5M, 3M, 1M, 0.6M, 0.4M of 10M: C1 and C2 make the first 80 %; C3 (80 % before it) and C4 (90 %) are B;
    # C5 (96 % before it), C6 (nothing won) and C7 (won four years ago) are C
    assert {name: tiers[name] for name in ("C1", "C2", "C3", "C4", "C5", "C6", "C7")} == {
        "C1": "A",
        "C2": "A",
        "C3": "B",
        "C4": "B",
        "C5": "C",
        "C6": "C",
        "C7": "C",
    }
    assert counts["A"] == 2 and counts["B"] == 2


def test_customers_going_cold(client_for, customers, make_user):
    with time_machine.travel(TODAY, tick=False):
        services.customer_tiers_recompute()
        TierPolicy.objects.filter(tier="A").update(contact_days=30)
        InteractionFactory(customer=customers["C1"], occurred_at=at("2026-07-01"))  # A, 14 days ago: fine
        InteractionFactory(customer=customers["C2"], occurred_at=at("2026-05-01"))  # A, 75 days ago: cold
        InteractionFactory(customer=customers["C3"], occurred_at=at("2026-06-01"))  # B, 44 days: fine (90)
        InteractionFactory(customer=customers["C5"], occurred_at=at("2025-12-01"))  # C, 226 days: cold (180)
        # C4 (B) and C6, C7 (C) were never contacted: cold
        body = client_for(make_user("boss", "exec")).get("/api/v1/reports/customers-cold/").json()
    tiers = table(body, "tiers")
    assert {k: (v["customers"], v["cold"], v["contact_days"]) for k, v in tiers.items()} == {
        "A": (2, 1, 30),
        "B": (2, 1, 90),
        "C": (3, 3, 180),
    }
    cold = table(body, "cold")
    assert list(cold) == ["C4", "C6", "C7", "C5", "C2"]
    assert (cold["C2"]["days_since"], cold["C2"]["overdue_days"], cold["C2"]["last_contact"]) == (75, 45, "2026-05-01")
    assert metric(body, "cold") == 5


def test_only_visible_customers(client_for, customers, make_user):
    stranger = make_user("stranger")
    CustomerFactory(name="mine", owner=stranger)
    with time_machine.travel(TODAY, tick=False):
        body = client_for(stranger).get("/api/v1/reports/customers-cold/").json()
    assert list(table(body, "cold")) == ["mine"]
