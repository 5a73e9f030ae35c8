"""List endpoints page with ?page= and ?page_size= (default 50, at most 200)."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from kotapintar.core.api.pagination import StandardPagination
from kotapintar.testing.factories import AgencyFactory

pytestmark = pytest.mark.urls("kotapintar.core.tests.test_api_urls")

URL = "/api/v1/test/agencies/"


@pytest.fixture
def seven_agencies(db: None) -> list[str]:
    codes = [f"opd-{n:02d}" for n in range(7)]
    for code in codes:
        AgencyFactory(code=code, name=f"Dinas {code}")
    return codes


def test_page_size_parameter_pages_the_list(client: Client, seven_agencies: list[str]) -> None:
    first = client.get(URL, {"page_size": 3}).json()
    last = client.get(URL, {"page_size": 3, "page": 3}).json()

    assert first["count"] == 7
    assert [item["code"] for item in first["results"]] == seven_agencies[:3]
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/test/agencies/?page=2&page_size=3"
    assert [item["code"] for item in last["results"]] == seven_agencies[6:]
    assert last["next"] is None


def test_default_page_holds_everything_up_to_fifty(
    client: Client, seven_agencies: list[str]
) -> None:
    body = client.get(URL).json()

    assert body["count"] == 7
    assert len(body["results"]) == 7
    assert body["next"] is None


def test_page_beyond_the_end_is_404_in_the_error_shape(
    client: Client, seven_agencies: list[str]
) -> None:
    response = client.get(URL, {"page_size": 3, "page": 4}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Invalid page."}}


def test_nonsense_page_size_falls_back_to_the_default(
    client: Client, seven_agencies: list[str]
) -> None:
    for value in ("0", "-5", "abc"):
        body = client.get(URL, {"page_size": value}).json()
        assert len(body["results"]) == 7, value


@pytest.mark.parametrize(
    ("asked", "expected"), [(None, 50), ("10", 10), ("200", 200), ("1000", 200)]
)
def test_page_size_is_capped_at_two_hundred(asked: str | None, expected: int) -> None:
    params = {"page_size": asked} if asked else {}
    request = Request(APIRequestFactory().get(URL, params))

    assert StandardPagination().get_page_size(request) == expected
