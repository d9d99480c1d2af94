"""Every report by name, and the drill-down that turns a report link into the project list's filter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core.errors import NotFound
from backend.projects.drilldown import Drill, register_drill
from reports.base import Report
from reports.selectors.competitors import CompetitorsReport
from reports.selectors.customers import CustomersColdReport
from reports.selectors.delivery import DeliveryHealthReport
from reports.selectors.forecast import ForecastReport
from reports.selectors.funnel import FunnelReport
from reports.selectors.kpis import KpiReport
from reports.selectors.pipeline_changes import PipelineChangesReport
from reports.selectors.receivables import ReceivablesReport
from reports.selectors.scorecard import ScorecardReport
from reports.selectors.service import ServiceReport
from reports.selectors.win_loss import WinLossReport

REPORTS: dict[str, Report] = {
    report.name: report
    for report in (
        WinLossReport(),
        CompetitorsReport(),
        FunnelReport(),
        ForecastReport(),
        PipelineChangesReport(),
        ReceivablesReport(),
        DeliveryHealthReport(),
        KpiReport(),
        CustomersColdReport(),
        ScorecardReport(),
        ServiceReport(),
    )
}


def report_get(name: str) -> Report:
    try:
        return REPORTS[name]
    except KeyError:
        raise NotFound(_("There is no report called '%(name)s'.") % {"name": name}, code="unknown_report") from None


def reports_for(user: User) -> list[Report]:
    """The reports shown in ``user``'s navigation (everyone may still open any report over their own deals)."""
    from backend.accounts.selectors import headed_department_ids

    if user.is_superuser or headed_department_ids(user):
        return list(REPORTS.values())
    return [report for report in REPORTS.values() if user.roles & report.audience]


def _drill(name: str) -> Any:
    def drill(user: User, params: Mapping[str, Any]) -> Drill:
        report = REPORTS[name]
        query = {k: v for k, v in params.items() if k not in ("report", "cell", "page")}
        back = f"{reverse('reports:report', args=[name])}"
        if query:
            from urllib.parse import urlencode

            back += "?" + urlencode({k: params.get(k) for k in query})
        return Drill(projects=report.drill(user=user, params=params), label=report.drill_label(params), back_url=back)

    return drill


for _name in REPORTS:
    register_drill(_name)(_drill(_name))


# The executive overview's charts: (report, figure key), and its headline figures: (report, metric key).
DASHBOARD_FIGURES = [
    ("funnel", "pipeline_by_stage"),
    ("forecast", "forecast_vs_target"),
    ("win-loss", "win_rate_trend"),
    ("win-loss", "win_rate_competitor"),
    ("receivables", "aging"),
    ("delivery-health", "delivery_health"),
]
DASHBOARD_METRICS = [
    ("win-loss", "won_amount"),
    ("win-loss", "win_rate"),
    ("forecast", "commit"),
    ("forecast", "weighted"),
    ("receivables", "overdue"),
    ("delivery-health", "overdue"),
]
# Every report the overview computes (the worker keeps them: reports.kept.keep_overview).
OVERVIEW_REPORTS = sorted({name for name, _key in DASHBOARD_FIGURES + DASHBOARD_METRICS})
