"""Counting side effects, for "a refused call changed nothing" assertions."""

from __future__ import annotations

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
