from __future__ import annotations

import pytest
from django.test import Client

from kotapintar.regions.models import RegionBoundary, Village
from kotapintar.regions.services import city_bounds_seed
from kotapintar.testing.factories import CityAdminFactory


@pytest.fixture
def admin_client_kp(client: Client) -> Client:
    client.force_login(CityAdminFactory())
    return client


@pytest.mark.usefixtures("north_sumatra")
def test_region_tables_are_read_only_in_the_admin(admin_client_kp: Client) -> None:
    assert admin_client_kp.get("/admin/regions/village/?q=pasar").status_code == 200
    page = admin_client_kp.get("/admin/regions/village/12.71.01.1001/change/")
    assert page.status_code == 200
    assert admin_client_kp.get("/admin/regions/village/add/").status_code == 403

    response = admin_client_kp.post(
        "/admin/regions/village/12.71.01.1001/change/",
        {"code": "12.71.01.1001", "name": "Diubah", "kind": "kelurahan", "district": "12.71.01"},
    )

    assert response.status_code == 403
    assert Village.objects.get(code="12.71.01.1001").name == "Pasar Baru"


@pytest.mark.usefixtures("north_sumatra")
def test_city_box_can_be_corrected_in_the_admin(admin_client_kp: Client) -> None:
    city_bounds_seed(regency_codes=["12.71"])
    box = RegionBoundary.objects.get()
    url = f"/admin/regions/regionboundary/{box.pk}/change/"
    assert admin_client_kp.get(url).status_code == 200

    response = admin_client_kp.post(
        url,
        {
            "level": "city",
            "regency": "12.71",
            "village": "",
            "min_lat": "3.40",
            "max_lat": "3.80",
            "min_lon": "98.58",
            "max_lon": "98.75",
        },
    )

    assert response.status_code == 302
    box.refresh_from_db()
    assert box.min_lat == 3.40


@pytest.mark.usefixtures("north_sumatra")
def test_inverted_box_is_refused_in_the_admin(admin_client_kp: Client) -> None:
    city_bounds_seed(regency_codes=["12.71"])
    box = RegionBoundary.objects.get()

    response = admin_client_kp.post(
        f"/admin/regions/regionboundary/{box.pk}/change/",
        {
            "level": "city",
            "regency": "12.71",
            "village": "",
            "min_lat": "3.90",
            "max_lat": "3.80",
            "min_lon": "98.58",
            "max_lon": "98.75",
        },
    )

    assert response.status_code == 200
    box.refresh_from_db()
    assert box.min_lat == 3.48
