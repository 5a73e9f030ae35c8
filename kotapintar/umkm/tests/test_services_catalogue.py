"""Product services: reference §5 tests 5–7 and 9 (prices, XSS, images, seller isolation)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from PIL import Image

from kotapintar.core.models.audit import AuditEntry
from kotapintar.core.models.files import StoredFile
from kotapintar.testing.factories import UserFactory
from kotapintar.umkm.models import Product, ProductCategory, ProductPhoto, ProductStatus
from kotapintar.umkm.rules import format_rupiah
from kotapintar.umkm.selectors import (
    product_get_for_owner,
    product_list_for_owner,
    public_product_get,
)
from kotapintar.umkm.services import (
    product_create,
    product_curate,
    product_delist,
    product_photo_add,
    product_update,
)
from kotapintar.umkm.tests.factories import (
    BusinessFactory,
    ProductFactory,
    dinas_officer,
    image_upload,
)

pytestmark = pytest.mark.django_db


def create(business: Any, **overrides: Any) -> Product:
    data: dict[str, Any] = {
        "actor": business.owner,
        "business": business,
        "category": ProductCategory.objects.get(slug="kue-roti"),
        "name": "Bika Ambon Pandan",
        "price": "1500",
        "stock": 10,
    }
    data.update(overrides)
    return product_create(**data)


# --- 5. Prices ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("-1000", "Harga harus lebih dari Rp0."),
        ("0", "Harga harus lebih dari Rp0."),
        ("1500.50", "Harga rupiah tanpa desimal: masukkan bilangan bulat, misalnya 1500."),
        ("Rp1.500", "Tulis harga tanpa “Rp” dan tanpa titik, misalnya 1500 untuk Rp1.500."),
        ("1e12", "Tulis harga hanya dengan angka, tanpa titik atau huruf, misalnya 1500."),
        ("9" * 25, "Harga paling tinggi Rp1.000.000.000."),
    ],
)
def test_bad_price_rejected_nothing_stored(reference_data: Any, price: str, message: str) -> None:
    business = BusinessFactory()
    with pytest.raises(ValidationError) as exc:
        create(business, price=price)
    assert exc.value.message_dict["price"] == [message]
    assert not Product.objects.exists()
    assert not AuditEntry.objects.filter(action="umkm.product_create").exists()


def test_good_price_and_display(reference_data: Any) -> None:
    product = create(BusinessFactory(), price="1500")
    assert product.price == 1500
    assert format_rupiah(product.price) == "Rp1.500"


def test_price_cap_is_data(reference_data: Any) -> None:
    from kotapintar.umkm.selectors import umkm_policy

    policy = umkm_policy()
    policy.price_cap = 100_000
    policy.save()
    with pytest.raises(ValidationError) as exc:
        create(BusinessFactory(), price=100_001)
    assert exc.value.message_dict["price"] == ["Harga paling tinggi Rp100.000."]


# --- 6. XSS -------------------------------------------------------------------------------------


def test_description_is_cleaned_on_save(reference_data: Any) -> None:
    product = create(
        BusinessFactory(),
        description=(
            "<p><b>Bika</b></p><script>alert(1)</script><img src=x onerror=alert(1)>"
            '<a href="javascript:alert(1)">klik</a><svg onload=alert(1)></svg>'
        ),
    )
    assert product.description == ('<p><b>Bika</b></p><a rel="noopener noreferrer">klik</a>')
    assert "alert" not in product.search_text


# --- 7. Images ----------------------------------------------------------------------------------


def test_photo_too_small_rejected(reference_data: Any) -> None:
    product = create(BusinessFactory())
    with pytest.raises(ValidationError) as exc:
        product_photo_add(
            actor=product.business.owner, product=product, uploaded_file=image_upload(100, 100)
        )
    assert "photo" in exc.value.error_dict
    assert not ProductPhoto.objects.exists() and not StoredFile.objects.exists()


def test_photo_fake_jpeg_rejected(reference_data: Any) -> None:
    product = create(BusinessFactory())
    fake = SimpleUploadedFile(
        "foto.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg"
    )
    with pytest.raises(ValidationError):
        product_photo_add(actor=product.business.owner, product=product, uploaded_file=fake)
    assert not ProductPhoto.objects.exists()


def test_photo_with_gps_accepted_stripped_and_thumbnailed(reference_data: Any) -> None:
    product = create(BusinessFactory())
    buffer = io.BytesIO()
    image = Image.new("RGB", (1200, 800), (10, 120, 40))
    exif = image.getexif()
    exif[0x8825] = {1: "N", 2: (3.0, 35.0, 42.0)}  # GPS IFD
    image.save(buffer, format="JPEG", exif=exif)
    upload = SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")
    photo = product_photo_add(actor=product.business.owner, product=product, uploaded_file=upload)
    assert photo.file.width == 1200 or photo.file.width is not None
    thumb = photo.thumbnail
    assert thumb is not None and max(thumb.width or 0, thumb.height or 0) <= 320
    from django.core.files.storage import storages

    with storages["default"].open(photo.file.storage_name, "rb") as handle:
        stored = Image.open(handle)
        assert 0x8825 not in stored.getexif()


def test_at_most_five_photos(reference_data: Any) -> None:
    product = create(BusinessFactory())
    for _ in range(5):
        product_photo_add(
            actor=product.business.owner, product=product, uploaded_file=image_upload()
        )
    with pytest.raises(ValidationError) as exc:
        product_photo_add(
            actor=product.business.owner, product=product, uploaded_file=image_upload()
        )
    assert exc.value.error_dict["photo"][0].code == "too_many_photos"
    assert ProductPhoto.objects.count() == 5


# --- 9. Seller isolation ------------------------------------------------------------------------


def test_seller_cannot_touch_another_sellers_product(reference_data: Any) -> None:
    a, b = BusinessFactory(verified=True), BusinessFactory(verified=True)
    theirs = ProductFactory(business=b, price=5000, listed=True)
    with pytest.raises(Http404):
        product_get_for_owner(actor=a.owner, public_id=theirs.public_id)
    assert list(product_list_for_owner(actor=a.owner)) == []
    with pytest.raises(PermissionDenied):
        product_update(actor=a.owner, product=theirs, price=1)
    with pytest.raises(PermissionDenied):
        product_photo_add(actor=a.owner, product=theirs, uploaded_file=image_upload())
    with pytest.raises(PermissionDenied):
        product_delist(actor=a.owner, product=theirs, reason="")
    with pytest.raises(PermissionDenied):
        create(b, actor=a.owner)
    theirs.refresh_from_db()
    assert theirs.price == 5000 and theirs.status == ProductStatus.LISTED
    assert not AuditEntry.objects.filter(action__startswith="umkm.product").exists()


# --- Curation -----------------------------------------------------------------------------------


def test_curation_flow_and_recuration_on_price_change(reference_data: Any) -> None:
    business = BusinessFactory(verified=True)
    officer = dinas_officer()
    product = create(business, submit=True)
    assert product.status == ProductStatus.PENDING
    with pytest.raises(PermissionDenied):
        product_curate(actor=business.owner, product=product, approve=True)
    with pytest.raises(ValidationError):
        product_curate(actor=officer, product=product, approve=False, note="")
    product_curate(actor=officer, product=product, approve=True)
    assert public_product_get(public_id=product.public_id) == product
    product_update(actor=business.owner, product=product, stock=50)
    product.refresh_from_db()
    assert product.status == ProductStatus.LISTED
    product_update(actor=business.owner, product=product, price="2000")
    product.refresh_from_db()
    assert product.status == ProductStatus.PENDING and product.price == 2000
    with pytest.raises(Http404):
        public_product_get(public_id=product.public_id)


def test_product_of_unverified_business_is_not_public(reference_data: Any) -> None:
    product = ProductFactory(status=ProductStatus.LISTED)
    with pytest.raises(Http404):
        public_product_get(public_id=product.public_id)
    _ = UserFactory
