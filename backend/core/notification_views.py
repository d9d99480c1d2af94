"""Notification pages: my notifications, rendered in the reader's language, and marking them read.
Only the recipient sees or marks a notification; nothing here creates one (``notifications.notify``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from backend.core.models import Notification
from backend.core.notifications import render as render_text

PAGE_SIZE = 30


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    queryset = Notification.objects.filter(recipient_id=request.user.pk)
    if request.GET.get("unread") == "1":
        queryset = queryset.filter(read_at__isnull=True)
    page = Paginator(queryset.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"notification": n, "text": render_text(n.kind, n.params or {})} for n in page]
    context = {"page": page, "rows": rows, "unread_only": request.GET.get("unread") == "1"}
    return render(request, "core/notifications.html", context)


def _safe(request: HttpRequest, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return ""


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient_id=request.user.pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    if request.POST.get("open"):
        target = _safe(request, notification.url)
        if target:
            return redirect(target)
    return redirect(_safe(request, request.POST.get("next", "")) or "notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = Notification.objects.filter(recipient_id=request.user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    text = ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", count)
    messages.success(request, text % {"count": count})
    return redirect(_safe(request, request.POST.get("next", "")) or "notifications:list")
