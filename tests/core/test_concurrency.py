"""Concurrent writers wait instead of failing: 'database is locked' never reaches a user (SQLite in WAL
mode with IMMEDIATE transactions; the same test runs on PostgreSQL in CI)."""

import threading

import pytest
from django.db import connection

from backend.customers import services
from backend.customers.models import Customer
from tests.factories import CustomerFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_writers_all_succeed():
    owner = UserFactory(username="owner")
    target = CustomerFactory(owner=owner, name="Shared")
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            barrier.wait()
            services.customer_create(actor=owner, name=f"Concurrent {i}")
            services.customer_update(actor=owner, customer=target, data={"notes": f"writer {i}"})
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Customer.objects.filter(name__startswith="Concurrent").count() == 20
    target.refresh_from_db()
    assert target.notes.startswith("writer ")


@pytest.mark.django_db(transaction=True)
def test_racing_duplicate_creates_leave_exactly_one_customer():
    owner = UserFactory(username="owner")
    barrier = threading.Barrier(10)
    outcomes: list[str] = []

    def create() -> None:
        try:
            barrier.wait()
            services.customer_create(actor=owner, name="Racing Customer Ltd")
            outcomes.append("created")
        except services.ValidationFailed:
            outcomes.append("refused")
        except BaseException as exc:  # noqa: BLE001
            outcomes.append(f"error: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["created"] + ["refused"] * 9
    assert Customer.objects.filter(name="Racing Customer Ltd").count() == 1
