"""The demo-data generator registry and the context handed to each generator."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import islice
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.db import models
from django.utils import timezone

#: Password of every demo account (printed by ``make run``; never use demo data in production).
DEMO_PASSWORD = "demo12345!"  # noqa: S105 - published demo password, never for production
DEMO_EMAIL_DOMAIN = "demo.kotapintar.id"

M = TypeVar("M", bound=models.Model)


class DemoDataError(Exception):
    """Demo data cannot be generated; the message tells the operator what to do."""


@dataclass(frozen=True)
class ScaleSpec:
    """How much data a scale means. Generators read the numbers they need from here."""

    name: str
    citizens: int  # bulk citizens in addition to the demo logins
    officers: int  # bulk officers in addition to the demo logins
    years: int  # history to spread dated records over, ending today
    description: str = ""


SCALES: dict[str, ScaleSpec] = {
    "small": ScaleSpec(
        "small", citizens=0, officers=0, years=1, description="the demo logins and a few records"
    ),
    "medan-5y": ScaleSpec(
        "medan-5y",
        citizens=50_000,
        officers=500,
        years=5,
        description="five years of a city the size of Medan, for load tests",
    ),
}


@dataclass
class DemoContext:
    """What a generator gets: the scale, a seeded random source and bulk helpers.

    Each generator gets its own ``rng`` seeded from (seed, generator name), so adding or
    changing one generator does not change the data of the others.
    """

    scale: str
    seed: int = 1
    batch_size: int = 2000
    generator: str = ""
    spec: ScaleSpec | None = None
    today: date = field(default_factory=timezone.localdate)
    rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.spec is None:
            if self.scale not in SCALES:
                raise DemoDataError(f"Unknown scale {self.scale!r}; choose from {sorted(SCALES)}.")
            self.spec = SCALES[self.scale]
        self.rng = random.Random(f"{self.seed}:{self.generator}")  # noqa: S311 - not security

    def rng_for(self, part: str) -> random.Random:
        """A separate stream for one part of a generator, so that skipping a part that is
        already complete (on a re-run) does not change what the other parts draw."""
        return random.Random(f"{self.seed}:{self.generator}:{part}")  # noqa: S311 - not security

    @property
    def size(self) -> ScaleSpec:
        assert self.spec is not None  # set in __post_init__
        return self.spec

    @property
    def is_small(self) -> bool:
        return self.scale == "small"

    def bulk_create(
        self, model: type[M], objs: Iterable[M], *, ignore_conflicts: bool = False
    ) -> int:
        """Inserts ``objs`` in batches without holding them all in memory; returns how many
        were passed. With ``ignore_conflicts`` rows hitting a unique constraint are skipped
        (how re-runs stay idempotent); the objects then get no primary key."""
        total = 0
        iterator: Iterator[M] = iter(objs)
        while batch := list(islice(iterator, self.batch_size)):
            model._default_manager.bulk_create(batch, ignore_conflicts=ignore_conflicts)
            total += len(batch)
        return total

    def password_hash(self, raw: str = DEMO_PASSWORD) -> str:
        """One hash reused for every demo account: hashing 50,000 times would take minutes."""
        return _hash(raw)

    def demo_email(self, local_part: str) -> str:
        return f"{local_part}@{DEMO_EMAIL_DOMAIN}"


@lru_cache(maxsize=8)
def _hash(raw: str) -> str:
    return make_password(raw)


GeneratorFunc = Callable[[DemoContext], dict[str, int]]


@dataclass(frozen=True)
class Generator:
    name: str
    order: int
    func: GeneratorFunc


_generators: dict[str, Generator] = {}


def register_generator(name: str, order: int, func: GeneratorFunc) -> None:
    """Adds (or replaces, by name) a generator. Lower ``order`` runs first; the built-in
    users run at 10, so module data that needs users and agencies uses 100 and above."""
    _generators[name] = Generator(name=name, order=order, func=func)


def registered_generators() -> list[Generator]:
    return sorted(_generators.values(), key=lambda g: (g.order, g.name))
