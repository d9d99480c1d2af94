"""Report pages: the executive dashboard (headline charts from the reports), one page per report (filters,
headline figures, Plotly charts, sortable tables, CSV/XLSX export), sales targets for directors, KPI scoring for
managers and tier recomputation. Thin: the reports compute, the services write, refusals show on the page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.accounts.choices import SEE_ALL_ROLES
from backend.accounts.http import AuthenticatedRequest
from backend.core.permissions import can
from backend.core.refusals import refused
from reports import services
from reports.base import quarter_start
from reports.filters import FILTER_NAMES, ReportFilterForm
from reports.forms import KpiScoreForm, TargetForm
from reports.kept import kept_report, overview_viewed
from reports.models import SalesTarget
from reports.registry import DASHBOARD_FIGURES, DASHBOARD_METRICS, OVERVIEW_REPORTS, REPORTS, report_get, reports_for

PAGE_ROWS = 100


def _params(request: AuthenticatedRequest) -> dict[str, str]:
    return {name: request.GET[name] for name in FILTER_NAMES if request.GET.get(name)}


@login_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    refresh = "refresh" in request.GET
    results = {
        name: kept_report(report_get(name), user=request.user, params={}, refresh=refresh) for name in OVERVIEW_REPORTS
    }
    if request.user.has_role(*SEE_ALL_ROLES):
        overview_viewed(translation.get_language())
    figures = [
        {**figure, "report": name, "page": reverse("reports:report", args=[name])}
        for name, key in DASHBOARD_FIGURES
        for figure in results[name]["figures"]
        if figure["key"] == key
    ]
    metrics = [
        {**metric, "report": name}
        for name, key in DASHBOARD_METRICS
        for metric in results[name]["metrics"]
        if metric["key"] == key
    ]
    context = {
        "figures": figures,
        "figure_data": {f"figure-{i}": figure["figure"] for i, figure in enumerate(figures)},
        "metrics": metrics,
        "kept": _oldest(result.get("kept") for result in results.values()),
        "reports": reports_for(request.user) or list(REPORTS.values()),
    }
    return render(request, "reports/dashboard.html", context)


@login_required
def report_page(request: AuthenticatedRequest, name: str) -> HttpResponse:
    report = report_get(name)
    params = _params(request)
    form = ReportFilterForm(params or None)
    status = 200
    refresh = "refresh" in request.GET
    with refused(request) as refusal:  # bad filters: said above the report with no filters
        body = kept_report(report, user=request.user, params=params, refresh=refresh)
        form = ReportFilterForm(body["filters"])
    if refusal:
        status = refusal.status
        body = kept_report(report, user=request.user, params={}, refresh=refresh)
        form.is_valid()
    people = _kpi_people(body) if name == "kpis" else []  # every person, before the tables are cut
    body = {**body, "tables": [_shown(table) for table in body["tables"]]}
    query = urlencode(body["filters"])
    context: dict[str, Any] = {
        "report": report,
        "body": body,
        "form": form,
        "figure_data": {f"figure-{i}": figure["figure"] for i, figure in enumerate(body["figures"])},
        "csv_url": f"{reverse('api-report', args=[name])}?{urlencode({**body['filters'], 'format': 'csv'})}",
        "xlsx_url": f"{reverse('api-report', args=[name])}?{urlencode({**body['filters'], 'format': 'xlsx'})}",
        "query": query,
        "kept": body.get("kept"),
        "refresh_url": f"?{urlencode({**params, 'refresh': '1'})}",
        "reports": reports_for(request.user) or list(REPORTS.values()),
    }
    if name == "forecast":
        context["can_set_targets"] = can(request.user, "manage", SalesTarget)
    if name == "kpis":
        context["score_form"] = KpiScoreForm(user=request.user, people=people)
        context["can_score"] = bool(context["score_form"].fields["user"].queryset.exists())
    if name == "customers-cold":
        context["can_recompute"] = can(request.user, "manage", SalesTarget)
    return render(request, "reports/report.html", context, status=status)


def _shown(table: dict[str, Any]) -> dict[str, Any]:
    """A table as the page shows it: its first ``PAGE_ROWS`` rows in the report's order (the largest groups
    first), and how many it has in all; the exports have every row. At 1,000,000 projects the win/loss
    analysis has a row per salesperson, 2,000 of them, which made a page of 2.5 MB."""
    return {**table, "rows": table["rows"][:PAGE_ROWS], "rows_total": len(table["rows"])}


def _oldest(kepts: Any) -> dict[str, Any] | None:
    """What the overview says of its figures: the time of the oldest, and whether all are current."""
    found = [kept for kept in kepts if kept]
    if not found:
        return None
    return {"at": min(kept["at"] for kept in found), "current": all(kept["current"] for kept in found)}


def _kpi_people(body: dict[str, Any]) -> list[int]:
    table = next((t for t in body["tables"] if t["key"] == "people"), None)
    return [row["id"] for row in table["rows"]] if table else []


@login_required
@require_http_methods(["GET", "POST"])
def targets(request: AuthenticatedRequest) -> HttpResponse:
    """Directors and executives set the targets of people and departments, per month or quarter."""
    if not can(request.user, "manage", SalesTarget):
        messages.error(request, _("Only sales directors and executives set targets."))
        return redirect("reports:report", name="forecast")
    form = TargetForm(
        request.POST or None, initial={"period": "quarter", "period_start": quarter_start(timezone.localdate())}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with refused(request, form=form) as refusal:
                target = services.target_set(actor=request.user, **form.cleaned_data)
                messages.success(
                    request,
                    _("Target saved: %(who)s, %(period)s from %(start)s: %(amount)s.")
                    % {
                        "who": target.user or target.department,
                        "period": target.get_period_display(),
                        "start": target.period_start.isoformat(),
                        "amount": f"{target.amount:,.2f}",
                    },
                )
                return redirect("reports:targets")
            status = refusal.status
        else:
            status = 400
    listed = SalesTarget.objects.select_related("user", "department", "set_by").order_by("-period_start", "pk")[:200]
    return render(request, "reports/targets.html", {"form": form, "targets": listed}, status=status)


@login_required
@require_POST
def target_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = SalesTarget.objects.filter(pk=pk).first()
    if target is None:
        messages.error(request, _("That target no longer exists."))
        return redirect("reports:targets")
    with refused(request):
        services.target_delete(actor=request.user, target=target)
        messages.success(request, _("Target deleted."))
    return redirect("reports:targets")


@login_required
@require_POST
def kpi_score(request: AuthenticatedRequest) -> HttpResponse:
    form = KpiScoreForm(request.POST, user=request.user)
    back = reverse("reports:report", args=["kpis"]) + "?" + urlencode(_params(request))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    with refused(request):
        score = services.kpi_score_set(actor=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("Scored %(person)s on %(dimension)s: %(score)s.")
            % {"person": score.user, "dimension": score.dimension.name, "score": score.score},
        )
    return redirect(back)


@login_required
@require_POST
def tiers_recompute(request: AuthenticatedRequest) -> HttpResponse:
    if not can(request.user, "manage", SalesTarget):
        messages.error(request, _("Only sales directors and executives recompute customer tiers."))
    else:
        counts = services.customer_tiers_recompute()
        messages.success(
            request,
            _("Customer tiers recomputed: %(a)s A, %(b)s B, %(c)s C.")
            % {"a": counts["A"], "b": counts["B"], "c": counts["C"]},
        )
    return redirect("reports:report", name="customers-cold")
