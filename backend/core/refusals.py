"""The one mapping from a refused action to what the user is told, for pages (the API has its own in
``backend.core.api.exceptions``, with the same messages and status codes).

A service refuses by raising an error of ``backend.core.errors`` (or Django's ``ValidationError``, or a
django-fsm conflict). Pages never catch these one by one:

- ``refused(request, form=..., heading=...)`` wraps the service call of a view that re-renders or
  redirects itself: the refusal lands on the form (field errors on their fields) or as a message, the
  block stops, and ``.status`` says which HTTP status to re-render with (a ``NotFound`` is the 404 page:
  what a user may not see does not exist for them)::

      with refused(request, form=form) as refusal:
          services.member_add(actor=user, project=project, **form.cleaned_data)
          return redirect(...)
      return render(request, ..., status=refusal.status)

- anything that still escapes a view reaches ``RefusalMiddleware``: a POST goes back where it came from
  with the message, a GET shows the message on an error page with 400/403/404/409.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from backend.core.errors import ApplicationError, NotFound, ValidationFailed

SERVICE_ERRORS: tuple[type[Exception], ...] = (
    ApplicationError,
    ValidationError,
    ConcurrentTransition,
    TransitionNotAllowed,
)


@dataclass
class Refusal:
    message: str
    code: str
    status: int
    fields: dict[str, list[str]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def refusal_of(exc: Exception) -> Refusal:
    """What ``exc`` tells the user, and with which status."""
    if isinstance(exc, ValidationFailed):
        return Refusal(exc.message, exc.code, exc.status_code, dict(exc.fields), dict(exc.extra))
    if isinstance(exc, ApplicationError):
        return Refusal(exc.message, exc.code, exc.status_code, extra=dict(exc.extra))
    if isinstance(exc, ValidationError):
        fields = (
            {k: list(v) for k, v in exc.message_dict.items() if k != "__all__"} if hasattr(exc, "error_dict") else {}
        )
        return Refusal(" ".join(exc.messages), "invalid", 400, fields)
    if isinstance(exc, ConcurrentTransition):
        return Refusal(
            _("Someone else changed this record at the same time; reload and try again."), "concurrent_change", 409
        )
    if isinstance(exc, TransitionNotAllowed):
        return Refusal(
            _("This is not possible in the record's current state; reload and try again."),
            "transition_not_allowed",
            409,
        )
    raise TypeError(f"{type(exc).__name__} is not a refusal")


def put_on_form(form: forms.BaseForm, exc: Exception, *, field: str | None = None) -> None:
    """A refusal on ``form``: the message on the first field it names, else on ``field`` (default: the form
    as a whole)."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, texts in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, texts)
        return
    refusal = refusal_of(exc)
    target = next((name for name in refusal.fields if name in form.fields), field)
    form.add_error(target, refusal.message)


class refused:  # noqa: N801 - used as a context manager, reads like a clause
    """Catch a refusal raised inside the block and show it (see the module docstring). ``fields`` renames
    the fields a service names to the form's (e.g. ``{"competitor": "competitor_name"}``, or a function);
    ``field`` is where a refusal that names no field of the form lands (default: the form as a whole)."""

    def __init__(
        self,
        request: HttpRequest,
        *,
        form: forms.BaseForm | None = None,
        heading: str = "",
        message: bool | None = None,
        fields: dict[str, str] | Callable[[str], str] | None = None,
        field: str | None = None,
    ) -> None:
        self.request = request
        self.form = form
        self.heading = heading
        # a form shows the refusal itself; without one (or when asked) it becomes a message
        self.message = form is None if message is None else message
        if callable(fields):
            self.rename: Callable[[str], str] = fields
        else:
            names = dict(fields or {})
            self.rename = lambda name: names.get(name, name)
        self.field = field
        self.refusal: Refusal | None = None

    @property
    def status(self) -> int:
        return self.refusal.status if self.refusal else 400

    def __bool__(self) -> bool:
        return self.refusal is not None

    def __enter__(self) -> refused:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> bool:
        if exc is None or not isinstance(exc, SERVICE_ERRORS):
            return False
        assert isinstance(exc, Exception)
        if isinstance(exc, NotFound):  # what the user may not see does not exist: the 404 page
            raise Http404(exc.message) from exc
        if isinstance(exc, ValidationFailed):
            exc.fields = {self.rename(name): texts for name, texts in exc.fields.items()}
        self.refusal = refusal_of(exc)
        if self.form is not None:
            put_on_form(self.form, exc, field=self.field)
        if self.message:
            text = f"{self.heading} {self.refusal.message}".strip()
            messages.error(self.request, text)
        return True


def safe_back(request: HttpRequest) -> str:
    """Where a refused POST goes back to: its ``next``, else the page it came from (same host only)."""
    for target in (request.POST.get("next"), request.GET.get("next"), request.headers.get("Referer")):
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
    return ""


class RefusalMiddleware:
    """Pages: a refusal no view caught becomes a message, never a 500. The API maps its own."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, SERVICE_ERRORS) or request.path.startswith("/api/"):
            return None
        refusal = refusal_of(exc)
        back = safe_back(request) if request.method == "POST" else ""
        if back:
            messages.error(request, refusal.message)
            return HttpResponseRedirect(back)
        return render(request, "core/refused.html", {"refusal": refusal}, status=refusal.status)
