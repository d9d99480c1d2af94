"""The one error family of sicrm. Services raise these; the API maps them to HTTP once
(``backend.core.api.exceptions``) and pages show their message. Nothing else catches them one by one."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """Bad input or a refused action, with a message meant for the user."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.extra = extra or {}


class ValidationFailed(ApplicationError):
    """Input that breaks a rule; ``fields`` maps field names to messages."""

    def __init__(
        self,
        message: str,
        *,
        fields: dict[str, list[str]] | None = None,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
    ):
        super().__init__(message, code=code, extra=extra)
        self.fields = fields or {}


class PermissionDenied(ApplicationError):
    status_code = 403
    code = "permission_denied"


class NotFound(ApplicationError):
    status_code = 404
    code = "not_found"


class Conflict(ApplicationError):
    status_code = 409
    code = "conflict"


class TransitionRefused(Conflict):
    code = "transition_not_allowed"
