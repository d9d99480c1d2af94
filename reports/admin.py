"""Admin for the analytics' settings and records: KPI dimensions and weights, tier contact frequencies, targets;
snapshots, scores and scorecards are read-only records."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from reports.models import ForecastSnapshot, KpiDimension, KpiScore, SalesTarget, Scorecard, TierPolicy


@admin.register(KpiDimension)
class KpiDimensionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "metric", "weight", "order", "is_active")
    list_editable = ("weight", "order", "is_active")


@admin.register(TierPolicy)
class TierPolicyAdmin(admin.ModelAdmin):
    list_display = ("tier", "contact_days")
    list_editable = ("contact_days",)


@admin.register(SalesTarget)
class SalesTargetAdmin(admin.ModelAdmin):
    list_display = ("period_start", "period", "user", "department", "amount", "set_by")
    list_filter = ("period",)
    autocomplete_fields = ()
    readonly_fields = ("set_by",)

    def save_model(self, request: Any, obj: SalesTarget, form: Any, change: bool) -> None:
        obj.set_by = request.user
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(KpiScore)
class KpiScoreAdmin(ReadOnlyAdmin):
    list_display = ("user", "dimension", "period_start", "score", "scored_by", "scored_at")
    list_filter = ("dimension", "period_start")


@admin.register(ForecastSnapshot)
class ForecastSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("taken_on", "project", "category", "amount", "probability", "expected_close_date")
    list_filter = ("taken_on", "category")
    list_select_related = ("project",)


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = ("project", "probability", "baseline", "training_deals", "computed_at")
    list_select_related = ("project",)
