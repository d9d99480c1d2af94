"""The knowledge base: a category tree (目录), keywords (关键词), articles with versions and attachments,
and links between articles and projects.

Workflows (submit, review, publish, propose, link decisions) live in ``services``; who sees an article
is decided in ``visibility`` and mirrored in the search index by ``search``. Bulk ``update()`` on
articles marks them dirty so the periodic flush re-indexes what bypassed the signals.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from backend.core.choices import Industry
from backend.core.models import SearchDirtyQuerySet, TimeStampedModel
from backend.core.uploads import UploadField
from backend.knowledge.choices import ArticleStatus, LinkSource, LinkStatus, SourceKind, Visibility


class Category(TimeStampedModel):
    """A folder of the knowledge tree (目录)."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="uniq_category_name_in_parent"),
            models.UniqueConstraint(fields=["name"], condition=Q(parent__isnull=True), name="uniq_root_category"),
        ]

    def __str__(self) -> str:
        return self.name


class Keyword(TimeStampedModel):
    """A tag (关键词). ``name_key`` folds case, width and Traditional/Simplified, so 驗收 is 验收."""

    name = models.CharField(_("name"), max_length=50)
    name_key = models.CharField(_("normalized name"), max_length=50, unique=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("keyword")
        verbose_name_plural = _("keywords")

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(SearchDirtyQuerySet):
    """A bulk update bypasses the signals that re-index: it flags the rows so the periodic flush does it."""


class Article(TimeStampedModel):
    """A knowledge article: Markdown body (rendered and sanitized into ``body_html``), classification,
    visibility (查询权限) and where it came from."""

    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body (Markdown)"), blank=True)
    body_html = models.TextField(_("rendered body"), blank=True, editable=False)
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
    )
    keywords = models.ManyToManyField(Keyword, verbose_name=_("keywords"), blank=True, related_name="articles")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="articles"
    )
    status = models.CharField(_("status"), max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    visibility = models.CharField(_("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC)
    departments = models.ManyToManyField(
        "accounts.Department", verbose_name=_("departments"), blank=True, related_name="+"
    )
    roles = models.ManyToManyField("auth.Group", verbose_name=_("roles"), blank=True, related_name="+")
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("users"), blank=True, related_name="shared_articles"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    source_kind = models.CharField(_("source"), max_length=20, choices=SourceKind.choices, default=SourceKind.MANUAL)
    source_project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("source project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposed_articles",
    )
    source_object_id = models.PositiveBigIntegerField(_("source record"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    search_dirty = models.BooleanField(_("needs re-indexing"), default=False, editable=False, db_index=True)

    history = HistoricalRecords()  # audit: who changed which field, when (backend/core/audit.py)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["status", "category"]),
            models.Index(fields=["author", "status"]),
            # the browser's newest published first, read off the index instead of sorting every article
            models.Index(fields=["status", "-published_at", "-id"], name="article_newest_published"),
            # the API's list, most recently updated first
            models.Index(fields=["-updated_at", "-id"], name="article_recently_updated"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_kind", "source_object_id"],
                condition=Q(source_object_id__isnull=False),
                name="uniq_article_per_source",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ArticleVersion(models.Model):
    """The article as it was saved at one version (版本历史)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body (Markdown)"), blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("edited by"), on_delete=models.PROTECT, related_name="+"
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        ordering = ["article_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["article", "version"], name="uniq_article_version")]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class ArticleAttachment(models.Model):
    """A file of an article; its text (docx, pdf, txt) is extracted by the worker after the upload commits
    (``text_pending`` until then) and searchable."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = UploadField(_("file"), upload_to="knowledge/%Y/%m/")
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    text = models.TextField(_("extracted text"), blank=True)
    text_pending = models.BooleanField(_("text extraction pending"), default=False, editable=False, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["article_id", "pk"]
        verbose_name = _("article attachment")
        verbose_name_plural = _("article attachments")

    def __str__(self) -> str:
        return self.name


class ArticleLink(TimeStampedModel):
    """An article related to a project: suggested automatically (with a score) or added by hand; users
    accept or dismiss suggestions, and a dismissed pair is never suggested again."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="links")
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="knowledge_links"
    )
    source = models.CharField(_("source"), max_length=10, choices=LinkSource.choices, default=LinkSource.AUTO)
    status = models.CharField(_("status"), max_length=10, choices=LinkStatus.choices, default=LinkStatus.SUGGESTED)
    score = models.FloatField(_("score"), default=0.0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["project_id", "-score", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "project"], name="uniq_article_project_link")]
        indexes = [models.Index(fields=["project", "status"])]
        verbose_name = _("article link")
        verbose_name_plural = _("article links")

    def __str__(self) -> str:
        return f"{self.article} ↔ {self.project_id} ({self.status})"
