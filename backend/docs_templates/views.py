"""Document pages: the documents tab of a project (generate, versions, approve, download), template
management for administrators (upload, versions, activate, variable catalogue), and batch generation
with live progress."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.accounts.http import AuthenticatedRequest
from backend.core.permissions import can, with_permissions
from backend.core.refusals import refused
from backend.docs_templates import selectors, services
from backend.docs_templates.catalogue import flatten, schema_for
from backend.docs_templates.choices import DocType
from backend.docs_templates.forms import BatchFilterForm, BatchForm, GenerateForm, TemplateUploadForm
from backend.docs_templates.models import DocumentBatch, DocumentTemplate
from backend.projects.models import Project
from backend.projects.pages import project_or_404
from backend.projects.selectors import project_list_visible
from backend.tenders.selectors import tender_attachments_of_project


def project_documents_context(request: AuthenticatedRequest, project: Project) -> dict[str, Any]:
    documents = list(
        with_permissions(
            request.user, selectors.document_list_visible(user=request.user).filter(project=project), "approve"
        ).order_by("doc_type", "-version")
    )
    milestones = list(project.milestones.order_by("order"))
    return {
        "documents": documents,
        "generate_form": GenerateForm(milestones=milestones, prefix="gen", pdf_available=services.pdf_available()),
        "can_generate": can(request.user, "generate_documents", project),
        "tender_attachments": tender_attachments_of_project(user=request.user, project=project),
    }


def _back(project: Project) -> HttpResponse:
    return redirect(reverse("projects:detail", args=[project.pk]) + "?tab=documents")


@login_required
@require_POST
def document_generate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    form = GenerateForm(
        request.POST, milestones=project.milestones.all(), prefix="gen", pdf_available=services.pdf_available()
    )
    if not form.is_valid():
        messages.error(request, _("Check the form: %(errors)s") % {"errors": form.errors.as_text()})
        return _back(project)
    milestone = (
        project.milestones.filter(pk=form.cleaned_data["milestone"]).first() if form.cleaned_data["milestone"] else None
    )
    review_id = request.POST.get("review")
    review = project.reviews.filter(pk=review_id).first() if review_id and review_id.isdigit() else None
    with refused(request):
        document = services.document_generate(
            actor=request.user,
            project=project,
            doc_type=form.cleaned_data["doc_type"],
            language=form.cleaned_data["language"],
            milestone=milestone,
            review=review,
            with_pdf=form.cleaned_data.get("pdf", False),
        )
        messages.success(
            request,
            _("%(doc)s generated (version %(v)d).") % {"doc": document.get_doc_type_display(), "v": document.version},
        )
        if document.pdf_note:
            messages.info(request, document.pdf_note)
    return _back(project)


@login_required
@require_POST
def document_approve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(selectors.document_list_visible(user=request.user), pk=pk)
    with refused(request):
        services.document_approve(actor=request.user, document=document)
        messages.success(request, _("Document approved."))
    return _back(document.project)


@login_required
def document_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    document = get_object_or_404(selectors.document_list_visible(user=request.user), pk=pk)
    if request.GET.get("pdf"):
        if not document.pdf:
            raise Http404(document.pdf_note)
        return FileResponse(
            document.pdf.open("rb"), as_attachment=True, filename=(document.pdf.name or "").rsplit("/")[-1]
        )
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=(document.file.name or "").rsplit("/")[-1],
        content_type=services.DOCX_CONTENT_TYPE,
    )


@login_required
def template_list(request: AuthenticatedRequest) -> HttpResponse:
    if not can(request.user, "manage", DocumentTemplate):
        raise Http404
    form = TemplateUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            # every refusal of an upload is about the file
            with refused(request, form=form, fields=lambda name: "file", field="file") as refusal:
                template = services.template_upload(
                    actor=request.user,
                    doc_type=form.cleaned_data["doc_type"],
                    language=form.cleaned_data["language"],
                    name=form.cleaned_data["name"],
                    file_name=upload.name,
                    data=upload.read(),
                    activate=form.cleaned_data["activate"],
                )
                messages.success(
                    request, _("%(name)s uploaded as version %(v)d.") % {"name": template.name, "v": template.version}
                )
                return redirect("docs_templates:templates")
            status = refusal.status
        else:
            status = 400
    templates = list(selectors.template_list())
    syntax_help = _(
        "Filters: |money (1,234.50), |capital (大写金额), |cn_date (2026年11月23日). Table rows repeat "
        "with %(start)s … %(end)s."
    ) % {"start": "{%tr for line in quotation.lines %}", "end": "{%tr endfor %}"}
    context = {
        "templates": templates,
        "form": form,
        "syntax_help": syntax_help,
        "catalogue": [(DocType(t).label, flatten(schema_for(t))) for t in DocType.values],
    }
    return render(request, "docs_templates/templates.html", context, status=status)


@login_required
@require_POST
def template_activate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(DocumentTemplate, pk=pk)
    with refused(request):
        services.template_activate(actor=request.user, template=template)
        messages.success(request, _("Version %(v)d is now active.") % {"v": template.version})
    return redirect("docs_templates:templates")


@login_required
def template_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    if not can(request.user, "manage", DocumentTemplate):
        raise Http404
    template = get_object_or_404(DocumentTemplate, pk=pk)
    return FileResponse(
        template.file.open("rb"),
        as_attachment=True,
        filename=f"{template.doc_type}-{template.language}-v{template.version}.docx",
    )


BATCH_PROJECTS = 500  # the most projects the batch page offers at once; a filter narrows them


@login_required
def batch_page(request: AuthenticatedRequest) -> HttpResponse:
    """Choose a document type and projects (narrowed by a search on code, name or customer and by state; a
    checkbox selects every project shown) and start a batch."""
    filter_form = BatchFilterForm(request.GET or None)
    filters = {}
    if filter_form.is_valid():
        data = filter_form.cleaned_data
        filters = {"q": data["q"]} | ({"status": [data["status"]]} if data["status"] else {})
    projects = list(project_list_visible(user=request.user, filters=filters).order_by("code")[:BATCH_PROJECTS])
    shown = len(projects)
    if request.method == "POST":  # what was ticked may lie outside the filter: any project the user sees
        ticked = {int(pk) for pk in request.POST.getlist("projects") if pk.isdigit()} - {p.pk for p in projects}
        projects += list(project_list_visible(user=request.user).filter(pk__in=ticked).order_by("code"))
    form = BatchForm(request.POST or None, projects=projects)
    if request.method == "POST" and form.is_valid():
        chosen = [p for p in projects if str(p.pk) in form.cleaned_data["projects"]]
        with refused(request):
            batch = services.batch_create(
                actor=request.user,
                doc_type=form.cleaned_data["doc_type"],
                language=form.cleaned_data["language"],
                projects=chosen,
            )
            return redirect("docs_templates:batch", pk=batch.pk)
    batches = DocumentBatch.objects.filter(author=request.user)[:10]
    context = {
        "form": form,
        "filter_form": filter_form,
        "shown": shown,
        "capped": shown >= BATCH_PROJECTS,
        "batches": batches,
    }
    return render(request, "docs_templates/batches.html", context)


@login_required
def batch_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(DocumentBatch, pk=pk, author=request.user)
    documents = batch.documents.select_related("project").order_by("project__code")
    template = (
        "docs_templates/_batch_progress.html" if request.headers.get("HX-Request") else "docs_templates/batch.html"
    )
    return render(request, template, {"batch": batch, "documents": documents})
