"""API shapes of projects and what hangs off them. Meaning (permissions, transitions) is the services' job."""

from __future__ import annotations

from typing import cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.models import User
from backend.core.permissions import visible_to
from backend.customers.api.serializers import UserRefSerializer
from backend.customers.models import Customer
from backend.projects.models import (
    BudgetLine,
    Competitor,
    CompetitorNote,
    Expense,
    Partner,
    Project,
    ProjectCompetitor,
    ProjectEvent,
    ProjectMember,
    ProjectPartner,
    StageChecklistItem,
)


@extend_schema_field(OpenApiTypes.INT)
class VisibleProjectField(serializers.PrimaryKeyRelatedField):
    """A project the requesting user can see (others do not exist, as far as the API is concerned)."""

    def get_queryset(self):
        return visible_to(self.context["request"].user, Project.objects.all())


class ProjectSerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    owner_detail = UserRefSerializer(source="owner", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    routing_rule_name = serializers.CharField(source="routing_rule.name", read_only=True, allow_null=True)
    # blank once the deal is closed (won, lost or abandoned): the schema's enum says so
    forecast_category = serializers.ChoiceField(
        choices=[*Project._meta.get_field("forecast_category").choices, ("", "")], read_only=True
    )
    open_items = serializers.IntegerField(read_only=True, required=False)
    has_pending_review = serializers.BooleanField(read_only=True, required=False)

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name",
            "customer",
            "customer_name",
            "tender",
            "source",
            "industry",
            "region",
            "department",
            "owner",
            "owner_detail",
            "estimated_amount",
            "currency",
            "probability",
            "expected_close_date",
            "process_template",
            "routing_rule",
            "routing_rule_name",
            "description",
            "contract_amount",
            "status",
            "status_display",
            "status_changed_at",
            "forecast_category",
            "closed_at",
            "open_items",
            "has_pending_review",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "code",
            "tender",
            "routing_rule",
            "contract_amount",
            "status",
            "status_changed_at",
            "forecast_category",  # set through POST …/forecast/, which records a manager's adjustment
            "closed_at",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        visible = self.context.get("visible_customers")
        if visible is not None:
            customer = cast(serializers.RelatedField, self.fields["customer"])
            customer.queryset = visible  # type: ignore[arg-type]  # stubs: Manager in the union read as a descriptor


class ProjectDetailSerializer(ProjectSerializer):
    available_transitions = serializers.SerializerMethodField()

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "available_transitions"]

    def get_available_transitions(self, project: Project) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [t.name for t in project.get_available_user_status_transitions(request.user)]


class WinLossInputSerializer(serializers.Serializer):
    primary_reason = serializers.CharField()
    secondary_reasons = serializers.ListField(child=serializers.CharField(), required=False)
    winning_competitor = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    winning_price = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    our_price = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    lessons = serializers.CharField(required=False, allow_blank=True)


class ForecastInputSerializer(serializers.Serializer):
    forecast_category = serializers.CharField(allow_blank=True, max_length=20)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class TransitionInputSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    win_loss = WinLossInputSerializer(required=False)
    kickoff_date = serializers.DateField(required=False, help_text="kickoff only; default today")


class MemberSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    user_detail = UserRefSerializer(source="user", read_only=True)

    class Meta:
        model = ProjectMember
        fields = ["id", "user", "user_detail", "role", "added_at"]


class CompetitorNoteSerializer(serializers.ModelSerializer):
    author = UserRefSerializer(read_only=True)

    class Meta:
        model = CompetitorNote
        fields = ["id", "stage", "note", "author", "created_at"]
        read_only_fields = ["author", "created_at"]


class ProjectCompetitorSerializer(serializers.ModelSerializer):
    competitor = serializers.PrimaryKeyRelatedField(queryset=Competitor.objects.all(), required=False)
    competitor_name = serializers.CharField(required=False, write_only=True, allow_blank=True)
    name = serializers.CharField(source="competitor.name", read_only=True)
    notes = CompetitorNoteSerializer(many=True, read_only=True)

    class Meta:
        model = ProjectCompetitor
        fields = [
            "id",
            "competitor",
            "competitor_name",
            "name",
            "solution",
            "strengths",
            "weaknesses",
            "threat_level",
            "estimated_price",
            "bid_price",
            "notes",
        ]


class ProjectPartnerSerializer(serializers.ModelSerializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all(), required=False)
    partner_name = serializers.CharField(required=False, write_only=True, allow_blank=True)
    name = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = ProjectPartner
        fields = ["id", "partner", "partner_name", "name", "role", "scope", "amount"]


class EventSerializer(serializers.ModelSerializer):
    actor = UserRefSerializer(read_only=True)

    class Meta:
        model = ProjectEvent
        fields = ["id", "kind", "transition", "source", "target", "actor", "comment", "review", "created_at"]


class ChecklistItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = StageChecklistItem
        fields = ["id", "stage", "text", "order", "required", "done", "done_by", "done_at"]
        read_only_fields = ["stage", "text", "order", "required", "done_by", "done_at"]


class CompetitorCatalogueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Competitor
        fields = ["id", "name", "website", "strengths", "weaknesses", "notes"]


class SaveAsTemplateSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class BudgetLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetLine
        fields = ["id", "category", "description", "planned_amount"]


class ExpenseSerializer(serializers.ModelSerializer):
    budget_line = serializers.PrimaryKeyRelatedField(queryset=BudgetLine.objects.all(), required=False, allow_null=True)
    author = UserRefSerializer(read_only=True)

    class Meta:
        model = Expense
        fields = ["id", "category", "amount", "spent_on", "description", "budget_line", "author"]
