"""Document templates (versioned .docx), the documents generated from them, and batch generation runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.core.models import TimeStampedModel
from backend.core.recovery import LeasedJob
from backend.core.uploads import UploadField
from backend.docs_templates.choices import BatchStatus, DocType, DocumentStatus, Language


class DocumentTemplate(models.Model):
    """One version of a template for a document type and language. A new upload is a new version; older
    versions stay (documents generated from them remain reproducible). One version per type and language
    is active."""

    doc_type = models.CharField(_("document type"), max_length=30, choices=DocType.choices)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    file = UploadField(_("file"), upload_to="doc-templates/", kinds=("docx",))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    placeholders = models.JSONField(_("placeholders used"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(_("shipped with sicrm"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["doc_type", "language", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "language", "version"], name="uniq_template_version"),
            models.UniqueConstraint(
                fields=["doc_type", "language"],
                condition=models.Q(is_active=True),
                name="one_active_template_per_type_language",
            ),
        ]
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class GeneratedDocument(TimeStampedModel):
    """A document rendered from a template version for a project (and milestone or review): the context
    it was rendered with is kept, so it can be explained and reproduced. Regenerating makes a new version."""

    template = models.ForeignKey(
        DocumentTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="documents"
    )
    doc_type = models.CharField(_("document type"), max_length=30, choices=DocType.choices)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="documents")
    milestone = models.ForeignKey(
        "milestones.Milestone", null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    review = models.ForeignKey(
        "workflows.Review", null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    version = models.PositiveIntegerField(_("version"))
    context = models.JSONField(_("context snapshot"))
    file = UploadField(_("file"), upload_to="documents/%Y/%m/", kinds=("docx",))
    pdf = UploadField(_("PDF copy"), upload_to="documents/%Y/%m/", blank=True, kinds=("pdf",))
    pdf_note = models.CharField(_("PDF note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deliverable_version = models.OneToOneField(
        "milestones.DeliverableVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="generated_document",
    )
    batch = models.ForeignKey(
        "docs_templates.DocumentBatch",
        verbose_name=_("batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )

    class Meta:
        ordering = ["project_id", "doc_type", "-version"]
        indexes = [models.Index(fields=["project", "doc_type", "status"])]
        constraints = [
            # a batch makes each project's document once, however often it is resumed
            models.UniqueConstraint(
                fields=["batch", "project"],
                condition=models.Q(batch__isnull=False),
                name="one_document_per_batch_project",
            ),
        ]
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} v{self.version} · {self.project}"


class DocumentBatch(LeasedJob, TimeStampedModel):
    """Many documents generated at once by a background task (e.g. every weekly report of a department). The
    worker running it holds a lease renewed per document; a batch whose worker died (lease expired) is resumed
    by beat and makes only the documents still missing (``services.batch_run``)."""

    doc_type = models.CharField(_("document type"), max_length=30, choices=DocType.choices)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices)
    project_ids = models.JSONField(_("projects"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    total = models.PositiveIntegerField(_("total"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    errors = models.JSONField(_("errors"), default=list)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("document batch")
        verbose_name_plural = _("document batches")

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} × {self.total}"
