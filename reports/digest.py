"""The weekly digest: every Monday each executive, sales director and department head gets an e-mail, in their
own language, with the headline figures of the deals they may see (this quarter's forecast against target, last
week's pipeline changes, the win rate, overdue receivables and milestones) and links to the reports. Each person
gets one digest a week: the ``DigestSent`` row, unique per week, is written before the e-mail is sent after
commit."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backend.accounts.models import Department, User
from backend.core.jobs import enqueue
from reports.base import add_months, quarter_key, quarter_start
from reports.models import DigestSent
from reports.registry import report_get

DIGEST_ROLES = ("exec", "director")


def digest_recipients() -> list[User]:
    heads = Department.objects.filter(head__isnull=False).values("head")
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=DIGEST_ROLES) | Q(pk__in=heads) | Q(is_superuser=True))
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _metric(body: dict[str, Any], key: str) -> Any:
    return next((m["value"] for m in body["metrics"] if m["key"] == key), None)


def _money(value: Any) -> str:
    from reports.templatetags.reports_tags import money_short

    return money_short(value)


def digest_text(*, user: User, today: date) -> tuple[str, str]:
    """Subject and body of ``user``'s digest, in the active language."""
    start = quarter_start(today)
    quarter = {"date_from": start.isoformat(), "date_to": (add_months(start, 3) - timedelta(days=1)).isoformat()}
    forecast = report_get("forecast").run(user=user, params=quarter).as_dict()
    changes = report_get("pipeline-changes").run(user=user, params={}).as_dict()
    win_loss = report_get("win-loss").run(user=user, params={}).as_dict()
    receivables = report_get("receivables").run(user=user, params={}).as_dict()
    delivery = report_get("delivery-health").run(user=user, params={}).as_dict()
    base = settings.SICRM_BASE_URL.rstrip("/")
    week = today.isocalendar()
    subject = _("[sicrm] Weekly digest, week %(week)s of %(year)s") % {"week": week.week, "year": week.year}
    lines = [
        _("Hello %(name)s, here is the week in figures (deals you may see).") % {"name": user},
        "",
        _("Forecast for %(quarter)s") % {"quarter": quarter_key(start)},
        "  " + _("Target: %(value)s") % {"value": _money(_metric(forecast, "target"))},
        "  " + _("Won so far: %(value)s") % {"value": _money(_metric(forecast, "won"))},
        "  " + _("Committed: %(value)s") % {"value": _money(_metric(forecast, "commit"))},
        "  " + _("Weighted pipeline: %(value)s") % {"value": _money(_metric(forecast, "weighted"))},
        "",
        _("Last seven days"),
        "  "
        + _("Deals added: %(n)s, won: %(won)s, lost: %(lost)s, close dates slipped: %(slipped)s")
        % {
            "n": _metric(changes, "added"),
            "won": _metric(changes, "won"),
            "lost": _metric(changes, "lost"),
            "slipped": _metric(changes, "slipped"),
        },
        "",
        _("Last twelve months: win rate %(rate)s%%, won %(amount)s")
        % {
            "rate": _metric(win_loss, "win_rate") if _metric(win_loss, "win_rate") is not None else "—",
            "amount": _money(_metric(win_loss, "won_amount")),
        },
        _("Overdue receivables: %(amount)s; overdue milestones: %(milestones)s")
        % {"amount": _money(_metric(receivables, "overdue")), "milestones": _metric(delivery, "overdue")},
        "",
        _("Reports: %(url)s") % {"url": base + reverse("reports:dashboard")},
        _("Pipeline changes: %(url)s") % {"url": base + reverse("reports:report", args=["pipeline-changes"])},
    ]
    return str(subject), "\n".join(str(line) for line in lines)


def digest_send(*, user: User, today: date | None = None) -> bool:
    """Send ``user`` this week's digest unless it was sent already. True if it is sent now."""
    today = today or timezone.localdate()
    week_start = today - timedelta(days=today.weekday())
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject, body = digest_text(user=user, today=today)
    try:
        with transaction.atomic():
            DigestSent.objects.create(user=user, week_start=week_start)
            transaction.on_commit(
                lambda: send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])
            )
    except IntegrityError:
        return False
    return True


def digests_send(*, today: date | None = None) -> int:
    """This week's digest to each recipient who has not had it (a resumed run skips them without computing it)."""
    today = today or timezone.localdate()
    sent = set(DigestSent.objects.filter(week_start=_week_start(today)).values_list("user_id", flat=True))
    return sum(digest_send(user=user, today=today) for user in digest_recipients() if user.pk not in sent)


def _week_start(today: date) -> date:
    return today - timedelta(days=today.weekday())


def digests_resume(now: datetime) -> int:
    """The resumer of the weekly digests (registered with ``core.recovery``): a run that sent some of this week's
    digests and then made no progress for a lease period (its worker died half-way) is queued again; it sends
    only the missing ones. At most once a lease period per process (a recipient whose digest keeps failing is
    not retried every minute). A recipient who joined after the run gets this week's digest too."""
    from django.core.cache import cache

    from backend.core.recovery import lease_seconds

    week_start = _week_start(timezone.localdate(now))
    sent = DigestSent.objects.filter(week_start=week_start)
    last = sent.aggregate(last=Max("sent_at"))["last"]
    if last is None or last > now - timedelta(seconds=lease_seconds()):
        return 0  # this week's run has not started (beat starts it) or is still making progress
    done = set(sent.values_list("user_id", flat=True))
    if all(user.pk in done for user in digest_recipients()):
        return 0
    if not cache.add(f"sicrm:digests-resumed:{week_start.isoformat()}", True, timeout=lease_seconds()):
        return 0
    enqueue("reports.tasks.send_weekly_digests")
    return 1
