from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kotapintar.core.personal_data import identity_blind_index
from kotapintar.testing.factories import DEFAULT_PASSWORD, CitizenFactory
from kotapintar.testing.permissions import Actors, assert_permission_matrix

pytestmark = pytest.mark.django_db

NIK = "1271011708850001"


def test_me_endpoint_needs_authentication() -> None:
    assert_permission_matrix(
        APIClient,
        reverse("api-me"),
        "get",
        {
            "anonymous": 401,
            "citizen": 200,
            "other_citizen": 200,
            "officer_other_agency": 200,
            "officer": 200,
            "admin": 200,
        },
        Actors.around(),
    )


def test_me_returns_own_profile_with_nik_and_phone_masked() -> None:
    user = CitizenFactory(
        email="ani@contoh.id", full_name="Ani Lubis", nik=NIK, phone="+6281234567890"
    )
    client = APIClient()
    client.force_authenticate(user)

    data = client.get(reverse("api-me")).json()

    assert data == {
        "id": user.pk,
        "email": "ani@contoh.id",
        "full_name": "Ani Lubis",
        "phone": "+62812****7890",
        "nik": "1271********0001",
        "preferred_language": "id",
        "role": "citizen",
        "agency": None,
        "unit": None,
        "email_confirmed": True,
    }


def test_me_patch_sets_nik_and_phone_and_returns_them_masked() -> None:
    user = CitizenFactory(full_name="Ani")
    client = APIClient()
    client.force_authenticate(user)

    response = client.patch(
        reverse("api-me"), {"nik": "12.71.01.170885.0001", "phone": "0812 3456 7890"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["nik"], response.json()["phone"]) == (
        "1271********0001",
        "+62812****7890",
    )
    user.refresh_from_db()
    assert (user.nik, user.nik_hash, user.phone, user.full_name) == (
        NIK,
        identity_blind_index(NIK),
        "+6281234567890",
        "Ani",
    )


def test_me_patch_with_invalid_nik_changes_nothing_and_does_not_echo_it() -> None:
    user = CitizenFactory(full_name="Ani")
    client = APIClient()
    client.force_authenticate(user)

    response = client.patch(
        reverse("api-me"), {"full_name": "Baru", "nik": "1271019999990001"}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "validation_error"
    assert list(body["error"]["fields"]) == ["nik"]
    assert "1271019999990001" not in response.content.decode()
    user.refresh_from_db()
    assert (user.full_name, user.nik) == ("Ani", "")


def test_me_patch_cannot_change_role_or_email() -> None:
    user = CitizenFactory(email="ani@contoh.id")
    client = APIClient()
    client.force_authenticate(user)

    response = client.patch(
        reverse("api-me"), {"role": "city_admin", "email": "lain@contoh.id"}, format="json"
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.role, user.email) == ("citizen", "ani@contoh.id")


def _token(client: APIClient, email: str, password: str = DEFAULT_PASSWORD) -> Any:
    return client.post(
        reverse("api-auth-token"), {"email": email, "password": password}, format="json"
    )


def test_token_is_issued_for_correct_credentials() -> None:
    user = CitizenFactory.create(email="ani@contoh.id")

    response = _token(APIClient(), "Ani@contoh.id")

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key}
    authed = APIClient(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert authed.get(reverse("api-me")).json()["id"] == user.pk


def test_token_is_refused_for_wrong_password_and_unconfirmed_email() -> None:
    CitizenFactory(email="ani@contoh.id")
    CitizenFactory(email="baru@contoh.id", email_verified_at=None)

    wrong = _token(APIClient(), "ani@contoh.id", "salah-sandi-123")
    unconfirmed = _token(APIClient(), "baru@contoh.id")

    assert wrong.status_code == 400
    assert unconfirmed.status_code == 403
    assert unconfirmed.json()["error"]["code"] == "email_unconfirmed"
    assert Token.objects.count() == 0


def test_token_endpoint_is_rate_limited() -> None:
    client = APIClient()
    statuses = [_token(client, f"x{n}@contoh.id").status_code for n in range(11)]

    assert statuses == [400] * 10 + [429]
    assert Token.objects.count() == 0


def test_token_endpoint_applies_the_login_lockout() -> None:
    CitizenFactory(email="ani@contoh.id")
    client = APIClient()
    statuses = [_token(client, "ani@contoh.id", "salah-sandi-123").status_code for _ in range(5)]
    locked = _token(client, "ani@contoh.id")

    assert statuses == [400, 400, 400, 400, 429]
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "throttled"
    assert Token.objects.count() == 0
