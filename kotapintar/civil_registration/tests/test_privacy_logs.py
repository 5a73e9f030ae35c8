"""Reference T17: the NIK never leaks. A citizen applies (once with a mistyped NIK, once right),
an officer claims the case, opens it unmasked and checks a document; then no log record, at any
level and from any logger, and no audit entry holds a NIK or KK number in clear.

The records are read as the code created them, before the logging filter that masks 16-digit
runs rewrites them (it changes the record in place), so this proves the code never logs the
numbers at all, not only that the filter works.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from kotapintar.civil_registration.models import Application, DocumentStatus
from kotapintar.civil_registration.tests.factories import KK, NIK, World
from kotapintar.civil_registration.tests.test_views_citizen import KTP_URL, ktp_post
from kotapintar.core.models.audit import AuditEntry

pytestmark = pytest.mark.django_db

CLEAR_NUMBERS = (NIK, KK)


def _leaks(text: str) -> list[str]:
    digits_only = re.sub(r"[\s.\-]", "", text)
    return [number for number in CLEAR_NUMBERS if number in text or number in digits_only]


@pytest.fixture
def raw_log_messages(caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """Every log message at any level, as formatted when the record is created."""
    caplog.set_level(logging.DEBUG)
    messages: list[str] = []
    make_record = logging.getLogRecordFactory()

    def recording_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            messages.append(record.getMessage())
        except (TypeError, ValueError):
            messages.append(f"{record.msg!r} {record.args!r}")
        return record

    logging.setLogRecordFactory(recording_factory)
    try:
        yield messages
    finally:
        logging.setLogRecordFactory(make_record)


def test_no_nik_or_kk_in_any_log_record_or_audit_entry(
    client: Client, world: World, raw_log_messages: list[str]
) -> None:
    client.force_login(world.citizen)
    mistyped = client.post(KTP_URL, ktp_post(world, subject_nik="12710117O8850001"))
    assert mistyped.status_code == 400  # the form again, with the field error
    assert not Application.objects.exists()
    client.post(KTP_URL, ktp_post(world))
    application = Application.objects.get()

    client.force_login(world.verifier)
    base = f"/adminduk/kelola/{application.pk}/"
    assert client.post(base + "aksi/claim/").status_code in (302, 303)
    page = client.get(base)
    assert NIK in page.content.decode()  # the assigned officer sees it: the read is audited
    document = application.documents.first()
    assert document is not None
    verified = client.post(
        base + "aksi/verify_document/",
        {"verify_document-document": document.pk, "verify_document-result": "valid"},
    )
    assert verified.status_code in (302, 303)
    document.refresh_from_db()
    assert document.status == DocumentStatus.VALID

    assert raw_log_messages, "the journey logged nothing: the capture is not working"
    assert [m for m in raw_log_messages if _leaks(m)] == []
    audit_texts = [repr((e.summary, e.before, e.after)) for e in AuditEntry.objects.all()]
    assert AuditEntry.objects.filter(action="personal_data.read").exists()
    assert [t for t in audit_texts if _leaks(t)] == []
