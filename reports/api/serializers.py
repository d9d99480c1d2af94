"""Shapes of the analytics' own records: sales targets and KPI scores. Serializers validate shape; the services
decide (who may set a target or score a person, and the rules of periods and ranges)."""

from __future__ import annotations

from rest_framework import serializers

from backend.accounts.models import Department, User
from reports.models import KpiDimension, KpiScore, SalesTarget


class SalesTargetSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False, allow_null=True)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)

    class Meta:
        model = SalesTarget
        fields = ["id", "user", "department", "period", "period_start", "amount", "set_by", "updated_at"]
        read_only_fields = ["id", "set_by", "updated_at"]
        validators: list = []  # a second target for the same period replaces the first (the service upserts)


class KpiDimensionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = KpiDimension
        fields = ["id", "code", "name", "name_zh", "name_en", "metric", "weight", "is_active"]


class KpiScoreSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    dimension = serializers.PrimaryKeyRelatedField(queryset=KpiDimension.objects.all())
    score = serializers.DecimalField(max_digits=5, decimal_places=1)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    class Meta:
        model = KpiScore
        fields = ["id", "user", "dimension", "period_start", "score", "comment", "scored_by", "scored_at"]
        read_only_fields = ["id", "scored_by", "scored_at"]
