"""Project endpoints: list/detail/create/update, transitions, and the nested team, competitors, partners,
checklist and events. Visibility comes from the base viewset; writes from the services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from backend.accounts.http import acting_user
from backend.core.api.audit import AuditHistoryMixin
from backend.core.api.viewsets import VisibleModelViewSet
from backend.core.audit import Entry
from backend.core.permissions import visible_to
from backend.customers.models import Customer
from backend.projects import selectors, services
from backend.projects.api.serializers import (
    BudgetLineSerializer,
    ChecklistItemSerializer,
    CompetitorCatalogueSerializer,
    EventSerializer,
    ExpenseSerializer,
    ForecastInputSerializer,
    MemberSerializer,
    ProjectCompetitorSerializer,
    ProjectDetailSerializer,
    ProjectPartnerSerializer,
    ProjectSerializer,
    SaveAsTemplateSerializer,
    TransitionInputSerializer,
)
from backend.projects.filtersets import ProjectFilterSet
from backend.projects.history import project_history
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


class ProjectViewSet(AuditHistoryMixin, VisibleModelViewSet):
    filterset_class = ProjectFilterSet
    ordering_fields = ["code", "name", "estimated_amount", "expected_close_date", "created_at", "status_changed_at"]
    ordering = ["-created_at"]

    def base_queryset(self) -> QuerySet[Project]:
        return Project.objects.all()

    def history_entries_for(self, obj: Project) -> list[Entry]:
        return project_history(obj)  # the project's own changes and those of its quotations, terms, milestones…

    def get_queryset(self) -> QuerySet[Project]:
        return selectors.project_list_visible(user=self.request.user).select_related("routing_rule")

    def get_serializer_class(self):
        return ProjectDetailSerializer if self.action != "list" else ProjectSerializer

    def get_serializer_context(self):
        context = dict(super().get_serializer_context())
        context["visible_customers"] = visible_to(self.request.user, Customer.objects.all())
        return context

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.project_create(actor=self.request.user, **data)

    def perform_update(self, serializer: BaseSerializer) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k in services.PROJECT_FIELDS}
        project = cast(Project, serializer.instance)  # an update has its instance
        serializer.instance = services.project_update(actor=self.request.user, project=project, data=data)

    def _detail(self, project_id: int) -> Response:
        project = self.get_queryset().get(pk=project_id)
        return Response(ProjectDetailSerializer(project, context=self.get_serializer_context()).data)

    def create(self, request: Request, *args, **kwargs) -> Response:
        response = super().create(request, *args, **kwargs)
        response.data = self._detail(response.data["id"]).data
        return response

    def update(self, request: Request, *args, **kwargs) -> Response:
        """PUT and PATCH answer with the whole detail, annotations included (like GET)."""
        response = super().update(request, *args, **kwargs)
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
            actor=acting_user(request),
            comment=body.validated_data.get("comment", ""),
            win_loss=body.validated_data.get("win_loss"),
            kickoff_date=body.validated_data.get("kickoff_date"),
        )
        return self._detail(project.pk)

    @extend_schema(request=ForecastInputSerializer, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def forecast(self, request: Request, pk: str) -> Response:
        """Set the forecast category of an open deal ("" = the stage's default); a manager's change is recorded
        as an adjustment."""
        project = self.get_object()
        body = ForecastInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.project_forecast_set(
            actor=acting_user(request),
            project=project,
            category=body.validated_data["forecast_category"],
            comment=body.validated_data["comment"],
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
        template = template_from_project(project=project, actor=acting_user(request), **body.validated_data)
        return Response(
            {
                "id": template.pk,
                "code": template.code,
                "name": template.name,
                "milestones": template.milestones.count(),
            },
            status=201,
        )


if TYPE_CHECKING:  # the mixin is only ever combined with a DRF generic view
    from rest_framework.generics import GenericAPIView as _NestedBase
else:
    _NestedBase = object


class ProjectNestedMixin(_NestedBase):
    """Nested resources under /projects/{project_pk}/...: the project must be visible (else 404)."""

    queryset: QuerySet
    if TYPE_CHECKING:  # each nested view defines it

        def project_queryset(self) -> QuerySet: ...

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no project in the URL
            return self.queryset
        return self.project_queryset()

    def get_project(self) -> Project:
        from django.shortcuts import get_object_or_404

        if not hasattr(self, "_project"):
            self._project = get_object_or_404(
                visible_to(acting_user(self.request), Project.objects.all()), pk=self.kwargs["project_pk"]
            )
        return self._project

    def initial(self, request: Request, *args, **kwargs) -> None:
        """A project the user may not see is a 404 before anything else (not a 400 about the body)."""
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if not getattr(self, "swagger_fake_view", False):
            self.get_project()


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
            actor=acting_user(self.request), project=self.get_project(), **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.member_remove(actor=acting_user(self.request), member=instance)


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
            actor=acting_user(self.request), project=self.get_project(), **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.competitor_update(
            actor=acting_user(self.request), entry=serializer.instance, data=serializer.validated_data
        )

    @extend_schema(request=None, responses=ProjectCompetitorSerializer)
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, project_pk: str, pk: str) -> Response:
        entry = self.get_object()
        services.competitor_note_add(
            actor=acting_user(request),
            entry=entry,
            note=str(cast(dict[str, Any], request.data).get("note", "")),
            stage=str(cast(dict[str, Any], request.data).get("stage", "")),
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
            actor=acting_user(self.request), project=self.get_project(), **serializer.validated_data
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
            actor=acting_user(self.request), item=serializer.instance, done=bool(serializer.validated_data.get("done"))
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
            actor=acting_user(self.request), project=self.get_project(), **serializer.validated_data
        )


class ExpenseViewSet(ProjectNestedMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Actual cost; presales expenses feed the cut-losses signal."""

    serializer_class = ExpenseSerializer
    queryset = Expense.objects.none()

    def project_queryset(self):
        return self.get_project().expenses.select_related("author")

    def perform_create(self, serializer):
        serializer.instance = services.expense_add(
            actor=acting_user(self.request), project=self.get_project(), **serializer.validated_data
        )

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"])
    def summary(self, request: Request, project_pk: str) -> Response:
        """Budget against actual, margin and the cut-losses signal."""
        from backend.projects.selectors import project_financials

        data = project_financials(project=self.get_project())
        return Response(
            {k: (str(v) if not isinstance(v, dict) else {kk: str(vv) for kk, vv in v.items()}) for k, v in data.items()}
        )
