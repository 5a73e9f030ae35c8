"""Exports of the Dinas workspace: the 40% report (CSV/XLSX totals equal the records to the
rupiah, Indonesian formatting, formula injection made inert) and the e-Katalog (INAPROC)
onboarding file (curated products of verified businesses only)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kotapintar.testing.factories import AgencyFactory
from kotapintar.umkm.exports import format_percent
from kotapintar.umkm.models import GovernmentPurchase, Product, ProductStatus
from kotapintar.umkm.services import (
    government_purchase_record,
    product_photo_add,
)
from kotapintar.umkm.tests.factories import (
    BusinessFactory,
    ProductFactory,
    certification,
    dinas_officer,
    image_upload,
)

pytestmark = pytest.mark.django_db


def parse_money(text: str) -> int:
    assert text.startswith("Rp"), text
    return int(text[2:].replace(".", ""))


def read_csv(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def read_xlsx(response: Any) -> Any:
    return load_workbook(io.BytesIO(response.content))


@pytest.fixture
def purchases(reference_data: Any) -> dict[str, Any]:
    """Odd amounts in two OPD over two years, one supplier that grew past UMK mid-year."""
    officer = dinas_officer()
    small = BusinessFactory.create(name="Bika Ambon Bu Siti")
    cooperative = BusinessFactory.create(name="Koperasi Ulos", is_cooperative=True)
    education = AgencyFactory.create(name="Dinas Pendidikan")
    health = AgencyFactory.create(name='=HYPERLINK("http://x")')  # hostile OPD name

    def buy(agency: Any, on: date, amount: int, **kw: Any) -> GovernmentPurchase:
        return government_purchase_record(
            actor=officer, agency=agency, purchase_date=on, amount=amount, kind="barang", **kw
        )

    buy(education, date(2026, 2, 3), 1_234_567, business=small)
    buy(education, date(2026, 3, 4), 2_000_001, supplier_name="PT Besar Sekali")
    buy(education, date(2026, 4, 5), 333_333, business=cooperative, is_domestic_product=False)
    buy(health, date(2026, 5, 6), 7_654_321, supplier_name="+SUM(A1:A9)")
    buy(health, date(2026, 6, 7), 99, business=small, description="@cmd|' /C calc'!A0")
    buy(health, date(2025, 12, 31), 5_000_000, business=small)  # another year: not counted
    return {"officer": officer, "education": education, "health": health}


def test_share_csv_totals_equal_the_records_to_the_rupiah(
    purchases: dict[str, Any], client: Client
) -> None:
    client.force_login(purchases["officer"])
    response = client.get(reverse("umkm:dinas_share_export", args=["csv"]), {"year": 2026})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="belanja-umk-2026.csv"'
    rows = read_csv(response)
    header, body, city = rows[0], rows[1:-1], rows[-1]
    assert header[:5] == [
        "Tahun anggaran",
        "Perangkat daerah (OPD)",
        "Belanja barang/jasa",
        "Belanja ke UMK dan koperasi",
        "Porsi UMK dan koperasi (%)",
    ]
    records = GovernmentPurchase.objects.filter(year=2026)
    by_agency = {row[1]: row for row in body}
    for agency in (purchases["education"], purchases["health"]):
        name = "'" + agency.name if agency.name.startswith("=") else agency.name
        row = by_agency[name]
        mine = records.filter(agency=agency)
        assert parse_money(row[2]) == sum(p.amount for p in mine)
        assert parse_money(row[3]) == sum(p.amount for p in mine if p.is_umk_or_cooperative)
        assert parse_money(row[7]) == sum(p.amount for p in mine if p.is_domestic_product)
    assert city[1] == "Seluruh kota"
    assert parse_money(city[2]) == sum(p.amount for p in records) == 11_222_321
    assert parse_money(city[2]) == sum(parse_money(row[2]) for row in body)
    assert parse_money(city[3]) == 1_234_567 + 333_333 + 99
    # Indonesian formatting: Rp with dots, decimal comma, "ya"/"tidak".
    assert city[2] == "Rp11.222.321"
    education = by_agency["Dinas Pendidikan"]
    assert education[4] == "43,94"  # 1.567.900 / 3.567.901 = 43,945 %
    assert education[5] == "40" and education[6] == "ya"
    # The hostile OPD name is text, not a formula.
    assert '\'=HYPERLINK("http://x")' in by_agency


def test_share_xlsx_has_numbers_that_sum_to_the_records_and_inert_text(
    purchases: dict[str, Any], client: Client
) -> None:
    client.force_login(purchases["officer"])
    response = client.get(reverse("umkm:dinas_share_export", args=["xlsx"]), {"year": 2026})
    assert response.status_code == 200
    workbook = read_xlsx(response)
    summary, detail = workbook["Porsi per OPD"], workbook["Pembelian"]
    rows = list(summary.iter_rows(min_row=2, values_only=True))
    per_opd, city = rows[:-1], rows[-1]
    total = sum(p.amount for p in GovernmentPurchase.objects.filter(year=2026))
    assert city[1] == "Seluruh kota"
    assert city[2] == total == sum(r[2] for r in per_opd)
    assert isinstance(city[2], int)
    amounts = [r[6] for r in detail.iter_rows(min_row=2, values_only=True)]
    assert sum(amounts) == total and len(amounts) == 5
    money_cell = summary.cell(row=2, column=3)
    assert money_cell.number_format == '"Rp"#,##0'
    date_cell = detail.cell(row=2, column=1)
    assert date_cell.number_format == "DD/MM/YYYY"
    assert date_cell.value.date() == date(2026, 2, 3)
    texts = [c for row in detail.iter_rows(min_row=2) for c in row if c.data_type == "f"]
    assert texts == []  # no cell is a formula
    values = {c.value for row in detail.iter_rows(min_row=2) for c in row}
    assert "'+SUM(A1:A9)" in values
    assert "'@cmd|' /C calc'!A0" in values
    assert '\'=HYPERLINK("http://x")' in values


@pytest.fixture
def catalogue(reference_data: Any) -> dict[str, Any]:
    verified = BusinessFactory.create(verified=True, name="Ulos Ragi Hotang")
    good = ProductFactory.create(
        business=verified,
        status=ProductStatus.LISTED,
        name="=cmd|' /C calc'!A0",
        description='<p><b>Kain</b> ulos &amp; songket</p><script>alert("x")</script>',
        price=1_250_000,
        stock=7,
        minimum_order=2,
        unit="lembar",
        weight_grams=450,
    )
    halal = certification(verified, "halal", "ID12110000123450923")
    good.certifications.add(halal)
    product_photo_add(actor=verified.owner, product=good, uploaded_file=image_upload())
    unverified = BusinessFactory.create(name="Belum Diverifikasi")
    ProductFactory.create(business=unverified, status=ProductStatus.LISTED, name="Tersembunyi")
    ProductFactory.create(business=verified, status=ProductStatus.PENDING, name="Menunggu")
    ProductFactory.create(business=verified, status=ProductStatus.DELISTED, name="Turun")
    return {"officer": dinas_officer(), "good": good, "business": verified}


def test_catalogue_csv_exports_only_curated_products_of_verified_sellers(
    catalogue: dict[str, Any], client: Client
) -> None:
    client.force_login(catalogue["officer"])
    response = client.get(reverse("umkm:dinas_catalogue_export", args=["csv"]))
    assert response.status_code == 200
    rows = read_csv(response)
    assert rows[0] == [
        "Nama produk",
        "Kategori",
        "Harga (rupiah)",
        "Satuan jual",
        "Stok",
        "Pemesanan minimum",
        "Berat (gram)",
        "Deskripsi produk",
        "Nomor sertifikasi",
        "NIB penyedia",
        "Penjual",
        "Kecamatan",
        "URL foto",
    ]
    assert len(rows) == 2  # header + the one curated product of a verified seller
    row = rows[1]
    good: Product = catalogue["good"]
    assert row[0] == "'=cmd|' /C calc'!A0"
    assert row[1] == good.category.name
    assert row[2:7] == ["1250000", "lembar", "7", "2", "450"]
    assert row[7] == "Kain ulos & songket"
    assert "ID12110000123450923" in row[8]
    assert row[9] == catalogue["business"].nib
    assert row[10] == "Ulos Ragi Hotang"
    photo = good.photos.get()
    assert row[12] == f"http://testserver{reverse('core:file', args=[photo.file_id])}"
    body = "\n".join(",".join(r) for r in rows)
    for hidden in ("Tersembunyi", "Menunggu", "Turun", "<script", "alert"):
        assert hidden not in body


def test_catalogue_xlsx_matches_the_csv_and_never_has_unverified(
    catalogue: dict[str, Any], client: Client
) -> None:
    client.force_login(catalogue["officer"])
    response = client.get(reverse("umkm:dinas_catalogue_export", args=["xlsx"]))
    sheet = read_xlsx(response)["Produk"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    assert rows[0][0] == "'=cmd|' /C calc'!A0"
    assert rows[0][2] == 1_250_000
    assert sheet.cell(row=2, column=1).data_type == "s"


def test_unverified_products_are_never_exported_even_after_verification_is_revoked(
    catalogue: dict[str, Any], client: Client
) -> None:
    from kotapintar.umkm.services import business_reject

    business_reject(actor=catalogue["officer"], business=catalogue["business"], reason="Palsu")
    client.force_login(catalogue["officer"])
    rows = read_csv(client.get(reverse("umkm:dinas_catalogue_export", args=["csv"])))
    assert len(rows) == 1  # the header only


def test_percent_format() -> None:
    assert format_percent(42.5) == "42,50"
