"""Writes of the knowledge base: articles (create, edit with version history, submit → review → publish →
archive), attachments with extracted text, proposals from project records (知识文档 → 知识库), the
knowledge admin's review of them, categories and keywords, and decisions on project links.

Each function is one transaction, keyword-only, and refuses with the ``ApplicationError`` family. Indexing
is not done here: the search signals queue it after commit (``backend.search.queue``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.choices import Role
from backend.accounts.models import Department, User
from backend.core.choices import Industry
from backend.core.errors import Conflict, NotFound, PermissionDenied, TransitionRefused, ValidationFailed
from backend.core.permissions import visible_to
from backend.core.uploads import check_upload
from backend.knowledge.choices import (
    PROPOSABLE,
    ArticleStatus,
    LinkSource,
    LinkStatus,
    ReviewDecision,
    SourceKind,
    Visibility,
)
from backend.knowledge.extract import extract_text
from backend.knowledge.models import Article, ArticleAttachment, ArticleLink, ArticleVersion, Category, Keyword
from backend.knowledge.rendering import render_markdown
from backend.knowledge.search import keyword_key
from backend.knowledge.visibility import sees_all_articles

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


# --- permissions ------------------------------------------------------------------------------------------


def can_edit_article(user: User, article: Article) -> bool:
    """Knowledge admins edit any article; the author edits their draft or published article."""
    if sees_all_articles(user):
        return True
    return article.author_id == user.pk and article.status in (ArticleStatus.DRAFT, ArticleStatus.PUBLISHED)


def allowed_transitions(user: User, article: Article) -> list[str]:
    names = []
    for name, (sources, _target, who) in TRANSITIONS.items():
        if article.status not in sources:
            continue
        is_admin = sees_all_articles(user)
        is_author = article.author_id == user.pk or article.proposed_by_id == user.pk
        if who == "admin" and is_admin or who == "either" and (is_admin or is_author):
            names.append(name)
    return names


def _visible_article(*, article_id: int, user: User, lock: bool = False) -> Article:
    qs = visible_to(user, Article.objects.all())
    if lock:
        qs = qs.select_for_update()
    article = qs.filter(pk=article_id).first()
    if article is None:
        raise NotFound(_("Article %(id)s does not exist or is not visible to you.") % {"id": article_id})
    return article


def _require_kbadmin(user: User) -> None:
    if not sees_all_articles(user):
        raise PermissionDenied(_("Only a knowledge admin may do this."))


# --- keywords and categories ------------------------------------------------------------------------------


def keyword_ensure(*, name: str) -> Keyword:
    """The keyword called ``name`` (folded: 驗收 is 验收), created when missing."""
    clean = " ".join((name or "").split())[:50]
    if not clean:
        raise ValidationFailed(_("A keyword needs a name."), fields={"keywords": [_("empty keyword")]})
    key = keyword_key(clean)
    keyword = Keyword.objects.filter(name_key=key).first()
    if keyword is None:
        try:
            with transaction.atomic():
                keyword = Keyword.objects.create(name=clean, name_key=key)
        except IntegrityError:
            keyword = Keyword.objects.get(name_key=key)
    return keyword


def keywords_ensure(*, names: Iterable[str]) -> list[Keyword]:
    seen: dict[int, Keyword] = {}
    for name in names:
        if name and name.strip():
            keyword = keyword_ensure(name=name)
            seen[keyword.pk] = keyword
    return list(seen.values())


@transaction.atomic
def category_create(
    *, actor: User, name: str, parent_id: int | None = None, order: int = 0, description: str = ""
) -> Category:
    _require_kbadmin(actor)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("A category needs a name."), fields={"name": [_("This field is required.")]})
    parent = Category.objects.filter(pk=parent_id).first() if parent_id else None
    if parent_id and parent is None:
        raise ValidationFailed(
            _("Parent category %(id)s does not exist.") % {"id": parent_id}, fields={"parent": [_("unknown")]}
        )
    if Category.objects.filter(parent=parent, name=name).exists():
        raise ValidationFailed(
            _("There is already a category %(name)s here.") % {"name": name},
            fields={"name": [_("duplicate")]},
            code="duplicate_category",
        )
    return Category.objects.create(name=name, parent=parent, order=order, description=description)


def _category(category_id: int | None) -> Category | None:
    if not category_id:
        return None
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise ValidationFailed(
            _("Category %(id)s does not exist.") % {"id": category_id}, fields={"category": [_("unknown")]}
        )
    return category


# --- articles ---------------------------------------------------------------------------------------------


def _check_fields(*, title: str, industry: str) -> None:
    if not (title or "").strip():
        raise ValidationFailed(_("An article needs a title."), fields={"title": [_("This field is required.")]})
    if industry and industry not in Industry.values:
        raise ValidationFailed(
            _("Unknown industry %(value)s.") % {"value": industry}, fields={"industry": [_("unknown")]}
        )


def _set_visibility(
    *,
    article: Article,
    visibility: str,
    department_ids: Sequence[int] = (),
    roles: Sequence[str] = (),
    user_ids: Sequence[int] = (),
) -> None:
    if visibility not in Visibility.values:
        raise ValidationFailed(
            _("Unknown visibility %(value)s.") % {"value": visibility}, fields={"visibility": [_("unknown")]}
        )
    departments = list(Department.objects.filter(pk__in=department_ids)) if visibility == Visibility.DEPARTMENT else []
    unknown_roles = sorted(set(roles) - set(Role.values))
    if unknown_roles:
        raise ValidationFailed(
            _("Unknown role(s): %(roles)s.") % {"roles": ", ".join(unknown_roles)}, fields={"roles": [_("unknown")]}
        )
    groups = [Group.objects.get_or_create(name=r)[0] for r in roles] if visibility == Visibility.ROLES else []
    users = list(User.objects.filter(pk__in=user_ids)) if visibility == Visibility.USERS else []
    required = {
        Visibility.DEPARTMENT: (departments, "departments"),
        Visibility.ROLES: (groups, "roles"),
        Visibility.USERS: (users, "users"),
    }
    if visibility in required and not required[visibility][0]:
        field = required[visibility][1]
        raise ValidationFailed(
            _("Visibility %(visibility)s needs at least one entry in %(field)s.")
            % {"visibility": visibility, "field": field},
            fields={field: [_("This field is required.")]},
        )
    if article.visibility != visibility:
        article.visibility = visibility
        article.save(update_fields=["visibility", "updated_at"])
    article.departments.set(departments)
    article.roles.set(groups)
    article.users.set(users)


@transaction.atomic
def article_create(
    *,
    author: User,
    title: str,
    summary: str = "",
    body: str = "",
    industry: str = "",
    category_id: int | None = None,
    keywords: Iterable[str] = (),
    visibility: str = Visibility.PUBLIC,
    department_ids: Sequence[int] = (),
    roles: Sequence[str] = (),
    user_ids: Sequence[int] = (),
    status: str = ArticleStatus.DRAFT,
    source_kind: str = SourceKind.MANUAL,
    source_project_id: int | None = None,
    source_object_id: int | None = None,
    proposed_by: User | None = None,
) -> Article:
    """A new article (a draft unless ``status`` says otherwise) with its first version."""
    _check_fields(title=title, industry=industry)
    article = Article.objects.create(
        title=title.strip()[:300],
        summary=summary or "",
        body=body or "",
        body_html=render_markdown(body or ""),
        industry=industry or "",
        category=_category(category_id),
        author=author,
        status=status,
        visibility=visibility if visibility in Visibility.values else Visibility.PUBLIC,
        published_at=timezone.now() if status == ArticleStatus.PUBLISHED else None,
        source_kind=source_kind,
        source_project_id=source_project_id,
        source_object_id=source_object_id,
        proposed_by=proposed_by,
    )
    _set_visibility(
        article=article, visibility=visibility, department_ids=department_ids, roles=roles, user_ids=user_ids
    )
    article.keywords.set(keywords_ensure(names=keywords))
    ArticleVersion.objects.create(
        article=article, version=1, title=article.title, summary=article.summary, body=article.body, edited_by=author
    )
    return article


@transaction.atomic
def article_update(*, article_id: int, actor: User, data: dict[str, Any], comment: str = "") -> Article:
    """Edit an article. A change of title, summary or body is a new version (the old one stays readable);
    classification and visibility changes are not."""
    article = _visible_article(article_id=article_id, user=actor, lock=True)
    if not can_edit_article(actor, article):
        raise PermissionDenied(
            _("You may not edit %(title)s while it is %(status)s.")
            % {"title": article.title, "status": article.get_status_display()}
        )
    title = data.get("title", article.title)
    industry = data.get("industry", article.industry)
    _check_fields(title=title, industry=industry)
    content_changed = any(k in data and (data[k] or "") != getattr(article, k) for k in CONTENT_FIELDS)
    for field in CONTENT_FIELDS:
        if field in data:
            setattr(article, field, (data[field] or "").strip() if field == "title" else data[field] or "")
    article.industry = industry or ""
    if "category" in data:
        article.category = _category(data["category"])
    if content_changed:
        article.version += 1
        article.body_html = render_markdown(article.body)
    article.save()
    if content_changed:
        ArticleVersion.objects.create(
            article=article,
            version=article.version,
            title=article.title,
            summary=article.summary,
            body=article.body,
            edited_by=actor,
            comment=comment[:300],
        )
    if "keywords" in data:
        article.keywords.set(keywords_ensure(names=data["keywords"] or []))
    if "visibility" in data:
        _set_visibility(
            article=article,
            visibility=data["visibility"],
            department_ids=data.get("departments") or [],
            roles=data.get("roles") or [],
            user_ids=data.get("users") or [],
        )
    return article


@transaction.atomic
def article_transition(*, article_id: int, actor: User, name: str, comment: str = "") -> Article:
    """Move an article: submit, withdraw, publish, return, archive (HTTP 409 when not allowed now)."""
    article = _visible_article(article_id=article_id, user=actor, lock=True)
    if name not in TRANSITIONS:
        raise ValidationFailed(_("Unknown transition %(name)s.") % {"name": name}, fields={"name": [_("unknown")]})
    sources, target, _who = TRANSITIONS[name]
    if name not in allowed_transitions(actor, article):
        if article.status not in sources:
            raise TransitionRefused(
                _("%(title)s is %(status)s; %(name)s is not possible from there.")
                % {"title": article.title, "status": article.get_status_display(), "name": name}
            )
        raise PermissionDenied(_("Only a knowledge admin may %(name)s this article.") % {"name": name})
    if name == "return" and not comment.strip():
        raise ValidationFailed(
            _("Say what needs to change when returning an article."), fields={"comment": [_("This field is required.")]}
        )
    article.status = target
    fields = ["status", "updated_at"]
    if target == ArticleStatus.PUBLISHED:
        article.published_at = article.published_at or timezone.now()
        fields.append("published_at")
    if name in ("publish", "return", "archive") and sees_all_articles(actor):
        article.reviewed_by, article.reviewed_at, article.review_comment = actor, timezone.now(), comment
        fields += ["reviewed_by", "reviewed_at", "review_comment"]
    article.save(update_fields=fields)
    return article


@transaction.atomic
def article_review(
    *,
    article_id: int,
    actor: User,
    decision: str,
    category_id: int | None = None,
    keywords: Iterable[str] | None = None,
    industry: str | None = None,
    visibility: str | None = None,
    department_ids: Sequence[int] = (),
    roles: Sequence[str] = (),
    user_ids: Sequence[int] = (),
    comment: str = "",
) -> Article:
    """The knowledge admin's decision on an article in review (a proposal or a submitted draft): set its
    category, keywords and visibility and publish it, return it to the author, or reject it (archived)."""
    _require_kbadmin(actor)
    article = _visible_article(article_id=article_id, user=actor, lock=True)
    if article.status != ArticleStatus.IN_REVIEW:
        raise TransitionRefused(
            _("%(title)s is %(status)s, not in review.")
            % {"title": article.title, "status": article.get_status_display()}
        )
    if decision not in ReviewDecision.values:
        raise ValidationFailed(
            _("Unknown decision %(value)s.") % {"value": decision}, fields={"decision": [_("unknown")]}
        )
    if decision == ReviewDecision.PUBLISH:
        data: dict[str, Any] = {}
        if category_id:
            data["category"] = category_id
        if keywords is not None:
            data["keywords"] = list(keywords)
        if industry is not None:
            data["industry"] = industry
        if visibility is not None:
            data.update(visibility=visibility, departments=department_ids, roles=roles, users=user_ids)
        if data:
            article = article_update(article_id=article.pk, actor=actor, data=data)
        if not article.category_id:
            raise ValidationFailed(_("Choose a category before publishing."), fields={"category": [_("required")]})
        return article_transition(article_id=article.pk, actor=actor, name="publish", comment=comment)
    name = "return" if decision == ReviewDecision.RETURN else "archive"
    return article_transition(article_id=article.pk, actor=actor, name=name, comment=comment or decision)


# --- attachments ------------------------------------------------------------------------------------------


def _attachment_from_bytes(*, article: Article, actor: User, name: str, data: bytes) -> ArticleAttachment:
    sniffed = check_upload(name=name, data=data)
    attachment = ArticleAttachment(
        article=article,
        name=Path(name).name[:255] or "file",
        content_type=sniffed.content_type,
        size=len(data),
        text=extract_text(kind=sniffed.kind, data=data),
        uploaded_by=actor,
    )
    attachment.file.save(f"{Path(attachment.name).stem[:80] or 'file'}.{sniffed.kind}", ContentFile(data), save=False)
    attachment.save()
    return attachment


@transaction.atomic
def article_attachment_add(*, article_id: int, actor: User, name: str, data: bytes) -> ArticleAttachment:
    """Attach a file; its text (docx, pdf, txt) is extracted now and searched with the article."""
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


# --- proposals from project records (知识文档 → 知识库) ------------------------------------------------------


def _read(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def _proposal_source(*, actor: User, kind: str, object_id: int) -> dict[str, Any]:
    """What a proposal copies from its source record, after checking the actor sees that record."""
    if kind == SourceKind.LESSON:
        from backend.bids.models import WinLossRecord

        record = (
            visible_to(actor, WinLossRecord.objects.select_related("project", "primary_reason"))
            .filter(pk=object_id)
            .first()
        )
        if record is None:
            raise NotFound(_("Win/loss record %(id)s does not exist or is not visible to you.") % {"id": object_id})
        if not record.lessons.strip():
            raise ValidationFailed(
                _("This win/loss record has no lessons learned to propose."), fields={"object_id": [_("no lessons")]}
            )
        project = record.project
        return {
            "project": project,
            "title": _("Lessons learned: %(project)s (%(outcome)s)")
            % {"project": project.name, "outcome": record.get_outcome_display()},
            "summary": str(record.primary_reason),
            "body": record.lessons,
            "file": None,
        }
    if kind == SourceKind.DELIVERABLE:
        from backend.milestones.models import Deliverable

        deliverable = (
            visible_to(actor, Deliverable.objects.select_related("milestone__project")).filter(pk=object_id).first()
        )
        if deliverable is None:
            raise NotFound(_("Deliverable %(id)s does not exist or is not visible to you.") % {"id": object_id})
        latest = deliverable.versions.order_by("-version").first()
        return {
            "project": deliverable.milestone.project,
            "title": deliverable.title,
            "summary": str(deliverable.milestone),
            "body": "",
            "file": (latest.original_name, latest.file) if latest else None,
        }
    if kind == SourceKind.DOCUMENT:
        from backend.docs_templates.models import GeneratedDocument

        document = visible_to(actor, GeneratedDocument.objects.select_related("project")).filter(pk=object_id).first()
        if document is None:
            raise NotFound(_("Document %(id)s does not exist or is not visible to you.") % {"id": object_id})
        name = Path(document.file.name).name
        return {
            "project": document.project,
            "title": str(document),
            "summary": "",
            "body": "",
            "file": (name, document.file),
        }
    if kind == SourceKind.ATTACHMENT:
        from backend.projects.models import ProjectAttachment

        attachment = visible_to(actor, ProjectAttachment.objects.select_related("project")).filter(pk=object_id).first()
        if attachment is None:
            raise NotFound(_("Attachment %(id)s does not exist or is not visible to you.") % {"id": object_id})
        return {
            "project": attachment.project,
            "title": attachment.name,
            "summary": "",
            "body": "",
            "file": (attachment.name, attachment.file),
        }
    raise ValidationFailed(
        _("Only %(kinds)s can be proposed.") % {"kinds": ", ".join(PROPOSABLE)}, fields={"kind": [_("unknown")]}
    )


@transaction.atomic
def article_propose(*, actor: User, kind: str, object_id: int, title: str = "", note: str = "") -> Article:
    """Propose a project document, attachment, deliverable or win/loss lesson to the knowledge base: an
    article in review, visible to its proposer and the knowledge admins until one of them publishes it."""
    source = _proposal_source(actor=actor, kind=kind, object_id=object_id)  # 404 before anything else
    existing = Article.objects.filter(source_kind=kind, source_object_id=object_id).first()
    if existing is not None:
        raise Conflict(
            _("This was already proposed: %(title)s (%(status)s).")
            % {"title": existing.title, "status": existing.get_status_display()},
            code="already_proposed",
            extra={"article": existing.pk},
        )
    project = source["project"]
    department_id = project.department_id or actor.department_id
    body = "\n\n".join(p for p in [note.strip(), source["body"]] if p)
    try:
        with transaction.atomic():
            article = article_create(
                author=actor,
                title=(title or source["title"])[:300],
                summary=source["summary"],
                body=body,
                industry=project.industry,
                visibility=Visibility.DEPARTMENT if department_id else Visibility.USERS,
                department_ids=[department_id] if department_id else [],
                user_ids=[] if department_id else [actor.pk],
                status=ArticleStatus.IN_REVIEW,
                source_kind=kind,
                source_project_id=project.pk,
                source_object_id=object_id,
                proposed_by=actor,
            )
    except IntegrityError:
        raise Conflict(_("This was already proposed."), code="already_proposed") from None
    if source["file"]:
        name, field_file = source["file"]
        _attachment_from_bytes(article=article, actor=actor, name=name, data=_read(field_file))
    return article


# --- links between articles and projects ------------------------------------------------------------------


def _can_judge_link(user: User, project) -> bool:
    from backend.projects.models import can_edit

    return can_edit(project, user)


@transaction.atomic
def link_decide(*, link_id: int, actor: User, decision: str) -> ArticleLink:
    """Accept or dismiss a suggested (or accepted) link; a dismissed link is never suggested again."""
    if decision not in ("accept", "dismiss"):
        raise ValidationFailed(_("Decide accept or dismiss."), fields={"decision": [_("unknown")]})
    link = (
        visible_to(actor, ArticleLink.objects.select_related("project", "article"))
        .select_for_update()
        .filter(pk=link_id)
        .first()
    )
    if link is None:
        raise NotFound(_("Link %(id)s does not exist or is not visible to you.") % {"id": link_id})
    if not _can_judge_link(actor, link.project):
        raise PermissionDenied(_("Only the project team may accept or dismiss its knowledge links."))
    link.status = LinkStatus.ACCEPTED if decision == "accept" else LinkStatus.DISMISSED
    link.decided_by, link.decided_at = actor, timezone.now()
    link.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return link


@transaction.atomic
def link_add(*, project_id: int, article_id: int, actor: User) -> ArticleLink:
    """Link an article to a project by hand (accepted at once)."""
    from backend.projects.models import Project

    project = visible_to(actor, Project.objects.all()).filter(pk=project_id).first()
    if project is None:
        raise NotFound(_("Project %(id)s does not exist or is not visible to you.") % {"id": project_id})
    article = _visible_article(article_id=article_id, user=actor)
    if article.status != ArticleStatus.PUBLISHED:
        raise ValidationFailed(_("Only a published article can be linked."), fields={"article": [_("not published")]})
    if not _can_judge_link(actor, project):
        raise PermissionDenied(_("Only the project team may link knowledge to the project."))
    link, _created = ArticleLink.objects.get_or_create(
        article=article, project=project, defaults={"source": LinkSource.MANUAL, "status": LinkStatus.ACCEPTED}
    )
    if link.status != LinkStatus.ACCEPTED:
        link.status = LinkStatus.ACCEPTED
    link.decided_by, link.decided_at = actor, timezone.now()
    link.save()
    return link
