"""Background jobs of the complaints module (django-tasks).

``complaints_escalate_overdue`` and ``complaints_auto_close`` run from cron through
``manage.py complaints_housekeeping``; ``complaint_forward_emergency`` is enqueued after an
emergency report commits.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

import requests
from django.utils import timezone
from django_tasks import task

from kotapintar.complaints.models import OPEN_STATUSES, Complaint, Status
from kotapintar.complaints.selectors import complaint_policy
from kotapintar.complaints.services import (
    complaint_close,
    complaint_escalate,
    complaint_record_forwarding,
)
from kotapintar.core.sla import overdue_q

logger = logging.getLogger(__name__)

FORWARD_ATTEMPTS = 3
FORWARD_TIMEOUT_SECONDS = 10
FORWARD_BACKOFF_SECONDS = 2.0


def escalate_overdue() -> int:
    """Escalate every open, overdue, not yet escalated report once; returns how many."""
    now = timezone.now()
    ids = list(
        Complaint.objects.filter(
            overdue_q(now),
            status__in=list(OPEN_STATUSES),
            escalated_at__isnull=True,
            from_banned_reporter=False,
        ).values_list("pk", flat=True)
    )
    count = 0
    for complaint in Complaint.objects.filter(pk__in=ids):
        if complaint_escalate(complaint=complaint, at=now):
            count += 1
    return count


def auto_close() -> int:
    """Close resolved reports the reporter did not answer within the window; returns how many."""
    cutoff = timezone.now() - timedelta(days=complaint_policy().auto_close_after_days)
    count = 0
    for complaint in Complaint.objects.filter(status=Status.RESOLVED, resolved_at__lte=cutoff):
        complaint_close(complaint=complaint, actor=None)
        count += 1
    return count


def emergency_payload(complaint: Complaint) -> dict[str, Any]:
    """What the emergency service receives (contact details included: they must call back)."""
    return {
        "reference": complaint.reference,
        "category": complaint.category.code,
        "title": complaint.title,
        "description": complaint.description,
        "latitude": complaint.latitude,
        "longitude": complaint.longitude,
        "address": complaint.address,
        "kecamatan": complaint.district.name if complaint.district else "",
        "kelurahan": complaint.village.name if complaint.village else "",
        "answers": complaint.answers,
        "submitted_at": timezone.localtime(complaint.submitted_at).isoformat(),
        "reporter": {
            "name": complaint.reporter_name,
            "phone": complaint.reporter_phone
            or (complaint.reporter.phone if complaint.reporter else ""),
        },
    }


def forward_emergency(complaint_id: int, *, sleep: Any = time.sleep) -> bool:
    """POST the report to the emergency webhook, retrying; failures are logged, never raised."""
    complaint = (
        Complaint.objects.select_related("category", "district", "village", "reporter")
        .filter(pk=complaint_id, from_banned_reporter=False)
        .first()
    )
    if complaint is None or not complaint.category.is_emergency:
        return False
    url = complaint_policy().emergency_webhook_url
    if not url:
        logger.warning("Emergency report %s: no emergency webhook configured", complaint.pk)
        complaint_record_forwarding(complaint=complaint, ok=False, detail="no webhook configured")
        return False
    payload = emergency_payload(complaint)
    error = ""
    for attempt in range(1, FORWARD_ATTEMPTS + 1):
        try:
            response = requests.post(url, json=payload, timeout=FORWARD_TIMEOUT_SECONDS)
            if 200 <= response.status_code < 300:
                complaint_record_forwarding(complaint=complaint, ok=True)
                return True
            error = f"HTTP {response.status_code}"
        except requests.RequestException as exc:
            error = type(exc).__name__
        # The URL and payload may hold personal data: log the reference and the error class.
        logger.warning(
            "Emergency report %s: forwarding attempt %s failed (%s)",
            complaint.reference,
            attempt,
            error,
        )
        if attempt < FORWARD_ATTEMPTS:
            sleep(FORWARD_BACKOFF_SECONDS * attempt)
    logger.error("Emergency report %s: forwarding gave up (%s)", complaint.reference, error)
    complaint_record_forwarding(complaint=complaint, ok=False, detail=error)
    return False


@task()
def complaints_escalate_overdue() -> int:
    return escalate_overdue()


@task()
def complaints_auto_close() -> int:
    return auto_close()


@task()
def complaint_forward_emergency(complaint_id: int) -> bool:
    return forward_emergency(complaint_id)
