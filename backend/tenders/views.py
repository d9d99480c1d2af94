"""Tender pages: list (search, filters, next bid deadlines), detail with attachments and linked projects,
create/edit/delete, "create project from tender", and the CSV/XLSX import page. Thin: selectors read,
services write, errors land on the form or in a message; bad input never gives a 500."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from backend.accounts.http import AuthenticatedRequest
from backend.core import lists
from backend.core.pagination import DeferredPaginator as Paginator
from backend.core.permissions import can, visible_to
from backend.core.refusals import refused
from backend.projects.models import Project
from backend.tenders import importer, selectors, services
from backend.tenders.forms import TenderAttachmentForm, TenderFilterSet, TenderForm, TenderImportForm
from backend.tenders.lists import TENDERS
from backend.tenders.models import Tender, TenderAttachment
from backend.tenders.sections import tender_sections

PAGE_SIZE = 25
SOON_DAYS = 3
UPLOAD_SLACK = 64 * 1024  # multipart overhead allowed above a file limit: a longer body is refused at once


def _tender_or_404(request: AuthenticatedRequest, pk: int) -> Tender:
    return get_object_or_404(selectors.tender_list_visible(user=request.user), pk=pk)


def _require_edit(request: AuthenticatedRequest, tender: Tender | None = None) -> None:
    """Refused before any form is shown; the refusal reaches the page through ``RefusalMiddleware`` (403)."""
    services.tender_require_edit(user=request.user, tender=tender)


def _body_too_large(request: AuthenticatedRequest, limit: int) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > limit + UPLOAD_SLACK
    except ValueError:
        return False


@login_required
def tender_list(request: AuthenticatedRequest) -> HttpResponse:
    queryset = selectors.with_project_counts(selectors.tender_list_visible(user=request.user))
    filterset = TenderFilterSet(request.GET or None, queryset=queryset)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    listing, queryset = lists.listing(request, TENDERS, queryset)
    if lists.wants_export(request):
        return lists.export_xlsx(TENDERS, queryset)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    context = {
        "filterset": filterset,
        "page": page,
        "query": listing.query,
        "listing": listing,
        "now": now,
        "soon": now + timedelta(days=SOON_DAYS),
        "can_create": can(request.user, "add", Tender),
    }
    if request.headers.get("HX-Request"):
        return render(request, "tenders/tender_table.html", context)
    if filterset.is_bound:  # the next deadlines are an overview of everything, not of a search
        return render(request, "tenders/tender_list.html", context)
    context["next_deadlines"] = list(
        selectors.tender_list_visible(user=request.user).filter(bid_deadline__gte=now).order_by("bid_deadline")[:5]
    )
    return render(request, "tenders/tender_list.html", context)


@login_required
def tender_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _tender_or_404(request, pk))


def _render_detail(request: AuthenticatedRequest, tender: Tender, *, status: int = 200, **forms) -> HttpResponse:
    now = timezone.now()
    projects = visible_to(request.user, Project.objects.filter(tender=tender).select_related("customer", "owner"))
    context = {
        "tender": tender,
        "can_edit": can(request.user, "change", tender),
        "attachments": list(tender.attachments.all()),
        "projects": list(projects.order_by("-pk")),
        "attachment_form": TenderAttachmentForm(prefix="attachment"),
        "max_attachment_mb": services.attachment_max_bytes() // 1024 // 1024,
        "now": now,
        "sections": tender_sections(request, tender),
        **forms,
    }
    return render(request, "tenders/tender_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def tender_create(request: AuthenticatedRequest) -> HttpResponse:
    _require_edit(request)
    form = TenderForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with refused(request, form=form):
            tender = services.tender_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Tender %(number)s registered.") % {"number": tender.number})
            return redirect("tenders:detail", pk=tender.pk)
    return render(request, "tenders/tender_form.html", {"form": form, "tender": None}, status=_form_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def tender_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    tender = _tender_or_404(request, pk)
    _require_edit(request, tender)
    form = TenderForm(request.POST or None, instance=Tender.objects.get(pk=tender.pk), user=request.user)
    if request.method == "POST" and form.is_valid():
        with refused(request, form=form):
            services.tender_update(actor=request.user, tender=tender, data=form.cleaned_data)
            messages.success(request, _("Tender %(number)s saved.") % {"number": form.cleaned_data["number"]})
            return redirect("tenders:detail", pk=tender.pk)
    return render(request, "tenders/tender_form.html", {"form": form, "tender": tender}, status=_form_status(form))


def _form_status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


@login_required
@require_http_methods(["POST"])
def tender_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    tender = _tender_or_404(request, pk)
    _require_edit(request, tender)
    with refused(request):
        services.tender_delete(actor=request.user, tender=tender)
        messages.success(request, _("Tender %(number)s deleted.") % {"number": tender.number})
        return redirect("tenders:list")
    return redirect("tenders:detail", pk=tender.pk)


@login_required
@require_http_methods(["POST"])
def tender_attachment_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    tender = _tender_or_404(request, pk)
    _require_edit(request, tender)
    limit = services.attachment_max_bytes()
    if _body_too_large(request, limit):
        form = TenderAttachmentForm(data={}, files=MultiValueDict(), prefix="attachment")
        form.is_valid()
        form.errors["file"] = form.error_class(
            [_("Attachments may be at most %(max)d MB.") % {"max": limit // 1024 // 1024}]
        )
        return _render_detail(request, tender, status=400, attachment_form=form)
    form = TenderAttachmentForm(request.POST, request.FILES, prefix="attachment")
    if form.is_valid():
        with refused(request, form=form):
            attachment = services.tender_attachment_add(
                actor=request.user, tender=tender, file=form.cleaned_data["file"], name=form.cleaned_data["name"]
            )
            messages.success(request, _("Attachment %(name)s uploaded.") % {"name": attachment.name})
            return redirect("tenders:detail", pk=tender.pk)
    return _render_detail(request, tender, status=400, attachment_form=form)


@login_required
def tender_attachment_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(
        TenderAttachment.objects.filter(tender__in=selectors.tender_list_visible(user=request.user)), pk=pk
    )
    try:
        handle = attachment.file.open("rb")
    except (OSError, ValueError):  # the file is gone from storage
        raise Http404(_("The file of this attachment is missing.")) from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name or attachment.file.name or "")


@login_required
@require_http_methods(["POST"])
def tender_create_project(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    tender = _tender_or_404(request, pk)
    _require_edit(request, tender)
    with refused(request, heading=_("The project could not be created:")):
        project = services.tender_create_project(actor=request.user, tender=tender)
        messages.success(
            request,
            _("Project %(code)s created from tender %(number)s.") % {"code": project.code, "number": tender.number},
        )
        return redirect("projects:detail", pk=project.pk)
    return redirect("tenders:detail", pk=tender.pk)


@login_required
@require_http_methods(["GET", "POST"])
def tender_import_page(request: AuthenticatedRequest) -> HttpResponse:
    _require_edit(request)
    context: dict = {"summary": "", "problems": []}
    limit = importer.MAX_FILE_BYTES
    if request.method == "POST" and _body_too_large(request, limit):
        context.update(
            form=TenderImportForm(),
            summary=_("The file is larger than %(max)d MB; split it into smaller files.")
            % {"max": limit // 1024 // 1024},
        )
        return render(request, "tenders/tender_import.html", context, status=400)
    form = TenderImportForm(request.POST or None, request.FILES or None)
    context["form"] = form
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "tenders/tender_import.html", context, status=400)
        upload = form.cleaned_data["file"]
        with refused(request, message=False) as refusal:
            result = importer.tenders_import(actor=request.user, filename=upload.name, content=upload.read())
        if refusal.refusal is not None:  # the summary above the rows each of which says what is wrong
            rows = bool(refusal.refusal.extra.get("errors"))
            problems = refusal.refusal.fields.get("file", []) if rows else []
            context["summary"] = refusal.refusal.message.splitlines()[0] if rows else refusal.refusal.message
            context["problems"] = problems
            return render(request, "tenders/tender_import.html", context, status=refusal.status)
        messages.success(
            request,
            ngettext("%(count)d tender imported.", "%(count)d tenders imported.", result.count)
            % {"count": result.count},
        )
        if result.ignored_columns:
            messages.info(request, _("Columns not used: %(columns)s.") % {"columns": ", ".join(result.ignored_columns)})
        return redirect("tenders:list")
    return render(request, "tenders/tender_import.html", context)


@login_required
def tender_import_template(request: AuthenticatedRequest) -> HttpResponse:
    """A CSV with every column the import understands and one example row (UTF-8 with BOM, for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(list(importer.COLUMNS))
    writer.writerow(
        [
            "ZB-2026-001",
            "数据中心扩容项目",
            "某市大数据局",
            "1200000",
            "CNY",
            "government",
            "east",
            "2026-11-01",
            "2026/11/15 17:00",
            "2026/11/30 09:30",
            "2026/11/30 09:30",
            "ISO 9001",
            "https://www.ccgp.gov.cn/",
            "",
        ]
    )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tenders-template.csv"'
    return response
