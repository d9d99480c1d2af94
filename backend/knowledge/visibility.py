"""Who sees which articles (查询权限), registered with the core visibility registry.

A published article is seen according to its visibility: everyone (public); members of the listed
departments or of any department below them (department); holders of a listed role (roles); the listed
users (users). Its author and proposer always see it, in every status; knowledge admins see every article.
Drafts, articles in review and archived ones are seen only by those. A link between an article and a
project is seen by who sees both. ``backend.knowledge.search`` indexes the same terms; keep them in step.
"""

from __future__ import annotations

from django.db.models import Q

from backend.accounts.models import Department, User
from backend.core.permissions import visibility_rule, visible_to
from backend.knowledge.choices import KB_ADMIN_ROLE, ArticleStatus, Visibility
from backend.knowledge.models import Article, ArticleAttachment, ArticleLink, ArticleVersion


def department_and_ancestor_ids(user: User) -> list[int]:
    """The user's department and every department above it (cached on the user instance)."""
    cached = user.__dict__.get("_department_chain")
    if cached is None:
        cached = []
        if user.department_id:
            parents = dict(Department.objects.values_list("pk", "parent_id"))
            node: int | None = user.department_id
            while node is not None and node not in cached:
                cached.append(node)
                node = parents.get(node)
        user.__dict__["_department_chain"] = cached
    return cached


def sees_all_articles(user: User) -> bool:
    return user.is_superuser or user.has_role(KB_ADMIN_ROLE)


def article_q(user: User, prefix: str = "") -> Q | None:
    if sees_all_articles(user):
        return None
    through_departments = Article.departments.through.objects.filter(
        department_id__in=department_and_ancestor_ids(user)
    ).values("article_id")
    through_roles = Article.roles.through.objects.filter(group__name__in=sorted(user.roles)).values("article_id")
    through_users = Article.users.through.objects.filter(user_id=user.pk).values("article_id")
    published = Q(**{f"{prefix}status": ArticleStatus.PUBLISHED}) & (
        Q(**{f"{prefix}visibility": Visibility.PUBLIC})
        | Q(**{f"{prefix}visibility": Visibility.DEPARTMENT, f"{prefix}pk__in": through_departments})
        | Q(**{f"{prefix}visibility": Visibility.ROLES, f"{prefix}pk__in": through_roles})
        | Q(**{f"{prefix}visibility": Visibility.USERS, f"{prefix}pk__in": through_users})
    )
    return published | Q(**{f"{prefix}author": user}) | Q(**{f"{prefix}proposed_by": user})


@visibility_rule(Article)
def _article(user: User) -> Q | None:
    return article_q(user)


@visibility_rule(ArticleVersion)
def _version(user: User) -> Q | None:
    return article_q(user, "article__")


@visibility_rule(ArticleAttachment)
def _attachment(user: User) -> Q | None:
    return article_q(user, "article__")


@visibility_rule(ArticleLink)
def _link(user: User) -> Q | None:
    from backend.projects.visibility import project_q

    articles = article_q(user)
    projects = project_q(user, "project__")
    q = Q()
    if articles is not None:
        q &= Q(article__in=visible_to(user, Article.objects.all()).values("pk"))
    if projects is not None:
        q &= projects
    return q if (articles is not None or projects is not None) else None
