"""API shapes of bids, quotations, contract terms and win/loss records."""

from __future__ import annotations

from rest_framework import serializers

from backend.bids.models import (
    Bid,
    BidOpeningEntry,
    ContractTerms,
    Quotation,
    QuotationLine,
    WinLossReason,
    WinLossRecord,
)
from backend.customers.api.serializers import UserRefSerializer
from backend.projects.api.serializers import VisibleProjectField
from backend.projects.models import Competitor


class OpeningEntrySerializer(serializers.ModelSerializer):
    competitor = serializers.PrimaryKeyRelatedField(queryset=Competitor.objects.all(), required=False, allow_null=True)
    competitor_name = serializers.CharField(source="competitor.name", read_only=True, allow_null=True)

    class Meta:
        model = BidOpeningEntry
        fields = ["id", "competitor", "competitor_name", "is_us", "price", "rank", "technical_score"]


class OpeningInputSerializer(serializers.Serializer):
    entries = OpeningEntrySerializer(many=True)


class BidSerializer(serializers.ModelSerializer):
    project = VisibleProjectField()
    opening = OpeningEntrySerializer(many=True, read_only=True)

    class Meta:
        model = Bid
        fields = [
            "id",
            "project",
            "round",
            "submitted_on",
            "bond_amount",
            "bond_paid_on",
            "bond_refunded_on",
            "our_price",
            "result",
            "notes",
            "opening",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["round", "created_at", "updated_at"]


class QuotationLineSerializer(serializers.ModelSerializer):
    net = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True)
    cost = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True)
    tax = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True)

    class Meta:
        model = QuotationLine
        fields = [
            "id",
            "position",
            "description",
            "unit",
            "quantity",
            "unit_price",
            "unit_cost",
            "discount",
            "tax_rate",
            "net",
            "cost",
            "tax",
        ]
        read_only_fields = ["position"]


class QuotationSerializer(serializers.ModelSerializer):
    project = VisibleProjectField()
    lines = QuotationLineSerializer(many=True)
    net = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True)
    cost = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True)
    tax = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True)
    gross = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True)
    margin_pct = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True, allow_null=True)
    created_by = UserRefSerializer(read_only=True)

    class Meta:
        model = Quotation
        fields = [
            "id",
            "project",
            "version",
            "title",
            "currency",
            "status",
            "valid_until",
            "notes",
            "partner",
            "lines",
            "net",
            "cost",
            "tax",
            "gross",
            "margin_pct",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "status", "created_by", "created_at", "updated_at"]


class LinesInputSerializer(serializers.Serializer):
    lines = QuotationLineSerializer(many=True)


class SubmitInputSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ContractTermsSerializer(serializers.ModelSerializer):
    project = VisibleProjectField()

    class Meta:
        model = ContractTerms
        fields = [
            "id",
            "project",
            "amount",
            "payment_terms",
            "delivery_date",
            "penalties",
            "warranty_months",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []


class WinLossSerializer(serializers.ModelSerializer):
    project = VisibleProjectField()
    primary_reason = serializers.SlugRelatedField(
        slug_field="code", queryset=WinLossReason.objects.filter(is_active=True)
    )
    secondary_reasons = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=WinLossReason.objects.filter(is_active=True)
    )
    winning_competitor = serializers.PrimaryKeyRelatedField(
        queryset=Competitor.objects.all(), required=False, allow_null=True
    )
    recorded_by = UserRefSerializer(read_only=True)

    class Meta:
        model = WinLossRecord
        fields = [
            "id",
            "project",
            "outcome",
            "primary_reason",
            "secondary_reasons",
            "winning_competitor",
            "winning_price",
            "our_price",
            "lessons",
            "recorded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["recorded_by", "created_at", "updated_at"]
        validators: list = []
