"""Log lines are JSON objects with level, logger, message and request id, and never carry a NIK.

The handler is built from ``settings.LOGGING`` exactly as in production (``LOG_FORMAT=json``:
the ``json`` formatter and the console handler's filters); tests run with the plain format.
"""

from __future__ import annotations

import copy
import io
import json
import logging
import logging.config
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db
# Test-only API views (logging, failing); the 404 page tests use the project's own URLs.
TEST_URLS = pytest.mark.urls("kotapintar.core.tests.test_api_urls")

NIK = "1271011708850001"
MASKED_NIK = "1271********0001"
_UNMASKED_RUN = re.compile(r"\d{16}")


class JsonLog:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def lines(self) -> list[str]:
        return [line for line in self.stream.getvalue().splitlines() if line]

    def records(self, logger: str | None = None) -> list[dict[str, Any]]:
        records = [json.loads(line) for line in self.lines()]
        return [r for r in records if logger is None or r["logger"] == logger]


@pytest.fixture
def json_log() -> Iterator[JsonLog]:
    """Attaches a handler configured like production's console handler to the root logger."""
    configurator = logging.config.DictConfigurator(copy.deepcopy(settings.LOGGING))
    config = configurator.config
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configurator.configure_formatter(config["formatters"]["json"]))
    for name in config["handlers"]["console"]["filters"]:
        handler.addFilter(configurator.configure_filter(config["filters"][name]))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield JsonLog(stream)
    finally:
        root.removeHandler(handler)


@TEST_URLS
def test_request_log_line_is_json_with_level_logger_message_and_request_id(
    client: Client, json_log: JsonLog
) -> None:
    response = client.get("/api/v1/test/log/")

    assert response.status_code == 200
    [record] = json_log.records("kotapintar.tests")
    assert record["level"] == "INFO"
    assert record["logger"] == "kotapintar.tests"
    assert record["message"] == f"Looked up NIK {MASKED_NIK} for phone 0812******90"
    assert record["request_id"] == response["X-Request-ID"]
    assert len(record["request_id"]) == 32
    assert {"time", "level", "logger", "message", "request_id"} <= set(record)


@TEST_URLS
def test_request_id_from_the_proxy_is_kept(client: Client, json_log: JsonLog) -> None:
    client.get("/api/v1/test/log/", HTTP_X_REQUEST_ID="proxy-id-0042")

    [record] = json_log.records("kotapintar.tests")
    assert record["request_id"] == "proxy-id-0042"


def test_log_line_outside_a_request_has_a_placeholder_request_id(json_log: JsonLog) -> None:
    logging.getLogger("kotapintar.tests").warning("Nightly job done")

    [record] = json_log.records("kotapintar.tests")
    assert record["request_id"] == "-"
    assert record["level"] == "WARNING"


@pytest.mark.parametrize(
    "written",
    [NIK, "12.71.01.170885.0001", "1271 0117 0885 0001", "1271-0117-0885-0001"],
)
def test_sixteen_digit_number_in_a_message_comes_out_masked(
    json_log: JsonLog, written: str
) -> None:
    logging.getLogger("kotapintar.tests").info("Citizen %s asked for a KK", written)

    [record] = json_log.records("kotapintar.tests")
    assert record["message"] == f"Citizen {MASKED_NIK} asked for a KK"
    assert NIK not in json_log.stream.getvalue()


def test_exception_traceback_is_masked(json_log: JsonLog) -> None:
    try:
        raise ValueError(f"bad NIK {NIK}")
    except ValueError:
        logging.getLogger("kotapintar.tests").exception("Import failed")

    [line] = json_log.lines()
    record = json.loads(line)
    assert record["message"] == "Import failed"
    assert f"ValueError: bad NIK {MASKED_NIK}" in line
    assert NIK not in line


@TEST_URLS
def test_server_error_line_carries_the_request_id_and_a_masked_traceback(
    json_log: JsonLog,
) -> None:
    response = Client(raise_request_exception=False).get("/api/v1/test/broken/")

    assert response.status_code == 500
    [record] = json_log.records("django.request")
    assert record["level"] == "ERROR"
    assert record["message"] == "Internal Server Error: /api/v1/test/broken/"
    assert record["request_id"] == response["X-Request-ID"]
    assert NIK not in json.dumps(record)


@TEST_URLS
@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/api/v1/test/missing/?nik={NIK}", 404),
        (f"/api/v1/test/private/?nik={NIK}", 401),
        (f"/api/v1/test/broken/?nik={NIK}", 500),
    ],
)
def test_django_request_lines_never_carry_an_unmasked_nik_from_path_or_query(
    json_log: JsonLog, path: str, status: int
) -> None:
    response = Client(raise_request_exception=False).get(path)

    assert response.status_code == status
    [record] = json_log.records("django.request")
    # The request id is random hex and may by chance hold 16 decimal digits in a row; it is not
    # personal data, so only the other fields are searched.
    record.pop("request_id")
    line = json.dumps(record)
    assert _UNMASKED_RUN.search(line) is None, line


def test_not_found_page_line_masks_a_nik_in_path_and_query(
    client: Client, json_log: JsonLog
) -> None:
    client.get(f"/tidak-ada/{NIK}/?nik={NIK}")

    [line] = json_log.lines()
    record = json.loads(line)
    assert record["logger"] == "django.request"
    assert record["level"] == "WARNING"
    assert record["message"] == f"Not Found: /tidak-ada/{MASKED_NIK}/"
    record.pop("request_id")  # random hex: may hold 16 digits in a row by chance
    assert _UNMASKED_RUN.search(json.dumps(record)) is None, line


def test_client_error_line_carries_the_request_id(client: Client, json_log: JsonLog) -> None:
    response = client.get("/tidak-ada/")

    [record] = json_log.records("django.request")
    assert record["request_id"] == response["X-Request-ID"]
