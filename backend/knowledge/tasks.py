"""Knowledge and search tasks. Thin: ids in, a service call. Importing ``backend.search.tasks`` here is
what registers the index tasks with the worker (the search package is not a Django app)."""

from __future__ import annotations

from celery import shared_task

from backend.search.tasks import RETRY, flush_dirty, index_documents, reconcile  # noqa: F401  (registers them)


@shared_task(**RETRY)
def recompute_links(self, project_ids: list[int], article_ids: list[int]) -> None:
    from backend.knowledge.linking import links_recompute

    links_recompute(project_ids=project_ids, article_ids=article_ids)


@shared_task(**RETRY)
def extract_attachment_text(self, attachment_id: int) -> bool:
    from backend.knowledge.services.attachments import attachment_text_extract

    return attachment_text_extract(attachment_id=attachment_id)
