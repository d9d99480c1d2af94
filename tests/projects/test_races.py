"""Twenty threads race the same transition or the same decision: exactly one wins, the others get 409,
and one event is written. Real threads with their own connections (PostgreSQL in CI, SQLite here)."""

import threading

import pytest
from django.db import connection

from backend.core.errors import ApplicationError
from backend.projects import services
from backend.projects.choices import Status
from backend.projects.models import ProjectEvent
from tests.factories import CustomerFactory, set_status
from workflows.models import Approval
from workflows.services import review_decide

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 20


def race(fn) -> list[object]:
    barrier = threading.Barrier(THREADS)
    outcomes: list[object] = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait()
            fn()
            result: object = "ok"
        except ApplicationError as exc:
            result = exc.status_code
        except BaseException as exc:  # noqa: BLE001 - reported below
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.fixture
def project(org):
    project = services.project_create(
        actor=org["bidmgr"],
        name="Race project",
        customer=CustomerFactory(owner=org["bidmgr"]),
        estimated_amount=1_000_000,
    )
    set_status(project, Status.PURSUIT)
    for item in project.checklist.filter(stage=Status.PURSUIT, required=True):
        services.checklist_set_done(actor=org["bidmgr"], item=item, done=True)
    return project


def test_racing_the_same_transition(project, org):
    outcomes = race(
        lambda: services.project_transition(project_id=project.pk, name="start_bidding", actor=org["bidmgr"])
    )
    assert sorted(map(str, outcomes)) == ["409"] * (THREADS - 1) + ["ok"], outcomes
    project.refresh_from_db()
    assert project.status == Status.BIDDING
    assert ProjectEvent.objects.filter(project=project, transition="start_bidding").count() == 1


def test_racing_the_same_decision(project, org):
    set_status(project, Status.TENDER)
    for item in project.checklist.filter(stage=Status.TENDER, required=True):
        services.checklist_set_done(actor=org["bidmgr"], item=item, done=True)
    services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"])
    review = project.reviews.get()
    outcomes = race(lambda: review_decide(review_id=review.pk, actor=org["director"], decision="approve"))
    assert sorted(map(str, outcomes)) == ["409"] * (THREADS - 1) + ["ok"], outcomes
    assert Approval.objects.filter(step__review=review).count() == 1
    project.refresh_from_db()
    assert project.status == Status.PURSUIT
    assert ProjectEvent.objects.filter(project=project, transition="approve_initiation").count() == 1
