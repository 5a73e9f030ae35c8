from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kotapintar.core.personal_data import identity_blind_index
from kotapintar.testing.factories import CitizenFactory
from kotapintar.testing.permissions import Actors, assert_permission_matrix

pytestmark = pytest.mark.django_db

NIK = "1271011708850001"
OTHER_NIK = "1271015505900002"


def _post(client: Client, **overrides: Any) -> Any:
    data = {"full_name": "Ani Lubis", "preferred_language": "id", "new_phone": "", "new_nik": ""}
    data.update(overrides)
    return client.post(reverse("accounts:profile"), data)


def test_profile_page_is_for_logged_in_users_only() -> None:
    assert_permission_matrix(
        Client,
        reverse("accounts:profile"),
        "get",
        {
            "anonymous": 302,
            "citizen": 200,
            "other_citizen": 200,
            "officer_other_agency": 200,
            "officer": 200,
            "admin": 200,
        },
        Actors.around(),
    )


def test_profile_shows_nik_and_phone_masked_and_never_in_clear(client: Client) -> None:
    user = CitizenFactory(nik=NIK, phone="+6281234567890")
    client.force_login(user)

    html = client.get(reverse("accounts:profile")).content.decode()

    assert "1271********0001" in html
    assert NIK not in html
    assert "81234567890" not in html
    assert 'name="new_nik"' in html and 'name="new_nik" value' not in html


def test_profile_sets_a_new_nik_with_its_blind_index(
    client: Client, audit_calls: list[dict[str, Any]]
) -> None:
    user = CitizenFactory(full_name="Ani Lubis")
    client.force_login(user)

    response = _post(client, new_nik="1271 0117 0885 0001")

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.nik == NIK
    assert user.nik_hash == identity_blind_index(NIK)
    assert [c["action"] for c in audit_calls] == ["accounts.profile_updated"]
    assert audit_calls[0]["after"] == {"nik": "1271********0001"}
    assert NIK not in repr(audit_calls)


def test_invalid_nik_is_refused_without_echo_and_changes_nothing(client: Client) -> None:
    user = CitizenFactory(full_name="Ani Lubis", nik=NIK)
    user.nik_hash = identity_blind_index(NIK)
    user.save()
    client.force_login(user)

    response = _post(client, full_name="Nama Baru", new_nik="1271019999990001")

    assert response.status_code == 200
    assert response.context["form"].has_error("new_nik", "nik_bad_date")
    assert "1271019999990001" not in " ".join(response.context["form"].errors["new_nik"])
    user.refresh_from_db()
    assert (user.full_name, user.nik, user.nik_hash) == (
        "Ani Lubis",
        NIK,
        identity_blind_index(NIK),
    )


def test_blank_new_fields_keep_nik_and_phone(client: Client) -> None:
    user = CitizenFactory(full_name="Ani Lubis", nik=NIK, phone="+6281234567890")
    client.force_login(user)

    _post(client, full_name="Ani Lubis Siregar")

    user.refresh_from_db()
    assert (user.full_name, user.nik, user.phone) == ("Ani Lubis Siregar", NIK, "+6281234567890")


def test_remove_flags_erase_nik_and_phone(client: Client) -> None:
    user = CitizenFactory(full_name="Ani Lubis", nik=NIK, phone="+6281234567890")
    client.force_login(user)

    _post(client, remove_nik="on", remove_phone="on")

    user.refresh_from_db()
    assert (user.nik, user.nik_hash, user.phone) == ("", "", "")


def test_new_value_and_remove_together_are_refused(client: Client) -> None:
    user = CitizenFactory(full_name="Ani Lubis", nik=NIK)
    client.force_login(user)

    response = _post(client, remove_nik="on", new_nik=OTHER_NIK)

    assert response.status_code == 200
    assert response.context["form"].has_error("remove_nik", "conflict")
    user.refresh_from_db()
    assert user.nik == NIK


def test_choosing_english_applies_it_at_once(client: Client) -> None:
    user = CitizenFactory(full_name="Ani Lubis")
    client.force_login(user)

    response = _post(client, preferred_language="en")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    user.refresh_from_db()
    assert user.preferred_language == "en"
    html = client.get(reverse("accounts:profile")).content.decode()
    assert '<html lang="en">' in html
