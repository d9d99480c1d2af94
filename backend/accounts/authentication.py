"""DRF authentication with expiring, revocable tokens (``Authorization: Token <key>``), replacing DRF's
never-expiring authtoken. Checks only; tokens are issued and revoked in backend/accounts/tokens.py."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from backend.accounts import tokens


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = _("This token has expired; request a new one from /api/v1/auth/token/.")
    default_code = "token_expired"


class TokenRevoked(exceptions.AuthenticationFailed):
    default_detail = _("This token has been revoked; request a new one from /api/v1/auth/token/.")
    default_code = "token_revoked"


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` against :class:`~backend.accounts.models.ApiToken`."""

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = tokens.api_token_find(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."), code="invalid_token")
        if token.revoked_at is not None:
            raise TokenRevoked()
        if token.expires_at <= timezone.now():
            raise TokenExpired()
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."), code="user_inactive")
        tokens.api_token_touch(token=token)
        return token.user, token
