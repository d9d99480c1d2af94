"""``GET /api/v1/<records>/{id}/history/``: the audit history of one record (backend/core/audit.py), paginated
like every list, for the viewsets of audited models."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from backend.core.audit import Entry, history_entries


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label (metaclass)
    old = serializers.CharField()
    new = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.IntegerField(source="user.pk", allow_null=True, default=None)
    user_name = serializers.CharField()
    action = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    action_label = serializers.CharField()
    model = serializers.CharField()
    record = serializers.CharField()
    object_id = serializers.IntegerField()
    changes = ChangeSerializer(many=True)


class HistoryPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HistoryEntrySerializer(many=True)


class AuditHistoryMixin:
    """Adds the ``history`` action; ``history_entries_for`` says which records' history a record shows."""

    def history_entries_for(self, obj: Any) -> list[Entry]:
        return history_entries([obj.history.all()])

    @extend_schema(responses=HistoryPageSerializer, filters=False)
    @action(detail=True, methods=["get"], url_path="history", filter_backends=[])
    def history(self, request: Request, pk: Any = None) -> Response:
        obj = self.get_object()  # type: ignore[attr-defined]  # a GenericAPIView: visibility applies, else 404
        page = self.paginate_queryset(self.history_entries_for(obj))  # type: ignore[attr-defined]
        return self.get_paginated_response(HistoryEntrySerializer(page, many=True).data)  # type: ignore[attr-defined]
