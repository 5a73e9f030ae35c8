"""The Redis cache backend keeps one client per connection pool and still works as a cache.

Needs the Redis server of the machine (``REDIS_URL`` or redis://127.0.0.1:6379; database 15
is used and flushed of this test's keys only)."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from kotapintar.core.cache import SharedClientRedisCache

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def backend() -> SharedClientRedisCache:
    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis server at {REDIS}")
    return SharedClientRedisCache(REDIS, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})


def test_one_client_per_pool_and_a_working_cache(backend: SharedClientRedisCache) -> None:
    client = backend._cache.get_client()
    assert backend._cache.get_client() is client
    assert backend._cache.get_client(write=True) is client  # one server: one pool
    assert backend.get("missing") is None
    backend.set("answer", {"ids": [3, 1, 2], "total": 3}, 30)
    assert backend.get("answer") == {"ids": [3, 1, 2], "total": 3}
    assert backend.add("answer", "other") is False
    assert backend.add("counter", 1) is True
    assert backend.incr("counter") == 2
    backend.delete_many(["answer", "counter"])
    assert backend.get_many(["answer", "counter"]) == {}
