"""The API answers every error in one shape: {"error": {"code", "message", "fields"?}}."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from kotapintar.accounts.models import User
from kotapintar.agencies.models import Agency
from kotapintar.testing.factories import CityAdminFactory, UserFactory

pytestmark = pytest.mark.urls("kotapintar.core.tests.test_api_urls")

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _error(response: Any) -> dict[str, Any]:
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    return body["error"]


@pytest.mark.django_db
def test_meta_describes_the_deployment_without_login(client: Client) -> None:
    response = client.get("/api/v1/meta/", **EN)

    assert response.status_code == 200
    assert response.json() == {
        "platform": "Kota Pintar",
        "version": "0.1.0",
        "api_version": "v1",
        "region_code": "12.71",
        "city_name": "12.71",  # no regions loaded and KOTAPINTAR_CITY_NAME unset in tests
        "language": "en",
        "time_zone": "Asia/Jakarta",
    }


@pytest.mark.django_db
def test_meta_uses_the_loaded_city_name(client: Client) -> None:
    from kotapintar.testing.factories import RegencyFactory

    RegencyFactory(code="12.71", name="KOTA MEDAN")

    assert client.get("/api/v1/meta/").json()["city_name"] == "Kota Medan"


@pytest.mark.django_db
def test_validation_error_lists_fields_with_nested_paths(client: Client) -> None:
    client.force_login(UserFactory())

    response = client.post(
        "/api/v1/test/private/",
        {"title": "far too long a title", "address": {}, "items": [{"quantity": 1}, {}]},
        content_type="application/json",
        **EN,
    )

    assert response.status_code == 400
    assert _error(response) == {
        "code": "validation_error",
        "message": "The submitted data is not valid.",
        "fields": {
            "title": ["Ensure this field has no more than 10 characters."],
            "address.street": ["This field is required."],
            "items.1.quantity": ["This field is required."],
        },
    }


@pytest.mark.django_db
def test_non_field_validation_error_becomes_the_message(client: Client) -> None:
    client.force_login(UserFactory())

    response = client.post(
        "/api/v1/test/private/",
        {"title": "forbidden", "address": {"street": "Jl. Mawar"}, "items": []},
        content_type="application/json",
        **EN,
    )

    assert response.status_code == 400
    assert _error(response) == {
        "code": "validation_error",
        "message": "This title cannot be used.",
        "fields": {},
    }


@pytest.mark.django_db
def test_malformed_json_is_a_parse_error(client: Client) -> None:
    client.force_login(UserFactory())

    response = client.post(
        "/api/v1/test/private/", "{not json", content_type="application/json", **EN
    )

    assert response.status_code == 400
    assert _error(response)["code"] == "parse_error"


@pytest.mark.django_db
def test_django_validation_error_from_a_service_keeps_fields_and_message(client: Client) -> None:
    response = client.post("/api/v1/test/service-error/", **EN)

    assert response.status_code == 400
    assert _error(response) == {
        "code": "validation_error",
        "message": "The application is closed.",
        "fields": {"nik": ["A NIK has 16 digits."]},
    }


@pytest.mark.django_db
def test_single_django_validation_error_becomes_the_message(client: Client) -> None:
    response = client.post("/api/v1/test/service-single-error/", **EN)

    assert response.status_code == 400
    assert _error(response) == {
        "code": "validation_error",
        "message": "This service is not available today.",
        "fields": {},
    }


@pytest.mark.django_db
def test_anonymous_request_is_401_with_token_challenge(client: Client) -> None:
    response = client.get("/api/v1/test/private/", **EN)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert _error(response) == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
    }


@pytest.mark.django_db
def test_wrong_token_is_401_authentication_failed(client: Client) -> None:
    response = client.get("/api/v1/test/private/", HTTP_AUTHORIZATION="Token nope", **EN)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert _error(response) == {"code": "authentication_failed", "message": "Invalid token."}


@pytest.mark.django_db
def test_token_authentication_works(client: Client) -> None:
    user = User.objects.create_user(email="token@contoh.id", full_name="Pemakai Token")
    token = Token.objects.create(user=user)

    response = client.get("/api/v1/test/private/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 200
    assert response.json() == {"email": "token@contoh.id"}


@pytest.mark.django_db
def test_authenticated_but_not_allowed_is_403(client: Client) -> None:
    client.force_login(UserFactory())

    response = client.get("/api/v1/test/staff-only/", **EN)

    assert response.status_code == 403
    assert _error(response) == {
        "code": "permission_denied",
        "message": "You do not have permission to perform this action.",
    }


@pytest.mark.django_db
def test_staff_only_view_admits_the_admin(client: Client) -> None:
    client.force_login(CityAdminFactory())

    assert client.get("/api/v1/test/staff-only/").status_code == 200


@pytest.mark.django_db
def test_django_permission_denied_is_403_in_the_same_shape(client: Client) -> None:
    response = client.get("/api/v1/test/denied/", **EN)

    assert response.status_code == 403
    assert _error(response)["code"] == "permission_denied"


@pytest.mark.django_db
def test_not_found_never_echoes_the_lookup(client: Client) -> None:
    response = client.get("/api/v1/test/missing/", **EN)

    assert response.status_code == 404
    assert _error(response) == {"code": "not_found", "message": "Not found."}
    assert b"1271" not in response.content


@pytest.mark.django_db
def test_wrong_method_is_405(client: Client) -> None:
    response = client.delete("/api/v1/meta/", **EN)

    assert response.status_code == 405
    assert _error(response) == {
        "code": "method_not_allowed",
        "message": 'Method "DELETE" not allowed.',
    }


@pytest.mark.django_db
def test_unexpected_exception_is_500_in_the_same_shape_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = Client(raise_request_exception=False)

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/v1/test/broken/", **EN)

    assert response.status_code == 500
    assert _error(response) == {
        "code": "server_error",
        "message": "Something went wrong on our side.",
    }
    assert b"unexpected failure" not in response.content
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelno == logging.ERROR
    # The masking filter may already have turned exc_info into (masked) exc_text.
    traceback_text = record.exc_text or logging.Formatter().formatException(record.exc_info)
    assert "RuntimeError: unexpected failure" in traceback_text


@pytest.mark.django_db
def test_unexpected_exception_still_reaches_the_test_client() -> None:
    with pytest.raises(RuntimeError, match="unexpected failure"):
        Client().get("/api/v1/test/broken/")


@pytest.mark.django_db
def test_throttled_view_is_429_with_retry_after(client: Client) -> None:
    assert client.get("/api/v1/test/throttled/").status_code == 200
    assert client.get("/api/v1/test/throttled/").status_code == 200

    response = client.get("/api/v1/test/throttled/", **EN)

    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    error = _error(response)
    assert error["code"] == "throttled"
    assert (
        error["message"] == f"Too many requests. Please wait {retry_after} s before trying again."
    )


@pytest.mark.django_db
def test_default_anonymous_rate_applies_to_meta(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})

    statuses = [client.get("/api/v1/meta/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


@pytest.mark.django_db
def test_user_rate_counts_per_user_not_per_address(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1/min", "user": "2/min"})
    first, second = UserFactory(), UserFactory()

    client.force_login(first)
    first_statuses = [client.get("/api/v1/test/private/").status_code for _ in range(3)]
    client.force_login(second)
    second_statuses = [client.get("/api/v1/test/private/").status_code for _ in range(2)]

    assert first_statuses == [200, 200, 429]
    assert second_statuses == [200, 200]


@pytest.mark.django_db
def test_denied_request_changes_nothing(client: Client) -> None:
    """A refused write (401) must not reach the view: nothing is created."""
    before = Agency.objects.count()

    response = client.post("/api/v1/test/private/", {"title": "x"}, content_type="application/json")

    assert response.status_code == 401
    assert Agency.objects.count() == before
