"""Fixtures of the service desk: an agent (the service role), two engineers in the delivery department
headed by ``head``, a tier-A customer with a contact reachable by phone, and two of its projects: one in
warranty (accepted 2026-03-02, 12 months) and one whose warranty ended (accepted 2024-01-15, 12 months).
Times are Asia/Shanghai."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from backend.projects.models import ProjectEvent
from tests.factories import ContactFactory, CustomerFactory, DepartmentFactory, ProjectFactory, set_status

TZ = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def accepted_on(project, when: datetime, status: str = "warranty") -> None:
    set_status(project, status)
    ProjectEvent.objects.create(
        project=project,
        transition="approve_acceptance",
        source="acceptance_review",
        target="accepted",
        actor=project.owner,
        created_at=when,
    )


@pytest.fixture
def desk(db, make_user):
    delivery = DepartmentFactory(name="交付中心")
    head = make_user("head", "pm", department=delivery, first_name="伟", last_name="张")
    delivery.head = head
    delivery.save()
    agent = make_user("agent", "service", first_name="敏", last_name="周")
    eng1 = make_user("eng1", "engineer", department=delivery, first_name="磊", last_name="杨")
    eng2 = make_user("eng2", "engineer", department=delivery, first_name="洋", last_name="刘")
    sales = make_user("sales", "bid_manager", first_name="丽", last_name="王")
    outsider = make_user("outsider", "bid_manager", first_name="强", last_name="李")
    customer = CustomerFactory(owner=sales, name="上海银行", tier="A", region="east", industry="finance")
    contact = ContactFactory(customer=customer, name="陈经理", phone="021-6888 1234")
    covered = ProjectFactory(owner=sales, customer=customer, code="P-2025-0007", name="核心网络改造")
    expired = ProjectFactory(owner=sales, customer=customer, code="P-2023-0003", name="机房建设")
    accepted_on(covered, at(2026, 3, 2, 10))
    accepted_on(expired, at(2024, 1, 15, 10), status="closed")
    return {
        "head": head,
        "agent": agent,
        "eng1": eng1,
        "eng2": eng2,
        "sales": sales,
        "outsider": outsider,
        "customer": customer,
        "contact": contact,
        "covered": covered,
        "expired": expired,
    }


from tests.knowledge.conftest import index_dir, search_backend  # noqa: E402, F401  (the embedded index per test)
