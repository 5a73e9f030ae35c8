"""Reads the Open311 endpoints need beyond the complaints selectors."""

from __future__ import annotations

from kotapintar.complaints.models import Complaint, Open311Client


def open311_submission_get(*, client: Open311Client, idempotency_key: str) -> Complaint | None:
    """The report a client already submitted with this key (for retries), if any."""
    return (
        Complaint.objects.filter(
            open311_client=client, reporter__isnull=True, idempotency_key=idempotency_key
        )
        .order_by("pk")
        .first()
    )
