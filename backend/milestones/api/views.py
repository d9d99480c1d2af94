"""Delivery endpoints: milestones (+ transitions), deliverables (+ versions, submit, review, download),
acceptance records, tasks and my alarms."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from backend.accounts.http import acting_user
from backend.core.api.audit import AuditHistoryMixin
from backend.core.api.viewsets import VisibleQuerysetMixin
from backend.core.errors import ValidationFailed
from backend.core.permissions import visible_to
from backend.milestones import services
from backend.milestones.api.serializers import (
    AcceptanceSerializer,
    AlarmSerializer,
    DeliverableSerializer,
    DeliverableUploadSerializer,
    MilestoneSerializer,
    ReviewDecisionSerializer,
    TaskSerializer,
    TransitionBodySerializer,
    VersionUploadSerializer,
)
from backend.milestones.models import Acceptance, Alarm, Deliverable, Milestone, Task


def _file_bytes(upload) -> tuple[str, bytes]:
    return upload.name, upload.read()


class MilestoneViewSet(
    AuditHistoryMixin,
    VisibleQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MilestoneSerializer
    filterset_fields = ["project", "status", "owner"]
    ordering_fields = ["planned_end", "order"]
    ordering = ["project_id", "order"]

    def base_queryset(self):
        return Milestone.objects.select_related("owner", "project").prefetch_related("deliverables")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "with_transitions": self.action != "list"}

    def perform_update(self, serializer) -> None:
        serializer.instance = services.milestone_update_plan(
            actor=self.request.user, milestone=serializer.instance, data=serializer.validated_data
        )

    @extend_schema(
        request=TransitionBodySerializer,
        responses=MilestoneSerializer,
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transition(self, request: Request, pk: str, name: str) -> Response:
        milestone = self.get_object()
        body = TransitionBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.milestone_transition(
            milestone_id=milestone.pk, name=name, actor=acting_user(request), comment=body.validated_data["comment"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=milestone.pk)).data)


class DeliverableViewSet(
    VisibleQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = DeliverableSerializer
    filterset_fields = ["milestone", "doc_type", "status"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    ordering = ["milestone", "pk"]

    def base_queryset(self):
        return Deliverable.objects.select_related("created_by", "reviewed_by").prefetch_related("versions__uploaded_by")

    def _reload(self, pk: int) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request={"multipart/form-data": DeliverableUploadSerializer}, responses=DeliverableSerializer)
    def create(self, request: Request) -> Response:
        body = DeliverableUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        milestone = get_object_or_404(
            visible_to(acting_user(request), Milestone.objects.select_related("project")),
            pk=body.validated_data["milestone"],
        )
        name, data = _file_bytes(body.validated_data["file"])
        deliverable = services.deliverable_upload(
            actor=acting_user(request),
            milestone=milestone,
            doc_type=body.validated_data["doc_type"],
            title=body.validated_data["title"],
            name=name,
            data=data,
        )
        response = self._reload(deliverable.pk)
        response.status_code = 201
        return response

    @extend_schema(request={"multipart/form-data": VersionUploadSerializer}, responses=DeliverableSerializer)
    @action(detail=True, methods=["post"])
    def versions(self, request: Request, pk: str) -> Response:
        deliverable = self.get_object()
        body = VersionUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        name, data = _file_bytes(body.validated_data["file"])
        services.deliverable_add_version(actor=acting_user(request), deliverable=deliverable, name=name, data=data)
        return self._reload(deliverable.pk)

    @extend_schema(request=None, responses=DeliverableSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        deliverable = self.get_object()
        services.deliverable_submit(actor=acting_user(request), deliverable=deliverable)
        return self._reload(deliverable.pk)

    @extend_schema(request=ReviewDecisionSerializer, responses=DeliverableSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        deliverable = self.get_object()
        body = ReviewDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.deliverable_review(actor=acting_user(request), deliverable=deliverable, **body.validated_data)
        return self._reload(deliverable.pk)

    @extend_schema(
        responses={(200, "application/octet-stream"): bytes},
        parameters=[OpenApiParameter("version", int, description="default: the latest")],
    )
    @action(detail=True, methods=["get"], url_path="download", url_name="download")
    def download(self, request: Request, pk: str) -> FileResponse:
        deliverable = self.get_object()
        versions = deliverable.versions.all()
        wanted = request.query_params.get("version")
        if wanted is not None and not wanted.isdigit():
            raise ValidationFailed("version must be a number", fields={"version": ["not a number"]})
        version = versions.filter(version=int(wanted)).first() if wanted else versions.first()
        if version is None:
            raise Deliverable.DoesNotExist
        return FileResponse(
            version.file.open("rb"),
            as_attachment=True,
            filename=version.original_name,
            content_type=version.content_type,
        )


class AcceptanceViewSet(
    VisibleQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AcceptanceSerializer
    filterset_fields = ["project", "milestone", "result"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    ordering = ["-accepted_on"]

    def base_queryset(self):
        return Acceptance.objects.select_related("recorded_by")

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        upload = data.pop("certificate_file", None)
        milestone = data.pop("milestone", None)
        project = data.pop("project")
        if milestone is not None and milestone.project_id != project.pk:
            raise ValidationFailed("That milestone belongs to another project.", fields={"milestone": ["foreign"]})
        serializer.instance = services.acceptance_record(
            actor=self.request.user,
            project=project,
            milestone=milestone,
            certificate=_file_bytes(upload) if upload else None,
            **data,
        )


class TaskViewSet(
    VisibleQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = TaskSerializer
    filterset_fields = ["project", "milestone", "status", "assignee"]
    ordering = ["due_date"]
    http_method_names = ["get", "patch", "head", "options"]

    def base_queryset(self):
        return Task.objects.select_related("assignee")

    def perform_update(self, serializer) -> None:
        serializer.instance = services.task_set_status(
            actor=self.request.user, task=serializer.instance, done=serializer.validated_data.get("status") == "done"
        )


class AlarmViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The alarms sent to me; ``acknowledge`` takes one in hand (mine, or my department's as its head)."""

    serializer_class = AlarmSerializer
    queryset = Alarm.objects.none()
    filterset_fields = ["kind", "project", "level"]
    lookup_value_regex = r"\d{1,18}"

    @extend_schema(request=None, responses=AlarmSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str) -> Response:
        """The service decides (403 for someone who may not, 409 when already acknowledged)."""
        alarm = services.alarm_acknowledge(actor=acting_user(request), alarm_id=int(pk))
        return Response(AlarmSerializer(alarm, context=self.get_serializer_context()).data)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return Alarm.objects.filter(recipients=acting_user(self.request)).order_by("-raised_at", "-pk")
