"""The weekly digest: one e-mail a week to each executive, director and department head, in their language."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail

from reports import digest
from reports.models import DigestSent

pytestmark = pytest.mark.django_db
MONDAY = "2026-07-13 08:00 +0800"


def test_digest_once_a_week_in_each_readers_language(world, django_capture_on_commit_callbacks):
    world.north_head.language = "zh-hans"
    world.north_head.save()
    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        sent = digest.digests_send()
        again = digest.digests_send()
    recipients = {m.to[0] for m in mail.outbox}
    # the executive, the director (head of sales) and both department heads; not alice, bob or the outsider
    assert recipients == {u.email for u in (world.exec, world.director, world.north_head, world.east_head)}
    assert sent == 4 and again == 0 and DigestSent.objects.count() == 4
    chinese = next(m for m in mail.outbox if m.to == [world.north_head.email])
    english = next(m for m in mail.outbox if m.to == [world.exec.email])
    assert "每周" in chinese.subject and "Weekly digest" in english.subject
    assert "/reports/" in english.body and "Forecast for 2026-Q3" in english.body


def test_a_run_killed_half_way_is_resumed_and_each_person_gets_one_digest(
    world, django_capture_on_commit_callbacks, settings
):
    from datetime import timedelta

    from django.core.cache import cache
    from django.utils import timezone

    from backend.core.recovery import resume_work

    settings.WORK_LEASE_SECONDS = 300
    cache.clear()
    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert resume_work()["weekly_digests"] == 0  # this week's run has not started: beat starts it, not this
        assert digest.digest_send(user=world.exec)  # the run's worker dies after its first digest
        now = timezone.now()
        assert resume_work(now=now + timedelta(seconds=299))["weekly_digests"] == 0  # it may still be working
        assert resume_work(now=now + timedelta(seconds=301))["weekly_digests"] == 1
        assert resume_work(now=now + timedelta(seconds=302))["weekly_digests"] == 0  # all sent
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (world.exec, world.director, world.north_head, world.east_head)
    )
    assert DigestSent.objects.count() == 4
