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
