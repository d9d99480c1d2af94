"""The discussion board: a thread belongs to exactly one project or one tender; posts in Markdown (rendered and
sanitized into ``body_html`` when written), their attachments, the previous bodies of edited posts, who each post
mentioned, and each user's "read up to" marker per thread. No behaviour here: the services write."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.core.models import TimeStampedModel
from backend.core.uploads import UploadField


class Thread(TimeStampedModel):
    """A discussion on a project's or a tender's board."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="threads",
    )
    tender = models.ForeignKey(
        "tenders.Tender",
        verbose_name=_("tender"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="threads",
    )
    title = models.CharField(_("title"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    last_post_at = models.DateTimeField(_("last post"), null=True, blank=True)

    class Meta:
        ordering = ["-last_post_at", "-pk"]
        verbose_name = _("discussion thread")
        verbose_name_plural = _("discussion threads")
        indexes = [
            models.Index(fields=["project", "-last_post_at"]),
            models.Index(fields=["tender", "-last_post_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(project__isnull=False) & Q(tender__isnull=True))
                | (Q(project__isnull=True) & Q(tender__isnull=False)),
                name="thread_on_one_project_or_tender",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Post(TimeStampedModel):
    """One message of a thread; ``quote`` is another post of the same thread this one replies to."""

    thread = models.ForeignKey(
        Thread, verbose_name=_("discussion thread"), on_delete=models.CASCADE, related_name="posts"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("text (Markdown)"))
    body_html = models.TextField(_("rendered text"), editable=False)
    quote = models.ForeignKey(
        "self", verbose_name=_("quoted post"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    class Meta:
        ordering = ["thread_id", "pk"]
        verbose_name = _("discussion post")
        verbose_name_plural = _("discussion posts")
        indexes = [models.Index(fields=["thread", "author"])]

    def __str__(self) -> str:
        return f"{self.thread} #{self.pk}"


class PostRevision(models.Model):
    """The body a post had before one edit, who edited it and when (the edit history)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(_("previous text"))
    body_html = models.TextField(_("rendered text"), editable=False)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    edited_at = models.DateTimeField(_("edited"))

    class Meta:
        ordering = ["post_id", "-pk"]
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")

    def __str__(self) -> str:
        return f"{self.post} @ {self.edited_at:%Y-%m-%d %H:%M}"


class PostAttachment(models.Model):
    """A file attached to a post, stored through the upload check every file of sicrm passes."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = UploadField(_("file"), upload_to="discussions/%Y/%m/")
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["post_id", "pk"]
        verbose_name = _("post attachment")
        verbose_name_plural = _("post attachments")

    def __str__(self) -> str:
        return self.name


class PostMention(models.Model):
    """A user a post mentioned and who was notified of it: one row, so one notification, per user per post
    (an edit that mentions them again notifies no one twice)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="uniq_post_mention")]

    def __str__(self) -> str:
        return f"{self.post} → {self.user}"


class ReadMarker(models.Model):
    """How far ``user`` has read ``thread``: every post with a larger id (by someone else) is unread."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_markers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_post_id = models.PositiveBigIntegerField(_("read up to post"), default=0)
    read_at = models.DateTimeField(_("read at"), auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="uniq_read_marker")]

    def __str__(self) -> str:
        return f"{self.user} read {self.thread} up to {self.last_read_post_id}"
