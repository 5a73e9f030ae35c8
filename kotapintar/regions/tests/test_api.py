from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from kotapintar.regions.services import boundaries_import, city_bounds_seed
from kotapintar.regions.tests import geojson_samples as samples


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.mark.usefixtures("north_sumatra")
def test_districts_lists_the_citys_kecamatan(api: APIClient) -> None:
    response = api.get("/api/v1/regions/districts/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 21
    assert body["results"][0] == {"code": "12.71.01", "name": "Medan Kota", "nik_prefix": "127101"}


@pytest.mark.usefixtures("north_sumatra")
def test_villages_of_a_kecamatan_are_paginated(api: APIClient) -> None:
    response = api.get("/api/v1/regions/villages/", {"district": "12.71.01", "page_size": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 12
    assert len(body["results"]) == 5
    assert body["results"][0] == {
        "code": "12.71.01.1001",
        "name": "Pasar Baru",
        "kind": "kelurahan",
        "district": "12.71.01",
    }


@pytest.mark.usefixtures("north_sumatra")
@pytest.mark.parametrize(
    "query", [{}, {"district": "medan"}, {"district": "12.71"}, {"district": "12.71.01.1001"}]
)
def test_villages_without_a_valid_district_is_400(api: APIClient, query: dict[str, str]) -> None:
    with translation.override("en"):
        response = api.get("/api/v1/regions/villages/", query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == ["district"]


@pytest.mark.usefixtures("north_sumatra")
def test_locate_with_the_seeded_box(api: APIClient) -> None:
    city_bounds_seed(regency_codes=["12.71"])

    inside = api.get("/api/v1/regions/locate/", {"lat": "3.5952", "lon": "98.6722"})
    outside = api.get("/api/v1/regions/locate/", {"lat": "3.6422", "lon": "98.8853"})

    assert inside.status_code == outside.status_code == 200
    assert inside.json() == {"in_city": True, "district": None, "village": None}
    assert outside.json() == {"in_city": False, "district": None, "village": None}


@pytest.mark.usefixtures("north_sumatra")
def test_locate_names_kecamatan_and_kelurahan_from_polygons(api: APIClient) -> None:
    boundaries_import(geojson=samples.CITY, level="city", code_property="kode")
    boundaries_import(geojson=samples.VILLAGES, level="village", code_property="kode_kel")
    lat, lon = samples.IN_PASAR_BARU

    response = api.get("/api/v1/regions/locate/", {"lat": lat, "lon": lon})

    assert response.json() == {
        "in_city": True,
        "district": {"code": "12.71.01", "name": "Medan Kota"},
        "village": {"code": "12.71.01.1001", "name": "Pasar Baru", "kind": "kelurahan"},
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({}, ["lat", "lon"]),
        ({"lat": "3.5"}, ["lon"]),
        ({"lat": "91", "lon": "98"}, ["lat"]),
        ({"lat": "3.5", "lon": "-181"}, ["lon"]),
        ({"lat": "nan", "lon": "98"}, ["lat"]),
        ({"lat": "3.5", "lon": "inf"}, ["lon"]),
        ({"lat": "abc", "lon": "1e999"}, ["lat", "lon"]),
    ],
)
def test_locate_rejects_bad_coordinates_with_400(
    api: APIClient, query: dict[str, Any], fields: list[str]
) -> None:
    response = api.get("/api/v1/regions/locate/", query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert sorted(error["fields"]) == fields


@pytest.mark.django_db
def test_schema_documents_the_region_endpoints(api: APIClient) -> None:
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {
        "/api/v1/regions/districts/",
        "/api/v1/regions/villages/",
        "/api/v1/regions/locate/",
    } <= set(paths)
    locate = paths["/api/v1/regions/locate/"]["get"]
    assert {p["name"] for p in locate["parameters"]} >= {"lat", "lon"}
    villages = paths["/api/v1/regions/villages/"]["get"]
    assert any(p["name"] == "district" and p["required"] for p in villages["parameters"])
