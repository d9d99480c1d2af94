"""Routing-rule endpoints (administrators only): ``/api/v1/routing-rules/`` (CRUD, ``move``) and
``POST /api/v1/routing-rules/test/`` — which rule would assign this, to whom, and why each earlier rule did
not. Thin: shapes here, decisions in ``workflows.routing.services``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from backend.accounts.http import acting_user
from backend.accounts.models import Department, User
from backend.core.api.viewsets import VisibleModelViewSet
from backend.core.permissions import can
from backend.customers.api.serializers import UserRefSerializer
from workflows.choices import RoutingTarget
from workflows.models import RoutingCursor, RoutingRule
from workflows.routing import services
from workflows.routing.services import RULE_FIELDS, RoutingDecision, RoutingRecord


class ManagesRoutingRules(BasePermission):
    """Administrators only: anybody else reads an empty list (like the sharing rules, every list answers every
    user), a rule is 404 to them, and every write or test is 403."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS and getattr(view, "action", "") in ("list", "retrieve"):
            return True
        return can(request.user, "manage", RoutingRule)


class RoutingRuleSerializer(serializers.ModelSerializer):
    order = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    assign_owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    assign_bid_manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    group_users = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), many=True, required=False)
    group_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    assign_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    assign_owner_detail = UserRefSerializer(source="assign_owner", read_only=True, allow_null=True)
    group_users_detail = UserRefSerializer(source="group_users", many=True, read_only=True)
    project_role = serializers.CharField(required=False, allow_blank=True, max_length=20)
    position = serializers.SerializerMethodField(help_text="Assignments made so far (round-robin turns taken).")

    class Meta:
        model = RoutingRule
        fields = [
            "id",
            *RULE_FIELDS,
            "assign_owner_detail",
            "group_users_detail",
            "position",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_position(self, rule: RoutingRule) -> int:
        try:
            return rule.cursor.position
        except RoutingCursor.DoesNotExist:  # a rule made before cursors existed has taken no turn
            return 0


class MoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=[("up", "up"), ("down", "down")])


TEST_TARGETS = [(v, label) for v, label in RoutingTarget.choices if v != RoutingTarget.BOTH]


class RoutingTestSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=TEST_TARGETS)
    industry = serializers.CharField(required=False, allow_blank=True, default="")
    region = serializers.CharField(required=False, allow_blank=True, default="")
    source = serializers.CharField(required=False, allow_blank=True, default="")  # type: ignore[assignment]
    category = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True, default=None)
    record_kind = serializers.ChoiceField(
        choices=[("project", "project"), ("tender", "tender")], required=False, allow_blank=True, default=""
    )
    record = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="A project code or a tender number."
    )


class RuleVerdictSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="rule.pk")  # type: ignore[assignment]
    name = serializers.CharField(source="rule.name")
    order = serializers.IntegerField(source="rule.order")
    matched = serializers.BooleanField()
    reason = serializers.CharField()


class RuleRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()  # type: ignore[assignment]
    name = serializers.CharField()


class RoutingTestResultSerializer(serializers.Serializer):
    rule = RuleRefSerializer(allow_null=True, help_text="The rule that would assign the work (null: none).")
    assignee = UserRefSerializer(allow_null=True)
    record = serializers.CharField(allow_null=True)
    values = serializers.DictField()
    rules = RuleVerdictSerializer(many=True)


def _test_body(decision: RoutingDecision, record: RoutingRecord | None, values: dict[str, Any]) -> dict[str, Any]:
    rule = decision.rule
    return {
        "rule": {"id": rule.pk, "name": rule.name} if rule else None,
        "assignee": UserRefSerializer(decision.user).data if decision.user else None,
        "record": record.label if record else None,
        "values": {k: (str(v) if v is not None else None) for k, v in values.items()},
        "rules": RuleVerdictSerializer(decision.verdicts, many=True).data,
    }


class RoutingRuleViewSet(mixins.DestroyModelMixin, VisibleModelViewSet):
    serializer_class = RoutingRuleSerializer
    permission_classes = [ManagesRoutingRules]
    pagination_class = None
    filterset_class = None
    ordering_fields: list[str] = []

    def base_queryset(self) -> QuerySet[RoutingRule]:
        if not can(self.request.user, "manage", RoutingRule):
            return RoutingRule.objects.none()
        return (
            RoutingRule.objects.select_related("assign_owner", "customer", "cursor")
            .prefetch_related("group_users")
            .order_by("order", "pk")
        )

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.routing_rule_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.routing_rule_update(
            actor=self.request.user, rule=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: RoutingRule) -> None:
        services.routing_rule_delete(actor=self.request.user, rule=instance)

    @extend_schema(request=MoveSerializer, responses=RoutingRuleSerializer(many=True))
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.routing_rule_move(actor=acting_user(request), rule=self.get_object(), **body.validated_data)
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    @extend_schema(request=RoutingTestSerializer, responses=RoutingTestResultSerializer)
    @action(detail=False, methods=["post"], url_path="test")
    def test(self, request: Request) -> Response:
        body = RoutingTestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        target, kind, code = data.pop("target"), data.pop("record_kind"), data.pop("record")
        decision, record = services.routing_test(
            actor=acting_user(request), target=target, values=data, record_kind=kind or "", record_code=code
        )
        values = (record.values if record else {}) | {k: v for k, v in data.items() if v not in (None, "")}
        return Response(_test_body(decision, record, values), status=status.HTTP_200_OK)
