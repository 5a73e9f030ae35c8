"""CSV and XLSX exports of the Dinas workspace: the 40% UMK/cooperative share report and the
curated products ready for onboarding to the national e-Katalog (INAPROC v6).

- Every text cell goes through ``complaints.exports.neutralise_cell`` (a leading ``=``, ``+``,
  ``-``, ``@``, tab or CR gets an apostrophe), in both formats; XLSX text cells are forced to
  the string type so openpyxl never writes a formula.
- Money is integer rupiah. The report's CSV shows it the Indonesian way (``Rp1.500.000``,
  percentages ``42,50``, dates ``29/11/2026``); XLSX keeps numbers as numbers (summable) with a
  rupiah number format. The e-Katalog file keeps prices as plain integers for the upload.
- Only curated products of verified, active businesses (``search.public_products`` via
  ``selectors.national_catalogue_export_rows``) are exported: never an unverified seller.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from kotapintar.complaints.exports import XLSX_CONTENT_TYPE, neutralise_cell
from kotapintar.umkm.models import GovernmentPurchase, Product
from kotapintar.umkm.rules import description_plain_text, format_rupiah
from kotapintar.umkm.selectors import ShareRow

CHUNK_SIZE = 1000


@dataclass(frozen=True)
class Money:
    """Integer rupiah: ``Rp1.500.000`` in CSV, a number with a rupiah format in XLSX."""

    amount: int


@dataclass(frozen=True)
class Percent:
    value: float


Cell = str | int | Money | Percent | date | None


def format_percent(value: float) -> str:
    """``42.5`` -> ``"42,50"`` (decimal comma)."""
    return f"{value:.2f}".replace(".", ",")


def format_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def csv_text(value: Cell) -> str:
    if isinstance(value, Money):
        return format_rupiah(value.amount)
    if isinstance(value, Percent):
        return format_percent(value.value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return neutralise_cell(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: spreadsheet programs then read the file as UTF-8
    for row in rows:
        yield writer.writerow([csv_text(value) for value in row])


def csv_response(rows: Iterable[Sequence[Cell]], *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_cells(sheet: Any, row: Sequence[Cell]) -> list[Any]:
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in row:
        if isinstance(value, Money):
            cell = WriteOnlyCell(sheet, value=value.amount)
            cell.number_format = '"Rp"#,##0'
        elif isinstance(value, Percent):
            cell = WriteOnlyCell(sheet, value=value.value)
            cell.number_format = "0.00"
        elif isinstance(value, date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "DD/MM/YYYY"
        elif isinstance(value, int) and not isinstance(value, bool):
            cell = WriteOnlyCell(sheet, value=value)
        else:
            cell = WriteOnlyCell(sheet, value=neutralise_cell(value))
            # openpyxl turns any string starting with "=" into a formula; force plain text.
            cell.data_type = "s"
        cells.append(cell)
    return cells


def xlsx_response(
    sheets: Sequence[tuple[str, Iterable[Sequence[Cell]]]], *, filename: str
) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(neutralise_cell(title)[:31])
        for row in rows:
            sheet.append(_xlsx_cells(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


# --- The 40% UMK/cooperative share report -------------------------------------------------------


def share_header() -> list[Cell]:
    return [
        _("Budget year"),
        _("Agency (OPD)"),
        _("Goods and services spending"),
        _("Spending with UMK and cooperatives"),
        _("UMK and cooperative share (%)"),
        _("Target (%)"),
        _("Target met"),
        _("Domestic product (PDN) spending"),
        _("PDN share (%)"),
    ]


def _share_row(row: ShareRow, name: str) -> list[Cell]:
    return [
        row.year,
        name,
        Money(row.total),
        Money(row.umk_total),
        Percent(row.umk_share_percent),
        row.target_percent,
        _("yes") if row.meets_target else _("no"),
        Money(row.domestic_total),
        Percent(row.domestic_share_percent),
    ]


def share_rows(per_agency: list[ShareRow], city: ShareRow) -> Iterator[list[Cell]]:
    """The header, one row per OPD, then the city-wide row."""
    yield share_header()
    for row in per_agency:
        yield _share_row(row, row.agency_name)
    yield _share_row(city, _("Whole city"))


def purchase_header() -> list[Cell]:
    return [
        _("Purchase date"),
        _("Agency (OPD)"),
        _("Supplier"),
        _("NIB"),
        _("Goods or services"),
        _("What was bought"),
        _("Amount"),
        _("UMK or cooperative"),
        _("Domestic product (PDN)"),
    ]


def purchase_rows(qs: QuerySet[GovernmentPurchase]) -> Iterator[list[Cell]]:
    """The header, then every purchase of ``qs`` (the records behind the report)."""
    yield purchase_header()
    yes, no = _("yes"), _("no")
    rows = qs.select_related("agency", "business").order_by("purchase_date", "pk")
    for purchase in rows.iterator(chunk_size=CHUNK_SIZE):
        yield [
            purchase.purchase_date,
            purchase.agency.name,
            purchase.supplier_name,
            purchase.business.nib if purchase.business is not None else "",
            purchase.get_kind_display(),
            purchase.description,
            Money(purchase.amount),
            yes if purchase.is_umk_or_cooperative else no,
            yes if purchase.is_domestic_product else no,
        ]


# --- e-Katalog (INAPROC v6) onboarding ----------------------------------------------------------


def catalogue_header() -> list[Cell]:
    return [
        _("Product name"),
        _("Category"),
        _("Price (rupiah)"),
        _("Sales unit"),
        _("Stock"),
        _("Minimum order"),
        _("Weight (grams)"),
        _("Product description"),
        _("Certification numbers"),
        _("Seller NIB"),
        _("Seller"),
        _("Kecamatan"),
        _("Photo URLs"),
    ]


def plain_text(value: str) -> str:
    """Allow-listed HTML as one line of plain text (tags removed, entities decoded)."""
    return html.unescape(description_plain_text(value or ""))


def category_path(product: Product) -> str:
    names: list[str] = []
    category: Any = product.category
    while category is not None and len(names) < 3:
        names.append(category.name)
        category = category.parent
    return " > ".join(reversed(names))


def catalogue_rows(
    qs: QuerySet[Product], *, absolute_url: Callable[[str], str]
) -> Iterator[list[Cell]]:
    """The header, then one row per curated product of ``qs`` (already limited to public
    products by the selector). ``absolute_url`` turns a path into a full URL for photos."""
    yield catalogue_header()
    rows = qs.select_related("category__parent__parent", "business__district").prefetch_related(
        "photos", "certifications__type"
    )
    for product in rows.iterator(chunk_size=CHUNK_SIZE):
        certificates = "; ".join(f"{c.type.name} {c.number}" for c in product.certifications.all())
        photos = " ".join(
            absolute_url(reverse("core:file", args=[photo.file_id]))
            for photo in product.photos.all()
        )
        yield [
            product.name,
            category_path(product),
            product.price,
            product.unit,
            product.stock,
            product.minimum_order,
            product.weight_grams,
            plain_text(product.description),
            certificates,
            product.business.nib,
            product.business.name,
            product.business.district.name,
            photos,
        ]
