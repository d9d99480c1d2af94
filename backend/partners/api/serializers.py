"""API shapes of channel partners: a partner with its profile, grade, terms, criteria figures and the reasons
of its grade (figures and the sentence in the reader's language); grades; trainings; certifications. Shape
only: the services validate and decide."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.partners.models import PartnerCertification, PartnerGrade, PartnerTraining
from backend.partners.reasons import reasons
from backend.partners.selectors import years_between
from backend.projects.choices import PartnerKind
from backend.projects.models import Partner


class PartnerGradeSerializer(serializers.ModelSerializer):
    support_level_display = serializers.CharField(source="get_support_level_display", read_only=True)

    class Meta:
        model = PartnerGrade
        fields = [
            "id",
            "code",
            "name",
            "rank",
            "min_trainings",
            "min_years",
            "min_volume",
            "min_certifications",
            "credit_limit",
            "discount_ceiling",
            "support_level",
            "support_level_display",
        ]


class ReasonSerializer(serializers.Serializer):
    grade = serializers.CharField()
    criterion = serializers.CharField()
    text = serializers.CharField()
    met = serializers.BooleanField()


class PartnerTrainingSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnerTraining
        fields = ["id", "course", "held_on", "attendees"]


class PartnerCertificationSerializer(serializers.ModelSerializer):
    valid = serializers.SerializerMethodField()

    class Meta:
        model = PartnerCertification
        fields = ["id", "name", "issued", "valid_until", "valid"]

    def get_valid(self, obj: PartnerCertification) -> bool:
        today = timezone.localdate()
        return obj.issued <= today and (obj.valid_until is None or obj.valid_until >= today)


class PartnerSerializer(serializers.ModelSerializer):
    """Catalogue fields are written on create only; afterwards the profile: ``cooperation_since`` and
    ``grade_lock`` (a grade code sets the grade by hand; "" hands it back to the re-grading)."""

    kind = serializers.ChoiceField(choices=PartnerKind.choices, required=False)
    cooperation_since = serializers.DateField(source="profile.cooperation_since", required=False, allow_null=True)
    grade_lock = serializers.CharField(required=False, allow_blank=True, write_only=True, max_length=20)
    grade = serializers.SerializerMethodField()
    grade_manual = serializers.SerializerMethodField()
    graded_at = serializers.SerializerMethodField()
    cooperation_years = serializers.SerializerMethodField()
    trainings_12m = serializers.IntegerField(read_only=True)
    valid_certifications = serializers.IntegerField(read_only=True)
    volume_12m = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "kind",
            "contact",
            "notes",
            "cooperation_since",
            "cooperation_years",
            "grade",
            "grade_manual",
            "grade_lock",
            "graded_at",
            "trainings_12m",
            "volume_12m",
            "valid_certifications",
            "reasons",
        ]
        extra_kwargs: dict[str, Any] = {"name": {"validators": []}}

    def _profile(self, obj: Partner) -> Any:
        return getattr(obj, "profile", None)

    @extend_schema_field(PartnerGradeSerializer(allow_null=True))
    def get_grade(self, obj: Partner) -> dict[str, Any] | None:
        profile = self._profile(obj)
        return PartnerGradeSerializer(profile.grade).data if profile and profile.grade else None

    def get_grade_manual(self, obj: Partner) -> bool:
        profile = self._profile(obj)
        return bool(profile and profile.grade_manual)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_graded_at(self, obj: Partner) -> Any:
        profile = self._profile(obj)
        return profile.graded_at.isoformat() if profile and profile.graded_at else None

    def get_cooperation_years(self, obj: Partner) -> int:
        profile = self._profile(obj)
        return years_between(profile.cooperation_since if profile else None, timezone.localdate())

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, obj: Partner) -> list[dict[str, Any]]:
        profile = self._profile(obj)
        if profile is None:
            return []
        grades = self.context.get("grades") or {}
        return [vars(r) for r in reasons(profile.grade_reasons, grades)]
