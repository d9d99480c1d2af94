"""Outermost middleware: under /api/ every error answer is JSON ``{"detail", "code"}``, also when it comes
from outside DRF (an unknown URL, a failing middleware, Django's own 500 page). Only rewrites; decides nothing."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _detail(status: int) -> tuple[str, str]:
    if status == 404:
        return _("Not found."), "not_found"
    if status == 405:
        return _("Method not allowed."), "method_not_allowed"
    if status == 403:
        return _("You do not have permission to perform this action."), "permission_denied"
    if status >= 500:
        return _("Something went wrong on our side; the error has been logged."), "server_error"
    return _("Invalid input."), "invalid"


def _is_json(response: HttpResponse) -> bool:
    return (response.get("Content-Type") or "").startswith("application/json")


class ApiErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400 or _is_json(response):
            return response
        if getattr(response, "streaming", False) or request.path.startswith(API_PREFIX + "docs"):
            return response
        detail, code = _detail(response.status_code)
        replaced = JsonResponse({"detail": detail, "code": code}, status=response.status_code)
        for header in ("Allow", "WWW-Authenticate", "Retry-After"):
            if header in response:
                replaced[header] = response[header]
        return replaced
