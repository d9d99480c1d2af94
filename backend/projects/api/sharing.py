"""``/api/v1/sharing-rules/``: administrators list, create, change and delete sharing rules, and preview an
unsaved one. Thin: the services validate and write, the selectors read and preview."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from backend.accounts.http import acting_user
from backend.core.api.viewsets import VisibleModelViewSet
from backend.core.errors import PermissionDenied
from backend.core.permissions import can
from backend.projects.sharing import selectors, services
from backend.projects.sharing.models import ProjectSharingRule


class PreviewSerializer(serializers.Serializer):
    projects = serializers.IntegerField(help_text="Projects the rule selects.")
    users = serializers.IntegerField(help_text="Active users the grantee counts.")
    gained = serializers.IntegerField(
        allow_null=True, help_text="For a user grantee: projects newly visible to them through this rule."
    )


class SharingRuleSerializer(serializers.ModelSerializer):
    grantee_kind = serializers.CharField(read_only=True)

    class Meta:
        model = ProjectSharingRule
        fields = [
            "id",
            "department",
            "include_subdepartments",
            "industry",
            "region",
            "customer",
            "customer_tier",
            "grantee_kind",
            "grantee_department",
            "grantee_role",
            "grantee_user",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class SharingRuleViewSet(mixins.DestroyModelMixin, VisibleModelViewSet):
    """Sharing rules (administrators only): each grants READ access to the projects matching all its criteria
    to one grantee — a department's members, a role, or a user. A rule with no criterion, no grantee or two
    grantees is refused (400, ``code`` ``no_criterion``, ``no_grantee`` or ``two_grantees``). Like every list,
    the rules are filtered by visibility: anyone else gets an empty list, 404 on a rule, 403 on a write."""

    serializer_class = SharingRuleSerializer
    queryset = ProjectSharingRule.objects.none()

    def base_queryset(self) -> QuerySet[ProjectSharingRule]:
        return selectors.sharing_rule_list(user=acting_user(self.request))

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(cast(dict[str, Any], serializer.validated_data))
        serializer.instance = services.sharing_rule_create(actor=acting_user(self.request), data=data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        rule = cast(ProjectSharingRule, serializer.instance)
        data = dict(cast(dict[str, Any], serializer.validated_data))
        serializer.instance = services.sharing_rule_update(actor=acting_user(self.request), rule_id=rule.pk, data=data)

    def perform_destroy(self, instance: ProjectSharingRule) -> None:
        services.sharing_rule_delete(actor=acting_user(self.request), rule_id=instance.pk)

    @extend_schema(request=SharingRuleSerializer, responses={200: PreviewSerializer})
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        """What an unsaved rule would open: projects it selects, grantee users, and a user grantee's gain."""
        if not can(request.user, "manage", ProjectSharingRule):
            raise PermissionDenied(_("Only administrators manage sharing rules."))
        body = SharingRuleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(cast(dict[str, Any], body.validated_data))
        services.sharing_rule_validate(data=data)
        (found,) = selectors.sharing_rule_previews(rules=[ProjectSharingRule(**data)])
        return Response(PreviewSerializer(found).data)
