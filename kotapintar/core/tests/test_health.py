import pytest
from django.test import Client


@pytest.mark.django_db
def test_readyz_reports_database_ok(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_needs_no_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_unknown_api_path_answers_with_the_api_error_shape(client: Client) -> None:
    response = client.get("/api/v1/tidak-ada/1271011708850001/")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Data tidak ditemukan."}}


@pytest.mark.django_db
def test_unknown_page_is_html_and_does_not_echo_the_path(client: Client) -> None:
    response = client.get("/halaman-tidak-ada/1271011708850001/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"1271011708850001" not in response.content
    assert "Halaman tidak ditemukan" in response.content.decode()


@pytest.mark.django_db
def test_pages_are_indonesian_even_when_the_browser_asks_for_english(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "id"
    assert "Layanan publik" in response.content.decode()


@pytest.mark.django_db
def test_the_language_switch_cookie_gives_english_pages(client: Client) -> None:
    client.cookies["django_language"] = "en"
    response = client.get("/")
    assert response["Content-Language"] == "en"
    assert "Public services" in response.content.decode()


@pytest.mark.django_db
def test_api_clients_negotiate_the_language_with_accept_language(client: Client) -> None:
    response = client.get("/api/v1/tidak-ada/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == "Not found."
