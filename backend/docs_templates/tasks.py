"""Batch document generation in the background (progress is read from the DocumentBatch row)."""

from celery import shared_task


@shared_task(acks_late=True)
def run_document_batch(batch_id: int) -> None:
    from backend.docs_templates.services import batch_run

    batch_run(batch_id=batch_id)
