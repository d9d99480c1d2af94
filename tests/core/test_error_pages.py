"""The error pages a user meets (issue 12, item 2): hidden records answer 404, so users see it often — it is
in their language and keeps the navigation; 403, 400 and 500 likewise; the site has an icon."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views import defaults

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_hidden_record_is_a_404_in_chinese_with_the_menu(client, make_user):
    hidden = CustomerFactory()
    client.force_login(make_user("wang", "bid_manager", language="zh-hans"))
    response = client.get(f"/customers/{hidden.pk}/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "该页面不存在，或您无权查看" in page and "请联系记录负责人或您的部门负责人" in page
    assert 'href="/customers/"' in page and ">客户<" in page  # the navigation stays
    assert 'rel="icon"' in page


def test_403_and_400_pages_are_translated_and_keep_the_menu(make_user):
    request = RequestFactory().get("/projects/")
    request.user = make_user("li", "engineer")
    with translation.override("zh-hans"):
        forbidden = defaults.permission_denied(request, PermissionError()).content.decode()
        bad = defaults.bad_request(request, ValueError()).content.decode()
    assert "您无权执行此操作" in forbidden and 'href="/projects/"' in forbidden
    assert "无法理解该请求" in bad and 'href="/projects/"' in bad


def test_the_500_page_needs_no_context_and_is_translated():
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        response = defaults.server_error(request)
    page = response.content.decode()
    assert response.status_code == 500 and "系统出现错误" in page and "错误已记录" in page
    with translation.override("en"):
        assert "Something went wrong on our side" in defaults.server_error(request).content.decode()


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("/sicrm/favicon.svg")
    assert client.get(response["Location"]).status_code == 200


def test_the_language_switch_is_saved_on_the_user_and_follows_them(client, make_user):
    user = make_user("zhao", "bid_manager")
    client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/customers/"})
    assert response.status_code == 302 and response["Location"] == "/customers/"
    user.refresh_from_db()
    assert user.language == "zh-hans"
    # a new session (another device, no cookie, an English browser) still reads Chinese
    client.logout()
    client.cookies.clear()
    client.force_login(user)
    page = client.get("/customers/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">客户<" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/customers/"})
    user.refresh_from_db()
    assert user.language == "en"
    assert ">Customers<" in client.get("/customers/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
