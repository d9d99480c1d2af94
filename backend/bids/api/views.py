"""Tender, bid, quotation, contract-terms and win/loss endpoints. Thin: services write, selectors read."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from backend.bids import selectors, services
from backend.bids.api.serializers import (
    BidSerializer,
    ContractTermsSerializer,
    CreateProjectFromTenderSerializer,
    LinesInputSerializer,
    OpeningInputSerializer,
    QuotationSerializer,
    SubmitInputSerializer,
    TenderSerializer,
    WinLossSerializer,
)
from backend.bids.models import BidOpeningEntry, ContractTerms, QuotationLine, Tender
from backend.core.api.viewsets import VisibleModelViewSet, VisibleQuerysetMixin
from backend.projects.api.serializers import ProjectDetailSerializer
from backend.projects.selectors import project_list_visible


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
        project = services.tender_create_project(actor=request.user, tender=tender, name=body.validated_data["name"])
        project = project_list_visible(user=request.user).get(pk=project.pk)
        return Response(ProjectDetailSerializer(project, context={"request": request}).data, status=201)


class BidViewSet(VisibleModelViewSet):
    serializer_class = BidSerializer
    filterset_fields = ["project", "result"]
    ordering = ["project", "round"]

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
        services.bid_opening_record(actor=request.user, bid=bid, entries=body.validated_data["entries"])
        return Response(self.get_serializer(self.get_queryset().get(pk=bid.pk)).data)


class QuotationViewSet(
    VisibleQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = QuotationSerializer
    filterset_fields = ["project", "status"]
    ordering = ["project", "-version"]

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
        return Response(self.get_serializer(self.get_queryset().get(pk=serializer.instance.pk)).data, status=201)

    @extend_schema(request=LinesInputSerializer, responses=QuotationSerializer)
    @action(detail=True, methods=["put"])
    def lines(self, request: Request, pk: str) -> Response:
        quotation = self.get_object()
        body = LinesInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.quotation_replace_lines(actor=request.user, quotation=quotation, lines=body.validated_data["lines"])
        return Response(self.get_serializer(self.get_queryset().get(pk=quotation.pk)).data)

    @extend_schema(request=SubmitInputSerializer, responses=QuotationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        quotation = self.get_object()
        body = SubmitInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.quotation_submit(actor=request.user, quotation=quotation, comment=body.validated_data["comment"])
        return Response(self.get_serializer(self.get_queryset().get(pk=quotation.pk)).data)


class ContractTermsViewSet(VisibleModelViewSet):
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
