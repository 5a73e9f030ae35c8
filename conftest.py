"""Project-wide pytest fixtures. Factories live in ``kotapintar/testing/factories.py``."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Real hashers take ~0.3 s per password; tests check behaviour, not hash strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Throttle and lockout counters live in the cache: start every test clean."""
    cache.clear()
