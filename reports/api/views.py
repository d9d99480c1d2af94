"""Report endpoints: the list of reports and each report as JSON, CSV or XLSX (``?format=``), with the
common filters as query parameters. Thin: the report's selector computes, the renderers write."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from backend.accounts.http import acting_user
from backend.core.api.viewsets import VisibleModelViewSet, VisibleQuerysetMixin
from reports import services
from reports.api.renderers import CSVRenderer, XLSXRenderer
from reports.api.serializers import KpiDimensionSerializer, KpiScoreSerializer, SalesTargetSerializer
from reports.filters import FILTER_NAMES
from reports.models import KpiDimension, KpiScore, SalesTarget
from reports.registry import REPORTS, report_get

FILTER_PARAMETERS = [
    OpenApiParameter(name, OpenApiTypes.DATE if name.startswith("date") else OpenApiTypes.STR, required=False)
    for name in FILTER_NAMES
]


class ReportListView(APIView):
    """The reports there are, with their API and page addresses."""

    @extend_schema(operation_id="v1_reports_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response(
            {
                "results": [
                    {
                        "name": report.name,
                        "title": str(report.title),
                        "description": str(report.description),
                        "url": reverse("api-report", args=[report.name]),
                        "page": reverse("reports:report", args=[report.name]),
                    }
                    for report in REPORTS.values()
                ]
            }
        )


class ReportView(APIView):
    """One report over the deals the requesting user may see; ``?format=csv`` or ``xlsx`` for a download."""

    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["json", "csv", "xlsx"]), *FILTER_PARAMETERS],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, name: str) -> Response:
        report = report_get(name)
        result = report.run(user=acting_user(request), params=request.query_params)
        response = Response(result.as_dict())
        fmt = getattr(request.accepted_renderer, "format", "json")
        if fmt in ("csv", "xlsx"):
            response["Content-Disposition"] = f'attachment; filename="{name}-{result.filters.date_to}.{fmt}"'
        return response


class SalesTargetViewSet(VisibleModelViewSet):
    """Targets (quotas) per person or department and month or quarter; sales directors and executives set them."""

    serializer_class = SalesTargetSerializer
    filterset_fields = ["user", "department", "period", "period_start"]
    ordering = ["period_start", "pk"]
    # POST sets (or replaces) the target of a person or department for a period; DELETE removes it.
    http_method_names = ["get", "post", "delete", "head", "options"]

    def base_queryset(self) -> QuerySet[SalesTarget]:
        return SalesTarget.objects.all()

    def perform_create(self, serializer: BaseSerializer) -> None:
        serializer.instance = services.target_set(actor=self.request.user, **serializer.validated_data)

    def destroy(self, request: Request, *args: object, **kwargs: object) -> Response:
        services.target_delete(actor=acting_user(request), target=self.get_object())
        return Response(status=204)


class KpiDimensionViewSet(viewsets.ReadOnlyModelViewSet):
    """The dimensions of the employee scorecard and their weights (administrators edit them in the admin)."""

    serializer_class = KpiDimensionSerializer
    queryset = KpiDimension.objects.filter(is_active=True)


class KpiScoreViewSet(
    VisibleQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Managers' soft scores of the people of their departments (each a new record; the latest counts)."""

    serializer_class = KpiScoreSerializer
    filterset_fields = ["user", "dimension", "period_start"]

    def base_queryset(self) -> QuerySet[KpiScore]:
        return KpiScore.objects.select_related("dimension")

    def perform_create(self, serializer: BaseSerializer) -> None:
        serializer.instance = services.kpi_score_set(actor=self.request.user, **serializer.validated_data)
