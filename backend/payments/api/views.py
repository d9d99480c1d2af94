"""Payment endpoints: payment terms (+ write-off, aging), invoices and receipts. Thin: services write, selectors
read."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from backend.accounts.http import acting_user
from backend.core.api.audit import AuditHistoryMixin
from backend.core.api.viewsets import VisibleQuerysetMixin
from backend.core.errors import ValidationFailed
from backend.core.permissions import visible_to
from backend.payments import selectors, services
from backend.payments.api.serializers import (
    InvoiceSerializer,
    PaymentTermSerializer,
    ReceiptSerializer,
    WriteOffSerializer,
)
from backend.payments.models import Invoice, PaymentTerm, Receipt


class PaymentTermViewSet(
    AuditHistoryMixin,
    VisibleQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PaymentTermSerializer
    filterset_fields = ["project", "milestone"]
    ordering = ["project_id", "order"]

    def base_queryset(self):
        return PaymentTerm.objects.all()

    def get_queryset(self):
        return selectors.payment_terms_with_amounts(super().get_queryset())

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("days_after_acceptance", None)
        serializer.instance = services.payment_term_add(
            actor=self.request.user,
            project=data.pop("project"),
            name=data["name"],
            percent=data["percent"],
            milestone=data.get("milestone"),
            due_date=data.get("due_date"),
        )

    def create(self, request: Request, *args, **kwargs) -> Response:
        response = super().create(request, *args, **kwargs)
        response.data = self.get_serializer(self.get_queryset().get(pk=response.data["id"])).data
        return response

    @extend_schema(request=WriteOffSerializer, responses=PaymentTermSerializer)
    @action(detail=True, methods=["post"], url_path="write-off")
    def write_off(self, request: Request, pk: str) -> Response:
        term = self.get_object()
        body = WriteOffSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.payment_write_off(actor=acting_user(request), payment_term=term, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=term.pk)).data)

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"])
    def aging(self, request: Request) -> Response:
        """Receivables aging over the projects the user sees: 0–30, 31–90, 91–180, >180 days past due."""
        return Response(selectors.receivables_aging(user=acting_user(request)))


class InvoiceViewSet(
    AuditHistoryMixin,
    VisibleQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = InvoiceSerializer
    filterset_fields = ["project", "payment_term"]
    ordering = ["-issued_on"]

    def base_queryset(self):
        return Invoice.objects.all()

    def get_queryset(self):
        return selectors.invoices_with_amounts(super().get_queryset())

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.invoice_create(actor=self.request.user, project=data.pop("project"), **data)

    def create(self, request: Request, *args, **kwargs) -> Response:
        response = super().create(request, *args, **kwargs)
        response.data = self.get_serializer(self.get_queryset().get(pk=response.data["id"])).data
        return response


class ReceiptViewSet(
    AuditHistoryMixin,
    VisibleQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ReceiptSerializer
    filterset_fields = ["project", "payment_term", "invoice"]
    ordering = ["-received_on"]

    def base_queryset(self):
        return Receipt.objects.select_related("recorded_by")

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        term = data.pop("payment_term")
        if not visible_to(self.request.user, PaymentTerm.objects.filter(pk=term.pk)).exists():
            raise ValidationFailed(_("Unknown payment term."), fields={"payment_term": ["not found"]})
        serializer.instance = services.receipt_record(actor=self.request.user, payment_term=term, **data)
