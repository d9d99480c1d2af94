"""The answer to a locked-out sign-in (django-axes calls ``lockout_response``): JSON ``{"detail", "code"}`` with
HTTP 429 on the API, the sign-in page with the message elsewhere (/login/, /admin/login/)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

STATUS = 429


def lockout_message() -> str:
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return ngettext(
        "Too many failed sign-in attempts: this account is locked on this address for %(minutes)d minute. "
        "Try again later, or ask an administrator to unlock it.",
        "Too many failed sign-in attempts: this account is locked on this address for %(minutes)d minutes. "
        "Try again later, or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    message = lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out"}, status=STATUS)
    return render(
        request, "registration/locked_out.html", {"message": message, "title": _("Sign-in locked")}, status=STATUS
    )
