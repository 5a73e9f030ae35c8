"""Counting side effects, for "a refused call changed nothing" assertions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.core import mail
from django.test import TestCase

from kotapintar.civil_registration.models import Application, ApplicationDocument, ApplicationEvent
from kotapintar.core.models.audit import AuditEntry
from kotapintar.core.models.files import StoredFile
from kotapintar.core.models.notifications import Notification


def side_effects() -> dict[str, int]:
    return {
        "applications": Application.objects.count(),
        "documents": ApplicationDocument.objects.count(),
        "events": ApplicationEvent.objects.count(),
        "audit": AuditEntry.objects.count(),
        "notifications": Notification.objects.count(),
        "files": StoredFile.objects.count(),
    }


PIN_IN_EMAIL = re.compile(r"PIN: (\d{6})")


@contextmanager
def pin_delivery() -> Iterator[list[str]]:
    """Run the after-commit callbacks of the block and collect the self-print PINs e-mailed.

    The list is filled when the block ends (the PIN is made by the task, after commit).
    """
    start = len(mail.outbox)
    pins: list[str] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        yield pins
    for message in mail.outbox[start:]:
        match = PIN_IN_EMAIL.search(str(message.body))
        if match:
            pins.append(match.group(1))
