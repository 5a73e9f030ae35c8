"""A per-process memo of the complaint configuration that every report form and submission reads.

The categories with their groups, questions and options, the policy row, the routing rules, and
the city's kecamatan and kelurahan change a few times a year (in the admin), but the report form
and each submission read all of them: loading them per request was a quarter of a submission's
time. They are memoised in each process under a version token kept in the Django cache (shared
by all processes when the cache is Redis, as in production); any save or delete of those models
replaces the token (now, and again when the transaction commits, as ``core.calendar`` does), so
every process rebuilds on its next read. ``MAX_AGE_SECONDS`` bounds the staleness of a process
that missed a change that fires no signal (``QuerySet.update``, ``bulk_create`` by a loader) or a
per-process cache (locmem).

The memoised objects are shared between requests: callers must not modify them.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

_VERSION_KEY = "complaints:config:version"
MAX_AGE_SECONDS = 60.0

_memo: dict[str, tuple[str, float, Any]] = {}
_lock = threading.Lock()


def config_version() -> str:
    version: str | None = cache.get(_VERSION_KEY)
    if version is None:
        # A fresh token (not 0): an evicted key can never revive an older memo.
        cache.add(_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(_VERSION_KEY) or uuid.uuid4().hex
    return version


def _bump_version() -> None:
    cache.set(_VERSION_KEY, uuid.uuid4().hex, None)


def config_invalidate(**_kwargs: Any) -> None:
    """Forget the memo in every process: now (later reads in this transaction see the change)
    and again on commit (drops what was memoised from uncommitted reads)."""
    _bump_version()
    transaction.on_commit(_bump_version)


def config_memo(name: str, build: Callable[[], T]) -> T:
    """``build()``, reused by this process while the version token is unchanged."""
    version = config_version()
    now = time.monotonic()
    hit = _memo.get(name)
    if hit is not None and hit[0] == version and now - hit[1] < MAX_AGE_SECONDS:
        return cast(T, hit[2])
    value = build()
    with _lock:
        _memo[name] = (version, now, value)
    return value


def connect_signals() -> None:
    """Called from ``ComplaintsConfig.ready``: the models whose changes replace the token."""
    from kotapintar.agencies.models import Agency
    from kotapintar.complaints.models import (
        Category,
        CategoryGroup,
        CategoryQuestion,
        ComplaintPolicy,
        QuestionOption,
        RoutingRule,
    )
    from kotapintar.regions.models import District, Village

    for model in (
        Agency,
        Category,
        CategoryGroup,
        CategoryQuestion,
        QuestionOption,
        ComplaintPolicy,
        RoutingRule,
        District,
        Village,
    ):
        post_save.connect(
            config_invalidate, sender=model, dispatch_uid=f"complaints-config-{model}"
        )
        post_delete.connect(
            config_invalidate, sender=model, dispatch_uid=f"complaints-config-del-{model}"
        )
