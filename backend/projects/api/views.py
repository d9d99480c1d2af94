"""Project endpoints: list/detail/create/update, transitions, and the nested team, competitors, partners,
checklist and events. Visibility comes from the base viewset; writes from the services."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from backend.core.api.viewsets import VisibleModelViewSet
from backend.core.permissions import visible_to
from backend.customers.models import Customer
from backend.projects import selectors, services
from backend.projects.api.serializers import (
    BudgetLineSerializer,
    ChecklistItemSerializer,
    CompetitorCatalogueSerializer,
    EventSerializer,
    ExpenseSerializer,
    MemberSerializer,
    ProjectCompetitorSerializer,
    ProjectDetailSerializer,
    ProjectPartnerSerializer,
    ProjectSerializer,
    SaveAsTemplateSerializer,
    TransitionInputSerializer,
)
from backend.projects.filtersets import ProjectFilterSet
from backend.projects.models import (
    BudgetLine,
    Competitor,
    CompetitorNote,
    Expense,
    Project,
    ProjectCompetitor,
    ProjectEvent,
    ProjectMember,
    ProjectPartner,
    StageChecklistItem,
)


class ProjectViewSet(VisibleModelViewSet):
    filterset_class = ProjectFilterSet
    ordering_fields = ["code", "name", "estimated_amount", "expected_close_date", "created_at", "status_changed_at"]
    ordering = ["-created_at"]

    def base_queryset(self) -> QuerySet[Project]:
        return Project.objects.all()

    def get_queryset(self) -> QuerySet[Project]:
        return selectors.project_list_visible(user=self.request.user).select_related("routing_rule")

    def get_serializer_class(self):
        return ProjectDetailSerializer if self.action != "list" else ProjectSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["visible_customers"] = visible_to(self.request.user, Customer.objects.all())
        return context

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.project_create(actor=self.request.user, **data)

    def perform_update(self, serializer: BaseSerializer) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k in services.PROJECT_FIELDS}
        serializer.instance = services.project_update(actor=self.request.user, project=serializer.instance, data=data)

    def _detail(self, project_id: int) -> Response:
        project = self.get_queryset().get(pk=project_id)
        return Response(ProjectDetailSerializer(project, context=self.get_serializer_context()).data)

    def create(self, request: Request, *args, **kwargs) -> Response:
        response = super().create(request, *args, **kwargs)
        response.data = self._detail(response.data["id"]).data
        return response

    @extend_schema(
        request=TransitionInputSerializer,
        responses=ProjectDetailSerializer,
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transition(self, request: Request, pk: str, name: str) -> Response:
        project = self.get_object()
        body = TransitionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.project_transition(
            project_id=project.pk,
            name=name,
            actor=request.user,
            comment=body.validated_data.get("comment", ""),
            win_loss=body.validated_data.get("win_loss"),
            kickoff_date=body.validated_data.get("kickoff_date"),
        )
        return self._detail(project.pk)

    @extend_schema(request=SaveAsTemplateSerializer, responses={201: dict})
    @action(detail=True, methods=["post"], url_path="save-as-template")
    def save_as_template(self, request: Request, pk: str) -> Response:
        """Capture this project's stages, gates, milestones and tasks as a new process template."""
        from workflows.services import template_from_project

        project = self.get_object()
        body = SaveAsTemplateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        template = template_from_project(project=project, actor=request.user, **body.validated_data)
        return Response(
            {
                "id": template.pk,
                "code": template.code,
                "name": template.name,
                "milestones": template.milestones.count(),
            },
            status=201,
        )


class ProjectNestedMixin:
    """Nested resources under /projects/{project_pk}/...: the project must be visible (else 404)."""

    queryset: QuerySet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no project in the URL
            return self.queryset
        return self.project_queryset()

    def get_project(self) -> Project:
        from django.shortcuts import get_object_or_404

        if not hasattr(self, "_project"):
            self._project = get_object_or_404(
                visible_to(self.request.user, Project.objects.all()), pk=self.kwargs["project_pk"]
            )
        return self._project


class MemberViewSet(
    ProjectNestedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MemberSerializer
    pagination_class = None

    queryset = ProjectMember.objects.none()

    def project_queryset(self):
        return self.get_project().members.select_related("user")

    def perform_create(self, serializer):
        serializer.instance = services.member_add(
            actor=self.request.user, project=self.get_project(), **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.member_remove(actor=self.request.user, member=instance)


class ProjectCompetitorViewSet(
    ProjectNestedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ProjectCompetitorSerializer
    pagination_class = None

    queryset = ProjectCompetitor.objects.none()

    def project_queryset(self):
        return (
            ProjectCompetitor.objects.filter(project=self.get_project())
            .select_related("competitor")
            .prefetch_related(Prefetch("notes", queryset=CompetitorNote.objects.select_related("author")))
        )

    def perform_create(self, serializer):
        serializer.instance = services.competitor_add(
            actor=self.request.user, project=self.get_project(), **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.competitor_update(
            actor=self.request.user, entry=serializer.instance, data=serializer.validated_data
        )

    @extend_schema(request=None, responses=ProjectCompetitorSerializer)
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, project_pk: str, pk: str) -> Response:
        entry = self.get_object()
        services.competitor_note_add(
            actor=request.user,
            entry=entry,
            note=str(request.data.get("note", "")),
            stage=str(request.data.get("stage", "")),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=entry.pk)).data, status=201)


class ProjectPartnerViewSet(
    ProjectNestedMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ProjectPartnerSerializer
    pagination_class = None

    queryset = ProjectPartner.objects.none()

    def project_queryset(self):
        return self.get_project().partners.select_related("partner")

    def perform_create(self, serializer):
        serializer.instance = services.partner_add(
            actor=self.request.user, project=self.get_project(), **serializer.validated_data
        )


class EventViewSet(ProjectNestedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = EventSerializer

    queryset = ProjectEvent.objects.none()

    def project_queryset(self):
        return self.get_project().events.select_related("actor").order_by("created_at", "pk")


class ChecklistViewSet(ProjectNestedMixin, mixins.ListModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = ChecklistItemSerializer
    pagination_class = None
    http_method_names = ["get", "patch", "head", "options"]

    queryset = StageChecklistItem.objects.none()

    def project_queryset(self):
        return self.get_project().checklist.all()

    def perform_update(self, serializer):
        serializer.instance = services.checklist_set_done(
            actor=self.request.user, item=serializer.instance, done=bool(serializer.validated_data.get("done"))
        )


class CompetitorCatalogueViewSet(viewsets.ReadOnlyModelViewSet):
    """The shared competitor catalogue (not confidential: names and public profiles)."""

    serializer_class = CompetitorCatalogueSerializer
    queryset = Competitor.objects.all()
    search_fields = ["name"]


class BudgetLineViewSet(ProjectNestedMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Planned cost by category."""

    serializer_class = BudgetLineSerializer
    pagination_class = None
    queryset = BudgetLine.objects.none()

    def project_queryset(self):
        return self.get_project().budget_lines.all()

    def perform_create(self, serializer):
        serializer.instance = services.budget_line_add(
            actor=self.request.user, project=self.get_project(), **serializer.validated_data
        )


class ExpenseViewSet(ProjectNestedMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Actual cost; presales expenses feed the cut-losses signal."""

    serializer_class = ExpenseSerializer
    queryset = Expense.objects.none()

    def project_queryset(self):
        return self.get_project().expenses.select_related("author")

    def perform_create(self, serializer):
        serializer.instance = services.expense_add(
            actor=self.request.user, project=self.get_project(), **serializer.validated_data
        )

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"])
    def summary(self, request: Request, project_pk: str) -> Response:
        """Budget against actual, margin and the cut-losses signal."""
        from backend.milestones.selectors import project_financials

        data = project_financials(project=self.get_project())
        return Response(
            {k: (str(v) if not isinstance(v, dict) else {kk: str(vv) for kk, vv in v.items()}) for k, v in data.items()}
        )
