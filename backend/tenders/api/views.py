"""Tender endpoints. Thin: services write, selectors read."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from backend.accounts.http import acting_user
from backend.core.api.viewsets import VisibleModelViewSet
from backend.projects.api.serializers import ProjectDetailSerializer
from backend.projects.selectors import project_list_visible
from backend.tenders import services
from backend.tenders.api.serializers import CreateProjectFromTenderSerializer, TenderSerializer
from backend.tenders.models import Tender


class TenderViewSet(VisibleModelViewSet):
    serializer_class = TenderSerializer
    filterset_fields = ["industry", "region", "owner", "customer"]
    ordering_fields = ["publish_date", "bid_deadline", "budget", "created_at"]
    ordering = ["-created_at"]

    def base_queryset(self) -> QuerySet[Tender]:
        return Tender.objects.select_related("owner", "routing_rule").prefetch_related("attachments")

    def _require_editor(self, tender: Tender | None = None) -> None:
        services.tender_require_edit(user=self.request.user, tender=tender)

    def perform_create(self, serializer) -> None:
        self._require_editor()
        serializer.instance = services.tender_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer) -> None:
        self._require_editor(serializer.instance)
        serializer.instance = services.tender_update(
            actor=self.request.user, tender=serializer.instance, data=serializer.validated_data
        )

    @extend_schema(request=CreateProjectFromTenderSerializer, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"], url_path="create-project")
    def create_project(self, request: Request, pk: str) -> Response:
        tender = self.get_object()
        self._require_editor(tender)
        body = CreateProjectFromTenderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project = services.tender_create_project(
            actor=acting_user(request), tender=tender, name=body.validated_data["name"]
        )
        project = project_list_visible(user=acting_user(request)).get(pk=project.pk)
        return Response(ProjectDetailSerializer(project, context={"request": request}).data, status=201)
