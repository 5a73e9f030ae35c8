from __future__ import annotations

import json
import math
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kotapintar.regions.geo import InvalidCoordinatesError
from kotapintar.regions.models import BoundaryLevel, RegionBoundary
from kotapintar.regions.selectors import point_in_city, village_at
from kotapintar.regions.services import (
    RegionDataError,
    boundaries_import,
    city_bounds_seed,
    normalize_region_code,
)
from kotapintar.regions.tests import geojson_samples as samples

MEDAN_CENTRE = (3.5952, 98.6722)
BELAWAN = (3.78, 98.69)
KUALANAMU_AIRPORT = (3.6422, 98.8853)
BINJAI = (3.60, 98.49)


@pytest.fixture
def medan_box(north_sumatra: None) -> None:
    city_bounds_seed(regency_codes=["12.71"])


def _write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "boundaries.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.mark.usefixtures("medan_box")
@pytest.mark.parametrize("point", [MEDAN_CENTRE, BELAWAN])
def test_points_in_medan_are_in_the_city(point: tuple[float, float]) -> None:
    assert point_in_city(*point) is True


@pytest.mark.usefixtures("medan_box")
@pytest.mark.parametrize("point", [KUALANAMU_AIRPORT, (0.0, 0.0), BINJAI])
def test_points_outside_medan_are_not_in_the_city(point: tuple[float, float]) -> None:
    assert point_in_city(*point) is False


@pytest.mark.usefixtures("medan_box")
@pytest.mark.parametrize(
    ("lat", "lon"), [(91, 98.6), (3.5, -180.1), (math.nan, 98.6), (3.5, math.inf)]
)
def test_invalid_points_raise(lat: float, lon: float) -> None:
    with pytest.raises(InvalidCoordinatesError):
        point_in_city(lat, lon)
    with pytest.raises(InvalidCoordinatesError):
        village_at(lat, lon)


@pytest.mark.usefixtures("north_sumatra")
def test_no_boundary_means_nothing_is_in_the_city() -> None:
    assert point_in_city(*MEDAN_CENTRE) is False
    assert village_at(*MEDAN_CENTRE) is None


@pytest.mark.usefixtures("medan_box")
def test_seeding_again_keeps_an_edited_box() -> None:
    RegionBoundary.objects.filter(regency_id="12.71").update(max_lon=98.70)

    result = city_bounds_seed(regency_codes=["12.71", "33.74"])

    assert (result.created, result.kept, result.missing) == ([], ["12.71"], ["33.74"])
    box = RegionBoundary.objects.get(level=BoundaryLevel.CITY, regency_id="12.71")
    assert box.max_lon == 98.70
    assert RegionBoundary.objects.count() == 1


@pytest.mark.usefixtures("medan_box")
def test_imported_city_polygon_replaces_the_box_and_respects_its_hole(tmp_path: Path) -> None:
    assert point_in_city(*MEDAN_CENTRE) is True
    out = StringIO()

    call_command(
        "import_boundaries",
        _write(tmp_path, samples.CITY),
        "--level",
        "city",
        "--code-property",
        "kode",
        stdout=out,
    )

    assert "1 created" not in out.getvalue() and "1 updated" in out.getvalue()
    boundary = RegionBoundary.objects.get(level=BoundaryLevel.CITY, regency_id="12.71")
    assert (boundary.min_lat, boundary.max_lat, boundary.min_lon, boundary.max_lon) == (
        10,
        12,
        20,
        22,
    )
    assert boundary.source == "boundaries.geojson"
    assert point_in_city(*samples.INSIDE) is True
    assert point_in_city(*samples.IN_HOLE) is False
    assert point_in_city(*samples.OUTSIDE) is False
    assert point_in_city(*MEDAN_CENTRE) is False  # the old box no longer applies


@pytest.mark.usefixtures("north_sumatra")
def test_village_polygons_name_the_kelurahan_containing_a_point(tmp_path: Path) -> None:
    boundaries_import(geojson=samples.CITY, level="city", code_property="kode")
    out = StringIO()

    call_command(
        "import_boundaries",
        _write(tmp_path, samples.VILLAGES),
        "--level=village",
        "--code-property=kode_kel",
        stdout=out,
    )

    assert "2 created, 0 updated" in out.getvalue()
    assert "Skipped 1 feature(s) matching no loaded region: 12.71.99.9999" in out.getvalue()
    pasar_baru = village_at(*samples.IN_PASAR_BARU)
    assert pasar_baru is not None
    assert (pasar_baru.code, pasar_baru.district.name) == ("12.71.01.1001", "Medan Kota")
    for point in (samples.IN_LALANG_SOUTH, samples.IN_LALANG_NORTH):
        lalang = village_at(*point)
        assert lalang is not None and lalang.name == "Lalang"
    assert village_at(*samples.BETWEEN_LALANG_PARTS) is None
    assert village_at(*samples.INSIDE) is None
    assert village_at(*samples.OUTSIDE) is None
    lalang_boundary = RegionBoundary.objects.get(village_id="12.71.02.1001")
    assert lalang_boundary.regency_id == "12.71"
    assert len(json.loads(lalang_boundary.geometry)["coordinates"]) == 2  # merged parts


@pytest.mark.usefixtures("north_sumatra")
def test_village_polygons_count_as_in_the_city_without_a_city_boundary() -> None:
    boundaries_import(geojson=samples.VILLAGES, level="village", code_property="kode_kel")

    assert point_in_city(*samples.IN_PASAR_BARU) is True
    assert point_in_city(*samples.INSIDE) is False


@pytest.mark.usefixtures("north_sumatra")
def test_importing_again_updates_instead_of_duplicating() -> None:
    boundaries_import(geojson=samples.VILLAGES, level="village", code_property="kode_kel")
    result = boundaries_import(geojson=samples.VILLAGES, level="village", code_property="kode_kel")
    assert (result.created, result.updated) == (0, 2)
    assert RegionBoundary.objects.filter(level=BoundaryLevel.VILLAGE).count() == 2


@pytest.mark.usefixtures("medan_box")
def test_invalid_geometry_aborts_the_whole_import(tmp_path: Path) -> None:
    broken = json.loads(json.dumps(samples.VILLAGES))
    broken["features"][1]["geometry"]["coordinates"][0][1] = [21.5, "north"]

    with pytest.raises(CommandError, match=r"Feature #1 \(12\.71\.02\.1001\)"):
        call_command(
            "import_boundaries",
            _write(tmp_path, broken),
            "--level=village",
            "--code-property=kode_kel",
            stdout=StringIO(),
        )

    assert list(RegionBoundary.objects.values_list("level", flat=True)) == [BoundaryLevel.CITY]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data", [[], {"type": "Polygon", "coordinates": []}, {"type": "FeatureCollection"}]
)
def test_non_feature_collections_are_refused(data: object) -> None:
    with pytest.raises(RegionDataError):
        boundaries_import(geojson=data, level="city", code_property="kode")


@pytest.mark.django_db
def test_unreadable_file_is_a_clean_command_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_boundaries", str(path), "--level=city", "--code-property=kode")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("12.71", "12.71"),
        ("1271", "12.71"),
        (1271, "12.71"),
        ("1271011001", "12.71.01.1001"),
        ("12.71.01.1001", "12.71.01.1001"),
        ("127101", "12.71.01"),
        ("127", ""),
        (None, ""),
    ],
)
def test_region_codes_are_normalised(raw: object, code: str) -> None:
    assert normalize_region_code(raw) == code


@pytest.mark.django_db
def test_city_boundary_factory_gives_medans_box() -> None:
    from kotapintar.testing.factories import CityBoundaryFactory

    CityBoundaryFactory()
    assert point_in_city(*MEDAN_CENTRE) is True
    assert point_in_city(*KUALANAMU_AIRPORT) is False
