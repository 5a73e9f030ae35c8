from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from kotapintar.umkm.services import umkm_reference_load


@pytest.fixture(autouse=True)
def _clear_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reference_data(db: Any) -> Any:
    """The seed thresholds, certification types, categories, synonyms and policy."""
    return umkm_reference_load()
