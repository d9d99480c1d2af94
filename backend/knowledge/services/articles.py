"""Articles: who may edit them, keywords and categories, writing, transitions and review."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.choices import Role
from backend.accounts.models import Department, User
from backend.core.choices import Industry
from backend.core.errors import NotFound, PermissionDenied, TransitionRefused, ValidationFailed
from backend.core.permissions import can, visible_to
from backend.knowledge.choices import (
    ArticleStatus,
    ReviewDecision,
    SourceKind,
    Visibility,
)
from backend.knowledge.models import Article, ArticleVersion, Category, Keyword
from backend.knowledge.rendering import check_body, render_markdown
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
    """The permission layer's ``change`` of an article (``permissions.py``)."""
    return can(user, "change", article)


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
    if not can(user, "review", Article):
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
    required: dict[str, tuple[object, str]] = {
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


def article_create(*, body: str = "", **kwargs: Any) -> Article:
    """A new article (a draft unless ``status`` says otherwise) with its first version. The body is checked
    and rendered before the writing transaction opens: nothing slow runs while it holds the write lock."""
    check_body(body or "")
    return _article_create(body=body or "", body_html=render_markdown(body or ""), **kwargs)


@transaction.atomic
def _article_create(
    *,
    body_html: str,
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
    _check_fields(title=title, industry=industry)
    article = Article.objects.create(
        title=title.strip()[:300],
        summary=summary or "",
        body=body or "",
        body_html=body_html,
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


def article_update(*, article_id: int, actor: User, data: dict[str, Any], comment: str = "") -> Article:
    """Edit an article. A change of title, summary or body is a new version (the old one stays readable);
    classification and visibility changes are not. A new body is checked and rendered before the writing
    transaction opens."""
    body_html = None
    if "body" in data:
        check_body(data["body"] or "")
        body_html = render_markdown(data["body"] or "")
    return _article_update(article_id=article_id, actor=actor, data=data, comment=comment, body_html=body_html)


@transaction.atomic
def _article_update(
    *, article_id: int, actor: User, data: dict[str, Any], comment: str, body_html: str | None
) -> Article:
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
        article.body_html = body_html if body_html is not None else render_markdown(article.body)
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
