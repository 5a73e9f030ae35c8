"""Reads of region data."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from kotapintar.regions.models import Regency


def deployment_regency_code() -> str:
    return settings.KOTAPINTAR_REGION_CODE


def deployment_city_name() -> str:
    """Name of the deployment's kabupaten/kota, e.g. "Kota Medan" (cached)."""
    if settings.KOTAPINTAR_CITY_NAME:
        return settings.KOTAPINTAR_CITY_NAME
    key = f"regions:city-name:{settings.KOTAPINTAR_REGION_CODE}"
    name = cache.get(key)
    if name is None:
        regency = Regency.objects.filter(code=settings.KOTAPINTAR_REGION_CODE).first()
        name = _title(regency.name) if regency else settings.KOTAPINTAR_REGION_CODE
        cache.set(key, name, 3600)
    return name


def _title(name: str) -> str:
    # idn-area-data writes names in capitals: "KOTA MEDAN" -> "Kota Medan".
    return name.title() if name.isupper() else name
