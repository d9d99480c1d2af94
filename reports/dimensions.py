"""The dimensions deals are grouped by (industry, region, owner, department, size band, source, quarter,
competitor): for each, the SQL to group by, the label of each group, and the condition that selects one group's
deals again for a drill-down. Grouping and drill-down are defined side by side so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.accounts.models import person_name
from backend.core.choices import Industry, Region
from backend.projects.choices import Source
from backend.projects.models import ProjectCompetitor
from reports.base import int_value, local_midnight, parse_period_key, quarter_key
from reports.filters import size_band, size_bands

NONE = "none"


@dataclass(frozen=True)
class Dimension:
    key: str
    label: Any
    fields: tuple[str, ...]
    value_of: Callable[[Mapping[str, Any]], str]
    label_of: Callable[[Mapping[str, Any]], str]
    q: Callable[[str], Q]
    annotations: Callable[[], dict[str, Any]] = field(default=lambda: {})

    def grouped(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """``queryset`` grouped by this dimension (follow with ``.annotate(aggregates)``)."""
        return queryset.annotate(**self.annotations()).values(*self.fields).order_by()


def _choice_dimension(key: str, label: Any, choices: Any) -> Dimension:
    def value_of(row: Mapping[str, Any]) -> str:
        return row[key] or NONE

    def label_of(row: Mapping[str, Any]) -> str:
        value = row[key]
        if not value:
            return _("Not set")
        return str(choices(value).label) if value in choices.values else str(value)

    def q(value: str) -> Q:
        if value == NONE:
            return Q(**{key: ""})
        if value not in choices.values:
            raise ValueError(value)
        return Q(**{key: value})

    return Dimension(key=key, label=label, fields=(key,), value_of=value_of, label_of=label_of, q=q)


def _owner_label(row: Mapping[str, Any]) -> str:
    return person_name(row["owner__first_name"], row["owner__last_name"], row["owner__username"])


OWNER = Dimension(
    key="owner",
    label=gettext_lazy("Owner"),
    fields=("owner", "owner__first_name", "owner__last_name", "owner__username"),
    value_of=lambda row: str(row["owner"]),
    label_of=_owner_label,
    q=lambda value: Q(owner=int_value(value)),
)

DEPARTMENT = Dimension(
    key="department",
    label=gettext_lazy("Department"),
    fields=("department", "department__name"),
    value_of=lambda row: str(row["department"]) if row["department"] else NONE,
    label_of=lambda row: row["department__name"] or _("No department"),
    q=lambda value: Q(department__isnull=True) if value == NONE else Q(department=int_value(value)),
)


def _band_annotation() -> dict[str, Any]:
    return {
        "size_band": Case(
            *(When(band.q(), then=Value(band.code)) for band in size_bands()),
            default=Value(""),
            output_field=CharField(),
        )
    }


def _band_label(row: Mapping[str, Any]) -> str:
    try:
        return size_band(row["size_band"]).label
    except KeyError:
        return _("Not set")


SIZE_BAND = Dimension(
    key="size_band",
    label=gettext_lazy("Deal size"),
    fields=("size_band",),
    value_of=lambda row: row["size_band"] or NONE,
    label_of=_band_label,
    q=lambda value: size_band(value).q(),
    annotations=_band_annotation,
)


def _quarter_of(row: Mapping[str, Any]) -> str:
    moment = row["quarter"]
    return quarter_key(timezone.localtime(moment).date() if hasattr(moment, "tzinfo") and moment.tzinfo else moment)


def _quarter_q(value: str) -> Q:
    start, end = parse_period_key(value)
    if "-Q" not in value:
        raise ValueError(value)
    return Q(closed_at__gte=local_midnight(start), closed_at__lt=local_midnight(end))


QUARTER = Dimension(
    key="quarter",
    label=gettext_lazy("Quarter"),
    fields=("quarter",),
    value_of=_quarter_of,
    label_of=_quarter_of,
    q=_quarter_q,
    annotations=lambda: {"quarter": TruncQuarter("closed_at")},
)


def competitor_q(value: str) -> Q:
    return Q(Exists(ProjectCompetitor.objects.filter(project=OuterRef("pk"), competitor=int_value(value))))


COMPETITOR = Dimension(
    key="competitor",
    label=gettext_lazy("Competitor"),
    fields=("competitors__competitor", "competitors__competitor__name"),
    value_of=lambda row: str(row["competitors__competitor"]),
    label_of=lambda row: row["competitors__competitor__name"],
    q=competitor_q,
)

INDUSTRY = _choice_dimension("industry", gettext_lazy("Industry"), Industry)
REGION = _choice_dimension("region", gettext_lazy("Region"), Region)
SOURCE = _choice_dimension("source", gettext_lazy("Source"), Source)

DIMENSIONS = {d.key: d for d in (COMPETITOR, INDUSTRY, REGION, OWNER, DEPARTMENT, SIZE_BAND, SOURCE, QUARTER)}


def dimension_q(key: str, value: str) -> Q:
    """The deals of one group of dimension ``key`` (KeyError for an unknown dimension)."""
    return DIMENSIONS[key].q(value)
