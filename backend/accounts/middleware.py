"""Pages in the signed-in user's own language (``User.language``), wherever they sign in; the navbar's
language switch saves the choice on the user (``backend.accounts.views.set_language``). Without a saved
language, Django's ``LocaleMiddleware`` decides as before (cookie, then the browser's Accept-Language)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


class UserLanguageMiddleware:
    """After ``AuthenticationMiddleware``: activate the user's saved language for this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language in LANGUAGE_CODES:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
