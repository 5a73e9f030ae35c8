from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.translation import override

from kotapintar.accounts.models import User
from kotapintar.accounts.roles import Role
from kotapintar.accounts.tokens import email_confirmation_token_make
from kotapintar.testing.factories import CitizenFactory

pytestmark = pytest.mark.django_db

Committed = Callable[[], AbstractContextManager[Any]]
GOOD_PASSWORD = "pasar-ikan-Medan-2024"


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "email": "Siti.Rahma@Contoh.id",
        "full_name": "Siti Rahmawati",
        "phone": "0812-3456-7890",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }
    data.update(overrides)
    return data


def _confirmation_path(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/akun/konfirmasi-email/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def test_registration_creates_unconfirmed_citizen_and_emails_confirmation_link(
    client: Client, committed: Committed, audit_calls: list[dict[str, Any]]
) -> None:
    with committed():
        response = client.post(reverse("accounts:register"), _form())

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:confirmation_sent")
    user = User.objects.get()
    assert user.email == "siti.rahma@contoh.id"
    assert user.full_name == "Siti Rahmawati"
    assert user.role == Role.CITIZEN
    assert user.phone == "+6281234567890"
    assert user.email_verified_at is None
    assert user.check_password(GOOD_PASSWORD)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["siti.rahma@contoh.id"]
    assert "/akun/konfirmasi-email/" in mail.outbox[0].body
    assert [c["action"] for c in audit_calls] == ["accounts.user_registered"]
    # Personal data never reaches the audit log in clear.
    assert "+6281234567890" not in repr(audit_calls)


def test_registration_with_registered_email_answers_the_same_and_emails_the_owner(
    client: Client, committed: Committed
) -> None:
    owner = CitizenFactory(email="siti.rahma@contoh.id", full_name="Siti Asli")
    password_before = owner.password

    with committed():
        response = client.post(reverse("accounts:register"), _form(full_name="Penyusup"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:confirmation_sent")
    assert User.objects.count() == 1
    owner.refresh_from_db()
    assert owner.full_name == "Siti Asli"
    assert owner.password == password_before
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["siti.rahma@contoh.id"]
    assert "/akun/konfirmasi-email/" not in mail.outbox[0].body


def test_registration_rejects_a_weak_password_and_creates_nothing(
    client: Client, committed: Committed
) -> None:
    with committed(), override("en"):
        response = client.post(
            reverse("accounts:register"), _form(password1="12345678901", password2="12345678901")
        )

    assert response.status_code == 200
    assert response.context["form"].has_error("password1", "password_entirely_numeric")
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_registration_rejects_an_invalid_phone_without_echoing_it(
    client: Client, committed: Committed
) -> None:
    with committed():
        response = client.post(reverse("accounts:register"), _form(phone="0212-555-8888"))

    assert response.status_code == 200
    assert response.context["form"].has_error("phone", "invalid_phone")
    # Shown back in the input is fine, but not inside the error text.
    errors = " ".join(response.context["form"].errors["phone"])
    assert "0212" not in errors
    assert User.objects.count() == 0


def test_registration_error_is_linked_to_its_field_for_screen_readers(client: Client) -> None:
    response = client.post(reverse("accounts:register"), _form(email="bukan-email"))

    html = response.content.decode()
    assert 'id="id_email_error"' in html
    assert re.search(r'<input[^>]*aria-describedby="id_email_error"[^>]*name="email"', html) or (
        re.search(r'<input[^>]*name="email"[^>]*aria-describedby="id_email_error"', html)
    )


@override_settings(ACCOUNTS_REGISTRATION_LIMIT=5)
def test_registration_is_rate_limited_per_ip(client: Client, committed: Committed) -> None:
    with committed():
        for n in range(5):
            response = client.post(reverse("accounts:register"), _form(email=f"w{n}@contoh.id"))
            assert response.status_code == 302
        response = client.post(reverse("accounts:register"), _form(email="w5@contoh.id"))

    assert response.status_code == 429
    assert User.objects.count() == 5
    assert not User.objects.filter(email="w5@contoh.id").exists()
    other_ip = Client(REMOTE_ADDR="10.9.8.7")
    with committed():
        response = other_ip.post(reverse("accounts:register"), _form(email="w6@contoh.id"))
    assert response.status_code == 302


def test_confirmation_link_get_changes_nothing_and_post_confirms(
    client: Client, committed: Committed, audit_calls: list[dict[str, Any]]
) -> None:
    with committed():
        client.post(reverse("accounts:register"), _form())
    path = _confirmation_path(mail.outbox[0].body)

    response = client.get(path)
    assert response.status_code == 200
    assert User.objects.get().email_verified_at is None

    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert User.objects.get().email_verified_at is not None
    assert [c["action"] for c in audit_calls][-1] == "accounts.email_confirmed"
    # Used once: the same link is no longer valid.
    assert client.get(path).status_code == 400


def test_tampered_confirmation_token_is_rejected(client: Client) -> None:
    user = CitizenFactory(email_verified_at=None)
    token = email_confirmation_token_make(user=user)

    response = client.post(reverse("accounts:confirm_email", kwargs={"token": token[:-2] + "xx"}))

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_expired_confirmation_token_is_rejected(client: Client) -> None:
    user = CitizenFactory(email_verified_at=None)
    token = email_confirmation_token_make(user=user)

    with override_settings(ACCOUNTS_EMAIL_CONFIRMATION_MAX_AGE=-1):
        response = client.post(reverse("accounts:confirm_email", kwargs={"token": token}))

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_resend_confirmation_answers_the_same_for_unknown_and_unconfirmed_addresses(
    client: Client, committed: Committed
) -> None:
    CitizenFactory(email="belum@contoh.id", email_verified_at=None)
    CitizenFactory(email="sudah@contoh.id")
    url = reverse("accounts:resend_confirmation")

    with committed():
        responses = [
            client.post(url, {"email": email})
            for email in ("belum@contoh.id", "sudah@contoh.id", "tidak-ada@contoh.id")
        ]

    assert {(r.status_code, r["Location"]) for r in responses} == {
        (302, reverse("accounts:confirmation_sent"))
    }
    assert [m.to for m in mail.outbox] == [["belum@contoh.id"]]


def test_confirmation_email_is_written_in_the_registrants_language(
    client: Client, committed: Committed
) -> None:
    with committed():
        client.post(reverse("accounts:register"), _form(), HTTP_COOKIE="django_language=en")

    user = User.objects.get()
    assert user.preferred_language == "en"
    assert mail.outbox[0].subject.startswith("Confirm your e-mail address")
