from __future__ import annotations

import logging
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from kotapintar.agencies.models import Agency, AgencyKind, ServiceUnit, UnitKind
from kotapintar.agencies.selectors import (
    civil_registry_agency,
    civil_registry_desk_for,
    kecamatan_agency_for,
)
from kotapintar.agencies.services import AgencyDataError, agencies_load_reference
from kotapintar.regions.models import BoundaryLevel, District, RegionBoundary, Village
from kotapintar.regions.selectors import point_in_city


def _counts() -> tuple[int, int, int, int, int]:
    return (
        Agency.objects.count(),
        ServiceUnit.objects.count(),
        District.objects.count(),
        Village.objects.count(),
        RegionBoundary.objects.count(),
    )


@pytest.mark.django_db
def test_medan_reference_data_has_kecamatan_offices_and_disdukcapil_desks() -> None:
    out = StringIO()
    call_command("load_reference_data", "--province-only", stdout=out)

    kecamatan = Agency.objects.filter(kind=AgencyKind.KECAMATAN)
    assert kecamatan.count() == 21
    medan_kota = Agency.objects.get(code="kecamatan-127101")
    assert (medan_kota.name, medan_kota.district_id) == ("Kecamatan Medan Kota", "12.71.01")

    disdukcapil = civil_registry_agency()
    assert disdukcapil is not None
    assert disdukcapil.name == "Dinas Kependudukan dan Pencatatan Sipil Kota Medan"
    units = ServiceUnit.objects.filter(agency=disdukcapil)
    assert units.count() == 22
    assert units.filter(kind=UnitKind.HEAD_OFFICE).count() == 1
    desks = units.filter(kind=UnitKind.KECAMATAN_DESK)
    assert desks.count() == 21
    assert set(desks.values_list("district_id", flat=True)) == {
        f"12.71.{n:02d}" for n in range(1, 22)
    }
    assert ServiceUnit.objects.exclude(agency=disdukcapil).count() == 0

    # The OPD list, and the regions and the map box came along.
    assert Agency.objects.exclude(kind=AgencyKind.KECAMATAN).count() == 31
    assert Agency.objects.get(code="brida").name == "Badan Riset dan Inovasi Daerah Kota Medan"
    assert Village.objects.filter(district__regency_id="12.71").count() == 151
    assert RegionBoundary.objects.filter(level=BoundaryLevel.CITY, regency_id="12.71").exists()
    assert point_in_city(3.5952, 98.6722) is True
    assert "Agencies: 52 created, 0 updated; service units: 22 created" in out.getvalue()


@pytest.mark.django_db
def test_second_run_changes_no_counts() -> None:
    call_command("load_reference_data", "--province-only", stdout=StringIO())
    before = _counts()

    out = StringIO()
    call_command("load_reference_data", "--province-only", stdout=out)

    assert _counts() == before
    assert "Agencies: 0 created, 52 updated; service units: 0 created, 22 updated" in (
        out.getvalue()
    )
    assert "City boundary already present" in out.getvalue()


@pytest.mark.django_db
def test_second_run_keeps_admin_edits_to_addresses_but_restores_names() -> None:
    call_command("load_reference_data", "--province-only", stdout=StringIO())
    Agency.objects.filter(code="disdukcapil").update(
        address="Jl. Baru No. 1, Medan", name="Nama Salah"
    )

    call_command("load_reference_data", "--province-only", stdout=StringIO())

    disdukcapil = Agency.objects.get(code="disdukcapil")
    assert disdukcapil.address == "Jl. Baru No. 1, Medan"
    assert disdukcapil.name == "Dinas Kependudukan dan Pencatatan Sipil Kota Medan"


@pytest.mark.django_db
def test_selectors_find_the_offices_of_a_kecamatan() -> None:
    call_command("load_reference_data", "--province-only", stdout=StringIO())

    office = kecamatan_agency_for(district_code="12.71.08")
    desk = civil_registry_desk_for(district_code="12.71.08")

    assert office is not None and office.name == "Kecamatan Medan Belawan"
    assert desk is not None and desk.name == "Loket Disdukcapil Kecamatan Medan Belawan"
    assert kecamatan_agency_for(district_code="12.72.01") is None


@pytest.mark.django_db
@override_settings(KOTAPINTAR_REGION_CODE="33.74")
def test_a_region_without_an_opd_file_gets_only_kecamatan_offices(
    caplog: pytest.LogCaptureFixture,
) -> None:
    out = StringIO()
    with caplog.at_level(logging.INFO, logger="kotapintar.agencies.services"):
        call_command("load_reference_data", "--province-only", stdout=out)

    assert District.objects.filter(regency_id="33.74").count() == 16
    assert Village.objects.filter(district__regency_id="33.74").count() == 177
    assert Agency.objects.count() == Agency.objects.filter(kind=AgencyKind.KECAMATAN).count() == 16
    assert Agency.objects.filter(name="Kecamatan Semarang Tengah").exists()
    assert ServiceUnit.objects.count() == 0
    assert "only kecamatan offices were created" in caplog.text
    assert "No opd_33.74.csv" in out.getvalue()
    assert "No bounding box shipped for 33.74" in out.getvalue()
    assert RegionBoundary.objects.count() == 0
    assert not District.objects.filter(regency_id="12.71").exists()


@pytest.mark.django_db
@override_settings(KOTAPINTAR_REGION_CODE="99.99")
def test_an_unknown_region_is_a_clean_error() -> None:
    with pytest.raises(CommandError):
        call_command("load_reference_data", "--province-only", stdout=StringIO())
    assert _counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("code,name\nx,y\n", "header"),
        ("code,name,short_name,kind,address\nBad Code,Dinas X,,dinas,\n", "invalid code"),
        ("code,name,short_name,kind,address\ndx,Dinas X,,kantor,\n", "unknown kind"),
        (
            "code,name,short_name,kind,address\ndx,Dinas X,,dinas,\ndx,Dinas Y,,dinas,\n",
            "duplicate",
        ),
        ("code,name,short_name,kind,address\ndx,,,dinas,\n", "name is empty"),
    ],
)
def test_a_broken_opd_file_is_refused_without_writing(
    tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "opd_12.71.csv").write_text(content, encoding="utf-8")
    with pytest.raises(AgencyDataError, match=message):
        agencies_load_reference(regency_code="12.71", data_dir=tmp_path)
    assert Agency.objects.count() == 0


def test_shipped_medan_opd_file_is_valid() -> None:
    from kotapintar.agencies.services import DATA_DIR, _read_opd

    rows = _read_opd(DATA_DIR / "opd_12.71.csv")
    codes = {row["code"] for row in rows}
    assert {"setda", "disdukcapil", "kominfo", "satpolpp", "damkar", "rsud-pirngadi"} <= codes
    assert all(row["kind"] != AgencyKind.KECAMATAN for row in rows)
