"""One error path for pages: a refusal raised by a service is shown the same way everywhere — on the form or
as a message with 400/403/404/409 — and changes nothing; never a 500."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from backend.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.core.refusals import RefusalMiddleware, refusal_of, refused


class NameForm(forms.Form):
    name = forms.CharField()


def request_with_messages(method="post", path="/projects/1/", **extra):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    request = getattr(RequestFactory(), method)(path, **extra)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.parametrize(
    ("exc", "status", "code", "message"),
    [
        (ValidationFailed("名称必填", fields={"name": ["required"]}), 400, "invalid", "名称必填"),
        (PermissionDenied("你无权修改"), 403, "permission_denied", "你无权修改"),
        (NotFound("找不到"), 404, "not_found", "找不到"),
        (Conflict("已被占用", code="taken"), 409, "taken", "已被占用"),
        (ValidationError("日期无效"), 400, "invalid", "日期无效"),
        (ConcurrentTransition("x"), 409, "concurrent_change", "Someone else changed this record"),
        (TransitionNotAllowed("x"), 409, "transition_not_allowed", "not possible in the record's current state"),
    ],
)
def test_every_refusal_maps_to_one_status_code_and_message(exc, status, code, message):
    refusal = refusal_of(exc)
    assert (refusal.status, refusal.code) == (status, code)
    assert message in refusal.message


def test_refused_puts_a_field_error_on_its_field_and_stops_the_block():
    request = request_with_messages()
    form = NameForm({"name": "x"})
    assert form.is_valid()
    reached = []
    with refused(request, form=form) as refusal:
        raise ValidationFailed("这个名称已被使用", fields={"name": ["taken"]}, code="taken")
        reached.append(True)  # pragma: no cover
    assert reached == [] and bool(refusal) and refusal.status == 400
    assert form.errors == {"name": ["这个名称已被使用"]}
    assert list(get_messages(request)) == []


def test_refused_without_a_form_is_a_message_with_its_heading():
    request = request_with_messages()
    with refused(request, heading="里程碑未修改。") as refusal:
        raise PermissionDenied("只有项目经理可以验收。")
    assert refusal.status == 403
    assert [str(m) for m in get_messages(request)] == ["里程碑未修改。 只有项目经理可以验收。"]


def test_refused_lets_everything_else_through():
    request = request_with_messages()
    with pytest.raises(KeyError), refused(request):
        raise KeyError("a bug is a 500, not a message")
    with refused(request) as refusal:
        pass
    assert not refusal and refusal.refusal is None


def test_middleware_sends_a_refused_post_back_with_the_message():
    request = request_with_messages(HTTP_REFERER="http://testserver/projects/7/?tab=team")
    response = RefusalMiddleware(lambda r: None).process_exception(request, Conflict("已结束的项目不能修改。"))
    assert response.status_code == 302 and response.url == "http://testserver/projects/7/?tab=team"
    assert [str(m) for m in get_messages(request)] == ["已结束的项目不能修改。"]


def test_middleware_never_sends_back_to_another_host():
    request = request_with_messages(HTTP_REFERER="https://evil.example/")
    response = RefusalMiddleware(lambda r: None).process_exception(request, Conflict("已结束的项目不能修改。"))
    assert response.status_code == 409 and "已结束的项目不能修改。" in response.content.decode()


@pytest.mark.django_db
def test_middleware_shows_a_refused_get_with_its_status(bidmgr):
    request = request_with_messages(method="get", path="/projects/1/")
    request.user = bidmgr
    response = RefusalMiddleware(lambda r: None).process_exception(request, PermissionDenied("你无权查看。"))
    assert response.status_code == 403
    assert 'data-refusal="permission_denied"' in response.content.decode()
    assert "你无权查看。" in response.content.decode()


def test_middleware_leaves_the_api_and_other_errors_alone():
    middleware = RefusalMiddleware(lambda r: None)
    assert middleware.process_exception(request_with_messages(path="/api/v1/projects/"), Conflict("x")) is None
    assert middleware.process_exception(request_with_messages(), KeyError("bug")) is None
