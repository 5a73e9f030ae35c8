from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from kotapintar.regions.models import District
from kotapintar.regions.selectors import (
    city_districts,
    deployment_city_name,
    deployment_regency,
    district_by_nik_prefix,
    regency_by_code,
    villages_of,
)
from kotapintar.regions.services import regions_load


@pytest.mark.usefixtures("north_sumatra")
def test_deployment_regency_defaults_to_kota_medan() -> None:
    regency = deployment_regency()
    assert regency is not None
    assert (regency.code, regency.name) == ("12.71", "Kota Medan")
    assert deployment_city_name() == "Kota Medan"


@pytest.mark.django_db
def test_deployment_regency_is_none_before_regions_are_loaded() -> None:
    assert deployment_regency() is None
    assert deployment_city_name() == "12.71"


@pytest.mark.usefixtures("north_sumatra")
def test_city_districts_are_medans_21_kecamatan_in_code_order() -> None:
    districts = list(city_districts())
    assert len(districts) == 21
    assert (districts[0].code, districts[0].name) == ("12.71.01", "Medan Kota")
    assert (districts[-1].code, districts[-1].name) == ("12.71.21", "Medan Selayang")


@pytest.mark.usefixtures("north_sumatra")
def test_villages_of_lists_one_kecamatans_kelurahan() -> None:
    names = list(villages_of("12.71.01").values_list("name", flat=True))
    assert names[:2] == ["Pasar Baru", "Pusat Pasar"]
    assert len(names) == 12
    assert not villages_of("12.71.99").exists()


@pytest.mark.usefixtures("north_sumatra")
def test_district_by_nik_prefix_finds_the_kecamatan() -> None:
    district = district_by_nik_prefix("127101")
    assert district is not None
    assert (district.code, district.name, district.regency.name) == (
        "12.71.01",
        "Medan Kota",
        "Kota Medan",
    )
    other = district_by_nik_prefix("127501")  # Kota Binjai: outside Medan, still known
    assert other is not None and other.regency.name == "Kota Binjai"


@pytest.mark.usefixtures("north_sumatra")
def test_district_by_nik_prefix_is_none_for_unknown_or_malformed_prefixes() -> None:
    for prefix in [
        "127199",
        "3174010",
        "12710",
        "12.71.",
        "",
        "12710a",
        "１２７１０１",
        "127101\n",
    ]:
        assert district_by_nik_prefix(prefix) is None, prefix


@pytest.mark.usefixtures("north_sumatra")
def test_district_by_nik_prefix_is_cached() -> None:
    assert district_by_nik_prefix("127101") is not None
    assert district_by_nik_prefix("127199") is None
    with CaptureQueriesContext(connection) as queries:
        found = district_by_nik_prefix("127101")
        missing = district_by_nik_prefix("127199")
    assert found is not None and found.name == "Medan Kota"
    assert missing is None
    assert len(queries) == 0


@pytest.mark.usefixtures("north_sumatra")
def test_reloading_regions_refreshes_cached_names() -> None:
    assert regency_by_code("12.71") is not None
    District.objects.filter(code="12.71.01").update(name="Stale")
    stale = district_by_nik_prefix("127101")
    assert stale is not None and stale.name == "Stale"

    regions_load(province_code="12")

    fresh = district_by_nik_prefix("127101")
    assert fresh is not None and fresh.name == "Medan Kota"


@pytest.mark.django_db
@override_settings(KOTAPINTAR_REGION_CODE="33.74")
def test_another_region_is_picked_by_the_setting() -> None:
    regions_load(province_code="33")
    regency = deployment_regency()
    assert regency is not None and regency.name == "Kota Semarang"
    assert city_districts().count() == 16
    assert regency_by_code("12.71") is None  # province 12 not loaded
