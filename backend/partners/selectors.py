"""Reads of the channel partners: the criteria figures of every partner in one query (trainings and volume of
the last 12 months, valid certifications), the list and profile pages' rows, the grade a quotation's partner
has. Figures are SQL subqueries, never a Python loop over rows.

The 12-month window of a day ``today`` runs from the same date a year before (included) to ``today``
(included). The volume is the sum of ``ProjectPartner.amount`` over the partner's projects that were won
(``Project.outcome`` = won, still won or in delivery) with ``closed_at`` — the day the deal was won — in the
window. A certification is valid on ``today`` when issued on or before it and ``valid_until`` is empty or not
before it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from backend.partners.models import PartnerCertification, PartnerGrade, PartnerGradeChange, PartnerTraining
from backend.projects.choices import CONTRACTED, Status
from backend.projects.models import Partner, Project, ProjectPartner


def window_start(today: date) -> date:
    """The first day of the 12 months ending on ``today`` (29 February → 28 February)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def years_between(since: date | None, today: date) -> int:
    """Full years of cooperation from ``since`` to ``today`` (0 without a start date or before it)."""
    if since is None or since > today:
        return 0
    return today.year - since.year - ((today.month, today.day) < (since.month, since.day))


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _count(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("partner_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_figures(queryset: QuerySet[Partner], *, today: date) -> QuerySet[Partner]:
    """Partners annotated with ``trainings_12m``, ``volume_12m`` and ``valid_certifications`` on ``today``."""
    start = window_start(today)
    trainings = PartnerTraining.objects.filter(partner_id=OuterRef("pk"), held_on__gte=start, held_on__lte=today)
    certifications = PartnerCertification.objects.filter(partner_id=OuterRef("pk"), issued__lte=today).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    volume = (
        ProjectPartner.objects.filter(
            partner_id=OuterRef("pk"),
            project__outcome=Status.WON,
            project__status__in=CONTRACTED,
            project__closed_at__gte=_day_start(start),
            project__closed_at__lt=_day_start(today + timedelta(days=1)),
        )
        .order_by()
        .values("partner_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=18, decimal_places=2)
    return queryset.annotate(
        trainings_12m=_count(trainings),
        valid_certifications=_count(certifications),
        volume_12m=Coalesce(Subquery(volume, output_field=money), Value(Decimal(0)), output_field=money),
    )


def partner_list(*, today: date | None = None, grade: str = "", search: str = "") -> QuerySet[Partner]:
    """Every catalogue partner (the catalogue is shared) with its profile, grade and criteria figures."""
    today = today or timezone.localdate()
    qs = Partner.objects.select_related("profile__grade")
    if grade == "none":
        qs = qs.filter(Q(profile__isnull=True) | Q(profile__grade__isnull=True))
    elif grade:
        qs = qs.filter(profile__grade__code=grade)
    if search:
        qs = qs.filter(name__icontains=search)
    return with_figures(qs, today=today).order_by("name")


def grades() -> list[PartnerGrade]:
    return list(PartnerGrade.objects.order_by("-rank"))


def partner_projects(*, partner: Partner, user: Any) -> QuerySet[ProjectPartner]:
    """The partner's projects the user may see, with the amounts."""
    from backend.core.permissions import visible_to

    visible = visible_to(user, Project.objects.all()).values("pk")
    return (
        ProjectPartner.objects.filter(partner=partner, project__in=visible)
        .select_related("project__customer")
        .order_by("-project__closed_at", "-project_id")
    )


def grade_history(*, partner: Partner) -> QuerySet[PartnerGradeChange]:
    return PartnerGradeChange.objects.filter(partner=partner).select_related("old_grade", "new_grade", "actor")


def partner_grade(*, partner_id: int | None) -> PartnerGrade | None:
    """The grade of a catalogue partner (None: no partner, no profile or ungraded). Used by the quotations."""
    if partner_id is None:
        return None
    return PartnerGrade.objects.filter(pk__in=Subquery(_grade_ids(partner_id))).first()


def _grade_ids(partner_id: int) -> QuerySet:
    from backend.partners.models import PartnerProfile

    return PartnerProfile.objects.filter(partner_id=partner_id, grade__isnull=False).values("grade_id")
