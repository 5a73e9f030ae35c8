"""Project-wide pytest fixtures. Factories live in ``kotapintar/testing/factories.py``."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Throttle and lockout counters live in the cache: start every test clean."""
    cache.clear()
