"""API shapes of payment terms, invoices, receipts and write-offs."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.customers.api.serializers import UserRefSerializer
from backend.payments.models import Invoice, PaymentTerm, Receipt
from backend.projects.api.serializers import VisibleProjectField


class PaymentTermSerializer(serializers.ModelSerializer):
    project = VisibleProjectField()
    received = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True)
    outstanding = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True)

    class Meta:
        model = PaymentTerm
        fields = [
            "id",
            "project",
            "milestone",
            "name",
            "order",
            "percent",
            "amount",
            "due_date",
            "days_after_acceptance",
            "received",
            "written_off",
            "outstanding",
            "write_off_reason",
        ]
        read_only_fields = ["order", "amount", "written_off", "write_off_reason"]


class WriteOffSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    reason = serializers.CharField()


class InvoiceSerializer(serializers.ModelSerializer):
    project = VisibleProjectField()
    received = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True)
    outstanding = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "project",
            "payment_term",
            "number",
            "amount",
            "issued_on",
            "due_on",
            "received",
            "outstanding",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs: dict[str, dict[str, Any]] = {"number": {"validators": []}}


class ReceiptSerializer(serializers.ModelSerializer):
    recorded_by = UserRefSerializer(read_only=True)

    class Meta:
        model = Receipt
        fields = [
            "id",
            "project",
            "payment_term",
            "invoice",
            "amount",
            "received_on",
            "reference",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["project", "recorded_by", "created_at"]
