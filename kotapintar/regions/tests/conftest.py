from __future__ import annotations

import pytest

from kotapintar.regions.services import regions_load


@pytest.fixture
def north_sumatra(db: None) -> None:
    """Regions of province 12 (Sumatera Utara), which holds Kota Medan (12.71)."""
    regions_load(province_code="12")
