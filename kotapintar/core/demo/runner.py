"""Runs the registered demo-data generators."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from kotapintar.agencies.models import Agency
from kotapintar.core.demo.registry import (
    DemoContext,
    DemoDataError,
    ScaleSpec,
    registered_generators,
)


@dataclass(frozen=True)
class GeneratorRun:
    name: str
    counts: dict[str, int]
    seconds: float


def demo_generators_discover() -> None:
    """Imports ``<app>.demo`` of every installed app, where modules register generators."""
    autodiscover_modules("demo")


def demo_reference_data_ensure() -> None:
    """Demo users need the agencies: load the reference data when there is none yet."""
    if Agency.objects.exists():
        return
    try:
        call_command("load_reference_data")
    except CommandError as exc:
        raise DemoDataError(
            "No agencies (OPD) in the database and loading them failed "
            f"({exc}). Run `python manage.py load_reference_data` first."
        ) from exc
    if not Agency.objects.exists():
        raise DemoDataError(
            "No agencies (OPD) in the database after `load_reference_data`: check "
            "KOTAPINTAR_REGION_CODE and the OPD file, then run it again."
        )


def demo_data_generate(
    *,
    scale: str,
    seed: int,
    batch_size: int = 2000,
    only: Collection[str] | None = None,
    spec: ScaleSpec | None = None,
) -> list[GeneratorRun]:
    """Runs every registered generator (or those named in ``only``) in order, each in its own
    transaction, and returns their counts. Idempotent: generators skip what exists."""
    demo_generators_discover()
    generators = registered_generators()
    if only:
        unknown = set(only) - {g.name for g in generators}
        if unknown:
            raise DemoDataError(
                f"Unknown generator(s): {', '.join(sorted(unknown))}. "
                f"Known: {', '.join(g.name for g in generators)}."
            )
        generators = [g for g in generators if g.name in only]
    demo_reference_data_ensure()
    runs = []
    for generator in generators:
        ctx = DemoContext(
            scale=scale, seed=seed, batch_size=batch_size, generator=generator.name, spec=spec
        )
        started = time.monotonic()
        with transaction.atomic():
            counts = generator.func(ctx)
        runs.append(GeneratorRun(generator.name, counts, time.monotonic() - started))
    return runs
