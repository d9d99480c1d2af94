"""The language switch of the navbar: Django's ``set_language`` (cookie and redirect), and for a signed-in user
the choice saved on the user, so pages, notifications and e-mails follow it on every device."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from backend.accounts import services
from backend.accounts.http import acting_user
from backend.accounts.middleware import LANGUAGE_CODES


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in LANGUAGE_CODES:
        services.user_language_set(user=acting_user(request), language=language)
    return response
