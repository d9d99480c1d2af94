"""The satisfaction survey of a closed request: issuing (nonce, expiry, e-mail after commit), the signed link,
answering once, and the public page without an account, Chinese first."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from backend.core.errors import Conflict, NotFound, ValidationFailed
from backend.service.choices import RequestStatus
from backend.service.models import Survey
from backend.service.survey import (
    SALT,
    SurveyExpired,
    survey_answer,
    survey_issue,
    survey_link,
    survey_open,
    survey_token,
    survey_url,
)
from tests.factories import ContactFactory, CsatServiceRequestFactory

CLOSED_AT = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
def closed_request(db):
    contact = ContactFactory(email="wang.li@customer.example.cn", name="王丽")
    return CsatServiceRequestFactory(
        customer=contact.customer, contact=contact, status=RequestStatus.CLOSED, subject="核心交换机端口故障"
    )


def _issue(request, now=CLOSED_AT) -> Survey:
    with transaction.atomic():
        return survey_issue(request=request, now=now)


# --- issuing ------------------------------------------------------------------------------------------------


def test_issue_creates_a_survey_expiring_after_the_configured_days(
    closed_request, settings, django_capture_on_commit_callbacks
):
    settings.SERVICE_SURVEY_DAYS = 14
    with django_capture_on_commit_callbacks(execute=True):
        survey = survey_issue(request=closed_request, now=CLOSED_AT)
    assert survey.request == closed_request
    assert survey.sent_at == CLOSED_AT
    assert survey.expires_at == datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
    assert len(survey.nonce) == 32 and survey.answered_at is None and survey.score is None
    # the contact got the link, in both languages, after commit
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["wang.li@customer.example.cn"]
    assert closed_request.code in message.subject
    assert "满意度" in message.subject and "打分" in message.body and "rate our service" in message.body
    assert survey_link(survey) in message.body
    assert survey_link(survey).startswith(settings.SICRM_BASE_URL)


def test_two_surveys_have_different_nonces_and_tokens(closed_request):
    first, second = _issue(closed_request), _issue(closed_request)
    assert first.nonce != second.nonce
    assert survey_token(first) != survey_token(second)


def test_no_email_without_a_contact_address_the_link_is_still_there(db, django_capture_on_commit_callbacks):
    request = CsatServiceRequestFactory(contact=None, status=RequestStatus.CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        survey = survey_issue(request=request, now=CLOSED_AT)
    assert mail.outbox == []
    assert survey_url(survey).startswith("/service/survey/")


def test_nothing_is_sent_when_the_close_rolls_back(closed_request, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        survey_issue(request=closed_request, now=CLOSED_AT)
        raise RuntimeError("close failed")
    assert mail.outbox == []
    assert not Survey.objects.exists()


# --- answering --------------------------------------------------------------------------------------------


def test_answer_stores_score_comment_and_time(closed_request):
    survey = _issue(closed_request)
    answered = survey_answer(
        token=survey_token(survey), score="4", comment="  响应很快 ", now=CLOSED_AT + timedelta(hours=3)
    )
    survey.refresh_from_db()
    assert (survey.score, survey.comment, survey.answered_at) == (4, "响应很快", CLOSED_AT + timedelta(hours=3))
    assert answered.pk == survey.pk


def test_a_survey_answers_once(closed_request):
    token = survey_token(_issue(closed_request))
    survey_answer(token=token, score=5, comment="", now=CLOSED_AT)
    with pytest.raises(Conflict) as err:
        survey_answer(token=token, score=1, comment="changed my mind", now=CLOSED_AT)
    assert err.value.code == "survey_answered" and err.value.status_code == 409
    assert Survey.objects.get().score == 5


def test_the_token_expires(closed_request, settings):
    settings.SERVICE_SURVEY_DAYS = 14
    token = survey_token(_issue(closed_request))
    # 13 days later it opens; 14 days later (to the minute) it is gone
    assert survey_open(token=token, now=CLOSED_AT + timedelta(days=13, hours=23)).request == closed_request
    with time_machine.travel(CLOSED_AT + timedelta(days=14), tick=False), pytest.raises(SurveyExpired) as err:
        survey_answer(token=token, score=5, comment="")
    assert err.value.status_code == 410 and err.value.code == "survey_expired"
    assert "2026-06-15" in err.value.message
    assert Survey.objects.get().answered_at is None


def test_a_superseded_survey_is_refused(closed_request):
    # reopened and closed again: a new survey; the first link no longer answers
    old = _issue(closed_request)
    new = _issue(closed_request, now=CLOSED_AT + timedelta(days=2))
    with pytest.raises(Conflict) as err:
        survey_answer(token=survey_token(old), score=2, comment="", now=CLOSED_AT + timedelta(days=3))
    assert err.value.code == "survey_superseded"
    survey_answer(token=survey_token(new), score=3, comment="", now=CLOSED_AT + timedelta(days=3))
    assert list(Survey.objects.order_by("pk").values_list("score", flat=True)) == [None, 3]


@pytest.mark.parametrize("score", [0, 6, -1, "", "4.5", "five", None, True])
def test_score_outside_1_to_5_is_refused(closed_request, score):
    token = survey_token(_issue(closed_request))
    with pytest.raises(ValidationFailed) as err:
        survey_answer(token=token, score=score, comment="", now=CLOSED_AT)
    assert err.value.code == "invalid_score" and err.value.status_code == 400
    assert Survey.objects.get().answered_at is None


@pytest.mark.parametrize("score", [1, 5, "1", "5"])
def test_score_bounds_are_accepted(closed_request, score):
    survey_answer(token=survey_token(_issue(closed_request)), score=score, comment="", now=CLOSED_AT)
    assert Survey.objects.get().score == int(score)


def test_tampered_random_and_foreign_tokens_are_refused(closed_request):
    survey = _issue(closed_request)
    token = survey_token(survey)
    forged_nonce = signing.Signer(salt=SALT).sign_object({"s": survey.pk, "n": "0" * 32})
    other_salt = signing.Signer(salt="sicrm.other").sign_object({"s": survey.pk, "n": survey.nonce})
    unsigned = signing.Signer(key="not-our-secret", salt=SALT).sign_object({"s": survey.pk, "n": survey.nonce})
    missing = signing.Signer(salt=SALT).sign_object({"s": survey.pk + 1000, "n": survey.nonce})
    wrong_shape = signing.Signer(salt=SALT).sign_object(["x"])
    for bad in [
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        "random-token",
        str(survey.pk),
        forged_nonce,
        other_salt,
        unsigned,
        missing,
        wrong_shape,
    ]:
        with pytest.raises(NotFound) as err:
            survey_answer(token=bad, score=5, comment="", now=CLOSED_AT)
        assert err.value.code == "survey_invalid", bad
    assert Survey.objects.get().answered_at is None


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_store_one():
    contact = ContactFactory(email="")
    request = CsatServiceRequestFactory(customer=contact.customer, contact=contact, status=RequestStatus.CLOSED)
    token = survey_token(survey_issue(request=request, now=timezone.now()))
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def answer(score: int) -> None:
        try:
            barrier.wait(timeout=10)
            survey_answer(token=token, score=score, comment=f"thread {score}")
            outcomes.append("stored")
        except Conflict as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(score,)) for score in (2, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes, key=str) == ["stored", "survey_answered"]
    survey = Survey.objects.get()
    assert survey.score in (2, 5) and survey.comment == f"thread {survey.score}"


# --- the public page --------------------------------------------------------------------------------------


def test_page_in_chinese_without_login_and_answer(closed_request):
    survey = _issue(closed_request, now=CLOSED_AT)
    client = Client(enforce_csrf_checks=True)
    url = survey_url(survey)
    with time_machine.travel(CLOSED_AT + timedelta(hours=1), tick=False):
        page = client.get(url)  # no Accept-Language: Chinese
        assert page.status_code == 200
        html = page.content.decode()
        assert "服务满意度调查" in html
        assert "非常满意" in html and "非常不满意" in html
        assert closed_request.code in html and "核心交换机端口故障" in html
        assert 'lang="zh-hans"' in html
        assert "<script>" not in html and "onclick" not in html  # the CSP allows no inline script
        csrf = client.cookies["csrftoken"].value
        answered = client.post(url, {"score": "5", "comment": "工程师很专业", "csrfmiddlewaretoken": csrf})
        assert answered.status_code == 200
        assert "感谢您的反馈" in answered.content.decode()
        again = client.get(url)
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (5, "工程师很专业")
    assert again.status_code == 409
    assert "已经提交" in again.content.decode() or "已提交" in again.content.decode()
    assert "Content-Security-Policy" in page.headers
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]


def test_page_follows_an_english_browser(closed_request):
    survey = _issue(closed_request, now=CLOSED_AT)
    with time_machine.travel(CLOSED_AT, tick=False):
        page = Client().get(survey_url(survey), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200
    assert "Very satisfied" in page.content.decode()
    assert "非常满意" not in page.content.decode()


def test_page_without_a_score_says_so(closed_request):
    survey = _issue(closed_request, now=CLOSED_AT)
    with time_machine.travel(CLOSED_AT, tick=False):
        page = Client().post(survey_url(survey), {"comment": "没选分"})
    assert page.status_code == 400
    assert "请选择" in page.content.decode()
    assert Survey.objects.get().answered_at is None


def test_page_refusals_have_their_status_and_message(closed_request, settings):
    settings.SERVICE_SURVEY_DAYS = 14
    survey = _issue(closed_request, now=CLOSED_AT)
    client = Client()
    invalid = client.get("/service/survey/not-a-real-token/")
    assert invalid.status_code == 404 and "链接无效" in invalid.content.decode()
    assert "/login/" not in invalid.get("Location", "")
    with time_machine.travel(CLOSED_AT + timedelta(days=15), tick=False):
        expired = client.get(survey_url(survey))
        posted = client.post(survey_url(survey), {"score": "5"})
    assert expired.status_code == 410 and "2026-06-15" in expired.content.decode()
    assert posted.status_code == 410
    newer = _issue(closed_request, now=CLOSED_AT + timedelta(days=1))
    with time_machine.travel(CLOSED_AT + timedelta(days=2), tick=False):
        superseded = client.get(survey_url(survey))
        assert client.get(survey_url(newer)).status_code == 200
    assert superseded.status_code == 409 and "新的" in superseded.content.decode()
