"""Writes of the channel partners: the re-grading (``partner_regrade``, set-based: a handful of queries for one
partner or all of them), profiles (cooperation date, a grade set by hand), trainings, certifications, grades,
and a new catalogue partner with its profile. Who may write: see ``permissions.py``. Must not import the apps
above (bids reads the discount ceiling through ``selectors.partner_grade``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core import bounds
from backend.core.errors import PermissionDenied, ValidationFailed
from backend.core.permissions import can
from backend.core.services import model_update
from backend.partners.choices import Criterion
from backend.partners.models import (
    PartnerCertification,
    PartnerGrade,
    PartnerGradeChange,
    PartnerProfile,
    PartnerTraining,
)
from backend.partners.selectors import window_start, with_figures, years_between
from backend.projects.choices import PartnerKind
from backend.projects.models import Partner

GRADE_FIELDS = (
    "code",
    "name",
    "name_en",
    "rank",
    "min_trainings",
    "min_years",
    "min_volume",
    "min_certifications",
    "credit_limit",
    "discount_ceiling",
    "support_level",
)


def require_manage(actor: User) -> None:
    if not can(actor, "change", PartnerProfile):
        raise PermissionDenied(_("Only sales directors, bid managers and administrators may change partners."))


# --- the grading ---------------------------------------------------------------------------------------


def _measure(grade: PartnerGrade, figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Each threshold of ``grade`` against the partner's figures: JSON-ready entries."""
    pairs = [
        (Criterion.TRAININGS, figures["trainings"], grade.min_trainings),
        (Criterion.YEARS, figures["years"], grade.min_years),
        (Criterion.VOLUME, figures["volume"], grade.min_volume),
        (Criterion.CERTIFICATIONS, figures["certifications"], grade.min_certifications),
    ]
    return [
        {
            "grade": grade.code,
            "criterion": str(criterion),
            "value": str(value) if isinstance(value, Decimal) else value,
            "threshold": str(threshold) if isinstance(threshold, Decimal) else threshold,
            "met": value >= threshold,
        }
        for criterion, value, threshold in pairs
    ]


def grade_for(ladder: list[PartnerGrade], figures: dict[str, Any]) -> tuple[PartnerGrade | None, list[dict]]:
    """The highest grade of ``ladder`` (best first) whose every threshold the figures meet, and the reasons:
    the criteria of that grade and of the grade just above it (what is missing for the next step). No grade
    met: the criteria of the lowest grade."""
    for index, grade in enumerate(ladder):
        entries = _measure(grade, figures)
        if all(e["met"] for e in entries):
            above = _measure(ladder[index - 1], figures) if index > 0 else []
            return grade, entries + above
    return None, _measure(ladder[-1], figures) if ladder else []


@transaction.atomic
def partner_regrade(
    *, partner: Partner | None = None, today: date | None = None, actor: User | None = None
) -> list[PartnerGradeChange]:
    """Re-grade one partner or every partner of the catalogue on ``today``; returns the grade changes made.
    A partner without a profile gets one. A grade set by hand stays (its reasons are refreshed). Queries: the
    missing profiles, the ladder, the locked profiles, the figures, one bulk update, one bulk insert."""
    today = today or timezone.localdate()
    partners = Partner.objects.all() if partner is None else Partner.objects.filter(pk=partner.pk)
    missing = list(partners.filter(profile__isnull=True).values_list("pk", flat=True))
    if missing:
        PartnerProfile.objects.bulk_create([PartnerProfile(partner_id=pk) for pk in missing], ignore_conflicts=True)
    ladder = list(PartnerGrade.objects.order_by("-rank"))
    profiles = list(
        PartnerProfile.objects.select_for_update(of=("self",)).filter(partner__in=partners.values("pk")).order_by("pk")
    )
    figures = {
        row["pk"]: row
        for row in with_figures(partners, today=today).values(  # type: ignore[misc]
            "pk", "trainings_12m", "volume_12m", "valid_certifications"
        )
    }
    now = timezone.now()
    changes = []
    for profile in profiles:
        row = figures[profile.partner_id]
        grade, entries = grade_for(
            ladder,
            {
                "trainings": row["trainings_12m"],
                "years": years_between(profile.cooperation_since, today),
                "volume": Decimal(row["volume_12m"] or 0).quantize(Decimal("0.01")),
                "certifications": row["valid_certifications"],
            },
        )
        if not profile.grade_manual and grade != profile.grade:
            changes.append(
                PartnerGradeChange(
                    partner_id=profile.partner_id,
                    old_grade=profile.grade,
                    new_grade=grade,
                    changed_at=now,
                    actor=actor,
                    reasons=entries,
                )
            )
            profile.grade = grade
        profile.grade_reasons = entries
        profile.graded_at = now
        profile.updated_at = now
    PartnerProfile.objects.bulk_update(profiles, ["grade", "grade_reasons", "graded_at", "updated_at"], batch_size=500)
    PartnerGradeChange.objects.bulk_create(changes)
    return changes


def window_of(today: date) -> tuple[date, date]:
    """The 12-month window the figures of ``today`` count (both days included)."""
    return window_start(today), today


# --- profiles ------------------------------------------------------------------------------------------


def _check_date(value: date | None, field: str, *, today: date, future: bool = False) -> None:
    if value is None:
        return
    if bounds.date_outside(value):
        raise ValidationFailed(bounds.date_range_message(), fields={field: [bounds.date_range_message()]})
    if not future and value > today:
        message = _("%(date)s is in the future.") % {"date": value.isoformat()}
        raise ValidationFailed(message, fields={field: [message]}, code="date_in_future")


def _grade_by_code(code: Any) -> PartnerGrade:
    grade = PartnerGrade.objects.filter(code=code).first()
    if grade is None:
        codes = ", ".join(PartnerGrade.objects.order_by("-rank").values_list("code", flat=True))
        message = _("%(code)s is not a partner grade; choose one of %(codes)s.") % {"code": code, "codes": codes}
        raise ValidationFailed(message, fields={"grade": [message]}, code="invalid_grade")
    return grade


@transaction.atomic
def partner_profile_save(*, actor: User, partner: Partner, data: dict[str, Any]) -> PartnerProfile:
    """Set the cooperation date and/or lock the grade: ``data["grade"]`` a grade code sets it by hand (the
    re-grading then leaves it), an empty one hands it back to the re-grading. Re-grades the partner at once."""
    require_manage(actor)
    today = timezone.localdate()
    if "cooperation_since" in data:
        _check_date(data["cooperation_since"], "cooperation_since", today=today)
    profile, _created = PartnerProfile.objects.get_or_create(partner=partner)
    profile = PartnerProfile.objects.select_for_update(of=("self",)).get(pk=profile.pk)
    if "cooperation_since" in data:
        model_update(
            instance=profile, data={"cooperation_since": data["cooperation_since"]}, fields=["cooperation_since"]
        )
    if "grade" in data:
        code = data["grade"] or ""
        if code:
            grade = _grade_by_code(code)
            if grade != profile.grade:
                PartnerGradeChange.objects.create(
                    partner=partner,
                    old_grade=profile.grade,
                    new_grade=grade,
                    changed_at=timezone.now(),
                    actor=actor,
                    reasons=profile.grade_reasons,
                )
            model_update(
                instance=profile, data={"grade": grade, "grade_manual": True}, fields=["grade", "grade_manual"]
            )
        else:
            model_update(instance=profile, data={"grade_manual": False}, fields=["grade_manual"])
    partner_regrade(partner=partner, today=today, actor=actor)
    profile.refresh_from_db()
    return profile


@transaction.atomic
def partner_create(
    *,
    actor: User,
    name: str,
    kind: str = PartnerKind.VENDOR,
    contact: str = "",
    notes: str = "",
    cooperation_since: date | None = None,
) -> Partner:
    """A new partner of the catalogue with its profile, graded at once."""
    require_manage(actor)
    name = (name or "").strip()
    if Partner.objects.filter(name=name).exists():
        message = _("A partner named %(name)s already exists.") % {"name": name}
        raise ValidationFailed(message, fields={"name": [message]}, code="duplicate")
    partner = Partner(name=name, kind=kind, contact=contact, notes=notes)
    partner.full_clean()
    partner.save()
    partner_profile_save(actor=actor, partner=partner, data={"cooperation_since": cooperation_since})
    return partner


@transaction.atomic
def partner_training_add(
    *, actor: User, partner: Partner, course: str, held_on: date, attendees: int = 1
) -> PartnerTraining:
    require_manage(actor)
    _check_date(held_on, "held_on", today=timezone.localdate())
    if not (course or "").strip():
        message = _("Name the course.")
        raise ValidationFailed(message, fields={"course": [message]}, code="required")
    if attendees is None or attendees < 1:
        message = _("A training needs at least one attendee.")
        raise ValidationFailed(message, fields={"attendees": [message]}, code="out_of_range")
    training = PartnerTraining(
        partner=partner, course=course.strip(), held_on=held_on, attendees=attendees, created_by=actor
    )
    training.full_clean()
    training.save()
    partner_regrade(partner=partner, actor=actor)
    return training


@transaction.atomic
def partner_certification_add(
    *, actor: User, partner: Partner, name: str, issued: date, valid_until: date | None = None
) -> PartnerCertification:
    require_manage(actor)
    _check_date(issued, "issued", today=timezone.localdate())
    _check_date(valid_until, "valid_until", today=timezone.localdate(), future=True)
    if not (name or "").strip():
        message = _("Name the certification.")
        raise ValidationFailed(message, fields={"name": [message]}, code="required")
    if valid_until is not None and valid_until < issued:
        message = _("The certification is valid until %(until)s, before it was issued (%(issued)s).") % {
            "until": valid_until.isoformat(),
            "issued": issued.isoformat(),
        }
        raise ValidationFailed(message, fields={"valid_until": [message]}, code="date_order")
    certification = PartnerCertification(
        partner=partner, name=name.strip(), issued=issued, valid_until=valid_until, created_by=actor
    )
    certification.full_clean()
    certification.save()
    partner_regrade(partner=partner, actor=actor)
    return certification


@transaction.atomic
def partner_grade_save(*, actor: User, data: dict[str, Any], grade: PartnerGrade | None = None) -> PartnerGrade:
    """Create or change a grade (thresholds and terms); every partner is re-graded against the new ladder."""
    require_manage(actor)
    for field in ("min_volume", "credit_limit"):
        if field in data and data[field] is not None and Decimal(data[field]) < 0:
            message = _("%(field)s cannot be negative.") % {
                "field": getattr(PartnerGrade._meta.get_field(field), "verbose_name", field)
            }
            raise ValidationFailed(message, fields={field: [message]}, code="out_of_range")
    if grade is None:
        grade = PartnerGrade(**{k: v for k, v in data.items() if k in GRADE_FIELDS})
        grade.full_clean()
        grade.save()
    else:
        grade, _changed = model_update(instance=grade, data=data, fields=GRADE_FIELDS)
    partner_regrade(actor=actor)
    return grade
