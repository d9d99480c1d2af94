"""What the knowledge base contributes to search: published articles, with their category path, keywords,
industry, attachment text and the visibility terms of ``backend.knowledge.visibility``:
``public``, ``d:<department>`` (the user holds ``d:`` for their department and each one above it),
``r:<role>``, ``u:<user>`` (listed users, the author and the proposer). Knowledge admins see every article.
Also the labels and name lookups of the category and keyword facets."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from backend.knowledge.choices import ArticleStatus, Visibility
from backend.knowledge.models import Article, ArticleAttachment, Category, Keyword
from backend.knowledge.rendering import html_to_text
from backend.knowledge.visibility import department_and_ancestor_ids, sees_all_articles
from backend.search import analysis
from backend.search.documents import SearchDocument
from backend.search.registry import FacetSource, M2MWatch, SearchIndex, Watch, register, register_facet


def category_tree() -> dict[int, tuple[int | None, str]]:
    return {pk: (parent, name) for pk, parent, name in Category.objects.values_list("pk", "parent_id", "name")}


def category_chain(tree: dict[int, tuple[int | None, str]], pk: int | None) -> list[int]:
    """``pk`` and its ancestors, root last."""
    chain: list[int] = []
    while pk is not None and pk in tree and pk not in chain:
        chain.append(pk)
        pk = tree[pk][0]
    return chain


def category_subtree_ids(pk: int) -> set[int]:
    tree = category_tree()
    return {c for c in tree if pk in category_chain(tree, c)}


def _m2m_articles(field: str):
    def pks(instance: Any, reverse: bool, pk_set: set[int] | None) -> list[int]:
        if not reverse:
            return [instance.pk]
        if pk_set is not None:
            return list(pk_set)
        return list(Article.objects.filter(**{field: instance}).values_list("pk", flat=True))

    return pks


@register
class ArticleIndex(SearchIndex):
    type = "article"
    model = Article
    label = _("Articles")
    dirty_field = "search_dirty"
    watches = (
        Watch(
            Category,
            lambda c: Article.objects.filter(category_id__in=category_subtree_ids(c.pk)).values_list("pk", flat=True),
            fields=frozenset({"name", "parent"}),
        ),
        Watch(Keyword, lambda k: k.articles.values_list("pk", flat=True), fields=frozenset({"name"})),
        Watch(ArticleAttachment, lambda a: [a.article_id]),
        M2MWatch(lambda: Article.keywords.through, _m2m_articles("keywords")),
        M2MWatch(lambda: Article.departments.through, _m2m_articles("departments")),
        M2MWatch(lambda: Article.roles.through, _m2m_articles("roles")),
        M2MWatch(lambda: Article.users.through, _m2m_articles("users")),
    )

    def queryset(self):
        return (
            Article.objects.filter(status=ArticleStatus.PUBLISHED)
            .select_related("category")
            .prefetch_related("keywords", "departments", "roles", "users", "attachments")
        )

    def context(self) -> dict[int, tuple[int | None, str]]:
        return category_tree()

    def document(self, obj: Article, context: dict[int, tuple[int | None, str]]) -> SearchDocument:
        chain = category_chain(context, obj.category_id)
        path_names = [context[c][1] for c in reversed(chain)]
        keywords = sorted(obj.keywords.all(), key=lambda k: k.pk)
        body = "\n".join(
            part
            for part in [obj.summary, html_to_text(obj.body_html), *(a.text for a in obj.attachments.all())]
            if part
        )
        return SearchDocument(
            type=self.type,
            pk=obj.pk,
            title=obj.title,
            body=body,
            keywords_text=" ".join([*(k.name for k in keywords), *path_names]),
            url=reverse("knowledge:article", args=[obj.pk]),
            subtitle=" / ".join(path_names),
            industry=obj.industry,
            category=str(obj.category_id) if obj.category_id else "",
            category_path=[str(c) for c in chain],
            keywords=[str(k.pk) for k in keywords],
            acl=article_acl(obj),
            date=obj.published_at or obj.updated_at,
        )

    def principals(self, user) -> set[str] | None:
        if sees_all_articles(user):
            return None
        terms = {"public", f"u:{user.pk}"}
        terms |= {f"d:{pk}" for pk in department_and_ancestor_ids(user)}
        terms |= {f"r:{role}" for role in user.roles}
        return terms


def article_acl(article: Article) -> list[str]:
    """The visibility terms of a published article (see the module docstring)."""
    terms = {f"u:{article.author_id}"}
    if article.proposed_by_id:
        terms.add(f"u:{article.proposed_by_id}")
    if article.visibility == Visibility.PUBLIC:
        terms.add("public")
    elif article.visibility == Visibility.DEPARTMENT:
        terms |= {f"d:{d.pk}" for d in article.departments.all()}
    elif article.visibility == Visibility.ROLES:
        terms |= {f"r:{g.name}" for g in article.roles.all()}
    elif article.visibility == Visibility.USERS:
        terms |= {f"u:{u.pk}" for u in article.users.all()}
    return sorted(terms)


def _category_labels(values: list[str]) -> dict[str, str]:
    tree = category_tree()
    labels = {}
    for value in values:
        if value.isdigit() and int(value) in tree:
            labels[value] = " / ".join(tree[c][1] for c in reversed(category_chain(tree, int(value))))
    return labels


def _resolve_category(value: str) -> str:
    if value.isdigit():
        return value
    found = Category.objects.filter(name=value).values_list("pk", flat=True).first()
    return str(found) if found else ""


def _keyword_labels(values: list[str]) -> dict[str, str]:
    ids = [int(v) for v in values if v.isdigit()]
    return {str(pk): name for pk, name in Keyword.objects.filter(pk__in=ids).values_list("pk", "name")}


def keyword_key(name: str) -> str:
    return analysis.fold(" ".join((name or "").split())).lower()


def _resolve_keyword(value: str) -> str:
    if value.isdigit():
        return value
    found = Keyword.objects.filter(name_key=keyword_key(value)).values_list("pk", flat=True).first()
    return str(found) if found else ""


register_facet("category", FacetSource(labels=_category_labels, resolve=_resolve_category))
register_facet("keyword", FacetSource(labels=_keyword_labels, resolve=_resolve_keyword))
