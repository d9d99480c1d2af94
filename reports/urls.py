"""Report pages: the executive dashboard, one page per report, targets, KPI scoring, tier recomputation."""

from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("targets/", views.targets, name="targets"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target-delete"),
    path("kpis/score/", views.kpi_score, name="kpi-score"),
    path("customers-cold/recompute/", views.tiers_recompute, name="tiers-recompute"),
    path("<slug:name>/", views.report_page, name="report"),
]
