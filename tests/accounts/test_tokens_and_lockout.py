"""Production sign-in: API tokens that expire and can be revoked, and lockout after repeated wrong passwords on
the token endpoint, the sign-in page and the admin sign-in page (django-axes), with a clear message."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
LOCKED_EN = "Too many failed sign-in attempts: this account is locked on this address for 15 minutes."
LOCKED_ZH = "登录失败次数过多：该账号在此地址已被锁定 15 分钟。"


@pytest.fixture
def alice(make_user):
    return make_user("alice", "bid_manager", password="correct-horse")


def _token(client: APIClient, username: str = "alice", password: str = "correct-horse", **extra):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json", **extra)


# --- tokens -----------------------------------------------------------------------------------------------------


def test_a_token_works_until_it_expires_seven_days_later(alice):
    # given a token issued now
    client = APIClient()
    issued = _token(client)
    assert issued.status_code == 200
    body = issued.json()
    assert set(body) == {"token", "expires_at"} and len(body["token"]) == 64
    row = ApiToken.objects.get(user=alice)
    assert row.expires_at - row.created_at == timedelta(hours=168)
    assert body["token"] not in {row.digest, row.prefix}  # only the digest is kept

    # then it opens the API, and records its use
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get("/api/v1/customers/").json()["count"] == 0
    assert ApiToken.objects.get(pk=row.pk).last_used_at is not None

    # and one second after its expiry it is refused with a message saying so
    with time_machine.travel(row.expires_at + timedelta(seconds=1)):
        expired = client.get("/api/v1/customers/")
    assert expired.status_code == 401
    assert expired.json()["code"] == "token_expired"
    assert "expired" in expired.json()["detail"]


def test_a_revoked_token_is_refused_and_the_others_still_work(alice):
    client, other = APIClient(), APIClient()
    first, second = _token(client).json()["token"], _token(other).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    other.credentials(HTTP_AUTHORIZATION=f"Token {second}")

    # when the first token revokes itself
    revoked = client.post("/api/v1/auth/token/revoke/", {}, format="json")
    assert revoked.json() == {"revoked": 1}

    # then it is refused from now on, and the second is not
    again = client.get("/api/v1/customers/")
    assert again.status_code == 401 and again.json()["code"] == "token_revoked"
    assert other.get("/api/v1/customers/").status_code == 200

    # and "all" revokes every token of the user that is still live
    assert other.post("/api/v1/auth/token/revoke/", {"all": True}, format="json").json() == {"revoked": 1}
    assert other.get("/api/v1/customers/").status_code == 401
    assert ApiToken.objects.filter(user=alice, revoked_at__isnull=True).count() == 0


def test_an_unknown_token_and_an_inactive_user_are_refused(alice):
    client = APIClient()
    key = _token(client).json()["token"]
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert client.get("/api/v1/customers/").json()["code"] == "invalid_token"
    alice.is_active = False
    alice.save()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/customers/")
    assert response.status_code == 401 and response.json()["code"] == "user_inactive"


def test_revoking_without_a_token_asks_for_all(client_for, alice):
    response = client_for(alice).post("/api/v1/auth/token/revoke/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["all"]


def test_old_dead_tokens_are_purged_when_a_new_one_is_issued(alice):
    client = APIClient()
    _token(client)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(days=31))
    _token(client)
    assert ApiToken.objects.filter(user=alice).count() == 1


# --- lockout ----------------------------------------------------------------------------------------------------


def test_the_token_endpoint_locks_out_after_five_wrong_passwords_even_the_right_one(alice):
    client = APIClient()
    # given five wrong passwords from one address: the fifth already locks the pair out
    for _ in range(4):
        wrong = _token(client, password="wrong")
        assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_credentials"
    assert _token(client, password="wrong").status_code == 429

    # when the right password follows
    locked = _token(client)

    # then it is refused with 429 and a message saying why and for how long; no token was made
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert locked.json()["detail"].startswith(LOCKED_EN)
    assert ApiToken.objects.count() == 0
    # in Chinese too
    zh = _token(client, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.status_code == 429 and zh.json()["detail"].startswith(LOCKED_ZH)

    # while the same user from another address, and another user from this one, are not locked out
    assert _token(client, REMOTE_ADDR="10.1.2.3").status_code == 200

    # and after the cool-off of 15 minutes the right password works again from the first address
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert _token(client).status_code == 200


def test_a_success_before_the_limit_resets_the_count(alice):
    client = APIClient()
    for _ in range(4):
        _token(client, password="wrong")
    assert _token(client).status_code == 200
    for _ in range(4):
        _token(client, password="wrong")
    assert _token(client).status_code == 200


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_the_sign_in_pages_lock_out_with_a_message(alice, url):
    alice.is_staff = True
    alice.save()
    browser = Client()
    for _ in range(4):
        wrong = browser.post(url, {"username": "alice", "password": "wrong"})
        assert wrong.status_code == 200  # the form again, with its error
    assert browser.post(url, {"username": "alice", "password": "wrong"}).status_code == 429
    locked = browser.post(url, {"username": "alice", "password": "correct-horse"})
    assert locked.status_code == 429
    page = locked.content.decode()
    assert LOCKED_EN in page and 'id="lockout-message"' in page
    assert "_auth_user_id" not in browser.session
    zh = browser.post(url, {"username": "alice", "password": "correct-horse"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.status_code == 429 and LOCKED_ZH in zh.content.decode()


def test_the_right_password_signs_in_before_any_lockout(alice):
    browser = Client()
    response = browser.post("/login/", {"username": "alice", "password": "correct-horse"})
    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(alice.pk)
