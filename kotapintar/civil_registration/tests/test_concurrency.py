"""Double submits racing each other (T5, T6): PostgreSQL only (real concurrent transactions)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from kotapintar.civil_registration.models import Application
from kotapintar.civil_registration.services import OpenApplicationExists
from kotapintar.civil_registration.tests.factories import disdukcapil_world, seed_services, submit


def _race(count: int, func: Any) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results.append(func(index))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_creates_one_application(private_storage: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent transactions need PostgreSQL.")
    seed_services()
    world = disdukcapil_world()
    results, errors = _race(2, lambda _i: submit(world, idempotency_key="kirim").pk)
    assert errors == []
    assert len(set(results)) == 1
    assert Application.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_applications_for_one_nik_leave_one_open(private_storage: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent transactions need PostgreSQL.")
    seed_services()
    world = disdukcapil_world()
    results, errors = _race(2, lambda i: submit(world, idempotency_key=f"k{i}").pk)
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], OpenApplicationExists)
    assert errors[0].application.pk == results[0]
    assert Application.objects.count() == 1
