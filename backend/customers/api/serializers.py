"""Shapes of customers, contacts and interactions in the API. Validation of meaning (duplicates, credit
codes, permissions) is the services' job."""

from __future__ import annotations

from typing import Any, cast

from rest_framework import serializers

from backend.accounts.models import User
from backend.customers.choices import Tier
from backend.customers.models import Contact, Customer, Interaction


class UserRefSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name"]


class CustomerSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    owner_detail = UserRefSerializer(source="owner", read_only=True)
    contact_count = serializers.IntegerField(read_only=True)
    tier = serializers.ChoiceField(choices=Tier.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "credit_code",
            "industry",
            "region",
            "owner",
            "owner_detail",
            "tier",
            "address",
            "website",
            "notes",
            "contact_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["tier", "created_at", "updated_at"]
        # Uniqueness is the duplicate guard's business (a clear message naming the existing customer).
        extra_kwargs: dict[str, dict[str, Any]] = {"credit_code": {"validators": []}}


class ContactSerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())

    class Meta:
        model = Contact
        fields = [
            "id",
            "customer",
            "name",
            "title",
            "phone",
            "email",
            "decision_role",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        visible = self.context.get("visible_customers")
        if visible is not None:
            customer = cast(serializers.RelatedField, self.fields["customer"])
            customer.queryset = visible  # type: ignore[arg-type]  # stubs: Manager in the union read as a descriptor


class InteractionSerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    contacts = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.none(), many=True, required=False)
    author = UserRefSerializer(read_only=True)

    class Meta:
        model = Interaction
        fields = ["id", "customer", "kind", "occurred_at", "summary", "notes", "contacts", "author", "created_at"]
        read_only_fields = ["author", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        visible = self.context.get("visible_customers")
        if visible is not None:
            customer = cast(serializers.RelatedField, self.fields["customer"])
            customer.queryset = visible  # type: ignore[arg-type]  # stubs: Manager in the union read as a descriptor
            contacts = cast(serializers.ManyRelatedField, self.fields["contacts"])
            contacts.child_relation.queryset = Contact.objects.filter(customer__in=visible)  # type: ignore[arg-type]
