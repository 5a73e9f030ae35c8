"""Writes of agencies: the reference list of OPD, kecamatan offices and Disdukcapil desks."""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from kotapintar.agencies.models import Agency, AgencyKind, ServiceUnit, UnitKind
from kotapintar.regions.models import District
from kotapintar.regions.services import (
    CityBoundsSeedResult,
    RegionsLoadResult,
    city_bounds_seed,
    regions_load,
)

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
# The OPD files name the civil-registration office with this code; its desks are generated.
CIVIL_REGISTRY_AGENCY_CODE = "disdukcapil"
HEAD_OFFICE_UNIT_CODE = "kantor"
OPD_COLUMNS = ("code", "name", "short_name", "kind", "address")


class AgencyDataError(ValueError):
    """The OPD file is unusable; the message is safe to show operators."""


def kecamatan_agency_code(district: District) -> str:
    return f"kecamatan-{district.nik_prefix}"


def kecamatan_desk_code(district: District) -> str:
    return f"loket-{district.nik_prefix}"


@dataclass
class AgenciesLoadResult:
    opd_file: Path | None = None  # None: no file for this region, only kecamatan offices
    agencies_created: int = 0
    agencies_updated: int = 0
    units_created: int = 0
    units_updated: int = 0


@transaction.atomic
def agencies_load_reference(*, regency_code: str, data_dir: Path = DATA_DIR) -> AgenciesLoadResult:
    """Create or update the region's OPD, one office per kecamatan and the Disdukcapil units.

    Idempotent (matched by code). Name, short name, kind and kecamatan follow the data on
    every run; address and contact details are set only when a row is created, so that
    corrections made in the admin survive the next run.
    """
    result = AgenciesLoadResult()
    opd_path = data_dir / f"opd_{regency_code}.csv"
    if opd_path.exists():
        result.opd_file = opd_path
        for row in _read_opd(opd_path):
            _count_agency(
                result,
                Agency.objects.update_or_create(
                    code=row["code"],
                    defaults={
                        "name": row["name"],
                        "short_name": row["short_name"],
                        "kind": row["kind"],
                    },
                    create_defaults={
                        "name": row["name"],
                        "short_name": row["short_name"],
                        "kind": row["kind"],
                        "address": row["address"],
                    },
                )[1],
            )
    else:
        logger.info(
            "No OPD file for region %s (%s): only kecamatan offices were created",
            regency_code,
            opd_path.name,
        )

    districts = list(District.objects.filter(regency_id=regency_code).order_by("code"))
    for district in districts:
        values = {
            "name": f"Kecamatan {district.name}",
            "kind": AgencyKind.KECAMATAN,
            "district": district,
        }
        _count_agency(
            result,
            Agency.objects.update_or_create(code=kecamatan_agency_code(district), defaults=values)[
                1
            ],
        )

    registry = Agency.objects.filter(code=CIVIL_REGISTRY_AGENCY_CODE).first()
    if registry is not None:
        head_office = {"name": f"Kantor {registry.name}", "kind": UnitKind.HEAD_OFFICE}
        _count_unit(
            result,
            ServiceUnit.objects.update_or_create(
                agency=registry,
                code=HEAD_OFFICE_UNIT_CODE,
                defaults=head_office,
                create_defaults={**head_office, "address": registry.address},
            )[1],
        )
        label = registry.short_name or registry.name
        for district in districts:
            _count_unit(
                result,
                ServiceUnit.objects.update_or_create(
                    agency=registry,
                    code=kecamatan_desk_code(district),
                    defaults={
                        "name": f"Loket {label} Kecamatan {district.name}",
                        "kind": UnitKind.KECAMATAN_DESK,
                        "district": district,
                    },
                )[1],
            )
    return result


def _count_agency(result: AgenciesLoadResult, created: bool) -> None:
    if created:
        result.agencies_created += 1
    else:
        result.agencies_updated += 1


def _count_unit(result: AgenciesLoadResult, created: bool) -> None:
    if created:
        result.units_created += 1
    else:
        result.units_updated += 1


def _read_opd(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != OPD_COLUMNS:
            raise AgencyDataError(f"{path.name}: the header must be {','.join(OPD_COLUMNS)}.")
        rows = []
        seen: set[str] = set()
        for line, raw in enumerate(reader, start=2):
            row = {key: (raw.get(key) or "").strip() for key in OPD_COLUMNS}
            if not row["code"] or slugify(row["code"]) != row["code"] or len(row["code"]) > 40:
                raise AgencyDataError(f"{path.name} line {line}: invalid code {row['code']!r}.")
            if row["code"] in seen:
                raise AgencyDataError(f"{path.name} line {line}: duplicate code {row['code']!r}.")
            if row["kind"] not in AgencyKind.values:
                raise AgencyDataError(f"{path.name} line {line}: unknown kind {row['kind']!r}.")
            if not row["name"]:
                raise AgencyDataError(f"{path.name} line {line}: the name is empty.")
            seen.add(row["code"])
            rows.append(row)
    return rows


@dataclass
class ReferenceDataResult:
    regions: RegionsLoadResult
    bounds: CityBoundsSeedResult
    agencies: AgenciesLoadResult
    province_code: str | None = None  # None: all of Indonesia


@transaction.atomic
def reference_data_load(*, regency_code: str, all_regions: bool = False) -> ReferenceDataResult:
    """Everything a fresh deployment needs: regions, the city's map box, agencies."""
    province_code = None if all_regions else regency_code.split(".")[0]
    regions = regions_load(province_code=province_code)
    if not District.objects.filter(regency_id=regency_code).exists():
        raise AgencyDataError(f"Region {regency_code} has no kecamatan in the region data.")
    bounds = city_bounds_seed(regency_codes=[regency_code])
    agencies = agencies_load_reference(regency_code=regency_code)
    return ReferenceDataResult(
        regions=regions, bounds=bounds, agencies=agencies, province_code=province_code
    )
