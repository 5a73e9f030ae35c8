from __future__ import annotations

import csv
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kotapintar.regions.models import District, Province, Regency, Village, VillageKind
from kotapintar.regions.services import AREA_DATA_DIR, regions_load, village_kind_for_code


def _csv_rows(name: str) -> int:
    with (AREA_DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return sum(1 for _row in csv.DictReader(handle))


def _counts() -> tuple[int, int, int, int]:
    return (
        Province.objects.count(),
        Regency.objects.count(),
        District.objects.count(),
        Village.objects.count(),
    )


@pytest.mark.django_db
def test_medan_gets_21_kecamatan_and_151_kelurahan() -> None:
    call_command("load_regions", "--only-province", "12", stdout=StringIO())

    medan = Regency.objects.get(code="12.71")
    assert medan.name == "Kota Medan"
    assert medan.province.name == "Sumatera Utara"
    assert District.objects.filter(regency=medan).count() == 21
    villages = Village.objects.filter(district__regency=medan)
    assert villages.count() == 151
    assert set(villages.values_list("kind", flat=True)) == {VillageKind.KELURAHAN}
    assert Village.objects.get(code="12.71.01.1001").name == "Pasar Baru"
    assert District.objects.get(code="12.71.01").name == "Medan Kota"


@pytest.mark.django_db
def test_medan_matches_the_shared_reference_list() -> None:
    reference = Path("/work/shared/reference/data/medan_wilayah.csv")
    if not reference.exists():
        pytest.skip("shared reference data not available")
    regions_load(province_code="12")
    with reference.open(encoding="utf-8", newline="") as handle:
        expected = {(r["kode_kelurahan"], r["nama_kelurahan"]) for r in csv.DictReader(handle)}
    stored = set(Village.objects.filter(district__regency_id="12.71").values_list("code", "name"))
    assert stored == expected


@pytest.mark.django_db
def test_only_province_loads_nothing_else() -> None:
    result = regions_load(province_code="12")

    assert list(Province.objects.values_list("code", flat=True)) == ["12"]
    assert not Regency.objects.exclude(province_id="12").exists()
    assert result.districts.created == 455
    assert result.villages.created == 6110 == Village.objects.count()


@pytest.mark.django_db
def test_running_twice_keeps_counts_and_changes_nothing() -> None:
    regions_load(province_code="12")
    before = _counts()

    out = StringIO()
    call_command("load_regions", "--only-province", "12", stdout=out)

    assert _counts() == before
    assert "villages: 6110 in data, 0 created, 0 updated, 6110 unchanged" in out.getvalue()


@pytest.mark.django_db
def test_second_run_restores_names_and_inserts_missing_rows() -> None:
    regions_load(province_code="12")
    Village.objects.filter(code="12.71.01.1001").update(name="Nama Lama")
    District.objects.filter(code="12.71.21").update(name="MEDAN SELAYANG LAMA")
    Village.objects.filter(code="12.71.21.1001").delete()
    before_villages = Village.objects.count()

    result = regions_load(province_code="12")

    assert Village.objects.get(code="12.71.01.1001").name == "Pasar Baru"
    assert District.objects.get(code="12.71.21").name == "Medan Selayang"
    assert Village.objects.filter(code="12.71.21.1001").exists()
    assert Village.objects.count() == before_villages + 1
    assert (result.villages.created, result.villages.updated) == (1, 1)
    assert (result.districts.created, result.districts.updated) == (0, 1)


@pytest.mark.django_db
def test_unknown_province_is_refused_without_writing() -> None:
    with pytest.raises(CommandError, match="Unknown province code"):
        call_command("load_regions", "--only-province", "99", stdout=StringIO())
    assert _counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_full_load_matches_the_csv_row_counts_within_seconds() -> None:
    started = time.monotonic()
    result = regions_load()
    elapsed = time.monotonic() - started

    assert _counts() == (
        _csv_rows("provinces.csv"),
        _csv_rows("regencies.csv"),
        _csv_rows("districts.csv"),
        _csv_rows("villages.csv"),
    )
    assert _counts() == (38, 514, 7285, 83762)
    assert result.villages.created == 83762
    assert Village.objects.filter(kind=VillageKind.KELURAHAN).count() == 8496
    assert Village.objects.filter(kind=VillageKind.DESA).count() == 75252 + 14
    assert elapsed < 30, f"full load took {elapsed:.1f} s"

    # Idempotent on the full set too: a second run only reads.
    again = regions_load()
    assert again.villages.created == again.villages.updated == 0
    assert _counts() == (38, 514, 7285, 83762)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("12.71.01.1001", VillageKind.KELURAHAN),
        ("11.01.01.2001", VillageKind.DESA),
        ("11.01.01.3001", VillageKind.DESA),
    ],
)
def test_village_kind_follows_the_first_digit_of_the_village_part(code: str, kind: str) -> None:
    assert village_kind_for_code(code) == kind
