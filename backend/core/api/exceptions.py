"""The one place where errors become HTTP responses: ``{"detail", "code"}`` plus ``errors`` (field →
messages) for bad input. Domain errors, Django validation errors, django-fsm conflicts and integrity
errors all land here, so views never catch them one by one."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import (
    ObjectDoesNotExist,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from backend.core.errors import ApplicationError, ValidationFailed

logger = logging.getLogger(__name__)


def _first_message(errors: Any) -> str:
    if isinstance(errors, dict):
        for key, value in errors.items():
            message = _first_message(value)
            if message:
                return message if key in ("non_field_errors", "__all__", "detail") else f"{key}: {message}"
    elif isinstance(errors, list | tuple):
        for value in errors:
            message = _first_message(value)
            if message:
                return message
    elif errors:
        return str(errors)
    return ""


def django_validation_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
    return {"non_field_errors": list(exc.messages)}


def error_body(*, detail: str, code: str, errors: dict | None = None, extra: dict | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": detail, "code": code}
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ValidationFailed):
        return Response(
            error_body(detail=exc.message, code=exc.code, errors=exc.fields, extra=exc.extra), status=exc.status_code
        )
    if isinstance(exc, ApplicationError):
        return Response(error_body(detail=exc.message, code=exc.code, extra=exc.extra), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        errors = django_validation_errors(exc)
        return Response(
            error_body(detail=_first_message(errors) or _("Invalid input."), code="invalid", errors=errors),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, ConcurrentTransition):
        return Response(
            error_body(
                detail=_("Someone else changed this record at the same time; reload and try again."),
                code="concurrent_change",
            ),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, TransitionNotAllowed):
        return Response(error_body(detail=str(exc), code="transition_not_allowed"), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, IntegrityError):
        logger.warning("integrity error turned into 409: %s", exc)
        return Response(
            error_body(detail=_("This change conflicts with existing data."), code="conflict"),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, ObjectDoesNotExist | Http404):
        exc = exceptions.NotFound()  # {"detail", "code": "not_found"}, like every other refusal
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, SuspiciousOperation):  # Django's request limits (DATA_UPLOAD_MAX_*), met while parsing
        set_rollback()
        if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
            detail, code = _("The request has too many fields."), "too_many_fields"
        elif isinstance(exc, RequestDataTooBig):
            detail, code = _("The request is too large."), "too_large"
        else:
            detail, code = _("The request was refused as unsafe."), "bad_request"
        return Response(error_body(detail=detail, code=code), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RecursionError):
        set_rollback()
        return Response(
            error_body(detail=_("The input is nested too deeply."), code="too_deep"), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, OverflowError):
        set_rollback()
        return Response(
            error_body(detail=_("A number in the input is too large."), code="out_of_range"),
            status=status.HTTP_400_BAD_REQUEST,
        )

    response = drf_exception_handler(exc, context)
    if response is None:
        return server_error(exc, context)
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = error_body(detail=_first_message(errors) or _("Invalid input."), code="invalid", errors=errors)
    elif isinstance(exc, exceptions.APIException):
        detail = data.get("detail", "") if isinstance(data, dict) else data
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        response.data = error_body(detail=str(detail), code=code)
    return response


def server_error(exc: Exception, context: dict[str, Any]) -> Response:
    """Anything unforeseen: logged with its traceback, answered as JSON like every other API error."""
    set_rollback()
    request = context.get("request")
    logger.error(
        "unhandled error on %s %s",
        getattr(request, "method", "?"),
        getattr(request, "path", "?"),
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return Response(
        error_body(detail=_("Something went wrong on our side; the error has been logged."), code="server_error"),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
