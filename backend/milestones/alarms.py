"""Alarms (DESIGN.md §2 milestones, §4 workflows): find what is due or overdue in set-based queries, record
each alarm once per (kind, object, level), and deliver it exactly once.

``alarms_raise`` inserts the missing Alarm rows with one INSERT … SELECT per kind and level, without bringing
the ids through Python (at 1,000,000 projects the first scan raised 436,000 alarms, and building them as
objects took half of its 55 s); ignoring conflicts on the unique key makes a concurrent or repeated scan
harmless. ``alarm_deliver`` sends one alarm: under a row
lock it writes the in-app notifications and ``delivered_at`` in one transaction, so a task redelivered after
the worker died either finds the alarm delivered (and does nothing) or delivers it for the first time.

What is due when and who is told at each escalation level are the rules of ``backend.milestones.alarm_rules``
(configured in settings); this module applies them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from backend.core.notifications import both_languages
from backend.milestones.alarm_rules import escalation_levels, overdue_recipients
from backend.milestones.choices import OPEN_MILESTONE, AlarmKind
from backend.milestones.models import Alarm, Milestone


@dataclass(frozen=True)
class AlarmSource:
    """Alarms an app above this one raises through this engine (registered from its ``AppConfig.ready()``
    with ``alarm_source``): for each level, ``due(level, today, now)`` returns the queryset of objects that
    should alarm at that level and the name of their project column (or None); ``deliver(alarm)`` answers
    who is told, the notification kind, its parameters and the link. The engine records each
    (object_type, object, kind, level) once, under the Alarm table's unique key, and delivers it once."""

    object_type: str
    kind: str
    levels: Callable[[], list[int]]
    due: Callable[[int, date, datetime], tuple[QuerySet, str | None]]
    deliver: Callable[[Alarm], tuple[list[Any], str, dict[str, Any], str]]
    # where the alarm lists link an alarm of this source (None: its project, as for any alarm)
    link: Callable[[Alarm], str] | None = None


_sources: dict[str, AlarmSource] = {}


def alarm_source(source: AlarmSource) -> None:
    """Register ``source`` (idempotent by object type)."""
    _sources[source.object_type] = source


def alarm_source_link(alarm: Alarm) -> str | None:
    """The page a registered source names for ``alarm``; None when no source answers."""
    source = _sources.get(alarm.object_type)
    return source.link(alarm) if source is not None and source.link is not None else None


def _missing(qs: QuerySet, kind: str, object_type: str, level: int) -> QuerySet:
    existing = Alarm.objects.filter(kind=kind, object_type=object_type, object_id=OuterRef("pk"), level=level)
    return qs.exclude(Exists(existing))


def _raise(due: QuerySet, project_field: str | None, kind: str, object_type: str, level: int) -> int:
    """Record an alarm for each row of ``due`` that has none of this kind and level; returns how many."""
    return _insert_select(_missing(due, kind, object_type, level), project_field, kind, object_type, level)


@transaction.atomic
def alarms_raise(*, today: date | None = None, now: datetime | None = None) -> dict[str, int]:
    """Record every alarm that is due and not yet recorded; returns counts by kind and level."""
    from backend.tenders.models import Tender
    from workflows.models import ReviewStep

    today = today or timezone.localdate()
    now = now or timezone.now()
    counts: dict[str, int] = {}
    open_milestones = Milestone.objects.filter(status__in=OPEN_MILESTONE, project__status="implementation")

    due_soon = open_milestones.filter(
        planned_end__gte=today, planned_end__lte=today + timedelta(days=settings.ALARM_DUE_SOON_DAYS)
    )
    counts["milestone_due"] = _raise(due_soon, "project_id", AlarmKind.MILESTONE_DUE, "milestone", 0)

    for rule in escalation_levels():
        level = rule.level
        overdue = open_milestones.filter(planned_end__lte=today - timedelta(days=rule.days_overdue))
        counts[f"milestone_overdue_{level}"] = _raise(
            overdue, "project_id", AlarmKind.MILESTONE_OVERDUE, "milestone", level
        )

    counts["stage_overdue"] = _raise_stage_overdue(now)

    waiting = ReviewStep.objects.filter(
        status="active",
        review__status="pending",
        review__created_at__lte=now - timedelta(hours=settings.ALARM_REVIEW_PENDING_HOURS),
    )
    counts["review_pending"] = _raise(waiting, "review__project_id", AlarmKind.REVIEW_PENDING, "review_step", 0)

    soon = Tender.objects.filter(
        bid_deadline__gte=now, bid_deadline__lte=now + timedelta(days=settings.ALARM_TENDER_DEADLINE_DAYS)
    )
    counts["tender_deadline"] = _raise(soon, None, AlarmKind.TENDER_DEADLINE, "tender", 0)

    for source in _sources.values():
        for level in source.levels():
            qs, project_field = source.due(level, today, now)
            counts[f"{source.object_type}_{level}"] = _raise(qs, project_field, source.kind, source.object_type, level)
    _analyze_after(sum(counts.values()))
    return counts


# a scan that adds this many alarms refreshes the table's planner statistics (PostgreSQL)
ANALYZE_AFTER = 5000


def _analyze_after(inserted: int) -> None:
    """After a scan that added many alarms at once (the first scan over a large backlog), PostgreSQL would plan
    the next scan's NOT EXISTS against statistics that say they are not there — a nested loop over every new
    alarm for every candidate row (minutes at 100,000) until autovacuum analyzes the table. Analyze it now."""
    from django.db import connection

    if inserted >= ANALYZE_AFTER and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Alarm._meta.db_table)}")


def _insert_select(missing: QuerySet, project_field: str | None, kind: str, object_type: str, level: int) -> int:
    """Insert the alarms of ``missing`` in one INSERT … SELECT (no round trip of ids through Python), ignoring
    rows the unique key already holds; returns how many were inserted."""
    from django.db import connection
    from django.db.models import BigIntegerField, F, Value
    from django.db.models.constants import OnConflict
    from django.db.models.functions import Cast

    # a typed NULL: PostgreSQL reads an untyped parameter as text, which the bigint column refuses
    project = F(project_field) if project_field else Cast(Value(None), output_field=BigIntegerField())
    select = missing.order_by().annotate(_alarm_object=F("pk"), _alarm_project=project)
    sql, params = select.values_list("_alarm_object", "_alarm_project").query.sql_with_params()
    by_name = {f.name: f for f in Alarm._meta.concrete_fields}
    fields = [by_name[name] for name in ("kind", "object_type", "object_id", "level", "project", "params", "raised_at")]
    quote = connection.ops.quote_name
    insert = connection.ops.insert_statement(on_conflict=OnConflict.IGNORE)
    suffix = connection.ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None) or ""
    statement = (
        f"{insert} {quote(Alarm._meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) "
        f"SELECT %s, %s, m._alarm_object, %s, m._alarm_project, %s, %s FROM ({sql}) m WHERE 1 = 1 {suffix}"
    )
    empty = by_name["params"].get_db_prep_value({}, connection)
    values = [kind, object_type, level, empty, connection.ops.adapt_datetimefield_value(timezone.now()), *params]
    with connection.cursor() as cursor:
        cursor.execute(statement, values)
        return max(cursor.rowcount, 0)


def _raise_stage_overdue(now: datetime) -> int:
    """Projects in a state longer than their template's standard duration: one alarm per project and state
    (the state is part of the object type, so a later overrun in another state alarms again)."""
    from backend.projects.models import Project
    from workflows.models import StageTemplate

    total = 0
    stages = StageTemplate.objects.filter(standard_days__gt=0).values_list("template_id", "stage", "standard_days")
    by_stage: dict[tuple[str, int], list[int]] = {}
    for template_id, stage, days in stages:
        by_stage.setdefault((stage, days), []).append(template_id)
    for (stage, days), template_ids in by_stage.items():
        late = Project.objects.filter(
            status=stage, process_template_id__in=template_ids, status_changed_at__lte=now - timedelta(days=days)
        )
        total += _raise(late, "pk", AlarmKind.STAGE_OVERDUE, f"stage:{stage}", 0)
    return total


def alarms_undelivered() -> list[int]:
    return list(Alarm.objects.filter(delivered_at__isnull=True).order_by("pk").values_list("pk", flat=True))


def _recipients_and_params(alarm: Alarm) -> tuple[list[Any], str, dict[str, Any], str]:
    """Who is told, the notification kind, its parameters and link."""
    from backend.projects.choices import Status as ProjectStatus
    from backend.projects.models import Project
    from backend.tenders.models import Tender
    from workflows.models import ReviewStep

    if alarm.object_type in _sources:
        return _sources[alarm.object_type].deliver(alarm)
    if alarm.object_type == "milestone":
        milestone = Milestone.objects.select_related("project__department", "owner", "project__owner").get(
            pk=alarm.object_id
        )
        project = milestone.project
        url = f"/projects/{project.pk}/?tab=milestones"
        if alarm.kind == AlarmKind.MILESTONE_DUE:
            return (
                [milestone.owner or project.owner],
                "alarm_milestone_due",
                {"project": project, "milestone": both_languages(milestone), "due": milestone.planned_end},
                url,
            )
        who = overdue_recipients(milestone, alarm.level)
        days = (timezone.localdate() - milestone.planned_end).days
        return (
            who,
            "alarm_milestone_overdue",
            {"project": project, "milestone": both_languages(milestone), "days": days, "level": alarm.level},
            url,
        )
    if alarm.object_type.startswith("stage:"):
        project = Project.objects.select_related("owner").get(pk=alarm.object_id)
        stage = project.process_template.stages.filter(stage=alarm.object_type[6:]).first()
        days = (timezone.now() - project.status_changed_at).days
        return (
            [project.owner],
            "alarm_stage_overdue",
            {
                "project": project,
                "stage": ProjectStatus(project.status).label,  # shown in each reader's language
                "days": days,
                "standard": stage.standard_days if stage else "?",
            },
            f"/projects/{project.pk}/",
        )
    if alarm.object_type == "review_step":
        step = ReviewStep.objects.select_related("review__project", "review__gate").get(pk=alarm.object_id)
        decided = set(step.approvals.values_list("approver_id", flat=True))
        hours = int((timezone.now() - step.review.created_at).total_seconds() // 3600)
        return (
            [u for u in step.approvers.all() if u.pk not in decided],
            "alarm_review_pending",
            {"project": step.review.project, "gate": step.review.gate.name, "hours": hours},
            f"/reviews/{step.review_id}/",
        )
    tender = Tender.objects.select_related("owner").get(pk=alarm.object_id)
    return (
        [tender.owner],
        "alarm_tender_deadline",
        {"tender": tender, "deadline": timezone.localtime(tender.bid_deadline).strftime("%Y-%m-%d %H:%M")},
        f"/tenders/{tender.pk}/",
    )


@transaction.atomic
def alarm_deliver(*, alarm_id: int) -> bool:
    """Deliver one alarm unless it already was; returns whether this call delivered it."""
    alarm = Alarm.objects.select_for_update().filter(pk=alarm_id).first()
    if alarm is None or alarm.delivered_at is not None:
        return False
    try:
        who, kind, params, url = _recipients_and_params(alarm)
    except ObjectDoesNotExist:  # the object is gone: the alarm has nothing left to say
        alarm.delivered_at = timezone.now()
        alarm.save(update_fields=["delivered_at"])
        return False
    # Any other error propagates: the transaction rolls back, the alarm stays undelivered and the task (or the
    # next scan, which fans out every undelivered alarm) tries again.
    recipients = list({u.pk: u for u in who if u is not None}.values())  # each person once
    from backend.core.notifications import stored

    alarm.params = {k: stored(v) for k, v in params.items()}  # labels as message ids: each reader's language
    alarm.delivered_at = timezone.now()
    alarm.save(update_fields=["params", "delivered_at"])
    alarm.recipients.set(recipients)
    _write_notifications(recipients=recipients, kind=kind, params=alarm.params, url=url, key=f"alarm:{alarm.pk}")
    return True


def _write_notifications(*, recipients: list[Any], kind: str, params: dict[str, Any], url: str, key: str) -> None:
    """In-app rows in this transaction (the delivery record, keyed by the alarm); e-mails after it commits."""
    from backend.core.models import Notification

    Notification.objects.bulk_create(
        Notification(recipient=u, kind=kind, params=params, url=url, key=key) for u in recipients
    )
    emails = [u for u in recipients if u.email]
    if emails:

        def send() -> None:
            from django.core.mail import send_mail
            from django.utils.translation import override

            from backend.core.notifications import render

            for user in emails:
                with override(getattr(user, "language", "") or settings.LANGUAGE_CODE):  # the reader's language
                    text = render(kind, params)
                send_mail(
                    subject=f"[sicrm] {text[:120]}",
                    message=f"{text}\n\n{url}",
                    from_email=None,
                    recipient_list=[user.email],
                    fail_silently=True,
                )

        transaction.on_commit(send)
