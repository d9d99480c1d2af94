"""Templates are uploaded through the template page (which validates them); here they are listed."""

from django.contrib import admin

from backend.docs_templates.models import DocumentBatch, DocumentTemplate, GeneratedDocument


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    list_display = ("doc_type", "language", "version", "name", "is_active", "is_default")
    list_filter = ("doc_type", "language", "is_active")
    readonly_fields = ("doc_type", "language", "version", "file", "sha256", "placeholders", "is_default")

    def has_add_permission(self, request):
        return False


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(admin.ModelAdmin):
    list_display = ("project", "doc_type", "version", "status", "author", "created_at")
    readonly_fields = ("template", "context", "file")


@admin.register(DocumentBatch)
class DocumentBatchAdmin(admin.ModelAdmin):
    list_display = ("doc_type", "status", "done", "total", "author", "created_at")
