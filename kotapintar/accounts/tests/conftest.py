from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.test import override_settings

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def immediate_tasks() -> Iterator[None]:
    """Run enqueued tasks at once (the e-mail tasks), instead of storing them for a worker."""
    with override_settings(TASKS=IMMEDIATE_TASKS):
        yield


@pytest.fixture
def committed(
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]],
    immediate_tasks: None,
) -> Callable[[], AbstractContextManager[Any]]:
    """``with committed(): ...`` runs on-commit callbacks (and so sends e-mails) on exit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def audit_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Records every ``audit_record`` call made by the accounts services."""
    from kotapintar.accounts import services

    calls: list[dict[str, Any]] = []
    real = services.audit_record

    def spy(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(services, "audit_record", spy)
    return calls


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2 makes every factory user cost ~0.1 s; hashing strength is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
