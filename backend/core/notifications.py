"""In-app and e-mail notifications. Services call ``notify(...)`` inside their transaction; nothing is
written or sent unless that transaction commits (``transaction.on_commit`` → a Celery task that creates
the rows and sends the e-mails). Each call carries an idempotency key, unique per recipient, so a retried
task writes no row twice and e-mails only the recipients it had not reached. The call is also written down
in the same transaction (a ``PendingNotification``, deleted when delivered), so a delivery whose task was lost
with its worker is queued again by the resumer (``notifications_resume``, run by beat; ``core/recovery.py``).
Each kind's text is defined here once and rendered in the reader's language when shown, so stored
notifications carry only a kind and parameters."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext, override, pgettext
from django.utils.translation import gettext_lazy as _

from backend.core.jobs import enqueue
from backend.core.localized import both, pick

MAX_RESUMES = 20

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
    "post_mentioned": _("%(where)s: %(actor)s mentioned you in the discussion %(thread)s."),
}


def stored(value: Any) -> str | dict[str, str]:
    """A parameter as it is stored: text, or — for a translatable label such as a state's (a lazy
    ``gettext_lazy``/``pgettext_lazy`` string) — its message id, so each reader sees it in their language."""
    if isinstance(value, Promise):
        # what the lazy call was given: (message,) or (context, message)
        args: tuple[Any, ...] = getattr(value, "_args", ())
        if len(args) == 1 and isinstance(args[0], str):
            return {"msgid": args[0]}
        if len(args) == 2 and all(isinstance(a, str) for a in args):
            return {"msgid": args[1], "context": args[0]}
    if isinstance(value, dict) and isinstance(value.get("zh"), str):
        return value  # already in both languages (``both_languages``)
    return str(value)


def both_languages(obj: Any, field: str = "name") -> dict[str, str]:
    """A parameter naming data that comes with the product (a gate, a milestone), kept in both languages."""
    pair = both(obj, field)
    return {"zh": pair[field], "en": pair[f"{field}_en"]}


def _shown(value: Any) -> str:
    if isinstance(value, dict) and isinstance(value.get("msgid"), str):
        context = value.get("context")
        return pgettext(context, value["msgid"]) if context else gettext(value["msgid"])
    if isinstance(value, dict) and isinstance(value.get("zh"), str):
        return pick(value["zh"], value.get("en"))
    return str(value)


def render(kind: str, params: dict[str, Any]) -> str:
    """The text of a notification in the active language (its translatable parameters included)."""
    template = MESSAGES.get(kind)
    if template is None:
        return kind
    try:
        return str(template) % {name: _shown(value) for name, value in params.items()}
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
    from backend.core.models import PendingNotification

    payload = {k: stored(v) for k, v in params.items()}
    key = uuid.uuid4().hex
    PendingNotification.objects.create(key=key, user_ids=ids, kind=kind, params=payload, url=url)

    def send() -> None:

        enqueue("backend.core.tasks.deliver_notifications", ids, kind, payload, url, key)

    transaction.on_commit(send)


def deliver(*, user_ids: list[int], kind: str, params: dict[str, Any], url: str, key: str | None = None) -> int:
    """Create the in-app rows and send the e-mails (called by the task). Returns how many were created.

    With ``key`` (every call from ``notify``) it is idempotent: recipients who already have the row of this key
    are skipped, and a row a concurrent attempt wrote first is ignored by the unique (recipient, key)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail

    from backend.core.models import Notification, PendingNotification

    users = list(get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))
    if key:
        done = set(Notification.objects.filter(key=key, recipient__in=users).values_list("recipient_id", flat=True))
        users = [u for u in users if u.pk not in done]
    Notification.objects.bulk_create(
        [Notification(recipient=u, kind=kind, params=params, url=url, key=key or None) for u in users],
        ignore_conflicts=True,
    )
    for user in users:
        if user.email:
            with override(getattr(user, "language", "") or settings.LANGUAGE_CODE):  # the reader's language
                text = render(kind, params)
            send_mail(
                subject=f"[sicrm] {text[:120]}",
                message=f"{text}\n\n{url}",
                from_email=None,
                recipient_list=[user.email],
                fail_silently=True,
            )
    if key:
        PendingNotification.objects.filter(key=key).delete()  # delivered: nothing left to resume
    return len(users)


def notifications_resume(now: Any) -> int:
    """The resumer of notifications (registered with ``core.recovery``): queue again each delivery still pending a
    lease period after it was queued (its task was lost) or after it was last resumed; one that failed
    ``MAX_RESUMES`` times is left for an administrator (it stays in the table)."""
    from backend.core.models import PendingNotification
    from backend.core.recovery import lease_release_for_resume, stalled

    pending = PendingNotification.objects.all()
    resumed = 0
    for row in stalled(pending, now=now).filter(resumed__lt=MAX_RESUMES).order_by("pk")[:1000]:
        if lease_release_for_resume(pending, pk=row.pk, now=now):
            enqueue("backend.core.tasks.deliver_notifications", row.user_ids, row.kind, row.params, row.url, row.key)
            resumed += 1
    return resumed
