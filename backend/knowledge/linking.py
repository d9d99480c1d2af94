"""Auto-linking: for each project, the published articles most related to it ("more like this" on the
project's name, description, customer and competitors, boosted by the same industry and by the knowledge
keywords that occur in the project's text), kept as suggested ``ArticleLink`` rows.

Recomputed after a project or an article is indexed (``on_indexed`` → a task). Only suggestions are
replaced: accepted links stay, and a dismissed pair is excluded from the query, so it never comes back.
An unchanged result writes nothing. Who may *see* a link is decided by ``visibility``, not here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction

from backend.core.jobs import enqueue
from backend.knowledge.choices import ArticleStatus, LinkSource, LinkStatus
from backend.knowledge.models import Article, ArticleLink, Keyword
from backend.search import analysis
from backend.search.base import SearchBackend, get_backend
from backend.search.documents import doc_key, split_key

log = logging.getLogger(__name__)

LINK_LIMIT = 5  # suggestions kept per project
MIN_SCORE = 1.0  # below this a suggestion is noise
ARTICLE_FANOUT = 20  # projects re-examined when an article changes


def project_text(project) -> str:
    competitors = [c for c in project.competitors.all()]
    parts = [
        project.name,
        project.description,
        project.customer.name,
        *(c.competitor.name for c in competitors),
        *(c.solution for c in competitors),
    ]
    return "\n".join(p for p in parts if p)


def keywords_in(text: str) -> list[str]:
    """Ids of the knowledge keywords whose words all occur in ``text`` (as analysed for search)."""
    terms = set(analysis.index_terms(text))
    found = []
    for pk, name in Keyword.objects.values_list("pk", "name"):
        words = [g.word for g in analysis.query_groups(name)]
        if words and all(w in terms for w in words):
            found.append(str(pk))
    return found


def links_recompute_for_project(*, project_id: int, backend: SearchBackend | None = None) -> list[ArticleLink]:
    """Replace the project's suggestions by the current best matches; returns the suggested links."""
    from backend.projects.models import Project

    project = (
        Project.objects.select_related("customer")
        .prefetch_related("competitors__competitor")
        .filter(pk=project_id)
        .first()
    )
    if project is None:
        return []
    existing = {link.article_id: link for link in ArticleLink.objects.filter(project_id=project_id)}
    decided = [doc_key("article", pk) for pk, link in existing.items() if link.status != LinkStatus.SUGGESTED]
    text = project_text(project)
    matches = (backend or get_backend()).more_like_this(
        text=text,
        type_="article",
        industry=project.industry,
        keywords=keywords_in(text),
        exclude=decided,
        limit=LINK_LIMIT,
    )
    wanted = {split_key(key)[1]: round(score, 4) for key, score in matches if score >= MIN_SCORE}
    # the index may lag behind an article that was just unpublished
    wanted = {
        pk: score
        for pk, score in wanted.items()
        if pk in set(Article.objects.filter(pk__in=wanted, status=ArticleStatus.PUBLISHED).values_list("pk", flat=True))
    }
    with transaction.atomic():
        stale = [link.pk for pk, link in existing.items() if link.status == LinkStatus.SUGGESTED and pk not in wanted]
        if stale:
            ArticleLink.objects.filter(pk__in=stale).delete()
        for article_id, score in wanted.items():
            link = existing.get(article_id)
            if link is None:
                ArticleLink.objects.get_or_create(
                    article_id=article_id,
                    project_id=project_id,
                    defaults={"score": score, "source": LinkSource.AUTO, "status": LinkStatus.SUGGESTED},
                )
            elif link.status == LinkStatus.SUGGESTED and abs(link.score - score) > 1e-4:
                link.score = score
                link.save(update_fields=["score", "updated_at"])
    return list(ArticleLink.objects.filter(project_id=project_id, status=LinkStatus.SUGGESTED))


def links_recompute_for_article(*, article_id: int, backend: SearchBackend | None = None) -> set[int]:
    """Re-examine the projects the article may now be (or no longer be) suggested for; returns their ids."""
    backend = backend or get_backend()
    projects = set(
        ArticleLink.objects.filter(article_id=article_id, status=LinkStatus.SUGGESTED).values_list(
            "project_id", flat=True
        )
    )
    article = Article.objects.filter(pk=article_id, status=ArticleStatus.PUBLISHED).first()
    if article is not None:
        text = "\n".join(p for p in [article.title, article.summary, article.body] if p)
        for key, _score in backend.more_like_this(
            text=text, type_="project", industry=article.industry, limit=ARTICLE_FANOUT
        ):
            projects.add(split_key(key)[1])
    for project_id in sorted(projects):
        links_recompute_for_project(project_id=project_id, backend=backend)
    return projects


def links_recompute(*, project_ids: Iterable[int] = (), article_ids: Iterable[int] = ()) -> None:
    done: set[int] = set()
    for article_id in article_ids:
        done |= links_recompute_for_article(article_id=article_id)
    for project_id in project_ids:
        if project_id not in done:
            links_recompute_for_project(project_id=project_id)


def on_indexed(changed: dict[str, set[int]]) -> None:
    """Registry listener: queue the link recomputation for projects and articles just (re)indexed."""
    projects, articles = sorted(changed.get("project", ())), sorted(changed.get("article", ()))
    if not projects and not articles:
        return

    try:
        enqueue("backend.knowledge.tasks.recompute_links", projects, articles)
    except Exception:  # the index is written; links follow on the next change or the periodic reconcile
        log.warning("could not queue link recomputation", exc_info=True)
