"""Writes for document templates and generated documents.

``template_upload`` validates a .docx completely before anything is stored: a real Word package, no zip
bomb, every placeholder in the catalogue of its type, nothing unsafe, and a test render against the
sample context. ``document_generate`` renders the active (or given) template version with the context
built from the database, keeps the context snapshot, and — for a milestone — files the result as a
new version of the milestone's deliverable of that type.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core.errors import Conflict, PermissionDenied, ValidationFailed
from backend.core.jobs import enqueue
from backend.core.permissions import can
from backend.core.recovery import lease_claim, lease_release_for_resume, lease_renew, stalled
from backend.docs_templates.catalogue import sample_context, schema_for
from backend.docs_templates.choices import BatchStatus, DocType, DocumentStatus, Language
from backend.docs_templates.context import build_context, missing_data
from backend.docs_templates.docx_format import Properties
from backend.docs_templates.models import DocumentBatch, DocumentTemplate, GeneratedDocument
from backend.docs_templates.rendering import analyse, check_docx, render_docx, template_source

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def can_manage_templates(user: User) -> bool:
    """The permission layer's ``manage`` on document templates (``permissions.py``)."""
    return can(user, "manage", DocumentTemplate)


def template_validate(*, doc_type: str, name: str, data: bytes) -> list[str]:
    """Every check an upload must pass; returns the placeholders used. Raises a 400 naming the problem."""
    if doc_type not in DocType.values:
        raise ValidationFailed(
            _("Unknown document type '%(type)s'.") % {"type": doc_type}, fields={"doc_type": [_("unknown")]}
        )
    check_docx(name=name, data=data)
    try:
        source = template_source(data)
    except Exception as exc:  # a zip with Word parts that python-docx still cannot read
        raise ValidationFailed(
            _("%(name)s could not be read as a Word document: %(error)s") % {"name": name, "error": exc},
            fields={"file": [_("unreadable")]},
        ) from exc
    analysis = analyse(source, schema_for(doc_type))
    if analysis.problems:
        problems = sorted(set(analysis.problems))
        raise ValidationFailed(
            _("The template was refused: %(problems)s.") % {"problems": "; ".join(problems)},
            fields={"file": problems},
            code="template_invalid",
        )
    render_docx(data=data, context=sample_context(doc_type))
    return sorted(analysis.used)


@transaction.atomic
def template_upload(
    *,
    actor: User | None,
    doc_type: str,
    language: str,
    name: str,
    file_name: str,
    data: bytes,
    activate: bool = True,
    is_default: bool = False,
) -> DocumentTemplate:
    """Store a new version of the template for (doc_type, language) after validating it."""
    if actor is not None and not can_manage_templates(actor):
        raise PermissionDenied(_("Only administrators manage document templates."))
    if language not in Language.values:
        raise ValidationFailed(_("Unknown language '%(lang)s'.") % {"lang": language}, fields={"language": ["?"]})
    placeholders = template_validate(doc_type=doc_type, name=file_name, data=data)
    existing = DocumentTemplate.objects.select_for_update().filter(doc_type=doc_type, language=language)
    version = (existing.aggregate(m=Max("version"))["m"] or 0) + 1
    if activate:
        existing.filter(is_active=True).update(is_active=False)
    template = DocumentTemplate(
        doc_type=doc_type,
        language=language,
        version=version,
        name=name or file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        placeholders=placeholders,
        is_active=activate,
        is_default=is_default,
        uploaded_by=actor,
    )
    template.file.save(f"{doc_type}-{language}-v{version}.docx", ContentFile(data), save=False)
    template.save()
    return template


@transaction.atomic
def template_activate(*, actor: User, template: DocumentTemplate) -> DocumentTemplate:
    if not can_manage_templates(actor):
        raise PermissionDenied(_("Only administrators manage document templates."))
    DocumentTemplate.objects.filter(doc_type=template.doc_type, language=template.language, is_active=True).exclude(
        pk=template.pk
    ).update(is_active=False)
    template.is_active = True
    template.save(update_fields=["is_active"])
    return template


def active_template(*, doc_type: str, language: str) -> DocumentTemplate:
    template = DocumentTemplate.objects.filter(doc_type=doc_type, language=language, is_active=True).first()
    if template is None:
        raise Conflict(
            _("No active %(type)s template in %(lang)s; an administrator must upload one or run sicrm load-templates.")
            % {"type": DocType(doc_type).label, "lang": Language(language).label},
            code="template_missing",
        )
    return template


def _libreoffice() -> str | None:
    return shutil.which(settings.LIBREOFFICE_BINARY) or shutil.which("libreoffice")


def pdf_available() -> bool:
    """Whether this server can make PDF copies (LibreOffice's ``soffice`` is on the PATH, or where
    ``LIBREOFFICE_BINARY`` says): pages offer "Also make a PDF" only then."""
    return _libreoffice() is not None


def _pdf_unavailable() -> str:
    """Why no PDF can be made on this server, or "" when it can."""
    return "" if _libreoffice() else _("No PDF: LibreOffice is not installed on the server.")


def _queue_pdf(document_id: int) -> None:

    enqueue("backend.docs_templates.tasks.make_document_pdf", document_id)


def document_pdf_make(*, document_id: int) -> GeneratedDocument | None:
    """Make the PDF copy of a generated document (the worker, after the generating transaction committed).
    The conversion runs outside any transaction; only storing its result takes the write lock, briefly."""
    document = GeneratedDocument.objects.filter(pk=document_id).first()
    if document is None or document.pdf:
        return document
    with document.file.open("rb") as handle:
        pdf, note = _pdf_copy(handle.read())
    with transaction.atomic():
        document = GeneratedDocument.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.pdf:
            return document
        document.pdf_note = note
        if pdf:
            stem = Path(document.file.name or "").stem
            document.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        document.save(update_fields=["pdf", "pdf_note", "updated_at"])
    return document


def _pdf_copy(docx: bytes) -> tuple[bytes | None, str]:
    """A PDF rendition via LibreOffice when it is installed; otherwise None and a note saying why."""
    binary = _libreoffice()
    if not binary:
        return None, _pdf_unavailable()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "document.docx"
        source.write_bytes(docx)
        try:
            subprocess.run(
                [binary, "--headless", "--convert-to", "pdf", "--outdir", folder, str(source)],
                check=True,
                capture_output=True,
                timeout=120,
            )
            return (Path(folder) / "document.pdf").read_bytes(), ""
        except (subprocess.SubprocessError, OSError) as exc:
            return None, _("No PDF: LibreOffice failed (%(error)s).") % {"error": str(exc)[:200]}


@transaction.atomic
def document_generate(
    *,
    actor: User,
    project: Any,
    doc_type: str | None = None,
    template: DocumentTemplate | None = None,
    language: str = "zh-hans",
    milestone: Any = None,
    review: Any = None,
    with_pdf: bool = False,
    batch: DocumentBatch | None = None,
) -> GeneratedDocument:
    """Render a document for ``project`` (and milestone/review) and keep it as a new version (``batch``: the
    batch making it, which makes one per project)."""
    from backend.projects.models import Project

    project = Project.objects.select_related("customer", "owner", "department", "process_template").get(pk=project.pk)
    if not can(actor, "generate_documents", project):
        raise PermissionDenied(_("Only the project team can generate documents for %(code)s.") % {"code": project.code})
    if milestone is not None and milestone.project_id != project.pk:
        raise ValidationFailed(_("That milestone belongs to another project."), fields={"milestone": ["foreign"]})
    if review is not None and review.project_id != project.pk:
        raise ValidationFailed(_("That review belongs to another project."), fields={"review": ["foreign"]})
    if template is None:
        if doc_type is None:
            raise ValidationFailed(
                _("Say which template or document type to generate."), fields={"template": [_("required")]}
            )
        template = active_template(doc_type=doc_type, language=language)
    missing = missing_data(doc_type=template.doc_type, project=project, milestone=milestone)
    if missing:
        raise Conflict(
            _("%(doc)s cannot be generated for %(code)s: it needs %(missing)s.")
            % {"doc": DocType(template.doc_type).label, "code": project.code, "missing": "; ".join(missing)},
            code="document_data_missing",
        )
    context = build_context(
        doc_type=template.doc_type,
        project=project,
        author=actor,
        milestone=milestone,
        review=review,
        language=template.language,
    )
    with template.file.open("rb") as handle:
        rendered = render_docx(data=handle.read(), context=context, properties=_properties(template, project, actor))
    siblings = GeneratedDocument.objects.filter(project=project, milestone=milestone, doc_type=template.doc_type)
    version = (siblings.aggregate(m=Max("version"))["m"] or 0) + 1
    document = GeneratedDocument(
        template=template,
        doc_type=template.doc_type,
        project=project,
        milestone=milestone,
        review=review,
        version=version,
        context=context,
        author=actor,
        batch=batch,
    )
    stem = slugify(f"{project.code}-{template.doc_type}-v{version}") or "document"
    document.file.save(f"{stem}.docx", ContentFile(rendered), save=False)
    if with_pdf:
        # The conversion (up to two minutes) runs on the worker after this transaction commits, never while it
        # holds the database's write lock.
        document.pdf_note = _pdf_unavailable() or _("The PDF copy is being made; it appears here when ready.")
    try:
        document.save()
    except IntegrityError:  # pragma: no cover - a concurrent generation took the version number
        raise Conflict(_("Someone generated the same document at the same time; try again.")) from None
    if with_pdf and not _pdf_unavailable():
        transaction.on_commit(lambda: _queue_pdf(document.pk))
    if milestone is not None:
        document.deliverable_version = _file_as_deliverable(
            actor=actor, milestone=milestone, document=document, data=rendered
        )
        document.save(update_fields=["deliverable_version"])
    return document


def _label_in(language: str, doc_type: str) -> str:
    with translation.override(language):
        return str(DocType(doc_type).label)


def _properties(template: DocumentTemplate, project: Any, actor: User) -> Properties:
    """The generated file names its author (the user generating it) and our company, not the template's."""
    from django.utils.translation import override

    with override(template.language):
        title = f"{template.name} {project.code}"
        category = str(DocType(template.doc_type).label)
        comments = _("Generated by %(author)s for %(company)s with sicrm.") % {
            "author": actor,
            "company": settings.SICRM_COMPANY_NAME,
        }
    return Properties(
        author=str(actor),
        company=settings.SICRM_COMPANY_NAME,
        title=title,
        subject=f"{project.code} {project.name}",
        category=category,
        comments=comments,
        language="zh-CN" if template.language.startswith("zh") else "en-GB",
    )


def _file_as_deliverable(*, actor: User, milestone: Any, document: GeneratedDocument, data: bytes) -> Any:
    """The generated file becomes a new version of the milestone's open deliverable of that type."""
    from backend.milestones.choices import DeliverableStatus, DeliverableType
    from backend.milestones.models import Deliverable
    from backend.milestones.services import _store_version

    if document.doc_type not in DeliverableType.values:
        return None
    deliverable = (
        milestone.deliverables.filter(doc_type=document.doc_type)
        .exclude(status=DeliverableStatus.APPROVED)
        .order_by("-pk")
        .first()
    )
    if deliverable is None:
        deliverable = Deliverable.objects.create(
            milestone=milestone,
            doc_type=document.doc_type,
            title=_label_in(document.template.language, document.doc_type),  # in the document's language
            created_by=actor,
        )
    elif deliverable.status != DeliverableStatus.DRAFT:
        deliverable.status = DeliverableStatus.DRAFT
        deliverable.save(update_fields=["status", "updated_at"])
    return _store_version(deliverable=deliverable, actor=actor, name=Path(document.file.name or "").name, data=data)


@transaction.atomic
def document_approve(*, actor: User, document: GeneratedDocument) -> GeneratedDocument:
    """A project-level document is approved by the project's owner or PM (milestone documents are approved
    as deliverables)."""
    if not can(actor, "approve", document):
        raise PermissionDenied(_("Only the project's owner or PM may approve its documents."))
    if document.status == DocumentStatus.APPROVED:
        raise Conflict(_("Document %(doc)s is already approved.") % {"doc": document})
    document.status = DocumentStatus.APPROVED
    document.approved_by = actor
    document.save(update_fields=["status", "approved_by", "updated_at"])
    return document


@transaction.atomic
def batch_create(*, actor: User, doc_type: str, language: str, projects: list[Any]) -> DocumentBatch:
    """Queue the generation of one document per project; a worker runs it and reports progress."""
    if not projects:
        raise ValidationFailed(_("Choose at least one project."), fields={"projects": [_("required")]})
    active_template(doc_type=doc_type, language=language)
    batch = DocumentBatch.objects.create(
        doc_type=doc_type, language=language, author=actor, project_ids=[p.pk for p in projects], total=len(projects)
    )

    transaction.on_commit(lambda: enqueue("backend.docs_templates.tasks.run_document_batch", batch.pk))
    return batch


def batch_run(*, batch_id: int, owner: str = "") -> DocumentBatch:
    """Generate the batch's missing documents, each in its own transaction together with the batch's progress and
    the renewal of this worker's lease. Resumable: a document already made by the batch (unique per batch and
    project) or a project already recorded as failed is skipped, so a batch resumed after its worker died makes
    each document once. A worker that cannot claim the batch (another holds a live lease, or it is finished)
    does nothing; one that loses its lease (the batch was resumed elsewhere) stops."""
    import uuid

    from backend.projects.models import Project

    owner = owner or uuid.uuid4().hex
    unfinished = DocumentBatch.objects.filter(status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING])
    if not lease_claim(unfinished, pk=batch_id, owner=owner):
        return DocumentBatch.objects.get(pk=batch_id)
    batch = DocumentBatch.objects.get(pk=batch_id)
    DocumentBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING, updated_at=timezone.now())
    for project in Project.objects.filter(pk__in=batch.project_ids).order_by("pk"):
        with transaction.atomic():
            # The lease is renewed first: on PostgreSQL this takes the batch's row, so two workers never make the
            # same batch's documents at once; on SQLite the transaction already holds the write lock.
            if not lease_renew(unfinished, pk=batch.pk, owner=owner):
                return DocumentBatch.objects.get(pk=batch.pk)  # resumed elsewhere: that worker goes on
            batch.refresh_from_db(fields=["errors"])
            errors = list(batch.errors)
            if batch.documents.filter(project=project).exists() or any(
                e.get("project_id") == project.pk for e in errors
            ):
                continue
            try:
                document_generate(
                    actor=batch.author,
                    project=project,
                    doc_type=batch.doc_type,
                    language=batch.language,
                    batch=batch,
                )
            except DatabaseError:
                raise  # not this project's fault: the transaction rolls back and a resume retries it
            except Exception as exc:  # one failing project must not stop the batch
                errors.append(
                    {"project_id": project.pk, "project": project.code, "error": getattr(exc, "message", str(exc))}
                )
            done = batch.documents.count() + len(errors)
            DocumentBatch.objects.filter(pk=batch.pk).update(done=done, errors=errors, updated_at=timezone.now())
    done = batch.documents.count() + len(DocumentBatch.objects.get(pk=batch.pk).errors)
    lease_renew(
        unfinished,
        pk=batch.pk,
        owner=owner,
        status=BatchStatus.DONE,
        done=done,
        lease_owner="",
        updated_at=timezone.now(),
    )
    batch.refresh_from_db()
    return batch


def batches_resume(now: datetime) -> int:
    """The resumer of document batches (registered with ``core.recovery``): queue again each unfinished batch
    whose worker is gone (lease expired, or never taken in a whole lease period)."""

    unfinished = DocumentBatch.objects.filter(status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING])
    resumed = 0
    for pk in stalled(unfinished, now=now).order_by("pk").values_list("pk", flat=True):
        if lease_release_for_resume(unfinished, pk=pk, now=now):
            enqueue("backend.docs_templates.tasks.run_document_batch", pk)
            resumed += 1
    return resumed


def documents_missing(*, project: Any, doc_types: list[str]) -> list[str]:
    """Required document types without an approved generated document or approved deliverable."""
    from backend.milestones.models import Deliverable

    if not doc_types:
        return []
    approved = set(
        GeneratedDocument.objects.filter(
            project=project, doc_type__in=doc_types, status=DocumentStatus.APPROVED
        ).values_list("doc_type", flat=True)
    )
    approved |= set(
        Deliverable.objects.filter(milestone__project=project, doc_type__in=doc_types, status="approved").values_list(
            "doc_type", flat=True
        )
    )
    return [t for t in doc_types if t not in approved]


def content_hash(data: bytes) -> str:
    """A hash of the package's parts (not of the zip bytes, whose timestamps change on every save)."""
    import io
    import zipfile

    digest = hashlib.sha256()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in sorted(archive.namelist()):
            digest.update(name.encode())
            digest.update(archive.read(name))
    return digest.hexdigest()


def defaults_load(*, only: set[tuple[str, str]] | None = None) -> list[DocumentTemplate]:
    """Upload the shipped default templates that are new or changed (idempotent); ``only`` limits it to some
    (doc_type, language) pairs. A changed default becomes the active version only if the active one is also
    a default (an administrator's upload stays active)."""
    from backend.docs_templates.defaults import default_templates

    loaded = []
    for doc_type, language, name, data in default_templates():
        if only is not None and (doc_type, language) not in only:
            continue
        digest = content_hash(data)
        latest_default = (
            DocumentTemplate.objects.filter(doc_type=doc_type, language=language, is_default=True)
            .order_by("-version")
            .first()
        )
        if latest_default is not None and latest_default.sha256 == digest:
            continue
        active = DocumentTemplate.objects.filter(doc_type=doc_type, language=language, is_active=True).first()
        template = template_upload(
            actor=None,
            doc_type=doc_type,
            language=language,
            name=name,
            file_name=f"{doc_type}.{language}.docx",
            data=data,
            activate=active is None or active.is_default,
            is_default=True,
        )
        DocumentTemplate.objects.filter(pk=template.pk).update(sha256=digest)
        loaded.append(template)
    return loaded
