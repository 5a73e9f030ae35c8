"""Concurrent appends keep the audit chain valid (PostgreSQL: real row locks, real threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from kotapintar.core.audit import audit_chain_verify, audit_record
from kotapintar.core.models.audit import AuditChainHead, AuditEntry

PER_THREAD = 15


@pytest.mark.django_db(transaction=True)
def test_two_threads_appending_at_once_keep_the_chain_valid() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SQLite's in-memory test database is one connection)")
    # No head row yet: both threads also race to create it.
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def append(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            for n in range(PER_THREAD):
                audit_record(
                    actor=None, action="test.append", object_type="x.y", object_id=f"{name}-{n}"
                )
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert AuditEntry.objects.count() == 2 * PER_THREAD
    assert AuditChainHead.objects.get().entry_count == 2 * PER_THREAD
    # Every entry links to exactly one predecessor: no fork in the chain.
    prev_hashes = list(AuditEntry.objects.values_list("prev_hash", flat=True))
    assert len(set(prev_hashes)) == 2 * PER_THREAD
    result = audit_chain_verify(batch_size=7)
    assert (result.ok, result.checked) == (True, 2 * PER_THREAD)
