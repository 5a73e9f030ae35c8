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
