"""The satisfaction survey (满意度回访) of a closed service request: issuing it on close, its link, delivering the
link, and storing the one answer. Writes only ``Survey`` rows; must not move a request (the close transition in
``backend.service.services`` calls ``survey_issue`` inside its own transaction).

The link carries a token signed with ``SECRET_KEY`` (``django.core.signing``, a salt of its own) naming the
survey's id and its random ``nonce``: a token nobody signed, or one naming another survey's nonce, is refused
as unknown (404), so ids cannot be guessed and tokens cannot be forged; rate limiting adds nothing against
128-bit nonces under an HMAC. Refusals: unknown token 404, already answered or superseded by a newer survey of
the request 409, expired 410, a score outside 1–5 400.

Delivery: ``survey_issue`` e-mails the link (both languages, Chinese first) after commit when the request's
contact has an e-mail address; whether or not it did, the request page shows ``survey_url`` so the agent can
send it by SMS or WeChat.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.core.errors import Conflict, NotFound, ValidationFailed
from backend.service.models import ServiceRequest, Survey

SALT = "sicrm.service.survey"
SCORES = (1, 2, 3, 4, 5)


class SurveyExpired(Conflict):
    """The survey's time ran out: gone for good (410)."""

    status_code = 410
    code = "survey_expired"


# --- issuing and delivering -------------------------------------------------------------------------------


def survey_issue(*, request: ServiceRequest, now: datetime | None = None) -> Survey:
    """A new survey of ``request`` (the close transition calls this, inside its transaction), valid for
    ``SERVICE_SURVEY_DAYS``; any earlier survey of the request is superseded from now on. The link is e-mailed
    after commit when the request's contact has an e-mail address (nothing is sent for a rollback)."""
    now = now or timezone.now()
    survey = Survey.objects.create(
        request=request,
        nonce=secrets.token_hex(16),
        sent_at=now,
        expires_at=now + timedelta(days=settings.SERVICE_SURVEY_DAYS),
    )
    email = survey_email_address(request)
    if email:
        survey_id = survey.pk
        transaction.on_commit(lambda: survey_send(survey_id=survey_id))
    return survey


def survey_email_address(request: ServiceRequest) -> str:
    contact = request.contact if request.contact_id else None
    return (getattr(contact, "email", "") or "").strip()


def survey_token(survey: Survey) -> str:
    """The survey's signed token (the same every time: the request page can show the link again)."""
    return signing.Signer(salt=SALT).sign_object({"s": survey.pk, "n": survey.nonce})


def survey_url(survey: Survey) -> str:
    """The survey's public page, an absolute path (``/service/survey/<token>/``); prefix ``SICRM_BASE_URL``
    for a link sent outside (``survey_link``)."""
    return reverse("service:survey", args=[survey_token(survey)])


def survey_link(survey: Survey) -> str:
    """The full address to send to the customer (e-mail, SMS, WeChat)."""
    return f"{settings.SICRM_BASE_URL.rstrip('/')}{survey_url(survey)}"


def survey_send(*, survey_id: int) -> bool:
    """E-mail the survey link to the request's contact (both languages: the customer's is unknown). False when
    there is nobody to send to or the survey is no longer open. A mail server failure is not the closer's
    problem: it is swallowed, and the link stays on the request page."""
    from django.core.mail import send_mail

    survey = Survey.objects.select_related("request__contact").filter(pk=survey_id).first()
    if survey is None or survey.answered_at is not None:
        return False
    email = survey_email_address(survey.request)
    if not email:
        return False
    request = survey.request
    link = survey_link(survey)
    days = settings.SERVICE_SURVEY_DAYS
    subject = f"[{request.code}] 服务满意度回访 / How did we do?"
    body = (
        f"您好，\n\n您的服务工单 {request.code}「{request.subject}」已关闭。请花一分钟为本次服务打分（1–5 分）：\n"
        f"{link}\n链接 {days} 天内有效，仅可提交一次。感谢您的支持！\n\n"
        f"Hello,\n\nYour service request {request.code} \u201c{request.subject}\u201d is closed. Please rate our "
        f"service (1–5), it takes a minute:\n{link}\nThe link is valid for {days} days and answers once. "
        "Thank you!\n"
    )
    return bool(send_mail(subject=subject, message=body, from_email=None, recipient_list=[email], fail_silently=True))


# --- reading a token and answering ------------------------------------------------------------------------


def _survey_id(token: str) -> tuple[int, str]:
    unknown = NotFound(
        _("This survey link is not valid. Please use the link exactly as you received it."), code="survey_invalid"
    )
    try:
        data: Any = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        raise unknown from None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int) or not isinstance(data.get("n"), str):
        raise unknown
    return data["s"], data["n"]


def _check_open(survey: Survey | None, nonce: str, now: datetime) -> Survey:
    if survey is None or not secrets.compare_digest(survey.nonce, nonce):
        raise NotFound(
            _("This survey link is not valid. Please use the link exactly as you received it."), code="survey_invalid"
        )
    if survey.answered_at is not None:
        raise Conflict(_("This survey was already answered. Thank you for your feedback."), code="survey_answered")
    if Survey.objects.filter(request_id=survey.request_id, pk__gt=survey.pk).exists():
        raise Conflict(
            _("This survey was replaced by a newer one for the same request; please use the latest link."),
            code="survey_superseded",
        )
    if survey.expires_at <= now:
        raise SurveyExpired(
            _("This survey closed on %(date)s and can no longer be answered.")
            % {"date": timezone.localtime(survey.expires_at).date().isoformat()}
        )
    return survey


def survey_open(*, token: str, now: datetime | None = None) -> Survey:
    """The open survey ``token`` names (with its request), or the refusal the page shows."""
    survey_id, nonce = _survey_id(token)
    survey = Survey.objects.select_related("request").filter(pk=survey_id).first()
    return _check_open(survey, nonce, now or timezone.now())


def _score(value: Any) -> int | None:
    """1–5 from an int or its text ("4"); anything else (0, 6, "4.5", "", None, True) is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and value in SCORES else None


@transaction.atomic
def survey_answer(*, token: str, score: Any, comment: str = "", now: datetime | None = None) -> Survey:
    """Store the one answer of the survey ``token`` names: the row is locked, checked open, then written, so
    two submissions at once store one and refuse the other (409)."""
    now = now or timezone.now()
    survey_id, nonce = _survey_id(token)
    survey = Survey.objects.select_for_update(of=("self",)).filter(pk=survey_id).first()
    survey = _check_open(survey, nonce, now)
    value = _score(score)
    if value is None:
        raise ValidationFailed(
            _("Choose a score from 1 (very dissatisfied) to 5 (very satisfied)."),
            fields={"score": [_("Choose 1 to 5.")]},
            code="invalid_score",
        )
    survey.score = value
    survey.comment = (comment or "").strip()[:2000]
    survey.answered_at = now
    survey.save(update_fields=["score", "comment", "answered_at"])
    return survey
