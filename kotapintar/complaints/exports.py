"""CSV and XLSX exports of the reports an officer may see.

Rules (DESIGN §5, reference §5.6/§5.11): no reporter identity for anonim and rahasia reports and
no e-mail, phone or NIK for anyone; every text cell that a spreadsheet would read as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a leading apostrophe, in
both formats. CSV is streamed row by row so that a city-wide export does not sit in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from kotapintar.complaints.models import Complaint, Privacy

WIB = ZoneInfo("Asia/Jakarta")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise_cell(value: Any) -> str:
    """``value`` as text a spreadsheet shows literally (formula injection made inert)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def export_header() -> list[str]:
    return [
        _("Reference number"),
        _("Title"),
        _("Submitted (WIB)"),
        _("Category"),
        _("Kecamatan"),
        _("Kelurahan"),
        _("Status"),
        _("Agency"),
        _("Reporter"),
        _("Due date (WIB)"),
        _("Overdue"),
        _("First response (WIB)"),
        _("Resolved (WIB)"),
        _("Confirmed fixed by the citizen"),
        _("Rating"),
    ]


def export_queryset(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """Only the columns the export reads; related names in the same query (no N+1)."""
    # Reset the selector's joins: the export reads fewer relations and fewer columns.
    joined = qs.select_related(None).select_related("category", "district", "village", "agency")
    return joined.only(
        "reference",
        "title",
        "submitted_at",
        "category__name",
        "district__name",
        "village__name",
        "status",
        "agency__name",
        "agency__short_name",
        "privacy",
        "reporter_name",
        "sla_started_at",
        "sla_due_at",
        "sla_paused_at",
        "sla_stopped_at",
        "first_response_at",
        "resolved_at",
        "citizen_confirmed_fixed",
        "rating",
    )


def export_rows(qs: QuerySet[Complaint], *, now: datetime | None = None) -> Iterator[list[str]]:
    """The header, then one neutralised row per report of ``qs`` (read in chunks)."""
    now = now or timezone.now()
    yield [neutralise_cell(h) for h in export_header()]
    yes, no = _("yes"), _("no")
    for complaint in export_queryset(qs).iterator(chunk_size=CHUNK_SIZE):
        confirmed = complaint.citizen_confirmed_fixed
        row = [
            complaint.reference,
            complaint.title,
            _wib(complaint.submitted_at),
            complaint.category.name,
            complaint.district.name if complaint.district else "",
            complaint.village.name if complaint.village else "",
            complaint.get_status_display(),
            str(complaint.agency) if complaint.agency else "",
            reporter_for_export(complaint),
            _wib(complaint.sla_due_at),
            yes if is_overdue(complaint, now=now) else no,
            _wib(complaint.first_response_at),
            _wib(complaint.resolved_at),
            "" if confirmed is None else (yes if confirmed else no),
            "" if complaint.rating is None else str(complaint.rating),
        ]
        yield [neutralise_cell(value) for value in row]


def reporter_for_export(complaint: Complaint) -> str:
    """The reporter's name for public reports only; never contact details."""
    if complaint.privacy != Privacy.PUBLIC:
        return _("Anonymous")
    return complaint.reporter_name


def is_overdue(complaint: Complaint, *, now: datetime) -> bool:
    """Past due at ``now`` (or at a paused/stopped clock's freeze point), as ``sla_state``."""
    if complaint.sla_started_at is None or complaint.sla_due_at is None:
        return False
    reference = complaint.sla_stopped_at or complaint.sla_paused_at or now
    return reference > complaint.sla_due_at


def _wib(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(WIB).strftime("%Y-%m-%d %H:%M")


class _Echo:
    """A file-like object whose ``write`` returns the line (for streaming ``csv.writer``)."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: spreadsheet programs then read the file as UTF-8
    for row in rows:
        yield writer.writerow(row)


def export_csv_response(qs: QuerySet[Complaint], *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        _csv_lines(export_rows(qs)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def export_xlsx_response(qs: QuerySet[Complaint], *, filename: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Reports"))
    for row in export_rows(qs):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            # openpyxl turns any string starting with "=" into a formula; force plain text.
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
