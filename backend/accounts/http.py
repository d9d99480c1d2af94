"""The request an authenticated page receives: ``request.user`` is a ``User``, never ``AnonymousUser``.

Views behind ``@login_required`` annotate ``request: AuthenticatedRequest`` and pass ``request.user`` to
services (which take a ``User``); ``acting_user(request)`` does the same where the annotation cannot be
used (a helper that also serves anonymous callers, or an API view, whose DRF ``Request`` cannot be narrowed in
an overriding method's signature)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from backend.accounts.models import User

if TYPE_CHECKING:
    from rest_framework.request import Request


class AuthenticatedRequest(HttpRequest):
    user: User


def acting_user(request: HttpRequest | Request) -> User:
    """The signed-in user of ``request``; 403 for anyone else (never reached behind ``login_required``)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    return user
