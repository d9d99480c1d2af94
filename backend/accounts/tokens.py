"""API tokens: issue, check and revoke. Keys are random (256 bits), only their SHA-256 digest is stored, and each
token expires ``settings.API_TOKEN_TTL_HOURS`` after it is issued. Used by the token endpoint, the DRF
authentication class and the admin; it knows nothing about HTTP."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.accounts.models import ApiToken, User

LAST_USED_GRANULARITY = timedelta(minutes=1)  # last_used_at is written at most once a minute per token
PURGE_AFTER = timedelta(days=30)  # expired or revoked tokens are deleted this long afterwards


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user: User) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the key (the only time the key is known)."""
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires_at__lt=now - PURGE_AFTER).delete()
    ApiToken.objects.filter(user=user, revoked_at__lt=now - PURGE_AFTER).delete()
    key = secrets.token_hex(32)
    token = ApiToken.objects.create(
        user=user,
        digest=digest(key),
        prefix=key[:8],
        created_at=now,
        expires_at=now + timedelta(hours=settings.API_TOKEN_TTL_HOURS),
    )
    return token, key


def api_token_find(*, key: str) -> ApiToken | None:
    """The token with this key, whatever its state (the caller decides what an expired one means)."""
    return ApiToken.objects.select_related("user").filter(digest=digest(key)).first()


def api_token_touch(*, token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_revoke_all(*, user: User) -> int:
    """Revoke every live token of ``user``; returns how many."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()).update(
        revoked_at=timezone.now()
    )
