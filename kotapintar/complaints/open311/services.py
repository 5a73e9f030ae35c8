"""Open311 POST Service Request: a client application's report, through ``complaint_submit``.

Two choices an Open311 client cannot see from the spec:

* **Duplicates.** A client may send an ``Idempotency-Key`` header: the same key from the same
  client always gives the same report. Without one, identical submissions (same service,
  point, text, answers and contact details) from the same client within two to four minutes
  give the first report again: the key is derived from the content and a two-minute time slot,
  and the previous slot's key is looked up too. The database's unique constraint on
  (client, key) makes this safe against concurrent retries.
* **media_url** is never fetched by the server (that would let anyone make us request
  arbitrary URLs). It is recorded as an internal note on the report, visible to staff only:
  staff open it in their own browser if they judge it safe.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from kotapintar.complaints.models import (
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    EventKind,
    Open311Client,
    Privacy,
)
from kotapintar.complaints.open311.selectors import open311_submission_get
from kotapintar.complaints.services import complaint_submit

#: Identical submissions within one slot (and the one before) are the same report.
DEDUP_SLOT_SECONDS = 120
HEADER_KEY_PREFIX = "h:"
MAX_HEADER_KEY_LENGTH = 80 - len(HEADER_KEY_PREFIX)
MEDIA_NOTE_PREFIX = "Open311 media_url"


def open311_idempotency_keys(
    *, header_key: str, content: dict[str, object], now: datetime
) -> tuple[str, str | None]:
    """The key to submit with, and an earlier key that also counts as the same submission."""
    if header_key:
        return HEADER_KEY_PREFIX + header_key, None
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=True).encode()
    ).hexdigest()[:40]
    slot = int(now.timestamp()) // DEDUP_SLOT_SECONDS
    return f"auto:{slot}:{digest}", f"auto:{slot - 1}:{digest}"


@transaction.atomic
def open311_request_create(
    *,
    client: Open311Client,
    category: Category,
    latitude: float,
    longitude: float,
    description: str,
    answers: dict[str, str | list[str]],
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    media_url: str = "",
    header_key: str = "",
    request: HttpRequest | None = None,
) -> Complaint:
    """Submit a report for an Open311 client; a retry or double submit returns the first one."""
    content: dict[str, object] = {
        "service_code": category.code,
        "lat": latitude,
        "long": longitude,
        "description": description,
        "answers": answers,
        "email": email,
        "phone": phone,
        "name": [first_name, last_name],
        "media_url": media_url,
    }
    key, earlier_key = open311_idempotency_keys(
        header_key=header_key, content=content, now=timezone.now()
    )
    if earlier_key is not None:
        earlier = open311_submission_get(client=client, idempotency_key=earlier_key)
        if earlier is not None:
            return earlier
    complaint = complaint_submit(
        reporter=None,
        category=category,
        # Open311 has no title: the service name is a title that never carries personal data.
        title=category.name,
        description=description,
        latitude=latitude,
        longitude=longitude,
        privacy=Privacy.PUBLIC,
        answers=answers,
        channel=Channel.OPEN311,
        idempotency_key=key,
        open311_client=client,
        reporter_name=" ".join(part for part in (first_name, last_name) if part),
        reporter_email=email,
        reporter_phone=phone,
        request=request,
    )
    if media_url:
        _record_media_url(complaint=complaint, media_url=media_url)
    return complaint


def _record_media_url(*, complaint: Complaint, media_url: str) -> None:
    """An internal note with the client's media link (once, also on a retry)."""
    message = gettext("%(prefix)s (not fetched by the server, open with care): %(url)s") % {
        "prefix": MEDIA_NOTE_PREFIX,
        "url": media_url,
    }
    if ComplaintEvent.objects.filter(
        complaint=complaint, kind=EventKind.NOTE, message=message
    ).exists():
        return
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=EventKind.NOTE,
        message=message,
        is_public=False,
        created_at=timezone.now(),
    )
