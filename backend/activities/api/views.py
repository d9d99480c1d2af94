"""Activity endpoints (CRUD, filters, complete / cancel / reopen) and the merged team calendar. Thin: the
visibility filter comes from ``VisibleQuerysetMixin``, writes from the services."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.http import acting_user
from backend.activities import selectors, services
from backend.activities.api.serializers import (
    ActivitySerializer,
    CalendarEntrySerializer,
    CompleteSerializer,
)
from backend.activities.filtersets import ActivityFilterSet
from backend.activities.models import Activity
from backend.core.api.viewsets import VisibleModelViewSet
from backend.core.bounds import date_outside, date_range_message
from backend.core.errors import ValidationFailed


class ActivityViewSet(VisibleModelViewSet, mixins.DestroyModelMixin):
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet
    ordering_fields = ["starts_at", "due_at", "priority"]
    ordering = ["starts_at", "pk"]

    def base_queryset(self):
        return Activity.objects.select_related("owner").prefetch_related("attendees")

    def perform_create(self, serializer) -> None:
        serializer.instance = services.activity_create(actor=acting_user(self.request), **serializer.validated_data)

    def perform_update(self, serializer) -> None:
        serializer.instance = services.activity_update(
            actor=acting_user(self.request), activity=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance: Activity) -> None:
        services.activity_delete(actor=acting_user(self.request), activity=instance)

    def _answer(self, activity: Activity) -> Response:
        return Response(ActivitySerializer(activity, context=self.get_serializer_context()).data)

    @extend_schema(request=CompleteSerializer, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        body = CompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        activity = services.activity_complete(
            actor=acting_user(request), activity=self.get_object(), notes=body.validated_data["notes"]
        )
        return self._answer(activity)

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        return self._answer(services.activity_cancel(actor=acting_user(request), activity=self.get_object()))

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        return self._answer(services.activity_reopen(actor=acting_user(request), activity=self.get_object()))


def calendar_range(start: str | None, end: str | None) -> tuple[date, date]:
    """The window of a calendar request: two ISO dates, start ≤ end, at most ``MAX_RANGE_DAYS`` apart; neither
    given: this month."""
    if not start and not end:
        today = timezone.localdate()
        first = today.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following - timedelta(days=1)
    if not start or not end:
        raise ValidationFailed(_("Give start and end as dates (YYYY-MM-DD)."), code="range_missing")
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise ValidationFailed(_("Give start and end as dates (YYYY-MM-DD)."), code="range_invalid") from None
    if date_outside(first) or date_outside(last):
        raise ValidationFailed(date_range_message(), code="range_invalid")
    if last < first:
        raise ValidationFailed(_("The end comes before the start."), code="range_invalid")
    if (last - first).days > selectors.MAX_RANGE_DAYS:
        raise ValidationFailed(
            _("Ask for at most %(days)s days at a time.") % {"days": selectors.MAX_RANGE_DAYS}, code="range_too_wide"
        )
    return first, last


class CalendarView(APIView):
    """Everything on the user's calendar between two dates: activities, milestones and tender dates."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "start",
                OpenApiTypes.DATE,
                required=False,
                description="first day, YYYY-MM-DD (with end; neither: this month)",
                examples=[OpenApiExample("a month", value="2026-12-01")],
            ),
            OpenApiParameter(
                "end",
                OpenApiTypes.DATE,
                required=False,
                description=f"last day (included), YYYY-MM-DD; at most {selectors.MAX_RANGE_DAYS} days after start",
                examples=[OpenApiExample("a month", value="2026-12-31")],
            ),
            OpenApiParameter("view", str, enum=["mine", "department"], description="department: a head's view"),
        ],
        responses=CalendarEntrySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        first, last = calendar_range(request.query_params.get("start"), request.query_params.get("end"))
        user = acting_user(request)
        department = request.query_params.get("view") == "department"
        if department and not selectors.department_people_ids(user=user):
            raise ValidationFailed(_("Only a department head has a department view."), code="not_a_head")
        entries = selectors.calendar_entries(user=user, start=first, end=last, department=department)
        return Response(CalendarEntrySerializer(entries, many=True).data, status=status.HTTP_200_OK)
