"""The UMKM journey of issue 5's "Done when", in a real browser.

An owner registers a business (with the NIB document) and a product with a photo; a Dinas
officer verifies the business and lists the product; a citizen on a phone-sized screen
(360×740) finds it by searching a misspelled name, opens it and orders; the owner accepts,
ships and completes the order; the citizen reviews it; the Dinas publishes the review and sees
the business on the dashboard. The owner's NIK, phone and street address never appear on a
buyer's page. Screenshots go to ``/tmp/kp-shots/``.
"""

from __future__ import annotations

import tempfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from PIL import Image

from kotapintar.testing.factories import DEFAULT_PASSWORD, UserFactory
from kotapintar.umkm.models import (
    Business,
    Order,
    OrderStatus,
    Product,
    ProductStatus,
    Review,
    ReviewStatus,
    VerificationStatus,
)
from kotapintar.umkm.services import umkm_reference_load
from kotapintar.umkm.tests.factories import dinas_officer, pdf_upload

SHOTS = Path(tempfile.gettempdir()) / "kp-shots"
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

OWNER_NIK = "1271011708850001"
OWNER_PHONE = "081298765432"
STREET = "Jl. Mojopahit No. 17"
BUSINESS = "Bika Ambon Kak Nur"
PRODUCT = "Bika Ambon Pandan Kak Nur"
REVIEW = "Lembut dan wangi pandan, pengiriman cepat."


def _log_in(page: Any, *, email: str, next_url: str) -> None:
    page.goto(next_url)
    page.wait_for_url("**/akun/masuk/**")
    page.fill("#id_username", email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: url.endswith(next_url))


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def _jpeg(path: Path) -> Path:
    image = Image.new("RGB", (640, 480), "#3f8f3a")
    image.save(path, "JPEG", quality=85)
    return path


def _assert_no_owner_personal_data(page: Any) -> None:
    html = page.content()
    for secret in (OWNER_NIK, OWNER_PHONE, STREET):
        assert secret not in html


def _assert_fits_phone(page: Any) -> None:
    """Nothing wider than the 360 px screen (no sideways scrolling)."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, width


@pytest.fixture
def medan(db: None) -> None:
    call_command("load_reference_data", "--province-only", stdout=StringIO())
    umkm_reference_load()


def test_owner_registers_dinas_curates_citizen_finds_orders_and_reviews(
    medan: None, new_context: Any, tmp_path: Path
) -> None:
    owner = UserFactory.create(full_name="Nurhayati Lubis")
    citizen = UserFactory.create(full_name="Rina Siregar")
    officer = dinas_officer(full_name="Petugas Dinas Koperasi")
    nib_pdf = tmp_path / "nib.pdf"
    nib_pdf.write_bytes(pdf_upload().read())
    photo = _jpeg(tmp_path / "bika.jpg")

    # 1. The owner registers the business with its NIB document.
    desk = new_context(**DESKTOP).new_page()
    _log_in(desk, email=owner.email, next_url="/umkm/usaha/daftar/")
    desk.fill("#id_name", BUSINESS)
    desk.fill("#id_nib", "9120 0000 0000 1")
    desk.set_input_files("#id_nib_document", str(nib_pdf))
    desk.fill("#id_kbli", "10792")
    desk.select_option("#id_sector", "kuliner")
    desk.fill("#id_founding_year", "2016")
    desk.fill("#id_description", "Bika ambon buatan rumah sejak 2016.")
    desk.fill("#id_owner_name", "Nurhayati Lubis")
    desk.fill("#id_owner_nik", OWNER_NIK)
    desk.fill("#id_phone", OWNER_PHONE)
    desk.select_option("#id_kecamatan", "12.71.01")
    desk.fill("#id_street_address", STREET)
    desk.fill("#id_employees", "3")
    desk.fill("#id_capital", "50000000")
    desk.fill("#id_annual_turnover", "300000000")
    with desk.expect_navigation():
        desk.locator("main form button[type=submit]").click()
    business = Business.objects.get(owner=owner)
    assert business.nib == "9120000000001"
    assert business.verification_status == VerificationStatus.UNVERIFIED
    assert desk.url.endswith(f"/umkm/usaha/{business.public_id}/")

    # 2. … and a product with a photo, sent for curation.
    desk.goto(f"/umkm/usaha/{business.public_id}/produk/baru/")
    desk.select_option("#id_category", "kue-roti")
    desk.fill("#id_name", PRODUCT)
    desk.fill("#id_description", "Bika ambon pandan, 1 kotak isi 20 potong.")
    desk.fill("#id_price", "85000")
    desk.fill("#id_stock", "20")
    desk.fill("#id_minimum_order", "1")
    desk.fill("#id_unit", "kotak")
    desk.fill("#id_weight_grams", "1000")
    desk.set_input_files("#id_photos", str(photo))
    with desk.expect_navigation():
        desk.locator("button[name=submit]").click()
    product = Product.objects.get(business=business)
    assert product.status == ProductStatus.PENDING
    assert product.photos.count() == 1

    # Not public yet: the catalogue does not know it.
    anonymous = new_context(**PHONE).new_page()
    anonymous.goto("/umkm/?q=bika")
    assert PRODUCT not in anonymous.content()

    # 3. The Dinas verifies the business and lists the product.
    dinas = new_context(**DESKTOP).new_page()
    _log_in(dinas, email=officer.email, next_url=f"/umkm/kelola/usaha/{business.public_id}/")
    with dinas.expect_navigation():
        dinas.locator(f"form[action$='/usaha/{business.public_id}/verifikasi/'] button").click()
    business.refresh_from_db()
    assert business.verification_status == VerificationStatus.VERIFIED
    dinas.goto("/umkm/kelola/kurasi/")
    with dinas.expect_navigation():
        dinas.locator(f"form[action$='/kurasi/{product.public_id}/'] button[value=approve]").click()
    product.refresh_from_db()
    assert product.status == ProductStatus.LISTED

    # 4. The citizen, on a phone, searches with a typo and finds it.
    phone = new_context(**PHONE).new_page()
    _log_in(phone, email=citizen.email, next_url="/umkm/pesanan/")
    phone.goto("/umkm/")
    phone.fill("#id_q", "bika ambn pandn")
    with phone.expect_navigation():
        phone.locator("form[role=search] button[type=submit]").click()
    card = phone.locator(".product-card", has_text=PRODUCT)
    assert card.count() == 1
    assert "Rp85.000" in card.inner_text()
    assert BUSINESS in card.inner_text()
    assert "Medan" in card.inner_text()
    assert phone.locator(".product-card img").first.evaluate("img => img.naturalWidth") > 0
    _assert_fits_phone(phone)
    _assert_no_owner_personal_data(phone)
    _shot(phone, "umkm-01-search.png")

    with phone.expect_navigation():
        card.locator("a.product-card-link").click()
    assert phone.locator("h1").inner_text() == PRODUCT
    assert "Rp85.000" in phone.content()
    _assert_fits_phone(phone)
    _assert_no_owner_personal_data(phone)
    _shot(phone, "umkm-02-product.png")

    # 5. … and orders two boxes.
    phone.fill("#id_quantity", "2")
    with phone.expect_navigation():
        phone.locator("form.cart-form button[type=submit]").click()
    assert phone.url.endswith("/umkm/keranjang/")
    assert "Rp170.000" in phone.content()
    _assert_fits_phone(phone)
    _shot(phone, "umkm-03-cart.png")
    with phone.expect_navigation():
        phone.locator("form.checkout-form button[type=submit]").click()
    order = Order.objects.get(buyer=citizen)
    assert (order.total, order.status, order.business_id) == (
        170_000,
        OrderStatus.SUBMITTED,
        business.pk,
    )
    assert phone.url.endswith(f"/umkm/pesanan/{order.public_id}/")
    assert "Diajukan" in phone.locator(".timeline").inner_text()
    product.refresh_from_db()
    assert product.stock == 18

    # 6. The owner accepts, ships and completes the order.
    order_url = f"/umkm/usaha/{business.public_id}/pesanan/{order.public_id}/"
    desk.goto(order_url)
    for action in ("accept", "ship", "complete"):
        with desk.expect_navigation():
            desk.locator(f"form[action$='/{action}/'] button[type=submit]").click()
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED

    # 7. The citizen reviews the order line; it waits for moderation.
    phone.goto(f"/umkm/pesanan/{order.public_id}/")
    assert "Selesai" in phone.locator(".timeline").inner_text()
    phone.locator("form.review-form input[name=rating][value='5']").check()
    phone.fill("form.review-form textarea[name=text]", REVIEW)
    with phone.expect_navigation():
        phone.locator("form.review-form button[type=submit]").click()
    assert "menunggu moderasi" in phone.content()
    review = Review.objects.get(author=citizen)
    assert (review.rating, review.status) == (5, ReviewStatus.PENDING)
    _assert_fits_phone(phone)
    _shot(phone, "umkm-04-order.png")
    anonymous.goto(f"/umkm/produk/{product.public_id}/")
    assert REVIEW not in anonymous.content()

    # 8. The Dinas publishes the review and sees the business on the dashboard.
    dinas.goto("/umkm/kelola/ulasan/")
    with dinas.expect_navigation():
        dinas.locator(f"form[action$='/ulasan/{review.pk}/'] button[value=approve]").click()
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED
    anonymous.goto(f"/umkm/produk/{product.public_id}/")
    assert REVIEW in anonymous.content()
    _assert_no_owner_personal_data(anonymous)

    dinas.goto("/umkm/kelola/dasbor/")
    assert dinas.locator("#stat-verified").inner_text().strip() == "1"
    assert dinas.locator("#stat-products").inner_text().strip() == "1"
    assert "Medan Kota" in dinas.locator("#table-kecamatan").inner_text()
    _shot(dinas, "umkm-05-dashboard.png")
