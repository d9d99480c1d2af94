"""A partner's grade reasons as the reader reads them: each stored entry (grade, criterion, value, threshold,
met) becomes one sentence in the reader's language, e.g. "培训 3 次（金牌需 4 次）". Stored as figures, shown
as text, so a page in English reads the same reasons in English."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from backend.partners.choices import Criterion
from backend.partners.models import PartnerGrade


def _money(value: Any) -> str:
    return f"{Decimal(str(value)):,.0f}"


TEMPLATES = {
    Criterion.TRAININGS: lambda: _("%(value)s trainings in 12 months (%(grade)s needs %(threshold)s)"),
    Criterion.YEARS: lambda: _("%(value)s years of cooperation (%(grade)s needs %(threshold)s)"),
    Criterion.VOLUME: lambda: _("¥%(value)s won in 12 months (%(grade)s needs ¥%(threshold)s)"),
    Criterion.CERTIFICATIONS: lambda: _("%(value)s valid certifications (%(grade)s needs %(threshold)s)"),
}


@dataclass(frozen=True)
class Reason:
    grade: str
    criterion: str
    text: str
    met: bool


def reason_text(entry: dict[str, Any], grades: dict[str, PartnerGrade]) -> str:
    grade = grades.get(entry["grade"])
    name = str(grade.name) if grade else entry["grade"]
    value, threshold = entry["value"], entry["threshold"]
    if entry["criterion"] == Criterion.VOLUME:
        value, threshold = _money(value), _money(threshold)
    return TEMPLATES[Criterion(entry["criterion"])]() % {"value": value, "grade": name, "threshold": threshold}


def reasons(entries: list[dict[str, Any]], grades: dict[str, PartnerGrade]) -> list[Reason]:
    return [
        Reason(grade=e["grade"], criterion=e["criterion"], text=reason_text(e, grades), met=bool(e["met"]))
        for e in entries or []
    ]
