"""Notifications: written and e-mailed only after commit, rendered in the reader's language, and
delivered by the real worker process."""

import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation

from backend.core.models import Notification
from backend.core.notifications import notify, render
from tests.conftest import wait_until
from tests.factories import UserFactory


@pytest.mark.django_db
def test_notify_after_commit_creates_rows_and_sends_mail(django_capture_on_commit_callbacks):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[alice, bob, None],
            kind="tender_assigned",
            params={"tender": "ZB-2026-001"},
            url="/tenders/1/",
            exclude=bob,
        )
    note = Notification.objects.get()
    assert note.recipient == alice and note.params == {"tender": "ZB-2026-001"}
    assert len(mail.outbox) == 1 and "ZB-2026-001" in mail.outbox[0].subject
    assert mail.outbox[0].to == ["alice@example.com"]


@pytest.mark.django_db
def test_rolled_back_work_notifies_nobody(django_capture_on_commit_callbacks):
    alice = UserFactory(username="alice")
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(recipients=[alice], kind="tender_assigned", params={"tender": "T"})
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert not Notification.objects.exists() and mail.outbox == []


def test_render_follows_the_active_language():
    params = {"tender": "ZB-1"}
    assert "ZB-1" in render("tender_assigned", params)
    with translation.override("zh-hans"):
        assert "ZB-1" in render("tender_assigned", params)
        assert "招标" in render("tender_assigned", params)


@pytest.mark.django_db
def test_notifications_api_is_private_and_marks_read(client_for):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    Notification.objects.create(recipient=alice, kind="tender_assigned", params={"tender": "ZB-9"}, url="/x/")
    other = Notification.objects.create(recipient=bob, kind="tender_assigned", params={"tender": "ZB-8"})
    client = client_for(alice)
    body = client.get("/api/v1/notifications/").json()
    assert body["count"] == 1 and "ZB-9" in body["results"][0]["text"] and body["results"][0]["read"] is False
    assert client.get(f"/api/v1/notifications/{other.pk}/").status_code == 404
    note_id = body["results"][0]["id"]
    assert client.post(f"/api/v1/notifications/{note_id}/read/").json()["read"] is True
    assert client.get("/api/v1/notifications/?unread=1").json()["count"] == 0
    Notification.objects.create(recipient=alice, kind="tender_assigned", params={"tender": "ZB-10"})
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked_read": 1}


@pytest.mark.worker
def test_the_worker_delivers_review_requests(real_worker, org):
    from backend.projects import services
    from tests.factories import CustomerFactory

    project = services.project_create(
        actor=org["bidmgr"], name="Worker project", customer=CustomerFactory(owner=org["bidmgr"])
    )
    for item in project.checklist.filter(stage="tender", required=True):
        services.checklist_set_done(actor=org["bidmgr"], item=item, done=True)
    services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"])
    delivered = wait_until(
        lambda: (
            set(Notification.objects.filter(kind="review_requested").values_list("recipient__username", flat=True))
            or None
        ),
        timeout=30,
        message="the worker never delivered the review request",
    )
    assert delivered == {"head", "director"}
    # the worker also scores the initiation; let it finish before the test's tables are flushed
    from reports.models import Scorecard

    wait_until(lambda: Scorecard.objects.filter(project=project).exists(), timeout=30, message="no scorecard")


@pytest.mark.django_db
def test_a_retried_delivery_writes_no_row_twice(django_capture_on_commit_callbacks, monkeypatch):
    """Celery retries ``deliver_notifications`` with the same arguments (including the key ``notify`` gave it):
    the second run finds the rows of that key and neither writes nor e-mails again."""
    from backend.core.tasks import deliver_notifications

    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    sent = []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[alice, bob], kind="tender_assigned", params={"tender": "ZB-7"}, url="/tenders/7/")
    monkeypatch.setattr(deliver_notifications, "delay", lambda *args: sent.append(args))  # the queued arguments
    callbacks[0]()
    monkeypatch.undo()
    (args,) = sent
    assert args[:4] == ([alice.pk, bob.pk], "tender_assigned", {"tender": "ZB-7"}, "/tenders/7/")
    assert len(args[4]) == 32  # the idempotency key

    deliver_notifications.apply(args=args)
    deliver_notifications.apply(args=args)  # the retry
    assert sorted(Notification.objects.values_list("recipient__username", "key")) == [
        ("alice", args[4]),
        ("bob", args[4]),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "bob@example.com"]

    Notification.objects.filter(recipient=bob).delete()  # say the first attempt reached alice only
    deliver_notifications.apply(args=args)
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["alice", "bob"]
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "bob@example.com", "bob@example.com"]


@pytest.mark.django_db
def test_the_same_key_is_unique_per_recipient():
    from django.db import IntegrityError

    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    Notification.objects.create(recipient=alice, kind="tender_assigned", params={}, key="k1")
    Notification.objects.create(recipient=bob, kind="tender_assigned", params={}, key="k1")
    Notification.objects.create(recipient=alice, kind="tender_assigned", params={})  # no key: no limit
    Notification.objects.create(recipient=alice, kind="tender_assigned", params={})
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=alice, kind="tender_assigned", params={}, key="k1")


@pytest.mark.django_db
def test_a_delivery_lost_with_its_worker_is_resumed_from_the_database(
    django_capture_on_commit_callbacks, monkeypatch, settings
):
    """``notify`` writes the delivery down in its transaction; the queued task is lost (as when the worker that
    took it from the filesystem broker is killed); a lease period later the resumer queues it again, and it is
    delivered once. A live one is left alone, a delivered one leaves nothing behind."""
    from datetime import timedelta

    from backend.core.models import PendingNotification
    from backend.core.recovery import resume_work
    from backend.core.tasks import deliver_notifications

    settings.WORK_LEASE_SECONDS = 300
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    lost: list[tuple] = []
    monkeypatch.setattr(deliver_notifications, "delay", lambda *args: lost.append(args))  # the message is lost
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify(recipients=[alice, bob], kind="tender_assigned", params={"tender": "ZB-7"})
    monkeypatch.undo()
    assert len(lost) == 1 and not Notification.objects.exists()
    pending = PendingNotification.objects.get()
    assert (pending.kind, sorted(pending.user_ids)) == ("tender_assigned", sorted([alice.pk, bob.pk]))

    created = pending.created_at
    assert resume_work(now=created + timedelta(seconds=299))["notifications"] == 0  # it may still be on its way
    assert resume_work(now=created + timedelta(seconds=301))["notifications"] == 1  # delivered inline (eager)
    assert sorted(Notification.objects.values_list("recipient__username", "key")) == [
        ("alice", pending.key),
        ("bob", pending.key),
    ]
    assert not PendingNotification.objects.exists()
    assert resume_work(now=created + timedelta(hours=1))["notifications"] == 0
    deliver_notifications.apply(args=lost[0])  # the lost message turns up after all: nothing twice
    assert Notification.objects.count() == 2


def test_a_state_in_a_notification_is_shown_in_each_readers_language(make_user):
    """A state or decision travels as its message id, so the same stored notification reads 合同评审 to a
    Chinese reader and Contract review to an English one (never the sender's language, never English in 中文)."""
    from django.utils import translation

    from backend.core.notifications import render, stored
    from backend.projects.choices import Status
    from workflows.choices import Decision, ReviewStatus

    params = {
        "project": stored("P-2026-001"),
        "stage": stored(Status.CONTRACT_REVIEW.label),
        "days": stored(12),
        "standard": stored(5),
    }
    assert params["stage"] == {"msgid": "Contract review"}
    with translation.override("zh-hans"):
        assert render("alarm_stage_overdue", params) == "P-2026-001 已处于合同评审阶段 12 天，标准为 5 天。"
    with translation.override("en"):
        assert (
            render("alarm_stage_overdue", params)
            == "P-2026-001 has been in Contract review for 12 days; the standard is 5."
        )
    decided = {"project": "P-1", "gate": "立项评审", "status": stored(ReviewStatus.APPROVED.label)}
    with translation.override("zh-hans"):
        text = render("review_completed", decided)
    assert text == "P-1：立项评审 已结束，结果为已批准。"
    assert stored(Decision.APPROVE.label) == {"msgid": "Approve"}
