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
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core.errors import Conflict, PermissionDenied, ValidationFailed
from backend.docs_templates.catalogue import sample_context, schema_for
from backend.docs_templates.choices import DocType, DocumentStatus, Language
from backend.docs_templates.context import build_context
from backend.docs_templates.models import DocumentBatch, DocumentTemplate, GeneratedDocument
from backend.docs_templates.rendering import analyse, check_docx, render_docx, template_source

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def can_manage_templates(user: User) -> bool:
    return user.is_superuser or user.has_role("admin")


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


def _pdf_copy(docx: bytes) -> tuple[bytes | None, str]:
    """A PDF rendition via LibreOffice when it is installed; otherwise None and a note saying why."""
    binary = shutil.which(settings.LIBREOFFICE_BINARY) or shutil.which("libreoffice")
    if not binary:
        return None, _("No PDF: LibreOffice is not installed on the server.")
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
) -> GeneratedDocument:
    """Render a document for ``project`` (and milestone/review) and keep it as a new version."""
    from backend.projects.models import Project, can_edit

    project = Project.objects.select_related("customer", "owner", "department", "process_template").get(pk=project.pk)
    is_member = project.members.filter(user=actor).exists()
    if not (can_edit(project, actor) or is_member):
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
    context = build_context(
        doc_type=template.doc_type,
        project=project,
        author=actor,
        milestone=milestone,
        review=review,
        language=template.language,
    )
    with template.file.open("rb") as handle:
        rendered = render_docx(data=handle.read(), context=context)
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
    )
    stem = slugify(f"{project.code}-{template.doc_type}-v{version}") or "document"
    document.file.save(f"{stem}.docx", ContentFile(rendered), save=False)
    if with_pdf:
        pdf, note = _pdf_copy(rendered)
        document.pdf_note = note
        if pdf:
            document.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
    try:
        document.save()
    except IntegrityError:  # pragma: no cover - a concurrent generation took the version number
        raise Conflict(_("Someone generated the same document at the same time; try again.")) from None
    if milestone is not None:
        document.deliverable_version = _file_as_deliverable(
            actor=actor, milestone=milestone, document=document, data=rendered
        )
        document.save(update_fields=["deliverable_version"])
    return document


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
            title=str(DocType(document.doc_type).label),
            created_by=actor,
        )
    elif deliverable.status != DeliverableStatus.DRAFT:
        deliverable.status = DeliverableStatus.DRAFT
        deliverable.save(update_fields=["status", "updated_at"])
    return _store_version(deliverable=deliverable, actor=actor, name=Path(document.file.name).name, data=data)


@transaction.atomic
def document_approve(*, actor: User, document: GeneratedDocument) -> GeneratedDocument:
    """A project-level document is approved by the project's owner or PM (milestone documents are approved
    as deliverables)."""
    from backend.projects.models import can_edit

    if not can_edit(document.project, actor):
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

    def enqueue() -> None:
        from backend.docs_templates.tasks import run_document_batch

        run_document_batch.delay(batch.pk)

    transaction.on_commit(enqueue)
    return batch


def batch_run(*, batch_id: int) -> DocumentBatch:
    """Generate each document of the batch in its own transaction, counting progress as it goes."""
    from backend.projects.models import Project

    batch = DocumentBatch.objects.get(pk=batch_id)
    if batch.status == "done":
        return batch
    DocumentBatch.objects.filter(pk=batch.pk).update(status="running", updated_at=timezone.now())
    already = set(
        GeneratedDocument.objects.filter(
            project_id__in=batch.project_ids, doc_type=batch.doc_type, created_at__gte=batch.created_at
        ).values_list("project_id", flat=True)
    )
    done, errors = len(already), list(batch.errors)
    for project in Project.objects.filter(pk__in=batch.project_ids).exclude(pk__in=already).order_by("pk"):
        try:
            document_generate(actor=batch.author, project=project, doc_type=batch.doc_type, language=batch.language)
        except Exception as exc:  # one failing project must not stop the batch
            errors.append({"project": project.code, "error": getattr(exc, "message", str(exc))})
        done += 1
        DocumentBatch.objects.filter(pk=batch.pk).update(done=done, errors=errors, updated_at=timezone.now())
    DocumentBatch.objects.filter(pk=batch.pk).update(status="done", done=done, errors=errors, updated_at=timezone.now())
    batch.refresh_from_db()
    return batch


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
