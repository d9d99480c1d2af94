"""Service request endpoints: list (filters, queues), create, update, transitions by name, assign, notes,
events and the linked article. Thin: the visibility filter comes from ``VisibleModelViewSet``, writes
from the services."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from backend.accounts.http import acting_user
from backend.core.api.viewsets import VisibleModelViewSet
from backend.core.errors import ValidationFailed
from backend.core.permissions import visible_to
from backend.knowledge.models import Article
from backend.service import services
from backend.service.api.serializers import (
    ArticleLinkSerializer,
    AssignSerializer,
    NoteSerializer,
    RequestEventSerializer,
    ServiceRequestSerializer,
    ServiceRequestUpdateSerializer,
    TransitionSerializer,
)
from backend.service.choices import OPEN_STATES, Category, RequestStatus, ServicePriority
from backend.service.models import ServiceRequest


class ServiceRequestFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    priority = django_filters.ChoiceFilter(choices=ServicePriority.choices)
    queue = django_filters.ChoiceFilter(
        choices=[("open", "open"), ("unassigned", "unassigned"), ("mine", "mine")], method="in_queue"
    )

    class Meta:
        model = ServiceRequest
        fields = ["status", "category", "priority", "customer", "project", "assignee", "queue"]

    def in_queue(self, queryset, name, value):
        queryset = queryset.filter(status__in=OPEN_STATES)
        if value == "unassigned":
            return queryset.filter(assignee__isnull=True)
        if value == "mine":
            return queryset.filter(assignee_id=getattr(getattr(self.request, "user", None), "pk", None))
        return queryset


class ServiceRequestViewSet(VisibleModelViewSet):
    """Service requests (工单). Creating one without an assignee lets the routing rules assign it; the SLA
    clocks start at once. ``sla`` shows each clock's deadline, working minutes left and state."""

    serializer_class = ServiceRequestSerializer
    filterset_class = ServiceRequestFilterSet
    ordering_fields = ["created_at", "priority", "resolution_due_at", "response_due_at"]
    ordering = ["-created_at", "-pk"]

    def base_queryset(self):
        return ServiceRequest.objects.select_related("assignee", "customer")

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return ServiceRequestUpdateSerializer
        return ServiceRequestSerializer

    def perform_create(self, serializer) -> None:
        serializer.instance = services.request_create(actor=acting_user(self.request), **serializer.validated_data)

    def perform_update(self, serializer) -> None:
        serializer.instance = services.request_update(
            actor=acting_user(self.request), request=serializer.instance, **serializer.validated_data
        )

    def _answer(self, pk: int) -> Response:
        item = self.base_queryset().get(pk=pk)
        return Response(ServiceRequestSerializer(item, context=self.get_serializer_context()).data)

    @extend_schema(
        request=TransitionSerializer,
        responses=ServiceRequestSerializer,
        parameters=[
            OpenApiParameter(
                "name", str, OpenApiParameter.PATH, enum=list(services.USER_TRANSITIONS), description="the transition"
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transition(self, request: Request, pk: str, name: str) -> Response:
        """start, wait_for_customer, resolve (needs ``solution``), close (sends the survey), reopen; a move the
        state does not allow is 409 naming the state."""
        item = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.request_transition(actor=acting_user(request), request_id=item.pk, name=name, **body.validated_data)
        return self._answer(item.pk)

    @extend_schema(request=AssignSerializer, responses=ServiceRequestSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        item = self.get_object()
        body = AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.request_assign(actor=acting_user(request), request=item, **body.validated_data)
        return self._answer(item.pk)

    @extend_schema(methods=["GET"], responses=NoteSerializer(many=True))
    @extend_schema(methods=["POST"], request=NoteSerializer, responses={201: NoteSerializer})
    @action(detail=True, methods=["get", "post"])
    def notes(self, request: Request, pk: str) -> Response:
        """A public note is a reply to the customer; the first one stops the response clock."""
        item = self.get_object()
        if request.method == "GET":
            return Response(NoteSerializer(item.notes.select_related("author"), many=True).data)
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        note = services.request_note_add(actor=acting_user(request), request=item, **body.validated_data)
        return Response(NoteSerializer(note).data, status=201)

    @extend_schema(responses=RequestEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request: Request, pk: str) -> Response:
        item = self.get_object()
        return Response(RequestEventSerializer(item.events.select_related("actor"), many=True).data)

    @extend_schema(request=ArticleLinkSerializer, responses=ServiceRequestSerializer)
    @action(detail=True, methods=["post"])
    def article(self, request: Request, pk: str) -> Response:
        """Link the knowledge article that solved the request (null unlinks)."""
        item = self.get_object()
        body = ArticleLinkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        article = None
        if body.validated_data["article"] is not None:
            article = (
                visible_to(acting_user(request), Article.objects.all())
                .filter(pk=body.validated_data["article"])
                .first()
            )
            if article is None:
                message = _("No such article.")
                raise ValidationFailed(message, fields={"article": [message]}, code="article_not_found")
        services.request_link_article(actor=acting_user(request), request=item, article=article)
        return self._answer(item.pk)
