"""API shapes of templates (with versions and the variable catalogue) and generated documents."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.reverse import reverse

from backend.core.api.fields import IdField, IdListField
from backend.customers.api.serializers import UserRefSerializer
from backend.docs_templates.choices import DocType, Language
from backend.docs_templates.models import DocumentBatch, DocumentTemplate, GeneratedDocument
from backend.projects.api.serializers import VisibleProjectField


class DocumentTemplateSerializer(serializers.ModelSerializer):
    uploaded_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = DocumentTemplate
        fields = [
            "id",
            "doc_type",
            "language",
            "version",
            "name",
            "sha256",
            "placeholders",
            "is_active",
            "is_default",
            "uploaded_by",
            "uploaded_at",
        ]


class TemplateUploadSerializer(serializers.Serializer):
    doc_type = serializers.ChoiceField(choices=DocType.choices)
    language = serializers.ChoiceField(choices=Language.choices)
    name = serializers.CharField(required=False, allow_blank=True, default="")
    file = serializers.FileField()
    activate = serializers.BooleanField(required=False, default=True)


class GeneratedDocumentSerializer(serializers.ModelSerializer):
    author = UserRefSerializer(read_only=True)
    download_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    template_version = serializers.IntegerField(source="template.version", read_only=True)

    class Meta:
        model = GeneratedDocument
        fields = [
            "id",
            "doc_type",
            "project",
            "milestone",
            "review",
            "template",
            "template_version",
            "version",
            "status",
            "author",
            "created_at",
            "download_url",
            "pdf_url",
            "pdf_note",
            "context",
        ]

    def get_download_url(self, obj: GeneratedDocument) -> str:
        return reverse("document-download", kwargs={"pk": obj.pk}, request=self.context.get("request"))

    def get_pdf_url(self, obj: GeneratedDocument) -> str | None:
        if not obj.pdf:
            return None
        return reverse("document-download", kwargs={"pk": obj.pk}, request=self.context.get("request")) + "?pdf=1"


class GenerateSerializer(serializers.Serializer):
    template = serializers.PrimaryKeyRelatedField(queryset=DocumentTemplate.objects.all(), required=False)
    doc_type = serializers.ChoiceField(choices=DocType.choices, required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False, default="zh-hans")
    project = VisibleProjectField()
    milestone = IdField(required=False, allow_null=True)
    review = IdField(required=False, allow_null=True)
    pdf = serializers.BooleanField(required=False, default=False)


class BatchSerializer(serializers.ModelSerializer):
    project_ids = IdListField(min_length=1)

    class Meta:
        model = DocumentBatch
        fields = ["id", "doc_type", "language", "project_ids", "status", "total", "done", "errors", "created_at"]
        read_only_fields = ["status", "total", "done", "errors", "created_at"]
