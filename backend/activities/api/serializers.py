"""API shapes for activities and calendar entries. Shape only: links are limited to what the user sees,
the services decide the rest."""

from __future__ import annotations

from django.db.models import Model
from rest_framework import serializers

from backend.accounts.models import User
from backend.activities.models import Activity
from backend.core.permissions import visible_to
from backend.customers.api.serializers import UserRefSerializer
from backend.customers.models import Contact, Customer
from backend.milestones.models import Milestone
from backend.projects.api.serializers import VisibleProjectField
from workflows.models import Review


class _Visible(serializers.PrimaryKeyRelatedField):
    model: type[Model]

    def get_queryset(self):
        return visible_to(self.context["request"].user, self.model._default_manager.all())


class VisibleCustomerField(_Visible):
    model = Customer


class VisibleContactField(_Visible):
    model = Contact


class VisibleMilestoneField(_Visible):
    model = Milestone


class VisibleReviewField(_Visible):
    model = Review


class ActivitySerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    owner_detail = UserRefSerializer(source="owner", read_only=True)
    attendees = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )
    customer = VisibleCustomerField(required=False, allow_null=True)
    contact = VisibleContactField(required=False, allow_null=True)
    project = VisibleProjectField(required=False, allow_null=True)
    milestone = VisibleMilestoneField(required=False, allow_null=True)
    review = VisibleReviewField(required=False, allow_null=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "kind_display",
            "subject",
            "notes",
            "owner",
            "owner_detail",
            "attendees",
            "starts_at",
            "ends_at",
            "all_day",
            "due_at",
            "priority",
            "status",
            "status_display",
            "completed_at",
            "customer",
            "contact",
            "project",
            "milestone",
            "review",
            "interaction",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["due_at", "status", "completed_at", "interaction", "created_at", "updated_at"]


class CompleteSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class CalendarQuerySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    view = serializers.ChoiceField(choices=["mine", "department"], default="mine", required=False)


class CalendarEntrySerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["activity", "milestone", "tender_registration", "tender_bid", "tender_opening"]
    )
    title = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(allow_null=True)
    all_day = serializers.BooleanField()
    url = serializers.CharField()
    ref = serializers.CharField(help_text="object type and id, e.g. activity:12")
    status = serializers.CharField()
