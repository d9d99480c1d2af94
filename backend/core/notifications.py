"""In-app and e-mail notifications. Services call ``notify(...)`` inside their transaction; nothing is
written or sent unless that transaction commits (``transaction.on_commit`` → a Celery task that creates
the rows and sends the e-mails). Each kind's text is defined here once and rendered in the reader's
language when shown, so stored notifications carry only a kind and parameters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

# kind → text with %(name)s parameters
MESSAGES = {
    "review_requested": _("%(project)s: your decision is needed on %(gate)s (step: %(step)s)."),
    "review_decided": _("%(project)s: %(actor)s decided %(decision)s on %(gate)s."),
    "review_completed": _("%(project)s: %(gate)s ended %(status)s."),
    "project_assigned": _("%(project)s: you were assigned as %(role)s."),
    "tender_assigned": _("Tender %(tender)s was assigned to you."),
    "project_transition": _("%(project)s moved from %(source)s to %(target)s (%(actor)s)."),
    "milestone_transition": _("%(project)s: milestone %(milestone)s is now %(state)s (%(actor)s)."),
    "deliverable_submitted": _("%(project)s: %(actor)s submitted deliverable %(title)s for review."),
    "deliverable_reviewed": _("%(project)s: deliverable %(title)s was %(status)s."),
    "alarm_milestone_due": _("%(project)s: milestone %(milestone)s is due on %(due)s."),
    "alarm_milestone_overdue": _(
        "%(project)s: milestone %(milestone)s is %(days)s days overdue (escalation level %(level)s)."
    ),
    "alarm_stage_overdue": _("%(project)s has been in %(stage)s for %(days)s days; the standard is %(standard)s."),
    "alarm_review_pending": _("%(project)s: %(gate)s has waited %(hours)s hours for your decision."),
    "alarm_tender_deadline": _("Tender %(tender)s: the bid deadline is %(deadline)s."),
}


def render(kind: str, params: dict[str, Any]) -> str:
    template = MESSAGES.get(kind)
    if template is None:
        return kind
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def notify(*, recipients: Iterable[Any], kind: str, params: dict[str, Any], url: str = "", exclude: Any = None) -> None:
    """Queue a notification for each recipient (users or ids), sent after the current transaction commits."""
    exclude_id = getattr(exclude, "pk", exclude)
    ids = sorted({getattr(r, "pk", r) for r in recipients if r is not None} - {exclude_id})
    if not ids:
        return
    if kind not in MESSAGES:
        raise ValueError(f"unknown notification kind {kind}")
    payload = {k: str(v) for k, v in params.items()}

    def send() -> None:
        from backend.core.tasks import deliver_notifications

        deliver_notifications.delay(ids, kind, payload, url)

    transaction.on_commit(send)


def deliver(*, user_ids: list[int], kind: str, params: dict[str, str], url: str) -> int:
    """Create the in-app rows and send the e-mails (called by the task). Returns how many were created."""
    from django.conf import settings
    from django.core.mail import send_mail

    from backend.accounts.models import User
    from backend.core.models import Notification

    users = list(User.objects.filter(pk__in=user_ids, is_active=True))
    Notification.objects.bulk_create([Notification(recipient=u, kind=kind, params=params, url=url) for u in users])
    for user in users:
        if user.email:
            with override(settings.LANGUAGE_CODE):
                text = render(kind, params)
            send_mail(
                subject=f"[sicrm] {text[:120]}",
                message=f"{text}\n\n{url}",
                from_email=None,
                recipient_list=[user.email],
                fail_silently=True,
            )
    return len(users)
