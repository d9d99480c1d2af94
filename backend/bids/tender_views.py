"""Tender pages: list (search, filters, next bid deadlines), detail with attachments and linked projects,
create/edit/delete, "create project from tender", and the CSV/XLSX import page. Thin: selectors read,
services write, errors land on the form or in a message; bad input never gives a 500."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from backend.bids import selectors, services, tender_import
from backend.bids.models import Tender, TenderAttachment
from backend.bids.tender_forms import TenderAttachmentForm, TenderFilterSet, TenderForm, TenderImportForm
from backend.core.errors import ApplicationError, ValidationFailed
from backend.core.forms import add_service_error
from backend.core.permissions import visible_to
from backend.projects.models import Project

PAGE_SIZE = 25
SOON_DAYS = 3
UPLOAD_SLACK = 64 * 1024  # multipart overhead allowed above a file limit: a longer body is refused at once


def _tender_or_404(request: HttpRequest, pk: int) -> Tender:
    return get_object_or_404(selectors.tender_list_visible(user=request.user), pk=pk)


def _require_edit(request: HttpRequest, tender: Tender | None = None) -> None:
    if tender is None:
        allowed = request.user.has_role(*services.TENDER_EDITOR_ROLES)
    else:
        allowed = services.tender_can_edit(user=request.user, tender=tender)
    if not allowed:
        raise PermissionDenied(_("Only bid managers, directors and the tender's owner may change tenders."))


def _body_too_large(request: HttpRequest, limit: int) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > limit + UPLOAD_SLACK
    except ValueError:
        return False


@login_required
def tender_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.tender_list_visible(user=request.user).annotate(project_count=Count("projects"))
    filterset = TenderFilterSet(request.GET or None, queryset=queryset)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = Paginator(queryset.order_by(F("publish_date").desc(nulls_last=True), "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    now = timezone.now()
    context = {
        "filterset": filterset,
        "page": page,
        "query": query.urlencode(),
        "now": now,
        "soon": now + timedelta(days=SOON_DAYS),
        "can_create": request.user.has_role(*services.TENDER_EDITOR_ROLES),
    }
    if request.headers.get("HX-Request"):
        return render(request, "bids/tender_table.html", context)
    if filterset.is_bound:  # the next deadlines are an overview of everything, not of a search
        return render(request, "bids/tender_list.html", context)
    context["next_deadlines"] = list(
        selectors.tender_list_visible(user=request.user).filter(bid_deadline__gte=now).order_by("bid_deadline")[:5]
    )
    return render(request, "bids/tender_list.html", context)


@login_required
def tender_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _tender_or_404(request, pk))


def _render_detail(request: HttpRequest, tender: Tender, *, status: int = 200, **forms) -> HttpResponse:
    now = timezone.now()
    projects = visible_to(request.user, Project.objects.filter(tender=tender).select_related("customer", "owner"))
    context = {
        "tender": tender,
        "can_edit": services.tender_can_edit(user=request.user, tender=tender),
        "attachments": list(tender.attachments.all()),
        "projects": list(projects.order_by("-pk")),
        "attachment_form": TenderAttachmentForm(prefix="attachment"),
        "max_attachment_mb": services.MAX_ATTACHMENT_BYTES // 1024 // 1024,
        "now": now,
        **forms,
    }
    return render(request, "bids/tender_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def tender_create(request: HttpRequest) -> HttpResponse:
    _require_edit(request)
    form = TenderForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            tender = services.tender_create(actor=request.user, **form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Tender %(number)s registered.") % {"number": tender.number})
            return redirect("tenders:detail", pk=tender.pk)
    return render(request, "bids/tender_form.html", {"form": form, "tender": None}, status=_form_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def tender_edit(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _tender_or_404(request, pk)
    _require_edit(request, tender)
    form = TenderForm(request.POST or None, instance=Tender.objects.get(pk=tender.pk), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.tender_update(actor=request.user, tender=tender, data=form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Tender %(number)s saved.") % {"number": form.cleaned_data["number"]})
            return redirect("tenders:detail", pk=tender.pk)
    return render(request, "bids/tender_form.html", {"form": form, "tender": tender}, status=_form_status(form))


def _form_status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


@login_required
@require_http_methods(["POST"])
def tender_delete(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _tender_or_404(request, pk)
    _require_edit(request, tender)
    try:
        services.tender_delete(actor=request.user, tender=tender)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("tenders:detail", pk=tender.pk)
    messages.success(request, _("Tender %(number)s deleted.") % {"number": tender.number})
    return redirect("tenders:list")


@login_required
@require_http_methods(["POST"])
def tender_attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _tender_or_404(request, pk)
    _require_edit(request, tender)
    limit = services.MAX_ATTACHMENT_BYTES
    if _body_too_large(request, limit):
        form = TenderAttachmentForm(data={}, files={}, prefix="attachment")
        form.is_valid()
        form.errors["file"] = form.error_class(
            [_("Attachments may be at most %(max)d MB.") % {"max": limit // 1024 // 1024}]
        )
        return _render_detail(request, tender, status=400, attachment_form=form)
    form = TenderAttachmentForm(request.POST, request.FILES, prefix="attachment")
    if form.is_valid():
        try:
            attachment = services.tender_attachment_add(
                actor=request.user, tender=tender, file=form.cleaned_data["file"], name=form.cleaned_data["name"]
            )
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Attachment %(name)s uploaded.") % {"name": attachment.name})
            return redirect("tenders:detail", pk=tender.pk)
    return _render_detail(request, tender, status=400, attachment_form=form)


@login_required
def tender_attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(
        TenderAttachment.objects.filter(tender__in=selectors.tender_list_visible(user=request.user)), pk=pk
    )
    try:
        handle = attachment.file.open("rb")
    except (OSError, ValueError):  # the file is gone from storage
        raise Http404(_("The file of this attachment is missing.")) from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name or attachment.file.name)


@login_required
@require_http_methods(["POST"])
def tender_create_project(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _tender_or_404(request, pk)
    _require_edit(request, tender)
    try:
        project = services.tender_create_project(actor=request.user, tender=tender)
    except (ApplicationError, ValidationError) as exc:
        message = exc.message if isinstance(exc, ApplicationError) else " ".join(exc.messages)
        messages.error(request, _("The project could not be created: %(reason)s") % {"reason": message})
        return redirect("tenders:detail", pk=tender.pk)
    messages.success(
        request, _("Project %(code)s created from tender %(number)s.") % {"code": project.code, "number": tender.number}
    )
    return redirect("projects:detail", pk=project.pk)


@login_required
@require_http_methods(["GET", "POST"])
def tender_import_page(request: HttpRequest) -> HttpResponse:
    _require_edit(request)
    context: dict = {"summary": "", "problems": []}
    limit = tender_import.MAX_FILE_BYTES
    if request.method == "POST" and _body_too_large(request, limit):
        context.update(
            form=TenderImportForm(),
            summary=_("The file is larger than %(max)d MB; split it into smaller files.")
            % {"max": limit // 1024 // 1024},
        )
        return render(request, "bids/tender_import.html", context, status=400)
    form = TenderImportForm(request.POST or None, request.FILES or None)
    context["form"] = form
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "bids/tender_import.html", context, status=400)
        upload = form.cleaned_data["file"]
        try:
            result = tender_import.tenders_import(actor=request.user, filename=upload.name, content=upload.read())
        except ValidationFailed as exc:
            rows = bool(exc.extra.get("errors"))
            context["summary"] = exc.message.splitlines()[0] if rows else exc.message
            context["problems"] = exc.fields.get("file", []) if rows else []
            return render(request, "bids/tender_import.html", context, status=400)
        except ApplicationError as exc:
            context["summary"] = exc.message
            return render(request, "bids/tender_import.html", context, status=400)
        messages.success(
            request,
            ngettext("%(count)d tender imported.", "%(count)d tenders imported.", result.count)
            % {"count": result.count},
        )
        if result.ignored_columns:
            messages.info(request, _("Columns not used: %(columns)s.") % {"columns": ", ".join(result.ignored_columns)})
        return redirect("tenders:list")
    return render(request, "bids/tender_import.html", context)


@login_required
def tender_import_template(request: HttpRequest) -> HttpResponse:
    """A CSV with every column the import understands and one example row (UTF-8 with BOM, for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(list(tender_import.COLUMNS))
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
