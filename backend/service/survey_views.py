"""The public satisfaction survey page (``/service/survey/<token>/``): no account, the token is the secret.
Chinese first: the language chosen with the page's switch (cookie), else the browser's, else 简体中文. Thin:
``backend.service.survey`` checks the token and stores the answer; refusals show as a message with their status
(404 unknown link, 409 answered or superseded, 410 expired, 400 no score), never a 500 or a login page."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from backend.core.errors import ApplicationError, ValidationFailed
from backend.service.survey import survey_answer, survey_open

DEFAULT_LANGUAGE = "zh-hans"
SCORE_LABELS = [
    ("5", pgettext_lazy("satisfaction", "Very satisfied")),
    ("4", pgettext_lazy("satisfaction", "Satisfied")),
    ("3", pgettext_lazy("satisfaction", "Neutral")),
    ("2", pgettext_lazy("satisfaction", "Dissatisfied")),
    ("1", pgettext_lazy("satisfaction", "Very dissatisfied")),
]


class SurveyForm(forms.Form):
    score = forms.ChoiceField(
        label=_("How satisfied are you with our service?"),
        choices=SCORE_LABELS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a score from 1 to 5."),
            "invalid_choice": _("Choose a score from 1 to 5."),
        },
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def survey_language(request: HttpRequest) -> str:
    """A signed-in user's language as everywhere; else the language chosen on the page (cookie), else the first
    language the browser accepts that sicrm speaks, else Simplified Chinese (not ``LANGUAGE_CODE``: the
    customers who answer are Chinese first)."""
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return translation.get_language() or DEFAULT_LANGUAGE
    from django.utils.translation.trans_real import parse_accept_lang_header

    candidates = [request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")]
    candidates += [lang for lang, _q in parse_accept_lang_header(request.headers.get("Accept-Language", ""))]
    for candidate in candidates:
        if not candidate or candidate == "*":
            continue
        try:
            return translation.get_supported_language_variant(candidate)
        except LookupError:
            continue
    return DEFAULT_LANGUAGE


def _refusal(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    return render(
        request,
        "service/survey.html",
        {"state": "refused", "error": error, "code": error.code},
        status=error.status_code,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def survey_page(request: HttpRequest, token: str) -> HttpResponse:
    language = survey_language(request)
    with translation.override(language):
        request.LANGUAGE_CODE = language
        try:
            survey = survey_open(token=token)
        except ApplicationError as error:
            return _refusal(request, error)
        form = SurveyForm(request.POST or None)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                try:
                    survey = survey_answer(
                        token=token, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
                    )
                except ValidationFailed as error:
                    form.add_error("score", error.message)
                except ApplicationError as error:
                    return _refusal(request, error)
                else:
                    return render(request, "service/survey.html", {"state": "thanks", "survey": survey})
            status = 400
        response = render(
            request, "service/survey.html", {"state": "form", "form": form, "survey": survey}, status=status
        )
        response["Content-Language"] = language
        return response
