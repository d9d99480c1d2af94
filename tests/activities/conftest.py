"""Fixtures for activities: a sales department headed by ``head`` with ``alice`` (sales) in it, ``bob`` outside,
a customer with a contact, and a project of alice's for that customer. Times are Asia/Shanghai."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import ContactFactory, CustomerFactory, DepartmentFactory, ProjectFactory

TZ = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def team(db, make_user):
    sales = DepartmentFactory(name="华东销售部")
    head = make_user("head", "bid_manager", department=sales, first_name="伟", last_name="张")
    alice = make_user("alice", "bid_manager", department=sales, first_name="丽", last_name="王")
    bob = make_user("bob", "bid_manager", first_name="强", last_name="李")
    sales.head = head
    sales.save()
    customer = CustomerFactory(owner=alice, name="上海银行")
    contact = ContactFactory(customer=customer, name="陈经理")
    project = ProjectFactory(owner=alice, customer=customer, department=sales, code="P-2026-0100")
    return {
        "department": sales,
        "head": head,
        "alice": alice,
        "bob": bob,
        "customer": customer,
        "contact": contact,
        "project": project,
    }
