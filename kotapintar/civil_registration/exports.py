"""CSV export of the dashboard's lead-time tables (aggregates only: no citizen data).

Every text cell goes through ``complaints.exports.neutralise_cell``, so a service, unit or officer
name a spreadsheet would read as a formula is shown literally.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext

from kotapintar.complaints.exports import neutralise_cell

#: URL value -> (key in the dashboard stats, column holding the row's name).
TABLES: dict[str, tuple[str, str]] = {
    "layanan": ("by_service", "service__name"),
    "unit": ("by_unit", "unit__name"),
    "petugas": ("by_officer", "assigned_officer__full_name"),
}


def _number(value: Any) -> str:
    return "" if value is None else str(value)


def dashboard_table_csv(stats: dict[str, Any], *, table: str, filename: str) -> HttpResponse:
    key, name_column = TABLES[table]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            gettext("Name"),
            gettext("Applications"),
            gettext("Ready"),
            gettext("Median lead time (hours)"),
            gettext("90th percentile (hours)"),
        ]
    )
    for row in stats[key]:
        writer.writerow(
            [
                neutralise_cell(row.get(name_column) or ""),
                row["applications"],
                row["ready"],
                _number(row["median_hours"]),
                _number(row["p90_hours"]),
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
