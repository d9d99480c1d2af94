"""The filters every report takes (date range, department with its subtree, owner, industry, region, source,
deal-size band, process template, competitor), validated by one form, and the base set of projects they leave:
the projects the user may see (``visible_to``), narrowed by them. Reports and their drill-downs both start from
``scoped_projects``, so a figure and the list behind it can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from backend.accounts.models import Department, User
from backend.accounts.selectors import department_subtree_ids
from backend.core.choices import Industry, Region
from backend.core.errors import ValidationFailed
from backend.core.permissions import visible_to
from backend.projects.choices import Source
from backend.projects.models import Competitor, Project, ProjectCompetitor
from workflows.models import ProcessTemplate

MONEY = DecimalField(max_digits=20, decimal_places=2)
# Earliest and latest dates a report accepts: far enough for any real history, near enough for every database.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


def deal_amount(prefix: str = "") -> Coalesce:
    """What a deal is worth: the contract amount once known, else the estimate."""
    return Coalesce(F(f"{prefix}contract_amount"), F(f"{prefix}estimated_amount"), output_field=MONEY)


# --- deal-size bands --------------------------------------------------------------------------------------


def _short_amount(value: int) -> str:
    if (get_language() or "").startswith("zh"):
        return f"{value // 10_000:,}万" if value % 10_000 == 0 else f"{value:,}"
    if value % 1_000_000 == 0:
        return f"{value // 1_000_000:,}M"
    return f"{value:,}"


@dataclass(frozen=True)
class SizeBand:
    code: str
    low: Decimal | None
    high: Decimal | None

    @property
    def label(self) -> str:
        if self.low is None and self.high is not None:
            return _("under %(amount)s") % {"amount": _short_amount(int(self.high))}
        if self.high is None and self.low is not None:
            return _("%(amount)s and above") % {"amount": _short_amount(int(self.low))}
        return f"{_short_amount(int(self.low or 0))}–{_short_amount(int(self.high or 0))}"

    def q(self, prefix: str = "") -> Q:
        """The condition "the deal's amount is in this band", usable in ``filter()`` and ``Case(When())``."""
        amount = deal_amount(prefix)
        condition = Q()
        if self.low is not None:
            condition &= Q(GreaterThanOrEqual(amount, Value(self.low, output_field=MONEY)))
        if self.high is not None:
            condition &= Q(LessThan(amount, Value(self.high, output_field=MONEY)))
        return condition


def size_bands() -> list[SizeBand]:
    """Bands between the boundaries of ``REPORT_SIZE_BANDS`` (CNY), smallest first, coded 1, 2, 3 …"""
    bounds = [Decimal(str(b)) for b in settings.REPORT_SIZE_BANDS]
    edges: list[Decimal | None] = [None, *bounds, None]
    return [SizeBand(code=str(i + 1), low=edges[i], high=edges[i + 1]) for i in range(len(edges) - 1)]


def size_band(code: str) -> SizeBand:
    for band in size_bands():
        if band.code == code:
            return band
    raise KeyError(code)


# --- the filter form --------------------------------------------------------------------------------------


def _choices(empty: str, choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", empty), *choices]


class ReportFilterForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=gettext_lazy("All departments"),
    )
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Owner"),
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name", "username"),
        required=False,
        empty_label=gettext_lazy("Anyone"),
    )
    industry = forms.ChoiceField(label=gettext_lazy("Industry"), required=False)
    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False)
    source = forms.ChoiceField(label=gettext_lazy("Source"), required=False)
    size_band = forms.ChoiceField(label=gettext_lazy("Deal size"), required=False)
    template = forms.ModelChoiceField(
        label=gettext_lazy("Process template"),
        queryset=ProcessTemplate.objects.all(),
        required=False,
        empty_label=gettext_lazy("Any template"),
    )
    competitor = forms.ModelChoiceField(
        label=gettext_lazy("Competitor"),
        queryset=Competitor.objects.all(),
        required=False,
        empty_label=gettext_lazy("Any competitor"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["industry"].choices = _choices(_("Any industry"), Industry.choices)
        fields["region"].choices = _choices(_("Any region"), Region.choices)
        fields["source"].choices = _choices(_("Any source"), Source.choices)
        fields["size_band"].choices = _choices(_("Any size"), [(b.code, b.label) for b in size_bands()])
        fields["owner"].label_from_instance = lambda user: user.get_full_name() or user.username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("date_from", "date_to"):
            value = data.get(name)
            if value is not None and not FIRST_DAY <= value <= LAST_DAY:
                self.add_error(
                    name,
                    _("Choose a date between %(first)s and %(last)s.")
                    % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
                )
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to",
                _("The end date %(end)s is before the start date %(start)s.")
                % {"end": end.isoformat(), "start": start.isoformat()},
            )
        return data


FILTER_NAMES = tuple(ReportFilterForm.base_fields)


@dataclass
class ReportFilters:
    """Validated filters with the report's period filled in (its default when no dates were given)."""

    date_from: date
    date_to: date
    department: Department | None = None
    owner: User | None = None
    industry: str = ""
    region: str = ""
    source: str = ""
    size_band: str = ""
    template: ProcessTemplate | None = None
    competitor: Competitor | None = None
    given: dict[str, str] = field(default_factory=dict)

    @property
    def start(self) -> datetime:
        """The period's first moment, in the local time zone."""
        return timezone.make_aware(datetime.combine(self.date_from, time.min))

    @property
    def end(self) -> datetime:
        """The moment after the period's last day (periods are half-open: ``start <= t < end``)."""
        return timezone.make_aware(datetime.combine(self.date_to + timedelta(days=1), time.min))

    def as_params(self) -> dict[str, str]:
        """The filters as query parameters, dates included (links carry the period the figure was computed for)."""
        params = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}
        for name in FILTER_NAMES:
            if name in params:
                continue
            value = getattr(self, name)
            if value not in (None, ""):
                params[name] = str(getattr(value, "pk", value))
        return params

    def querystring(self) -> str:
        return urlencode(self.as_params())

    def describe(self) -> dict[str, Any]:
        """For the JSON answer: the filters as applied, ids and codes."""
        return self.as_params()


def parse_filters(params: Any, *, default_period: tuple[date, date]) -> ReportFilters:
    """The filters in ``params`` (a QueryDict or dict), or a 400 naming each bad one."""
    data = {name: params.get(name) for name in FILTER_NAMES if params.get(name) not in (None, "")}
    form = ReportFilterForm(data)
    if not form.is_valid():
        errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        first = next(iter(errors.items()))
        raise ValidationFailed(
            _("Filter %(name)s: %(message)s") % {"name": first[0], "message": first[1][0]},
            fields=errors,
            code="invalid_filter",
        )
    cleaned = form.cleaned_data
    start = cleaned.get("date_from") or default_period[0]
    end = cleaned.get("date_to") or default_period[1]
    if start > end:  # only one bound given, beyond the default's other bound
        if cleaned.get("date_from"):
            end = max(start, end)
        else:
            start = min(start, end)
    return ReportFilters(
        date_from=start,
        date_to=end,
        department=cleaned.get("department"),
        owner=cleaned.get("owner"),
        industry=cleaned.get("industry") or "",
        region=cleaned.get("region") or "",
        source=cleaned.get("source") or "",
        size_band=cleaned.get("size_band") or "",
        template=cleaned.get("template"),
        competitor=cleaned.get("competitor"),
        given={k: str(v) for k, v in data.items()},
    )


def scoped_projects(*, user: User, filters: ReportFilters) -> QuerySet[Project]:
    """The projects ``user`` may see, narrowed by every filter but the period (each report applies the period
    to its own date: the outcome date, the expected close date, an event's date …)."""
    qs = visible_to(user, Project.objects.all())
    if filters.department is not None:
        qs = qs.filter(department__in=department_subtree_ids(root_ids={filters.department.pk}))
    if filters.owner is not None:
        qs = qs.filter(owner=filters.owner)
    if filters.industry:
        qs = qs.filter(industry=filters.industry)
    if filters.region:
        qs = qs.filter(region=filters.region)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.size_band:
        qs = qs.filter(size_band(filters.size_band).q())
    if filters.template is not None:
        qs = qs.filter(process_template=filters.template)
    if filters.competitor is not None:
        qs = qs.filter(Exists(ProjectCompetitor.objects.filter(project=OuterRef("pk"), competitor=filters.competitor)))
    return qs
