from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.translation import override

from kotapintar.accounts.models import User
from kotapintar.accounts.roles import Role
from kotapintar.accounts.services import officer_create
from kotapintar.testing.factories import (
    DEFAULT_PASSWORD,
    CitizenFactory,
    CityAdminFactory,
    ServiceUnitFactory,
)

pytestmark = pytest.mark.django_db

Committed = Callable[[], AbstractContextManager[Any]]


def _login(client: Client, email: str, password: str = DEFAULT_PASSWORD) -> Any:
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_confirmed_citizen_logs_in_and_gets_their_language(client: Client) -> None:
    user = CitizenFactory(email="ani@contoh.id", preferred_language="en")

    response = _login(client, "ANI@contoh.id")

    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_unconfirmed_email_cannot_log_in_and_is_offered_a_new_link(client: Client) -> None:
    CitizenFactory(email="baru@contoh.id", email_verified_at=None)

    with override("en"):
        response = _login(client, "baru@contoh.id")

    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "email_unconfirmed")
    assert reverse("accounts:resend_confirmation") in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_password_is_refused_with_a_generic_message(client: Client) -> None:
    CitizenFactory(email="ani@contoh.id")

    response = _login(client, "ani@contoh.id", "salah-sandi-123")

    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "invalid_login")
    assert "_auth_user_id" not in client.session


def test_wrong_password_five_times_locks_the_account_for_this_ip(client: Client) -> None:
    CitizenFactory(email="ani@contoh.id")
    for _attempt in range(4):
        assert _login(client, "ani@contoh.id", "salah-sandi-123").status_code == 200

    response = _login(client, "ani@contoh.id", "salah-sandi-123")

    assert response.status_code == 429
    assert "accounts/lockout.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert 'role="alert"' in html and 'name="password"' in html
    # Even the right password is refused while locked out.
    response = _login(client, "ani@contoh.id")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_logout_needs_post(client: Client) -> None:
    user = CitizenFactory()
    client.force_login(user)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.session.get("_auth_user_id") == str(user.pk)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_answers_the_same_for_unknown_email_and_mails_known_ones(
    client: Client, committed: Committed
) -> None:
    CitizenFactory(email="ani@contoh.id")
    url = reverse("accounts:password_reset")

    with committed():
        known = client.post(url, {"email": "ani@contoh.id"})
        unknown = client.post(url, {"email": "siapa@contoh.id"})

    assert (known.status_code, known["Location"]) == (302, reverse("accounts:password_reset_done"))
    assert (unknown.status_code, unknown["Location"]) == (
        302,
        reverse("accounts:password_reset_done"),
    )
    assert [m.to for m in mail.outbox] == [["ani@contoh.id"]]
    assert "/akun/kata-sandi/atur/" in mail.outbox[0].body


def test_new_officer_sets_password_from_the_email_link_and_can_log_in(
    client: Client, committed: Committed, audit_calls: list[dict[str, Any]]
) -> None:
    unit = ServiceUnitFactory()
    with committed():
        officer = officer_create(
            email="petugas.baru@pemko.contoh.id",
            full_name="Petugas Baru",
            role=Role.OFFICER,
            agency=unit.agency,
            unit=unit,
            created_by=CityAdminFactory(),
        )
    assert not officer.has_usable_password()
    assert officer.email_verified_at is None
    body = mail.outbox[0].body
    path = re.search(r"https?://[^/\s]+(/akun/kata-sandi/atur/\S+/)", body).group(1)

    response = client.get(path, follow=True)
    set_password_url = response.redirect_chain[-1][0]
    response = client.post(
        set_password_url,
        {"new_password1": "sandi-baru-Kuat-77", "new_password2": "sandi-baru-Kuat-77"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    officer.refresh_from_db()
    assert officer.check_password("sandi-baru-Kuat-77")
    assert officer.email_verified_at is not None
    assert _login(Client(), "petugas.baru@pemko.contoh.id", "sandi-baru-Kuat-77").status_code == 302
    assert [c["action"] for c in audit_calls] == [
        "accounts.officer_created",
        "accounts.password_reset",
    ]


def test_password_change_needs_the_old_password(
    client: Client, audit_calls: list[dict[str, Any]]
) -> None:
    user = CitizenFactory()
    client.force_login(user)
    url = reverse("accounts:password_change")
    new = "sandi-baru-Kuat-77"

    refused = client.post(
        url, {"old_password": "salah", "new_password1": new, "new_password2": new}
    )
    assert refused.status_code == 200
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    assert audit_calls == []

    accepted = client.post(
        url, {"old_password": DEFAULT_PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert accepted.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    assert [c["action"] for c in audit_calls] == ["accounts.password_changed"]


def test_password_change_page_requires_login(client: Client) -> None:
    response = client.get(reverse("accounts:password_change"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert User.objects.count() == 0
