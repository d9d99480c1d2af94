"""Health check, and the error format of §5 for errors the services raise."""

import pytest
from rest_framework.test import APIRequestFactory

from backend.core.api.exceptions import exception_handler
from backend.core.errors import Conflict, NotFound, TransitionRefused, ValidationFailed


@pytest.mark.django_db
def test_healthz(client):
    body = client.get("/healthz/").json()
    assert body["database"] == "ok"
    assert "worker_seen_at" in body


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (ValidationFailed("bad", fields={"name": ["bad"]}), 400, "invalid"),
        (NotFound("gone"), 404, "not_found"),
        (Conflict("busy"), 409, "conflict"),
        (TransitionRefused("Project is in bidding"), 409, "transition_not_allowed"),
    ],
)
def test_application_errors_map_to_http_once(error, status, code):
    request = APIRequestFactory().get("/")
    response = exception_handler(error, {"request": request})
    assert response.status_code == status
    assert response.data["code"] == code and response.data["detail"] == error.message


def test_a_plain_http404_and_a_missing_row_are_404_with_a_code():
    from django.http import Http404

    from backend.projects.models import Project

    for error in (Http404("No Project matches the given query."), Project.DoesNotExist()):
        response = exception_handler(error, {"request": APIRequestFactory().get("/")})
        assert response.status_code == 404
        assert response.data == {"detail": "Not found.", "code": "not_found"}


def test_django_validation_error_is_a_400_with_field_errors():
    from django.core.exceptions import ValidationError

    response = exception_handler(ValidationError({"industry": ["Not a choice."]}), {})
    assert response.status_code == 400
    assert response.data["errors"] == {"industry": ["Not a choice."]}
    assert "industry" in response.data["detail"]
