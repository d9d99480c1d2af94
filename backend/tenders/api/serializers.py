"""API shapes of tenders and their attachments."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.customers.api.serializers import UserRefSerializer
from backend.customers.models import Customer
from backend.tenders.models import Tender, TenderAttachment


@extend_schema_field(OpenApiTypes.INT)
class VisibleCustomerField(serializers.PrimaryKeyRelatedField):
    """A customer the requesting user can see; a hidden one is answered like one that does not exist."""

    def get_queryset(self):
        from backend.core.permissions import visible_to

        return visible_to(self.context["request"].user, Customer.objects.all())


class TenderAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = TenderAttachment
        fields = ["id", "name", "file", "uploaded_at"]


class TenderSerializer(serializers.ModelSerializer):
    owner = UserRefSerializer(read_only=True)
    customer = VisibleCustomerField(required=False, allow_null=True)
    attachments = TenderAttachmentSerializer(many=True, read_only=True)
    routing_rule_name = serializers.CharField(source="routing_rule.name", read_only=True, allow_null=True)

    class Meta:
        model = Tender
        fields = [
            "id",
            "number",
            "title",
            "buyer",
            "customer",
            "budget",
            "currency",
            "industry",
            "region",
            "publish_date",
            "registration_deadline",
            "bid_deadline",
            "opening_date",
            "qualification_requirements",
            "source_url",
            "notes",
            "owner",
            "routing_rule",
            "routing_rule_name",
            "attachments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["owner", "routing_rule", "created_at", "updated_at"]
        extra_kwargs: dict[str, dict[str, Any]] = {"number": {"validators": []}}


class CreateProjectFromTenderSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, default="")
