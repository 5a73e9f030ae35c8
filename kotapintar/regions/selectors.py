"""Reads of region data: the deployment city, pick-lists, NIK prefixes and map checks."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from kotapintar.regions import cache as region_cache
from kotapintar.regions.geo import Shape, shape_from_stored, validate_coordinates
from kotapintar.regions.models import BoundaryLevel, District, Regency, RegionBoundary, Village

logger = logging.getLogger(__name__)

T = TypeVar("T")
_MISSING = "__none__"  # cached stand-in for "no such row" (the cache cannot store None)
_NIK_PREFIX = re.compile(r"^[0-9]{6}$")
_DISTRICT_CODE = re.compile(r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$")


def _cached(key: str, load: Callable[[], T | None]) -> T | None:
    full_key = f"regions:{region_cache.data_version()}:{key}"
    value = cache.get(full_key)
    if value is None:
        loaded = load()
        cache.set(full_key, _MISSING if loaded is None else loaded, region_cache.DATA_TTL)
        return loaded
    return None if value == _MISSING else value


# --- Deployment city and code tables -----------------------------------------------------------


def deployment_regency_code() -> str:
    return settings.KOTAPINTAR_REGION_CODE


def deployment_regency() -> Regency | None:
    """The kabupaten/kota this deployment serves (``None`` before the regions are loaded)."""
    return regency_by_code(settings.KOTAPINTAR_REGION_CODE)


def regency_by_code(code: str) -> Regency | None:
    return _cached(
        f"regency:{code}",
        lambda: Regency.objects.select_related("province").filter(code=code).first(),
    )


def deployment_city_name() -> str:
    """Name of the deployment's kabupaten/kota, e.g. "Kota Medan" (cached)."""
    if settings.KOTAPINTAR_CITY_NAME:
        return settings.KOTAPINTAR_CITY_NAME
    regency = deployment_regency()
    return _title(regency.name) if regency else settings.KOTAPINTAR_REGION_CODE


def _title(name: str) -> str:
    # Older idn-area-data releases wrote names in capitals: "KOTA MEDAN" -> "Kota Medan".
    return name.title() if name.isupper() else name


def city_districts() -> QuerySet[District]:
    """The deployment city's kecamatan, in code order."""
    return District.objects.filter(regency_id=settings.KOTAPINTAR_REGION_CODE).order_by("code")


def villages_of(district_code: str) -> QuerySet[Village]:
    """Kelurahan/desa of one kecamatan (``12.71.01``), in code order; empty if unknown."""
    return Village.objects.filter(district_id=district_code).order_by("code")


def is_district_code(value: str) -> bool:
    return bool(_DISTRICT_CODE.fullmatch(value))


def district_by_nik_prefix(prefix6: str) -> District | None:
    """The kecamatan a NIK's first six digits name ("127101" -> Medan Kota), anywhere loaded.

    Returns ``None`` for a malformed or unknown prefix: NIKs keep the code they were issued
    with, so an unknown prefix is a warning for the officer, never a reason to reject.
    """
    if not isinstance(prefix6, str) or not _NIK_PREFIX.fullmatch(prefix6):
        return None
    code = f"{prefix6[0:2]}.{prefix6[2:4]}.{prefix6[4:6]}"
    return _cached(
        f"nik-prefix:{prefix6}",
        lambda: District.objects.select_related("regency__province").filter(code=code).first(),
    )


# --- Map checks --------------------------------------------------------------------------------

# Parsed polygons per process, reused while the boundary table's fingerprint is unchanged.
_shapes: dict[str, tuple[str, Any]] = {}


def _city_boundaries(regency_code: str) -> tuple[Shape | None, list[tuple[str, Shape]]]:
    version = region_cache.boundaries_version()
    hit = _shapes.get(regency_code)
    if hit is not None and hit[0] == version:
        return hit[1]
    city: Shape | None = None
    villages: list[tuple[str, Shape]] = []
    rows = RegionBoundary.objects.filter(regency_id=regency_code).values(
        "level", "village_id", "min_lat", "max_lat", "min_lon", "max_lon", "geometry"
    )
    for row in rows:
        shape = shape_from_stored(
            min_lat=row["min_lat"],
            max_lat=row["max_lat"],
            min_lon=row["min_lon"],
            max_lon=row["max_lon"],
            geometry=row["geometry"],
        )
        if row["level"] == BoundaryLevel.CITY:
            city = shape
        elif row["geometry"]:  # a kelurahan box alone is too rough to name a kelurahan
            villages.append((row["village_id"], shape))
    if city is None:
        logger.warning("No boundary for region %s: every point counts as outside", regency_code)
    _shapes[regency_code] = (version, (city, villages))
    return city, villages


def point_in_city(lat: float, lon: float) -> bool:
    """Whether a point lies in the deployment city.

    In the imported city polygon, else in the seeded bounding box; a point inside one of the
    city's imported kelurahan polygons also counts (the sources may differ by a few metres).
    With no boundary at all, ``False``. Raises ``InvalidCoordinatesError`` (a ``ValueError``)
    for out-of-range, NaN or infinite input.
    """
    lat, lon = validate_coordinates(lat, lon)
    city, villages = _city_boundaries(settings.KOTAPINTAR_REGION_CODE)
    if city is not None and city.contains(lat, lon):
        return True
    return any(shape.contains(lat, lon) for _code, shape in villages)


def village_at(lat: float, lon: float) -> Village | None:
    """The deployment city's kelurahan/desa containing the point (needs imported polygons)."""
    lat, lon = validate_coordinates(lat, lon)
    _city, villages = _city_boundaries(settings.KOTAPINTAR_REGION_CODE)
    for code, shape in villages:
        if shape.contains(lat, lon):
            return Village.objects.select_related("district").filter(code=code).first()
    return None
