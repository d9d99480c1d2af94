"""API shapes of reviews: project, gate, status, the current step, every step's approvers and decisions."""

from __future__ import annotations

from rest_framework import serializers

from backend.customers.api.serializers import UserRefSerializer
from workflows.choices import Decision, StepStatus
from workflows.models import Approval, Review, ReviewStep


class ApprovalSerializer(serializers.ModelSerializer):
    approver = UserRefSerializer(read_only=True)

    class Meta:
        model = Approval
        fields = ["id", "approver", "decision", "comment", "decided_at"]


class ReviewStepSerializer(serializers.ModelSerializer):
    approvers = UserRefSerializer(many=True, read_only=True)
    approvals = ApprovalSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewStep
        fields = ["id", "order", "name", "mode", "status", "approvers", "approvals", "completed_at"]


class ReviewSerializer(serializers.ModelSerializer):
    gate = serializers.CharField(source="gate.kind", read_only=True)
    gate_name = serializers.CharField(source="gate.name", read_only=True)
    project_code = serializers.CharField(source="project.code", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    submitted_by = UserRefSerializer(read_only=True)
    current_step = serializers.SerializerMethodField()
    steps = ReviewStepSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "project",
            "project_code",
            "project_name",
            "gate",
            "gate_name",
            "quotation",
            "status",
            "amount",
            "submitted_by",
            "comment",
            "current_step",
            "steps",
            "created_at",
            "decided_at",
        ]

    def get_current_step(self, review: Review) -> dict | None:
        for step in review.steps.all():  # prefetched
            if step.status == StepStatus.ACTIVE:
                return {"id": step.id, "order": step.order, "name": step.name}
        return None


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
