"""The export pages: staff only, the actor's visible reports, the queue's filters, no identity."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from kotapintar.complaints.models import Privacy, Status
from kotapintar.complaints.tests.factories import ComplaintFactory
from kotapintar.testing.factories import (
    AnalystFactory,
    CitizenFactory,
    CoordinatorFactory,
    OfficerFactory,
)
from kotapintar.testing.permissions import Actors, assert_permission_matrix

pytestmark = pytest.mark.django_db

CSV_URL = "/pengaduan/kelola/ekspor.csv"
XLSX_URL = "/pengaduan/kelola/ekspor.xlsx"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_export_is_for_staff_only(url: str) -> None:
    complaint = ComplaintFactory(status=Status.DISPOSED)
    actors = Actors.around(citizen=complaint.reporter, agency=complaint.agency)
    actors.add("coordinator", CoordinatorFactory()).add("analyst", AnalystFactory())
    assert_permission_matrix(
        Client,
        url,
        "get",
        {
            "anonymous": 302,
            "citizen": 404,
            "other_citizen": 404,
            "officer_other_agency": 200,
            "officer": 200,
            "admin": 200,
            "coordinator": 200,
            "analyst": 200,
        },
        actors,
    )


def test_officer_exports_only_their_agency_reports() -> None:
    officer = OfficerFactory()
    mine = ComplaintFactory(status=Status.DISPOSED, agency=officer.agency)
    ComplaintFactory(status=Status.DISPOSED)
    ComplaintFactory(status=Status.RECEIVED)
    rows = _csv(_client(officer).get(CSV_URL))
    assert [row[0] for row in rows[1:]] == [mine.reference]


def test_export_applies_the_queue_filters() -> None:
    coordinator = CoordinatorFactory()
    disposed = ComplaintFactory(status=Status.DISPOSED)
    ComplaintFactory(status=Status.RECEIVED)
    rows = _csv(_client(coordinator).get(CSV_URL, {"status": Status.DISPOSED}))
    assert [row[0] for row in rows[1:]] == [disposed.reference]


def test_xlsx_export_through_the_page_is_inert_and_anonymous() -> None:
    reporter = CitizenFactory(full_name="Maria Simanjuntak")
    ComplaintFactory(
        status=Status.RECEIVED, privacy=Privacy.ANONYMOUS, reporter=reporter, title="=2+5"
    )
    response = _client(CoordinatorFactory()).get(XLSX_URL)
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'=2+5" in values
    assert not any("Maria" in str(value) for value in values)


def test_banned_reporters_reports_are_left_out_as_on_the_dashboard() -> None:
    ComplaintFactory(status=Status.RECEIVED, from_banned_reporter=True)
    kept = ComplaintFactory(status=Status.RECEIVED)
    rows = _csv(_client(CoordinatorFactory()).get(CSV_URL))
    assert [row[0] for row in rows[1:]] == [kept.reference]
