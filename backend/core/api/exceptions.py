"""The one place where errors become HTTP responses: ``{"detail", "code"}`` plus ``errors`` (field →
messages) for bad input. Domain errors, Django validation errors, django-fsm conflicts and integrity
errors all land here, so views never catch them one by one."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

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
    if isinstance(exc, ObjectDoesNotExist):
        exc = Http404()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
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
