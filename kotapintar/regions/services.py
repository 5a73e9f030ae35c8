"""Writes of region data: the Kemendagri code tables and the boundaries used for map checks."""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction

from kotapintar.regions import cache as region_cache
from kotapintar.regions.geo import (
    BBox,
    InvalidGeometryError,
    Polygon,
    bbox_of,
    geometry_to_json,
    parse_geometry,
)
from kotapintar.regions.models import (
    BoundaryLevel,
    District,
    Province,
    Regency,
    RegionBoundary,
    Village,
    VillageKind,
)

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
AREA_DATA_DIR = DATA_DIR / "idn-area-data-4.0.1"
CITY_BOUNDS_FILE = DATA_DIR / "city_bounds.csv"
BATCH_SIZE = 5000

_CODE_PATTERNS: dict[str, re.Pattern[str]] = {
    BoundaryLevel.CITY: re.compile(r"^[0-9]{2}\.[0-9]{2}$"),
    BoundaryLevel.VILLAGE: re.compile(r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$"),
}


class RegionDataError(ValueError):
    """Input data for a region command is unusable; the message is safe to show operators."""


# --- Code tables ------------------------------------------------------------------------------


@dataclass
class LevelCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class RegionsLoadResult:
    provinces: LevelCounts = field(default_factory=LevelCounts)
    regencies: LevelCounts = field(default_factory=LevelCounts)
    districts: LevelCounts = field(default_factory=LevelCounts)
    villages: LevelCounts = field(default_factory=LevelCounts)

    def levels(self) -> list[tuple[str, LevelCounts]]:
        return [
            ("provinces", self.provinces),
            ("regencies", self.regencies),
            ("districts", self.districts),
            ("villages", self.villages),
        ]


def village_kind_for_code(code: str) -> str:
    """``PP.KK.CC.1xxx`` is a kelurahan; 2xxx a desa; the few 3xxx rows are treated as desa."""
    return VillageKind.KELURAHAN if code.rsplit(".", 1)[-1].startswith("1") else VillageKind.DESA


def _read_csv(path: Path, keep: Callable[[str], bool]) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if keep(row["code"]):
                yield row


@transaction.atomic
def regions_load(
    *, province_code: str | None = None, data_dir: Path = AREA_DATA_DIR
) -> RegionsLoadResult:
    """Load the idn-area-data tables (all of Indonesia, or one province) into the database.

    Idempotent: rows are compared with what is stored; new codes are inserted in batches,
    changed names (or parents) updated, nothing is duplicated or deleted. Codes that vanish
    from a newer table stay, because applications and agencies may still point at them.
    """
    provinces_csv = data_dir / "provinces.csv"
    if province_code is not None:
        known = {row["code"] for row in _read_csv(provinces_csv, lambda _code: True)}
        if province_code not in known:
            raise RegionDataError(f"Unknown province code {province_code!r}.")
        prefix = province_code + "."

        def keep(code: str) -> bool:
            return code == province_code or code.startswith(prefix)

    else:

        def keep(code: str) -> bool:
            return True

    result = RegionsLoadResult()
    result.provinces = _sync(
        Province,
        [Province(code=r["code"], name=r["name"]) for r in _read_csv(provinces_csv, keep)],
        fields=["name"],
    )
    result.regencies = _sync(
        Regency,
        [
            Regency(code=r["code"], province_id=r["province_code"], name=r["name"])
            for r in _read_csv(data_dir / "regencies.csv", keep)
        ],
        fields=["name", "province_id"],
    )
    result.districts = _sync(
        District,
        [
            District(code=r["code"], regency_id=r["regency_code"], name=r["name"])
            for r in _read_csv(data_dir / "districts.csv", keep)
        ],
        fields=["name", "regency_id"],
    )
    result.villages = _sync(
        Village,
        [
            Village(
                code=r["code"],
                district_id=r["district_code"],
                name=r["name"],
                kind=village_kind_for_code(r["code"]),
            )
            for r in _read_csv(data_dir / "villages.csv", keep)
        ],
        fields=["name", "district_id", "kind"],
    )
    if any(counts.created or counts.updated for _name, counts in result.levels()):
        region_cache.data_changed()
    return result


def _sync(model: type[models.Model], rows: list[Any], *, fields: list[str]) -> LevelCounts:
    # One read of what is stored, then bulk writes: ~84,000 villages load in seconds, and a
    # second run only reads.
    codes = [row.code for row in rows]
    stored: dict[str, tuple[Any, ...]] = {}
    for start in range(0, len(codes), BATCH_SIZE):
        chunk = codes[start : start + BATCH_SIZE]
        for values in model._default_manager.filter(pk__in=chunk).values_list("pk", *fields):
            stored[values[0]] = tuple(values[1:])
    to_create = [row for row in rows if row.code not in stored]
    to_update = [
        row
        for row in rows
        if row.code in stored and stored[row.code] != tuple(getattr(row, f) for f in fields)
    ]
    model._default_manager.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        update_fields = [f.removesuffix("_id") for f in fields]
        model._default_manager.bulk_update(to_update, update_fields, batch_size=1000)
    return LevelCounts(
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(rows) - len(to_create) - len(to_update),
    )


# --- Boundaries -------------------------------------------------------------------------------


def normalize_region_code(raw: object) -> str:
    """``1271011001``, ``12.71.01.1001`` or ``1271`` -> the dotted Kemendagri code ("" if none)."""
    digits = re.sub(r"[^0-9]", "", str(raw)) if raw is not None else ""
    parts = {2: (2,), 4: (2, 2), 6: (2, 2, 2), 10: (2, 2, 2, 4)}.get(len(digits))
    if parts is None:
        return ""
    out, start = [], 0
    for size in parts:
        out.append(digits[start : start + size])
        start += size
    return ".".join(out)


@dataclass
class CityBoundsSeedResult:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@transaction.atomic
def city_bounds_seed(
    *, regency_codes: list[str], path: Path = CITY_BOUNDS_FILE
) -> CityBoundsSeedResult:
    """Create the shipped bounding box for each regency that has none yet.

    An existing boundary (edited in the admin or imported as a polygon) is kept as it is.
    ``missing`` lists regencies for which the file has no box: they need an import or an
    admin entry before "is this point in the city?" can answer yes.
    """
    with path.open(newline="", encoding="utf-8") as handle:
        boxes = {row["regency_code"]: row for row in csv.DictReader(handle)}
    result = CityBoundsSeedResult()
    for code in regency_codes:
        row = boxes.get(code)
        if row is None:
            result.missing.append(code)
            continue
        _obj, created = RegionBoundary.objects.get_or_create(
            level=BoundaryLevel.CITY,
            regency_id=code,
            defaults={
                "min_lat": float(row["min_lat"]),
                "max_lat": float(row["max_lat"]),
                "min_lon": float(row["min_lon"]),
                "max_lon": float(row["max_lon"]),
                "source": row["source"],
            },
        )
        (result.created if created else result.kept).append(code)
    if result.created:
        region_cache.boundaries_changed()
    return result


@dataclass
class BoundaryImportResult:
    created: int = 0
    updated: int = 0
    skipped: list[str] = field(default_factory=list)  # feature codes that match no region


@transaction.atomic
def boundaries_import(
    *, geojson: Any, level: str, code_property: str, source: str = ""
) -> BoundaryImportResult:
    """Store GeoJSON polygons per regency (``level="city"``) or per kelurahan/desa.

    Features are matched to regions by the ``code_property`` property (dotted or plain
    digits). Several features with one code (e.g. a kelurahan with islands) are merged into a
    MultiPolygon. Any invalid geometry aborts the whole import, so nothing half-imported
    stays; features whose code matches no loaded region are skipped and reported.
    """
    if level not in _CODE_PATTERNS:
        raise RegionDataError(f"Unknown level {level!r}; use 'city' or 'village'.")
    features = _features(geojson)
    grouped: dict[str, list[Polygon]] = {}
    skipped: list[str] = []
    for index, feature in enumerate(features):
        properties = feature.get("properties") or {}
        code = normalize_region_code(properties.get(code_property))
        if not _CODE_PATTERNS[level].fullmatch(code):
            skipped.append(str(properties.get(code_property, f"#{index}")))
            continue
        try:
            grouped.setdefault(code, []).extend(parse_geometry(feature.get("geometry")))
        except InvalidGeometryError as exc:
            raise RegionDataError(f"Feature #{index} ({code}): {exc}.") from None

    if level == BoundaryLevel.CITY:
        known = set(Regency.objects.filter(code__in=grouped).values_list("code", flat=True))
        regency_of = {code: code for code in known}
    else:
        regency_of = {
            code: regency_id
            for code, regency_id in Village.objects.filter(code__in=grouped).values_list(
                "code", "district__regency_id"
            )
        }

    result = BoundaryImportResult(skipped=skipped)
    for code, polygons in grouped.items():
        if code not in regency_of:
            result.skipped.append(code)
            continue
        box = bbox_of(polygons)
        values = {**_box_fields(box), "geometry": geometry_to_json(polygons), "source": source}
        if level == BoundaryLevel.CITY:
            _obj, created = RegionBoundary.objects.update_or_create(
                level=BoundaryLevel.CITY, regency_id=code, defaults=values
            )
        else:
            _obj, created = RegionBoundary.objects.update_or_create(
                level=BoundaryLevel.VILLAGE,
                village_id=code,
                defaults={**values, "regency_id": regency_of[code]},
            )
        if created:
            result.created += 1
        else:
            result.updated += 1
    region_cache.boundaries_changed()
    return result


def _features(geojson: Any) -> list[dict[str, Any]]:
    if isinstance(geojson, dict) and geojson.get("type") == "FeatureCollection":
        features = geojson.get("features")
    elif isinstance(geojson, dict) and geojson.get("type") == "Feature":
        features = [geojson]
    else:
        raise RegionDataError("The file must be a GeoJSON FeatureCollection or Feature.")
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        raise RegionDataError("The GeoJSON features must be a list of objects.")
    return features


def _box_fields(box: BBox) -> dict[str, float]:
    return {
        "min_lat": box.min_lat,
        "max_lat": box.max_lat,
        "min_lon": box.min_lon,
        "max_lon": box.max_lon,
    }


@transaction.atomic
def boundary_save(*, boundary: RegionBoundary) -> RegionBoundary:
    """Save a boundary edited by hand (the admin) and let readers see it at once."""
    boundary.full_clean()
    boundary.save()
    region_cache.boundaries_changed()
    return boundary


@transaction.atomic
def boundary_delete(*, boundary: RegionBoundary) -> None:
    boundary.delete()
    region_cache.boundaries_changed()
