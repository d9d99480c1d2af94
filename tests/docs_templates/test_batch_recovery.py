"""A document batch survives a killed worker, whatever the broker (core/recovery.py): the lease logic on its own,
then real worker processes — the worker running a batch is SIGKILLed half-way, ``sicrm resume-work`` queues the
batch again once its lease ran out, a new worker finishes it, and each project has exactly one document.

The worker test uses the configured broker: the embedded filesystem broker by default (which deletes a message
when it is picked up, so nothing is redelivered), Redis when CELERY_BROKER_URL names it (CI runs both)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.core.recovery import lease_claim, lease_release_for_resume, lease_renew, resume_work
from backend.docs_templates.models import DocumentBatch, GeneratedDocument
from backend.docs_templates.services import defaults_load, document_generate
from backend.projects.models import Project
from tests.conftest import ROOT, _database_url_for_worker, wait_until
from tests.factories import ProjectFactory

TASK = "backend.docs_templates.tasks.run_document_batch"
QUEUE = "sicrm-test-recovery"  # the session's shared worker (conftest) consumes only the default queue


@pytest.fixture
def batch_of(db, org):
    defaults_load(only={("weekly_report", "en")})

    def make(count: int, **fields) -> DocumentBatch:
        projects = [ProjectFactory(owner=org["bidmgr"]) for _ in range(count)]
        return DocumentBatch.objects.create(
            doc_type="weekly_report",
            language="en",
            author=org["bidmgr"],
            project_ids=[p.pk for p in projects],
            total=count,
            **fields,
        )

    return make


def projects_with_documents(batch: DocumentBatch) -> Counter:
    return Counter(GeneratedDocument.objects.filter(batch=batch).values_list("project_id", flat=True))


# --- the lease logic (tasks run inline) -------------------------------------------------------------------


@pytest.mark.django_db
def test_an_expired_lease_is_resumed_and_makes_only_the_missing_documents(batch_of):
    now = timezone.now()
    batch = batch_of(4, status="running", lease_owner="dead-worker", lease_until=now - timedelta(seconds=1), done=1)
    first = document_generate(
        actor=batch.author,
        project=Project(pk=batch.project_ids[0]),
        doc_type="weekly_report",
        language="en",
        batch=batch,
    )
    assert resume_work(now=now)["document_batches"] == 1
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total, batch.resumed, batch.errors) == ("done", 4, 4, 1, [])
    assert batch.lease_owner == ""
    assert projects_with_documents(batch) == {pk: 1 for pk in batch.project_ids}
    assert GeneratedDocument.objects.filter(batch=batch, project_id=batch.project_ids[0]).get().pk == first.pk
    assert resume_work(now=now + timedelta(hours=1))["document_batches"] == 0  # finished: never again


@pytest.mark.django_db
def test_a_live_lease_is_left_alone(batch_of):
    now = timezone.now()
    batch = batch_of(2, status="running", lease_owner="busy-worker", lease_until=now + timedelta(seconds=30))
    assert resume_work(now=now)["document_batches"] == 0
    batch.refresh_from_db()
    assert (batch.status, batch.lease_owner, batch.resumed) == ("running", "busy-worker", 0)
    assert not GeneratedDocument.objects.exists()
    # a redelivered message for it finds the lease held and does nothing
    from backend.docs_templates.services import batch_run

    assert batch_run(batch_id=batch.pk, owner="second-worker").status == "running"
    assert not GeneratedDocument.objects.exists()


@pytest.mark.django_db
def test_a_finished_batch_is_never_resumed(batch_of):
    now = timezone.now()
    for status in ("done", "failed"):
        batch_of(1, status=status, lease_owner="gone", lease_until=now - timedelta(days=1))
    assert resume_work(now=now)["document_batches"] == 0
    assert not GeneratedDocument.objects.exists()
    assert set(DocumentBatch.objects.values_list("resumed", flat=True)) == {0}


@pytest.mark.django_db
def test_a_queued_batch_never_taken_is_resumed_after_a_lease_period(batch_of, settings):
    settings.WORK_LEASE_SECONDS = 60
    batch = batch_of(1)  # queued, no lease: its message may still be waiting for a worker
    assert resume_work(now=batch.created_at + timedelta(seconds=59))["document_batches"] == 0
    assert resume_work(now=batch.created_at + timedelta(seconds=61))["document_batches"] == 1
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.resumed) == ("done", 1, 1)


@pytest.mark.django_db
def test_one_claimant_wins_and_a_worker_that_lost_its_lease_stops(batch_of, settings):
    settings.WORK_LEASE_SECONDS = 60
    batch = batch_of(1)
    jobs, now = DocumentBatch.objects.all(), timezone.now()
    assert lease_claim(jobs, pk=batch.pk, owner="a", now=now)
    assert not lease_claim(jobs, pk=batch.pk, owner="b", now=now + timedelta(seconds=59))
    assert not lease_renew(jobs, pk=batch.pk, owner="b")
    assert lease_claim(jobs, pk=batch.pk, owner="b", now=now + timedelta(seconds=61))  # a's lease ran out
    assert not lease_renew(jobs, pk=batch.pk, owner="a")  # a finds out and stops
    assert lease_renew(jobs, pk=batch.pk, owner="b")


@pytest.mark.django_db
def test_resumes_racing_pick_a_stalled_batch_once(batch_of):
    now = timezone.now()
    batch = batch_of(1, status="running", lease_owner="dead", lease_until=now - timedelta(seconds=1))
    jobs = DocumentBatch.objects.filter(status="running")
    assert lease_release_for_resume(jobs, pk=batch.pk, now=now)
    assert not lease_release_for_resume(jobs, pk=batch.pk, now=now)  # the second beat finds it picked
    batch.refresh_from_db()
    assert (batch.lease_owner, batch.resumed) == ("", 1)
    assert batch.lease_until > now


@pytest.mark.django_db
def test_the_database_refuses_a_second_document_of_a_batch_for_a_project(batch_of):
    batch = batch_of(1, status="running")
    project = Project(pk=batch.project_ids[0])
    document_generate(actor=batch.author, project=project, doc_type="weekly_report", language="en", batch=batch)
    with pytest.raises(Exception) as refused, transaction.atomic():
        document_generate(actor=batch.author, project=project, doc_type="weekly_report", language="en", batch=batch)
    assert isinstance(refused.value, IntegrityError) or "same time" in str(refused.value)
    assert projects_with_documents(batch) == {batch.project_ids[0]: 1}


@pytest.mark.django_db
def test_the_command_resumes_and_the_page_says_so(batch_of, client_for, org):
    batch = batch_of(2, status="running", lease_owner="dead", lease_until=timezone.now() - timedelta(seconds=1))
    out = io.StringIO()
    call_command("resume-work", stdout=out)
    assert "document_batches: 1" in out.getvalue()
    from django.test import Client

    client = Client()
    client.force_login(org["bidmgr"])
    page = client.get(f"/documents/batches/{batch.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "resumed once after its worker stopped" in page.content.decode()


# --- real workers, SIGKILL half-way ----------------------------------------------------------------------


@pytest.fixture
def own_queue():
    """run_document_batch goes to a queue only this test's workers consume (also when the resumer sends it)."""
    from celery.app import routes

    from backend.celery import app

    original = app.amqp.router
    app.amqp.router = routes.Router(routes.prepare({TASK: {"queue": QUEUE}}), app.amqp.queues, True, app=app)
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = True
    app.amqp.router = original


def start_worker(name: str, log: Path, app: str = "backend", **extra_env: str) -> subprocess.Popen:
    env = {
        **os.environ,
        **extra_env,
        "DJANGO_SETTINGS_MODULE": "backend.settings_test",
        "DATABASE_URL": _database_url_for_worker(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            app,
            "worker",
            "--pool",
            "solo",
            "--queues",
            QUEUE,
            "--loglevel",
            "INFO",
            "--hostname",
            f"{name}-{os.getpid()}@%h",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while "ready" not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"worker {name} did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    return process


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_batch_killed_half_way_is_resumed_and_completes_without_duplicates(batch_of, own_queue, tmp_path):
    total = 40
    batch = batch_of(total)
    victim_log, rescuer_log = tmp_path / "victim.log", tmp_path / "rescuer.log"
    workers: list[subprocess.Popen] = []
    try:
        gate = tmp_path / "gate"
        gate.touch()
        victim = start_worker(
            "victim", victim_log, "tests.docs_templates.worker_gate", SICRM_GATE_FILE=str(gate), SICRM_GATE_AFTER="3"
        )
        workers.append(victim)
        own_queue.send_task(TASK, args=[batch.pk], queue=QUEUE)
        try:  # the signal from inside the task: three documents made, the fourth about to be written
            wait_until(lambda: "blocked before document 4" in gate.read_text(), timeout=90)
        except AssertionError:
            pytest.fail(f"the victim never reached its fourth document:\n{victim_log.read_text()[-3000:]}")
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        assert victim.returncode == -signal.SIGKILL
        batch.refresh_from_db()
        left = GeneratedDocument.objects.filter(batch=batch).count()
        assert (batch.status, left, batch.done) == ("running", 3, 3)
        assert batch.lease_owner.startswith("victim-")

        # The dead worker's lease is still live: a resume now leaves the batch alone.
        out = io.StringIO()
        call_command("resume-work", stdout=out)
        assert "document_batches: 0" in out.getvalue()
        # No waiting WORK_LEASE_SECONDS: the lease is made to have run out.
        DocumentBatch.objects.filter(pk=batch.pk).update(lease_until=timezone.now() - timedelta(seconds=1))

        # The resume first, then the new worker: a worker starting may also be handed the dead one's unacknowledged
        # message (Redis) and claim the batch itself, which would leave the resume nothing to do.
        out = io.StringIO()
        call_command("resume-work", stdout=out)
        assert "document_batches: 1" in out.getvalue()
        rescuer = start_worker("rescuer", rescuer_log)
        workers.append(rescuer)
        try:
            wait_until(lambda: DocumentBatch.objects.get(pk=batch.pk).status == "done", timeout=120)
        except AssertionError:
            pytest.fail(f"the resumed batch never finished:\n{rescuer_log.read_text()[-3000:]}")
    finally:
        for worker in workers:  # never leave a worker behind to consume another run's tasks
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=30)
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total, batch.resumed, batch.errors) == ("done", 40, 40, 1, [])
    made = projects_with_documents(batch)
    assert len(made) == 40 and set(made.values()) == {1}, made  # every project once, none twice
    assert set(made) == set(batch.project_ids)
    assert f"{TASK}[" in rescuer_log.read_text()
