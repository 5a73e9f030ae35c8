"""The configured console handler masks NIKs, phones and Authorization values everywhere."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from pythonjsonlogger.json import JsonFormatter

from kotapintar.core.logging import PersonalDataMaskingFilter, mask_text

NIK = "1271011708850001"
logger = logging.getLogger("kotapintar.tests.privacy")


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """The console handler configured by settings.LOGGING, writing into a buffer."""
    [handler] = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, PersonalDataMaskingFilter) for f in h.filters)
    ]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


@pytest.mark.parametrize(
    "written",
    [
        "1271011708850001",
        "12.71.01.170885.0001",
        "1271 0117 0885 0001",
        "1271-0117-0885-0001",
        "nik=1271011708850001&x=1",
        "12710117088500012",  # a mistyped NIK with an extra digit still contains the NIK
    ],
)
def test_nik_runs_are_masked_anywhere_in_the_message(console: io.StringIO, written: str) -> None:
    logger.warning("lookup %s done", written)
    line = console.getvalue()
    assert "1271*" in line
    assert "170885" not in line
    assert "08850001" not in line.replace("*", "")


def test_message_arguments_exception_text_and_extra_fields_are_masked(
    console: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    try:
        raise ValueError(f"NIK {NIK} is broken")
    except ValueError:
        logger.exception(
            "failed for %s",
            NIK,
            extra={"nik": NIK, "payload": {"kk": [NIK], "phone": "081234567890"}, "n": 1},
        )
    output = console.getvalue()
    assert NIK not in output
    assert "ValueError: NIK 1271********0001 is broken" in output
    assert "failed for 1271********0001" in output
    [record] = [r for r in caplog.records if r.name == logger.name]
    # The record itself was cleaned, so any later handler sees masked data too.
    assert record.nik == "1271********0001"
    assert record.payload == {
        "kk": ["1271********0001"],
        "phone": "0812******90",
    }
    assert record.n == 1


def test_authorization_header_values_are_redacted(console: io.StringIO) -> None:
    logger.warning("headers: Authorization: Bearer abc.def.ghi")
    logger.warning("meta %s", {"HTTP_AUTHORIZATION": "Token 9944b09199c62bcf9418ad846dd0e4bb"})
    logger.warning("sent", extra={"headers": {"Authorization": "Basic dXNlcjpwdw=="}})
    output = console.getvalue()
    assert "abc.def.ghi" not in output
    assert "9944b09199c62bcf9418ad846dd0e4bb" not in output
    assert "Authorization: Bearer [redacted]" in output
    assert "'HTTP_AUTHORIZATION': 'Token [redacted]'" in output


def test_json_formatter_output_is_masked_including_extras() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s"))
    handler.addFilter(PersonalDataMaskingFilter())
    log = logging.getLogger("kotapintar.tests.privacy.json")
    log.addHandler(handler)
    log.propagate = False
    try:
        try:
            raise RuntimeError(NIK)
        except RuntimeError:
            log.error(
                "citizen %s",
                NIK,
                exc_info=True,
                stack_info=True,
                extra={"form": {"nik": "12.71.01.170885.0001"}, "number": 1271011708850001},
            )
    finally:
        log.removeHandler(handler)
        log.propagate = True
    record = json.loads(stream.getvalue())
    assert NIK not in stream.getvalue()
    assert record["message"] == "citizen 1271********0001"
    assert record["form"] == {"nik": "1271********0001"}
    assert record["number"] == "1271********0001"
    assert "RuntimeError: 1271********0001" in record["exc_info"]


def test_non_personal_numbers_are_left_alone() -> None:
    text = "took 0.25 s, 200 OK, user 123456, ip 10.0.0.1, 2025-11-29 09:42:00"
    assert mask_text(text) == text


def test_phone_numbers_are_masked_also_with_separators() -> None:
    assert mask_text("call 0812-3456-7890 or +6281234567890") == (
        "call 0812******90 or +628********90"
    )
