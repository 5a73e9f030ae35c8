from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation


@pytest.mark.usefixtures("north_sumatra")
def test_kelurahan_options_for_a_kecamatan(client: Client) -> None:
    url = reverse("regions:village-options")
    assert url == "/wilayah/kelurahan/"

    with translation.override("en"):
        response = client.get(url, {"kecamatan": "12.71.01"}, HTTP_COOKIE="django_language=en")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<option") == 13  # placeholder + 12 kelurahan of Medan Kota
    assert '<option value="">' in html
    assert '<option value="12.71.01.1001">Pasar Baru</option>' in html
    assert "selected" not in html


@pytest.mark.usefixtures("north_sumatra")
def test_kelurahan_options_keep_the_selected_value(client: Client) -> None:
    response = client.get(
        "/wilayah/kelurahan/", {"kecamatan": "12.71.01", "selected": "12.71.01.1002"}
    )
    assert '<option value="12.71.01.1002" selected>Pusat Pasar</option>' in response.text


@pytest.mark.usefixtures("north_sumatra")
@pytest.mark.parametrize("query", [{}, {"kecamatan": "12.71.99"}, {"kecamatan": "x' OR 1=1"}])
def test_unknown_kecamatan_gives_only_the_placeholder(
    client: Client, query: dict[str, str]
) -> None:
    response = client.get("/wilayah/kelurahan/", query)
    assert response.status_code == 200
    assert response.text.count("<option") == 1


@pytest.mark.django_db
def test_kelurahan_options_refuse_post(client: Client) -> None:
    assert client.post("/wilayah/kelurahan/", {"kecamatan": "12.71.01"}).status_code == 405


@pytest.mark.usefixtures("north_sumatra")
def test_kelurahan_names_are_escaped(client: Client) -> None:
    from kotapintar.regions.models import Village

    Village.objects.filter(code="12.71.01.1001").update(name="<b>Pasar</b>")
    response = client.get("/wilayah/kelurahan/", {"kecamatan": "12.71.01"})
    assert "&lt;b&gt;Pasar&lt;/b&gt;" in response.text
    assert "<b>" not in response.text
