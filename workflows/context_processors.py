"""Template context every page gets: the number of reviews waiting for the user's decision (for the
navigation bar). One query, run only if a template uses it, and
kept until a table it reads is written (``backend.core.counts``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def _inbox(user: Any) -> int:
    """Reviews waiting for ``user``'s decision: the same rows as the inbox page (the permission layer's
    ``decide``, so never the user's own submission)."""
    from backend.core.counts import cached_count
    from workflows.selectors import review_inbox

    return cached_count(review_inbox(user=user))  # kept until a review (or a table it reads) is written


def reviews(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"inbox_reviews": 0}
    return {"inbox_reviews": SimpleLazyObject(lambda: _inbox(user))}
