"""Template and document endpoints: upload/list/versions/catalogue, generate, download (permission-checked)."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from backend.accounts.http import acting_user
from backend.core.errors import NotFound, PermissionDenied
from backend.core.permissions import visible_to
from backend.docs_templates import selectors, services
from backend.docs_templates.api.serializers import (
    BatchSerializer,
    DocumentTemplateSerializer,
    GeneratedDocumentSerializer,
    GenerateSerializer,
    TemplateUploadSerializer,
)
from backend.docs_templates.catalogue import flatten, schema_for
from backend.docs_templates.choices import DocType
from backend.docs_templates.models import DocumentBatch, DocumentTemplate
from backend.docs_templates.models import GeneratedDocument as GeneratedDocumentModel
from backend.milestones.models import Milestone
from backend.projects.models import Project
from workflows.models import Review


class DocumentTemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every version of every template; POST uploads a new version (administrators)."""

    serializer_class = DocumentTemplateSerializer
    filterset_fields = ["doc_type", "language", "is_active"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    queryset = DocumentTemplate.objects.none()

    def get_queryset(self):
        return selectors.template_list()

    @extend_schema(request={"multipart/form-data": TemplateUploadSerializer}, responses=DocumentTemplateSerializer)
    def create(self, request: Request) -> Response:
        body = TemplateUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        template = services.template_upload(
            actor=acting_user(request),
            doc_type=body.validated_data["doc_type"],
            language=body.validated_data["language"],
            name=body.validated_data["name"],
            file_name=upload.name,
            data=upload.read(),
            activate=body.validated_data["activate"],
        )
        return Response(self.get_serializer(template).data, status=201)

    @extend_schema(responses=DocumentTemplateSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request: Request, pk: str) -> Response:
        template = self.get_object()
        rows = self.get_queryset().filter(doc_type=template.doc_type, language=template.language)
        return Response(self.get_serializer(rows, many=True).data)

    @extend_schema(request=None, responses=DocumentTemplateSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str) -> Response:
        template = services.template_activate(actor=acting_user(request), template=self.get_object())
        return Response(self.get_serializer(template).data)

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"])
    def catalogue(self, request: Request) -> Response:
        """The variables each document type may use, with their meaning."""
        return Response(
            {
                doc_type: [{"name": name, "description": text} for name, text in flatten(schema_for(doc_type))]
                for doc_type in DocType.values
            }
        )


class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Generated documents of the projects the user sees; POST generates one."""

    serializer_class = GeneratedDocumentSerializer
    filterset_fields = ["project", "milestone", "doc_type", "status"]
    queryset = GeneratedDocumentModel.objects.none()

    def get_queryset(self):
        return selectors.document_list_visible(user=acting_user(self.request)).order_by("-created_at", "-pk")

    @extend_schema(request=GenerateSerializer, responses=GeneratedDocumentSerializer)
    def create(self, request: Request) -> Response:
        body = GenerateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        project: Project = data["project"]
        milestone = review = None
        if data.get("milestone"):
            milestone = get_object_or_404(Milestone, pk=data["milestone"], project=project)
        if data.get("review"):
            review = get_object_or_404(Review, pk=data["review"], project=project)
        document = services.document_generate(
            actor=acting_user(request),
            project=project,
            template=data.get("template"),
            doc_type=data.get("doc_type"),
            language=data["language"],
            milestone=milestone,
            review=review,
            with_pdf=data["pdf"],
        )
        return Response(self.get_serializer(document).data, status=201)

    @extend_schema(request=None, responses=GeneratedDocumentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        document = services.document_approve(actor=acting_user(request), document=self.get_object())
        return Response(self.get_serializer(document).data)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_name="download")
    def download(self, request: Request, pk: str) -> FileResponse:
        document = self.get_object()
        if request.query_params.get("pdf"):
            if not document.pdf:
                raise NotFound(document.pdf_note or _("This document has no PDF copy."))
            return FileResponse(
                document.pdf.open("rb"),
                as_attachment=True,
                filename=document.pdf.name.rsplit("/", 1)[-1],
                content_type="application/pdf",
            )
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.file.name.rsplit("/", 1)[-1],
            content_type=services.DOCX_CONTENT_TYPE,
        )


class BatchViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Generate one document per project in the background; GET shows progress."""

    serializer_class = BatchSerializer
    queryset = DocumentBatch.objects.none()

    def get_queryset(self):
        return DocumentBatch.objects.filter(author=acting_user(self.request))

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        projects = list(
            visible_to(acting_user(self.request), Project.objects.filter(pk__in=data.get("project_ids") or []))
        )
        if len(projects) != len(set(data.get("project_ids") or [])):
            raise PermissionDenied(_("Some of those projects do not exist or are not visible to you."))
        serializer.instance = services.batch_create(
            actor=acting_user(self.request), doc_type=data["doc_type"], language=data["language"], projects=projects
        )
