"""Bid, quotation, contract-terms and win/loss endpoints. Thin: services write, selectors read."""

from __future__ import annotations

from typing import cast

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from backend.accounts.http import acting_user
from backend.bids import selectors, services
from backend.bids.api.serializers import (
    BidSerializer,
    ContractTermsSerializer,
    LinesInputSerializer,
    OpeningInputSerializer,
    QuotationSerializer,
    SubmitInputSerializer,
    WinLossSerializer,
)
from backend.bids.models import BidOpeningEntry, ContractTerms, Quotation, QuotationLine
from backend.core.api.audit import AuditHistoryMixin
from backend.core.api.viewsets import VisibleModelViewSet, VisibleQuerysetMixin


class BidViewSet(VisibleModelViewSet):
    serializer_class = BidSerializer
    filterset_fields = ["project", "result"]
    ordering = ["project_id", "round"]

    def base_queryset(self):
        return selectors.Bid.objects.select_related("project").prefetch_related(
            Prefetch("opening", queryset=BidOpeningEntry.objects.select_related("competitor"))
        )

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        project = data.pop("project")
        serializer.instance = services.bid_create(actor=self.request.user, project=project, **data)

    def perform_update(self, serializer) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k != "project"}
        serializer.instance = services.bid_update(actor=self.request.user, bid=serializer.instance, data=data)

    @extend_schema(request=OpeningInputSerializer, responses=BidSerializer)
    @action(detail=True, methods=["post"])
    def opening(self, request: Request, pk: str) -> Response:
        bid = self.get_object()
        body = OpeningInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.bid_opening_record(actor=acting_user(request), bid=bid, entries=body.validated_data["entries"])
        return Response(self.get_serializer(self.get_queryset().get(pk=bid.pk)).data)


class QuotationViewSet(
    AuditHistoryMixin,
    VisibleQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = QuotationSerializer
    filterset_fields = ["project", "status"]
    ordering = ["project_id", "-version"]

    def get_queryset(self):
        lines = QuotationLine.objects.annotate(net=selectors.LINE_NET, cost=selectors.LINE_COST, tax=selectors.LINE_TAX)
        return selectors.quotation_list_visible(user=self.request.user).prefetch_related(
            Prefetch("lines", queryset=lines)
        )

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.quotation_create(
            actor=self.request.user, project=data.pop("project"), lines=data.pop("lines"), **data
        )

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        created = cast(Quotation, serializer.instance)  # perform_create sets it
        return Response(self.get_serializer(self.get_queryset().get(pk=created.pk)).data, status=201)

    @extend_schema(request=LinesInputSerializer, responses=QuotationSerializer)
    @action(detail=True, methods=["put"])
    def lines(self, request: Request, pk: str) -> Response:
        quotation = self.get_object()
        body = LinesInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.quotation_replace_lines(
            actor=acting_user(request), quotation=quotation, lines=body.validated_data["lines"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=quotation.pk)).data)

    @extend_schema(request=SubmitInputSerializer, responses=QuotationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        quotation = self.get_object()
        body = SubmitInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.quotation_submit(
            actor=acting_user(request), quotation=quotation, comment=body.validated_data["comment"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=quotation.pk)).data)


class ContractTermsViewSet(AuditHistoryMixin, VisibleModelViewSet):
    """Contract terms, one per project: POST creates or replaces them."""

    serializer_class = ContractTermsSerializer
    filterset_fields = ["project"]
    ordering = ["-created_at"]

    def base_queryset(self):
        return ContractTerms.objects.select_related("project")

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.contract_terms_save(actor=self.request.user, project=data.pop("project"), **data)

    def perform_update(self, serializer) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k != "project"}
        serializer.instance = services.contract_terms_save(
            actor=self.request.user, project=serializer.instance.project, **data
        )


class WinLossViewSet(
    VisibleQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Win/loss analyses; one per project, created ahead of (or with) the won/lost/abandoned transition."""

    serializer_class = WinLossSerializer
    filterset_fields = ["outcome", "project", "primary_reason", "winning_competitor"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return selectors.win_loss_list_visible(user=self.request.user)

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.win_loss_create(actor=self.request.user, project=data.pop("project"), **data)
