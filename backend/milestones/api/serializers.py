"""API shapes for delivery: milestones, deliverables and versions, acceptance, payments, tasks, alarms."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.reverse import reverse

from backend.core.api.fields import IdField
from backend.customers.api.serializers import UserRefSerializer
from backend.milestones.models import (
    Acceptance,
    Alarm,
    Deliverable,
    DeliverableVersion,
    Milestone,
    Task,
)
from backend.projects.api.serializers import VisibleProjectField


class DeliverableVersionSerializer(serializers.ModelSerializer):
    uploaded_by = UserRefSerializer(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DeliverableVersion
        fields = [
            "id",
            "version",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]

    def get_download_url(self, obj: DeliverableVersion) -> str:
        return (
            reverse("deliverable-download", kwargs={"pk": obj.deliverable_id}, request=self.context.get("request"))
            + f"?version={obj.version}"
        )


class DeliverableSerializer(serializers.ModelSerializer):
    versions = DeliverableVersionSerializer(many=True, read_only=True)
    created_by = UserRefSerializer(read_only=True)
    reviewed_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Deliverable
        fields = [
            "id",
            "milestone",
            "doc_type",
            "title",
            "status",
            "created_by",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "versions",
            "created_at",
        ]
        read_only_fields = ["status", "reviewed_at", "review_comment", "created_at"]


class DeliverableUploadSerializer(serializers.Serializer):
    milestone = IdField()
    doc_type = serializers.CharField()
    title = serializers.CharField()
    file = serializers.FileField()


class VersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class ReviewDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class MilestoneSerializer(serializers.ModelSerializer):
    owner_detail = UserRefSerializer(source="owner", read_only=True, allow_null=True)
    missing_deliverables = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = [
            "id",
            "project",
            "name",
            "order",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "owner",
            "owner_detail",
            "weight",
            "required_deliverables",
            "status",
            "missing_deliverables",
            "available_transitions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["project", "order", "actual_start", "actual_end", "status", "created_at", "updated_at"]

    def get_missing_deliverables(self, obj: Milestone) -> list[str]:
        approved = {d.doc_type for d in obj.deliverables.all() if d.status == "approved"}  # prefetched
        return [t for t in obj.required_deliverables if t not in approved]

    def get_available_transitions(self, obj: Milestone) -> list[str]:
        if not self.context.get("with_transitions"):
            return []
        request = self.context["request"]
        return [t.name for t in obj.get_available_user_status_transitions(request.user)]


class TransitionBodySerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AcceptanceSerializer(serializers.ModelSerializer):
    project = VisibleProjectField()
    recorded_by = UserRefSerializer(read_only=True)
    certificate_file = serializers.FileField(write_only=True, required=False)

    class Meta:
        model = Acceptance
        fields = [
            "id",
            "project",
            "milestone",
            "accepted_on",
            "signatory",
            "signatory_title",
            "result",
            "punch_list",
            "notes",
            "certificate",
            "certificate_file",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["certificate", "recorded_by", "created_at"]


class TaskSerializer(serializers.ModelSerializer):
    assignee = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Task
        fields = ["id", "project", "milestone", "name", "assignee", "due_date", "status"]
        read_only_fields = ["project", "milestone", "name", "assignee", "due_date"]


class AlarmSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()

    class Meta:
        model = Alarm
        fields = [
            "id",
            "kind",
            "object_type",
            "object_id",
            "level",
            "project",
            "params",
            "text",
            "raised_at",
            "delivered_at",
            "acknowledged_at",
            "acknowledged_by",
        ]
        read_only_fields = fields

    def get_text(self, obj: Alarm) -> str:
        from backend.core.notifications import render

        return render(f"alarm_{obj.kind}", obj.params) if obj.params else obj.kind
