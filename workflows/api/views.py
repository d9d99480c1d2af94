"""Review endpoints: list (``?status=pending&mine=1`` is the user's inbox), detail and decide."""

from __future__ import annotations

import django_filters
import django_filters.widgets
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from backend.accounts.http import acting_user
from backend.core.api.viewsets import VisibleReadOnlyViewSet
from workflows import selectors, services
from workflows.api.serializers import DecisionSerializer, ReviewSerializer
from workflows.choices import GateKind, ReviewStatus
from workflows.models import Review


class ReviewFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)
    gate = django_filters.ChoiceFilter(field_name="gate__kind", choices=GateKind.choices)
    mine = django_filters.BooleanFilter(
        method="filter_mine", label="awaiting my decision", widget=django_filters.widgets.BooleanWidget
    )

    class Meta:
        model = Review
        fields = ["status", "gate", "project", "mine"]

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        inbox = selectors.review_inbox(user=self.request.user).values("pk")
        return queryset.filter(pk__in=inbox)


class ReviewViewSet(VisibleReadOnlyViewSet):
    serializer_class = ReviewSerializer
    filterset_class = ReviewFilterSet
    ordering_fields = ["created_at", "decided_at"]
    ordering = ["-created_at"]

    def get_queryset(self) -> QuerySet[Review]:
        return selectors.review_list_visible(user=self.request.user)

    @extend_schema(request=DecisionSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        review = self.get_object()
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.review_decide(review_id=review.pk, actor=acting_user(request), **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=review.pk)).data)
