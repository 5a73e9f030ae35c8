"""Cache versions for region reads.

Region data changes only when a command runs, so reads are cached under a version token and
the services replace the token after a change instead of deleting keys one by one (the Redis
and locmem backends cannot delete by pattern). The tokens expire too: a command may run in
another process whose cache (locmem) the web server does not share.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max

from kotapintar.regions.models import RegionBoundary

_DATA_VERSION_KEY = "regions:data-version"
_BOUNDARIES_VERSION_KEY = "regions:boundaries-version"
DATA_TTL = 60 * 60
BOUNDARIES_TTL = 60


def data_version() -> str:
    return str(cache.get_or_set(_DATA_VERSION_KEY, lambda: uuid.uuid4().hex, DATA_TTL))


def data_changed() -> None:
    # Now (for this transaction's own reads) and again after commit, so that no concurrent
    # reader keeps the old rows cached under the token.
    cache.set(_DATA_VERSION_KEY, uuid.uuid4().hex, DATA_TTL)
    transaction.on_commit(lambda: cache.set(_DATA_VERSION_KEY, uuid.uuid4().hex, DATA_TTL))


def boundaries_version() -> str:
    """A fingerprint of the boundary table: parsed polygons are reused while it holds."""
    version = cache.get(_BOUNDARIES_VERSION_KEY)
    if version is None:
        agg = RegionBoundary.objects.aggregate(n=Count("id"), top=Max("id"), last=Max("updated_at"))
        version = f"{agg['n']}:{agg['top']}:{agg['last']}"
        cache.set(_BOUNDARIES_VERSION_KEY, version, BOUNDARIES_TTL)
    return str(version)


def boundaries_changed() -> None:
    cache.delete(_BOUNDARIES_VERSION_KEY)
    transaction.on_commit(lambda: cache.delete(_BOUNDARIES_VERSION_KEY))
