"""Choices of the analytics: target periods, KPI metrics, output formats."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TargetPeriod(models.TextChoices):
    MONTH = "month", pgettext_lazy("period", "Month")
    QUARTER = "quarter", pgettext_lazy("period", "Quarter")


class KpiMetric(models.TextChoices):
    """What the system measures for each person; a KPI dimension without a metric is scored by a manager."""

    WON_AMOUNT = "won_amount", _("Won amount")
    WIN_RATE = "win_rate", _("Win rate")
    ACTIVE_PROJECTS = "active_projects", _("Active projects")
    ON_TIME_MILESTONES = "on_time_milestones", _("On-time milestones")
    APPROVED_DELIVERABLES = "approved_deliverables", _("Approved deliverables")
    INTERACTIONS = "interactions", _("Customer interactions logged")
    SERVICE_SLA = "service_sla", _("Service requests resolved within SLA")
    SERVICE_CSAT = "service_csat", _("Average customer satisfaction of service requests")


# Metrics that are shares already (0–100; the average satisfaction 1–5 counts as 20–100); the others are scored
# against the best person in the group.
RATE_METRICS = frozenset(
    {KpiMetric.WIN_RATE, KpiMetric.ON_TIME_MILESTONES, KpiMetric.SERVICE_SLA, KpiMetric.SERVICE_CSAT}
)
