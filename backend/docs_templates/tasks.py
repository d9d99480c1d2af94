"""Background document work: batch generation (progress is read from the DocumentBatch row) and the PDF
copies of generated documents."""

from celery import shared_task


@shared_task(bind=True, acks_late=True)
def run_document_batch(self, batch_id: int) -> None:
    """Holds the batch's lease under this task's name; a batch whose worker died is queued again by the resumer
    (``services.batches_resume``, run by beat's ``resume-work``)."""
    from backend.docs_templates.services import batch_run

    owner = f"{self.request.hostname or 'inline'}:{self.request.id or ''}"[:100]
    batch_run(batch_id=batch_id, owner=owner)


@shared_task(acks_late=True)
def make_document_pdf(document_id: int) -> None:
    """The PDF copy of a generated document, made after the generating transaction committed."""
    from backend.docs_templates.services import document_pdf_make

    document_pdf_make(document_id=document_id)
