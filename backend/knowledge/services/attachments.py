"""Article attachments: stored through the upload check, their text extracted on the worker after commit."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core.errors import NotFound, PermissionDenied
from backend.core.jobs import enqueue
from backend.core.permissions import visible_to
from backend.core.uploads import check_upload
from backend.knowledge.choices import (
    ArticleStatus,
)
from backend.knowledge.extract import extract_text
from backend.knowledge.models import Article, ArticleAttachment
from backend.knowledge.services.articles import _visible_article, can_edit_article

CONTENT_FIELDS = ("title", "summary", "body")

# name → (sources, target, who may: "author" | "admin" | "either")
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "submit": ((ArticleStatus.DRAFT,), ArticleStatus.IN_REVIEW, "either"),
    "withdraw": ((ArticleStatus.IN_REVIEW,), ArticleStatus.DRAFT, "either"),
    "publish": (
        (ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW, ArticleStatus.ARCHIVED),
        ArticleStatus.PUBLISHED,
        "admin",
    ),
    "return": ((ArticleStatus.IN_REVIEW,), ArticleStatus.DRAFT, "admin"),
    "archive": (
        (ArticleStatus.PUBLISHED, ArticleStatus.IN_REVIEW, ArticleStatus.DRAFT),
        ArticleStatus.ARCHIVED,
        "admin",
    ),
}


# --- attachments ------------------------------------------------------------------------------------------


EXTRACTABLE = ("docx", "pdf", "txt")


def _attachment_from_bytes(*, article: Article, actor: User, name: str, data: bytes) -> ArticleAttachment:
    """Store the file; its text is extracted by the worker after the transaction commits (never inside it)."""
    sniffed = check_upload(name=name, data=data)
    attachment = ArticleAttachment(
        article=article,
        name=Path(name).name[:255] or "file",
        content_type=sniffed.content_type,
        size=len(data),
        text="",
        text_pending=sniffed.kind in EXTRACTABLE,
        uploaded_by=actor,
    )
    attachment.file.save(f"{Path(attachment.name).stem[:80] or 'file'}.{sniffed.kind}", ContentFile(data), save=False)
    attachment.save()
    if attachment.text_pending:

        def extract() -> None:

            enqueue("backend.knowledge.tasks.extract_attachment_text", attachment.pk)

        # robust: a broker that is down must not fail the upload; the resume task finds the pending text
        transaction.on_commit(extract, robust=True)
    return attachment


def attachment_text_extract(*, attachment_id: int) -> bool:
    """Extract an attachment's text (outside any transaction: it may take seconds) and store it in a short one;
    idempotent (an attachment whose text is no longer pending is left alone). True when it stored text now."""
    from backend.core.uploads import sniff

    attachment = ArticleAttachment.objects.filter(pk=attachment_id, text_pending=True).first()
    if attachment is None:
        return False
    try:
        with attachment.file.open("rb") as handle:
            data = handle.read()
    except OSError:  # the file is gone: nothing will ever be extracted
        data = b""
    sniffed = sniff(data) if data else None
    text = extract_text(kind=sniffed.kind, data=data) if sniffed else ""
    with transaction.atomic():
        locked = ArticleAttachment.objects.select_for_update().filter(pk=attachment_id, text_pending=True).first()
        if locked is None:
            return False
        locked.text = text
        locked.text_pending = False
        locked.save(update_fields=["text", "text_pending"])  # the search index watches attachments
    return True


def attachments_text_pending(*, older_than: timedelta) -> list[int]:
    """Attachments whose text extraction was queued longer ago than ``older_than`` and never finished."""
    cutoff = timezone.now() - older_than
    pending = ArticleAttachment.objects.filter(text_pending=True, uploaded_at__lt=cutoff)
    return list(pending.order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def article_attachment_add(*, article_id: int, actor: User, name: str, data: bytes) -> ArticleAttachment:
    """Attach a file; its text (docx, pdf, txt) is extracted by the worker after commit and searched with the
    article."""
    article = _visible_article(article_id=article_id, user=actor, lock=True)
    if not can_edit_article(actor, article):
        raise PermissionDenied(_("You may not change the attachments of %(title)s.") % {"title": article.title})
    return _attachment_from_bytes(article=article, actor=actor, name=name, data=data)


@transaction.atomic
def article_attachment_remove(*, attachment_id: int, actor: User) -> None:
    attachment = visible_to(actor, ArticleAttachment.objects.select_related("article")).filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound(_("Attachment %(id)s does not exist or is not visible to you.") % {"id": attachment_id})
    if not can_edit_article(actor, attachment.article):
        raise PermissionDenied(_("You may not change the attachments of %(title)s.") % {"title": attachment.article})
    attachment.file.delete(save=False)
    attachment.delete()
