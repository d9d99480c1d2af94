from django.urls import path
from rest_framework.routers import SimpleRouter

from reports.api import views

router = SimpleRouter()
router.register("reports/targets", views.SalesTargetViewSet, basename="sales-target")
router.register("reports/kpi-dimensions", views.KpiDimensionViewSet, basename="kpi-dimension")
router.register("reports/kpi-scores", views.KpiScoreViewSet, basename="kpi-score")

urlpatterns = [
    *router.urls,
    path("reports/", views.ReportListView.as_view(), name="api-reports"),
    path("reports/<slug:name>/", views.ReportView.as_view(), name="api-report"),
]
