"""API shapes of the service desk. Shape only: links are limited to what the user sees, the services decide
the rest (that contact and project belong to the customer, who may assign, which state allows what)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.models import User
from backend.core.permissions import visible_to
from backend.customers.api.serializers import UserRefSerializer
from backend.customers.models import Contact, Customer
from backend.projects.models import Project
from backend.service.models import RequestEvent, RequestNote, ServiceRequest


class _VisibleCustomer(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return visible_to(self.context["request"].user, Customer.objects.all())


class _VisibleContact(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return visible_to(self.context["request"].user, Contact.objects.all())


class _CustomerProject(serializers.PrimaryKeyRelatedField):
    """Any project of a customer the user sees (the desk logs work on projects it is not a member of)."""

    def get_queryset(self):
        customers = visible_to(self.context["request"].user, Customer.objects.all())
        return Project.objects.filter(customer__in=customers)


class ClockSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField(allow_null=True)
    left_minutes = serializers.IntegerField(allow_null=True, help_text="working minutes left; negative when late")
    state = serializers.ChoiceField(choices=["met", "breached", "at_risk", "running", "paused", "none"])


class SlaSerializer(serializers.Serializer):
    response = ClockSerializer()
    resolution = ClockSerializer()


class ServiceRequestSerializer(serializers.ModelSerializer):
    customer = _VisibleCustomer()
    contact = _VisibleContact(required=False, allow_null=True)
    project = _CustomerProject(required=False, allow_null=True)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    assignee_detail = UserRefSerializer(source="assignee", read_only=True, allow_null=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    priority_display = serializers.CharField(source="get_priority_display", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    coverage_display = serializers.CharField(source="get_coverage_display", read_only=True)
    sla = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "code",
            "subject",
            "description",
            "customer",
            "contact",
            "caller_name",
            "caller_phone",
            "project",
            "product",
            "channel",
            "category",
            "category_display",
            "priority",
            "priority_display",
            "status",
            "status_display",
            "assignee",
            "assignee_detail",
            "routing_rule",
            "coverage",
            "coverage_display",
            "warranty_ends_on",
            "response_due_at",
            "resolution_due_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "response_breached",
            "resolution_breached",
            "response_minutes",
            "resolution_minutes",
            "solution",
            "article",
            "sla",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "routing_rule", "solution", "article", "created_at", "updated_at"]

    @extend_schema_field(SlaSerializer)
    def get_sla(self, request: ServiceRequest) -> dict:
        from django.utils import timezone

        from backend.service.sla import sla_status

        view = sla_status(request, timezone.now())
        return SlaSerializer({"response": view.response, "resolution": view.resolution}).data


class ServiceRequestUpdateSerializer(ServiceRequestSerializer):
    """On update the customer stays (log a new request for another customer); assigning has its own call."""

    class Meta(ServiceRequestSerializer.Meta):
        read_only_fields = [*ServiceRequestSerializer.Meta.read_only_fields, "customer", "assignee"]


class TransitionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    solution = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20000, help_text="needed to resolve"
    )


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class NoteSerializer(serializers.ModelSerializer):
    author = UserRefSerializer(read_only=True)

    class Meta:
        model = RequestNote
        fields = ["id", "author", "body", "public", "created_at"]
        read_only_fields = ["created_at"]


class ArticleLinkSerializer(serializers.Serializer):
    article = serializers.IntegerField(allow_null=True, help_text="the article's id; null unlinks")


class RequestEventSerializer(serializers.ModelSerializer):
    actor = UserRefSerializer(read_only=True)
    transition_display = serializers.CharField(source="transition_label", read_only=True)

    class Meta:
        model = RequestEvent
        fields = ["id", "transition", "transition_display", "source", "target", "actor", "comment", "created_at"]
