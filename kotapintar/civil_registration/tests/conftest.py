from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kotapintar.civil_registration.tests.factories import World, disdukcapil_world, seed_services


@pytest.fixture
def private_storage(settings: Any, tmp_path: Path) -> Path:
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
def world(db: Any, private_storage: Path) -> World:
    seed_services()
    return disdukcapil_world()


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    """Tasks enqueued by captured on-commit callbacks run at once (e.g. the PIN e-mail)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
