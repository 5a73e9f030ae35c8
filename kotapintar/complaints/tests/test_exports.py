"""Exports: formula injection made inert, no identity for anonim/rahasia, streamed CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation
from openpyxl import load_workbook

from kotapintar.complaints.exports import (
    export_csv_response,
    export_header,
    export_rows,
    export_xlsx_response,
    neutralise_cell,
)
from kotapintar.complaints.models import Complaint, Privacy, Status
from kotapintar.complaints.tests.factories import ComplaintFactory
from kotapintar.testing.factories import AgencyFactory, CitizenFactory

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.mark.parametrize("value", HOSTILE)
def test_cells_starting_with_a_formula_character_get_a_leading_apostrophe(value: str) -> None:
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Jalan rusak", "12", "", "a=b", "'=already"])
def test_harmless_cells_are_unchanged(value: str) -> None:
    assert neutralise_cell(value) == value


def test_none_becomes_an_empty_cell() -> None:
    assert neutralise_cell(None) == ""


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_csv_export_is_streamed_and_neutralises_hostile_titles() -> None:
    ComplaintFactory(title='=HYPERLINK("http://jahat.example","klik")')
    ComplaintFactory(title="@SUM(1+1)")
    response = export_csv_response(Complaint.objects.order_by("title"), filename="uji")
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="uji.csv"'
    rows = _csv_rows(response)
    titles = sorted(row[1] for row in rows[1:])
    assert titles == ['\'=HYPERLINK("http://jahat.example","klik")', "'@SUM(1+1)"]


def test_xlsx_export_stores_hostile_text_as_plain_strings() -> None:
    ComplaintFactory(title="=1+2")
    ComplaintFactory(title="-cmd|' /C calc'!A0")
    response = export_xlsx_response(Complaint.objects.order_by("title"), filename="uji")
    sheet = load_workbook(io.BytesIO(response.content)).active
    titles = sorted(row[1].value for row in sheet.iter_rows(min_row=2))
    assert titles == ["'-cmd|' /C calc'!A0", "'=1+2"]
    assert all(row[1].data_type == "s" for row in sheet.iter_rows(min_row=2))


@pytest.mark.parametrize("privacy", [Privacy.ANONYMOUS, Privacy.SECRET])
def test_export_never_contains_identity_of_anonymous_or_secret_reporters(privacy: str) -> None:
    reporter = CitizenFactory(full_name="Siti Rahmawati Nasution", phone="081234567890")
    ComplaintFactory(
        reporter=reporter,
        privacy=privacy,
        reporter_email="siti@contoh.id",
        reporter_phone="081234567890",
    )
    with translation.override("en"):
        rows = list(export_rows(Complaint.objects.all()))
    flat = "\n".join(",".join(row) for row in rows)
    assert "Siti" not in flat
    assert "Nasution" not in flat
    assert "siti@contoh.id" not in flat
    assert "081234567890" not in flat
    assert rows[1][8] == "Anonymous"


def test_export_shows_the_name_of_a_public_reporter_but_never_contact_details() -> None:
    reporter = CitizenFactory(full_name="Budi Santoso", phone="081234567890")
    ComplaintFactory(reporter=reporter, privacy=Privacy.PUBLIC, reporter_email="budi@contoh.id")
    rows = list(export_rows(Complaint.objects.all()))
    assert rows[1][8] == "Budi Santoso"
    flat = "\n".join(",".join(row) for row in rows)
    assert "budi@contoh.id" not in flat
    assert "081234567890" not in flat


def test_export_row_has_every_column_in_wib() -> None:
    agency = AgencyFactory(name="Dinas Pekerjaan Umum", short_name="Dinas PU")
    submitted = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 08:30 WIB
    complaint = ComplaintFactory(
        status=Status.RESOLVED,
        agency=agency,
        submitted_at=submitted,
        sla_started_at=submitted,
        sla_due_at=submitted + timedelta(days=3),
        sla_stopped_at=submitted + timedelta(days=5),
        citizen_confirmed_fixed=True,
        rating=4,
    )
    with translation.override("en"):
        header, row = list(export_rows(Complaint.objects.all()))
    assert len(header) == len(export_header()) == 15
    assert row == [
        complaint.reference,
        complaint.title,
        "2026-03-02 08:30",
        complaint.category.name,
        "Medan Kota",
        "Pasar Baru",
        "Resolved",
        "Dinas PU",
        complaint.reporter_name,
        "2026-03-05 08:30",
        "yes",
        "2026-03-02 08:30",
        "2026-03-02 08:30",
        "yes",
        "4",
    ]


def test_export_reads_related_names_without_a_query_per_row(django_assert_max_num_queries) -> None:
    for _ in range(5):
        ComplaintFactory(status=Status.DISPOSED)
    with django_assert_max_num_queries(2):
        rows = list(export_rows(Complaint.objects.all()))
    assert len(rows) == 6
