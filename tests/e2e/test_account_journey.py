"""A citizen registers, confirms the e-mail address, logs in, switches to English, logs out."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail

from kotapintar.accounts.models import User

PASSWORD = "pasar-ikan-Medan-2024"


def _submit(page: Any) -> None:
    page.locator("main form button[type=submit]").click()


def test_citizen_registers_confirms_logs_in_switches_language_and_logs_out(
    page: Any, live_server: Any, immediate_tasks: None
) -> None:
    page.goto("/akun/daftar/")
    assert page.locator("html").get_attribute("lang") == "id"
    page.fill("#id_email", "rina.siregar@contoh.id")
    page.fill("#id_full_name", "Rina Siregar")
    page.fill("#id_phone", "0812 3456 7890")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    _submit(page)
    page.wait_for_url("**/akun/daftar/terkirim/")

    # The confirmation e-mail was sent by the task after the registration committed.
    assert len(mail.outbox) == 1
    match = re.search(r"https?://[^/\s]+(/akun/konfirmasi-email/\S+/)", str(mail.outbox[0].body))
    assert match is not None
    page.goto(match.group(1))
    assert User.objects.get(email="rina.siregar@contoh.id").email_verified_at is None
    _submit(page)
    page.wait_for_url("**/akun/masuk/")
    assert User.objects.get(email="rina.siregar@contoh.id").email_verified_at is not None

    page.fill("#id_username", "rina.siregar@contoh.id")
    page.fill("#id_password", PASSWORD)
    _submit(page)
    page.wait_for_url(live_server.url + "/")
    assert page.locator("form[action='/akun/keluar/']").count() == 1

    page.goto("/akun/profil/")
    assert "1271" not in page.content()  # no NIK recorded, nothing to show
    page.select_option("#id_preferred_language", "en")
    _submit(page)
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Profile"
    assert User.objects.get(email="rina.siregar@contoh.id").preferred_language == "en"

    page.locator("form[action='/akun/keluar/'] button").click()
    page.wait_for_url(live_server.url + "/")
    assert page.locator("a[href='/akun/masuk/']").count() == 1
    page.goto("/akun/profil/")
    assert "/akun/masuk/" in page.url
