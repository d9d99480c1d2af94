"""Reads of the knowledge base, each with the user's visibility applied in the query: article lists and
details, the category tree with counts of what the user may read, the review queue, and the links of a
project or an article."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from backend.accounts.models import User
from backend.core.counts import cached
from backend.core.errors import NotFound
from backend.core.permissions import visible_to
from backend.knowledge.choices import ArticleStatus, LinkStatus
from backend.knowledge.models import Article, ArticleLink, Category, Keyword
from backend.knowledge.search import category_chain, category_tree
from backend.knowledge.visibility import sees_all_articles


def article_list_visible(*, user: User, filters: dict | None = None) -> QuerySet[Article]:
    filters = filters or {}
    # lists show titles, summaries and categories: no author join (it let SQLite read the articles author by
    # author and sort them all) and no bodies (kilobytes each)
    qs = visible_to(user, Article.objects.all()).select_related("category").defer("body", "body_html")
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("category"):
        tree = category_tree()
        root = int(filters["category"])
        qs = qs.filter(category_id__in=[c for c in tree if root in category_chain(tree, c)])
    if filters.get("keyword"):
        qs = qs.filter(
            pk__in=Article.keywords.through.objects.filter(keyword_id=filters["keyword"]).values("article_id")
        )
    if filters.get("industry"):
        qs = qs.filter(industry=filters["industry"])
    if filters.get("author"):
        qs = qs.filter(author_id=filters["author"])
    return qs.prefetch_related("keywords")


def article_detail(*, user: User, pk: int) -> Article:
    article = (
        visible_to(user, Article.objects.all())
        .select_related("category", "author", "proposed_by", "reviewed_by", "source_project")
        .prefetch_related("keywords", "attachments", "departments", "roles", "users")
        .filter(pk=pk)
        .first()
    )
    if article is None:
        raise NotFound("not found")
    return article


@dataclass
class CategoryNode:
    category: Category
    depth: int
    count: int  # published articles the user may read here and below
    children: list[CategoryNode] = field(default_factory=list)


def category_tree_for(*, user: User) -> list[CategoryNode]:
    """The category tree, each node with the number of published articles ``user`` may read in it and
    below it (one query for the categories, one for the counts)."""
    per_category = (
        visible_to(user, Article.objects.filter(status=ArticleStatus.PUBLISHED))
        .values_list("category_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # kept until an article (or what the visibility reads) is written: 150 ms a click at 200,000 articles
    counts: dict[int | None, int] = cached(per_category, "category_counts", lambda qs: dict(qs))
    categories = list(Category.objects.all())
    nodes = {c.pk: CategoryNode(c, 0, counts.get(c.pk, 0)) for c in categories}
    roots: list[CategoryNode] = []
    for category in categories:
        node = nodes[category.pk]
        parent = nodes.get(category.parent_id) if category.parent_id else None
        (parent.children if parent else roots).append(node)

    def total(node: CategoryNode, depth: int) -> int:
        node.depth = depth
        node.count += sum(total(child, depth + 1) for child in node.children)
        return node.count

    for root in roots:
        total(root, 0)
    return roots


def flatten(nodes: list[CategoryNode]) -> list[CategoryNode]:
    out: list[CategoryNode] = []
    for node in nodes:
        out.append(node)
        out.extend(flatten(node.children))
    return out


def review_queue(*, user: User) -> QuerySet[Article]:
    """Articles waiting for a knowledge admin: proposals and submitted drafts, oldest first."""
    if not sees_all_articles(user):
        return Article.objects.none()
    return (
        Article.objects.filter(status=ArticleStatus.IN_REVIEW)
        .select_related("author", "proposed_by", "source_project", "category")
        .prefetch_related("keywords", "attachments", "departments", "roles", "users")
        .order_by("updated_at", "pk")
    )


def project_links(*, user: User, project) -> dict[str, list[ArticleLink]]:
    """The project's accepted and suggested links whose article ``user`` may read."""
    links = list(
        visible_to(user, ArticleLink.objects.filter(project=project))
        .exclude(status=LinkStatus.DISMISSED)
        .filter(article__status=ArticleStatus.PUBLISHED)
        .select_related("article__category")
        .prefetch_related(Prefetch("article__keywords", queryset=Keyword.objects.order_by("name")))
        .order_by("-score", "pk")
    )
    return {
        "accepted": [link for link in links if link.status == LinkStatus.ACCEPTED],
        "suggested": [link for link in links if link.status == LinkStatus.SUGGESTED],
    }


def article_projects(*, user: User, article: Article) -> list[ArticleLink]:
    """Accepted links of ``article`` to projects ``user`` may see."""
    return list(
        visible_to(user, ArticleLink.objects.filter(article=article, status=LinkStatus.ACCEPTED))
        .select_related("project__customer")
        .order_by("project__code")
    )


def keywords_in_use(*, user: User, limit: int = 50) -> QuerySet[Keyword]:
    visible = visible_to(user, Article.objects.filter(status=ArticleStatus.PUBLISHED)).values("pk")
    return (
        Keyword.objects.annotate(n=Count("articles", filter=Q(articles__in=visible)))
        .filter(n__gt=0)
        .order_by("-n", "name")[:limit]
    )
