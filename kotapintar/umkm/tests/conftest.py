from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from kotapintar.umkm.services import ReferenceLoadResult, umkm_reference_load


@pytest.fixture(autouse=True)
def _clear_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def private_storage(settings: Any, tmp_path: Path) -> Path:
    """Uploads of every UMKM test go to a temporary directory."""
    location = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


@pytest.fixture
def reference_data(db: Any) -> ReferenceLoadResult:
    """The seed thresholds, certification types, categories, synonyms and policy."""
    return umkm_reference_load()
