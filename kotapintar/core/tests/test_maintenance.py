"""MAINTENANCE_MODE: writes are refused with 503 and the offline services; reading works."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kotapintar.complaints.models import Complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def maintenance(settings: Any) -> Any:
    settings.MAINTENANCE_MODE = True
    settings.MAINTENANCE_UNTIL = "Senin, 30 November 2026 pukul 06.00 WIB"
    settings.MAINTENANCE_OFFLINE_SERVICES = "Kantor Camat Medan Kota, Jl. Sisingamangaraja No. 1"
    return settings


def test_post_is_refused_with_503_in_indonesian_and_nothing_is_stored(
    maintenance: Any, client: Client
) -> None:
    before = Complaint.objects.count()

    response = client.post("/pengaduan/lapor/", {"title": "Jalan rusak"})

    assert response.status_code == 503
    assert response["Retry-After"] == "1800"
    body = response.content.decode()
    assert "<h1>Sedang pemeliharaan</h1>" in body
    assert "Layanan sedang dalam pemeliharaan; tidak ada yang tersimpan." in body
    assert "Perkiraan kembali normal: Senin, 30 November 2026 pukul 06.00 WIB." in body
    assert "Kantor Camat Medan Kota, Jl. Sisingamangaraja No. 1" in body
    assert "di kantor kecamatan Anda" in body
    assert Complaint.objects.count() == before


def test_login_post_is_refused_too(maintenance: Any, client: Client) -> None:
    response = client.post("/akun/masuk/", {"username": "a@contoh.id", "password": "x"})
    assert response.status_code == 503


def test_api_write_gets_the_json_error_shape(maintenance: Any, client: Client) -> None:
    response = client.post("/api/v1/complaints/", {}, content_type="application/json")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "maintenance"


def test_get_pages_work_and_show_the_banner(maintenance: Any, client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    body = response.content.decode()
    assert '<div class="maintenance-banner" role="status">' in body
    assert "Sedang pemeliharaan" in body
    assert "Layanan tatap muka: Kantor Camat Medan Kota" in body


def test_without_maintenance_mode_there_is_no_banner_and_posts_pass(client: Client) -> None:
    assert "maintenance-banner" not in client.get("/").content.decode()
    response = client.post("/akun/masuk/", {"username": "a@contoh.id", "password": "x"})
    assert response.status_code != 503
