"""The owner's pages under /umkm/usaha/: registration (and "klaim usaha"), profile, certificates,
products with photos, incoming orders and coaching. Bad input is refused at the field in
Indonesian with nothing stored; another owner's records are a 404 and stay unchanged."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from kotapintar.accounts.models import User
from kotapintar.core.models.audit import AuditEntry
from kotapintar.core.models.files import StoredFile
from kotapintar.core.models.notifications import Notification
from kotapintar.testing.factories import DistrictFactory, UserFactory, VillageFactory
from kotapintar.umkm.models import (
    Business,
    BusinessScaleChange,
    Certification,
    Enrolment,
    JourneyMilestone,
    JourneyStage,
    NibClaim,
    OrderStatus,
    Product,
    ProductCategory,
    ProductPhoto,
    ProductStatus,
    Scale,
    VerificationStatus,
)
from kotapintar.umkm.services import CartLine, order_place
from kotapintar.umkm.tests.factories import (
    VALID_NIK,
    BusinessFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ProgrammeFactory,
    certification,
    dinas_officer,
    image_upload,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference(reference_data: Any) -> None:
    """Seed thresholds, categories, certification types and the policy for every test."""


@pytest.fixture
def owner() -> User:
    return UserFactory.create(full_name="Siti Aminah")


@pytest.fixture
def owner_client(client: Client, owner: User) -> Client:
    client.force_login(owner)
    return client


def _register_data(**overrides: Any) -> dict[str, Any]:
    district = DistrictFactory.create()
    village = VillageFactory.create(district=district)
    data: dict[str, Any] = {
        "name": "Bika Ambon Zulaikha",
        "owner_name": "Siti Aminah",
        "owner_nik": VALID_NIK,
        "nib": "1234 5678.90123",
        "kbli": "10792",
        "sector": "kuliner",
        "kecamatan": district.code,
        "kelurahan": village.code,
        "street_address": "Jl. Mojopahit No. 62",
        "phone": "081234565678",
        "founding_year": "2015",
        "employees": "4",
        "capital": "80000000",
        "annual_turnover": "2000000000",
        "description": "Bika ambon asli Medan",
    }
    data.update(overrides)
    return data


def _errors(response: Any, field: str) -> list[str]:
    return [str(m) for m in response.context["form"].errors.get(field, [])]


def _nothing_stored() -> None:
    assert Business.objects.count() == 0
    assert NibClaim.objects.count() == 0
    assert StoredFile.objects.count() == 0
    assert AuditEntry.objects.filter(action__startswith="umkm.").count() == 0


REGISTER = "/umkm/usaha/daftar/"


# --- Permissions --------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_and_nothing_is_stored(client: Client) -> None:
    business = BusinessFactory.create()
    product = ProductFactory.create(business=business)
    urls = [
        "/umkm/usaha/",
        REGISTER,
        f"/umkm/usaha/{business.public_id}/",
        f"/umkm/usaha/{business.public_id}/produk/",
        f"/umkm/usaha/{business.public_id}/produk/{product.public_id}/",
        f"/umkm/usaha/{business.public_id}/pesanan/",
        f"/umkm/usaha/{business.public_id}/pembinaan/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url
    response = client.post(REGISTER, _register_data())
    assert response.status_code == 302
    assert Business.objects.count() == 1  # only the factory's


def test_other_owner_gets_404_everywhere(client: Client) -> None:
    business = BusinessFactory.create(verified=True)
    product = ProductFactory.create(business=business, status=ProductStatus.LISTED)
    order = OrderFactory.create(business=business)
    OrderLineFactory.create(order=order, product=product, quantity=2)
    client.force_login(BusinessFactory.create().owner)  # owns a business of their own
    base = f"/umkm/usaha/{business.public_id}/"
    for url in [
        base,
        base + "ubah/",
        base + "sertifikat/tambah/",
        base + "produk/",
        base + "produk/baru/",
        f"{base}produk/{product.public_id}/",
        base + "pesanan/",
        f"{base}pesanan/{order.public_id}/",
        base + "pembinaan/",
    ]:
        assert client.get(url).status_code == 404, url


def test_dinas_officer_gets_404_on_owner_pages_but_may_open_the_nib_document(
    client: Client,
) -> None:
    business = BusinessFactory.create()
    client.force_login(business.owner)
    client.post(f"/umkm/usaha/{business.public_id}/dokumen-nib/", {"nib_document": pdf_upload()})
    business.refresh_from_db()
    assert business.nib_document_id is not None
    file_url = reverse("core:file", args=[business.nib_document_id])
    client.force_login(dinas_officer())
    assert client.get(f"/umkm/usaha/{business.public_id}/").status_code == 404
    assert client.get(file_url).status_code == 200
    client.force_login(UserFactory.create())
    assert client.get(file_url).status_code == 404


def test_another_sellers_product_cannot_be_edited_repriced_or_deleted(client: Client) -> None:
    victim = ProductFactory.create(name="Bika Ambon B", price=50_000, listed=True)
    attacker = BusinessFactory.create()
    client.force_login(attacker.owner)
    before = Product.objects.values().get(pk=victim.pk)
    # through the attacker's own business (URL tampering) and through the victim's business
    for business in (attacker, victim.business):
        base = f"/umkm/usaha/{business.public_id}/produk/{victim.public_id}/"
        assert (
            client.post(
                base,
                {
                    "name": "X",
                    "price": "1",
                    "category": victim.category.slug,
                    "stock": "1",
                    "minimum_order": "1",
                    "unit": "pcs",
                    "weight_grams": "0",
                },
            ).status_code
            == 404
        )
        assert client.post(base + "hapus/").status_code == 404
        assert client.post(base + "turunkan/").status_code == 404
        assert client.post(base + "ajukan/").status_code == 404
        assert client.post(base + "foto/", {"photo": image_upload()}).status_code == 404
    assert Product.objects.values().get(pk=victim.pk) == before
    assert ProductPhoto.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="umkm.product").exists()


# --- Registration -------------------------------------------------------------------------------


def test_register_a_business_normalises_the_nib_and_shows_masked_nik_and_scale(
    owner_client: Client, owner: User
) -> None:
    response = owner_client.post(REGISTER, _register_data(nib_document=pdf_upload()))
    business = Business.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/umkm/usaha/{business.public_id}/"
    assert business.owner == owner
    assert business.nib == "1234567890123"
    assert business.owner_nik == VALID_NIK
    assert business.annual_turnover == 2_000_000_000
    assert business.scale == Scale.MIKRO  # Rp2.000.000.000 is still micro (inclusive)
    assert business.verification_status == VerificationStatus.UNVERIFIED
    assert business.nib_document is not None
    assert business.nib_document.content_type == "application/pdf"
    assert business.village is not None and business.village.code == "12.71.01.1001"
    page = owner_client.get(response["Location"]).content.decode()
    assert "1271********0001" in page
    assert VALID_NIK not in page
    assert "Belum terverifikasi" in page
    assert "Selama belum terverifikasi, produk Anda tidak tampil di katalog" in page
    assert "Unggah dokumen NIB" not in page  # the document was uploaded
    assert "<strong>Mikro</strong>" in page
    assert "Rp2.000.000.000" in page
    assert "0812****5678" in page


def test_turnover_one_rupiah_above_the_micro_limit_is_small(owner_client: Client) -> None:
    owner_client.post(REGISTER, _register_data(annual_turnover="2000000001"))
    assert Business.objects.get().scale == Scale.KECIL


def test_new_business_without_turnover_is_classed_by_capital(owner_client: Client) -> None:
    owner_client.post(REGISTER, _register_data(annual_turnover="", capital="1000000000"))
    business = Business.objects.get()
    assert business.annual_turnover is None
    assert business.scale == Scale.MIKRO


@pytest.mark.parametrize(
    ("nib", "message"),
    [
        ("12345", "NIB terdiri dari tepat 13 digit (Anda memasukkan 5)."),
        ("12345678901234", "NIB terdiri dari tepat 13 digit (Anda memasukkan 14)."),
        ("12345678901A3", "NIB hanya berisi angka."),
    ],
)
def test_bad_nib_is_refused_at_the_field_and_nothing_is_stored(
    owner_client: Client, nib: str, message: str
) -> None:
    response = owner_client.post(REGISTER, _register_data(nib=nib, nib_document=pdf_upload()))
    assert response.status_code == 200
    assert _errors(response, "nib") == [message]
    _nothing_stored()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("capital", "Rp1.500", "amount_format"),
        ("capital", "1.500.000", "amount_format"),
        ("capital", "-5000", "negative"),
        ("capital", "1500000.50", "amount_decimal"),
        ("annual_turnover", "1e12", "amount_format"),
        ("annual_turnover", "Rp 2.000.000", "amount_format"),
        ("employees", "-1", "invalid"),
        ("employees", "2.5", "invalid"),
        ("founding_year", "1850", "invalid"),
        ("kbli", "1079", "kbli_format"),
        ("owner_nik", "12345", None),
    ],
)
def test_bad_figures_are_refused_at_the_field_and_nothing_is_stored(
    owner_client: Client, field: str, value: str, code: str | None
) -> None:
    response = owner_client.post(REGISTER, _register_data(**{field: value}))
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert list(errors) == [field]
    if code is not None:
        assert errors[field][0].code == code
    _nothing_stored()


def test_amount_messages_are_in_indonesian(owner_client: Client) -> None:
    response = owner_client.post(REGISTER, _register_data(capital="Rp1.500"))
    assert _errors(response, "capital") == [
        "Tulis jumlah tanpa “Rp” dan tanpa titik, misalnya 1500000 untuk Rp1.500.000."
    ]
    response = owner_client.post(REGISTER, _register_data(capital="-1"))
    assert _errors(response, "capital") == ["Jumlah tidak boleh negatif."]
    response = owner_client.post(REGISTER, _register_data(capital="100,50"))
    assert _errors(response, "capital") == [
        "Jumlah rupiah tidak memakai desimal: masukkan bilangan bulat, misalnya 1500000."
    ]


def test_kelurahan_outside_the_kecamatan_is_refused(owner_client: Client) -> None:
    other = DistrictFactory.create(code="12.71.02", name="Medan Area")
    village = VillageFactory.create(code="12.71.02.1001", district=other, name="Sukaramai I")
    response = owner_client.post(REGISTER, _register_data(kelurahan=village.code))
    assert _errors(response, "kelurahan") == [
        "Kelurahan ini tidak berada di kecamatan yang dipilih."
    ]
    _nothing_stored()


def test_a_fake_nib_document_is_refused_and_nothing_is_stored(owner_client: Client) -> None:
    html = SimpleUploadedFile(
        "nib.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"
    )
    response = owner_client.post(REGISTER, _register_data(nib_document=html))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["nib_document"]
    _nothing_stored()


def test_an_nib_already_registered_becomes_a_claim_not_a_second_business(
    owner_client: Client, owner: User
) -> None:
    existing = BusinessFactory.create(nib="1234567890123")
    response = owner_client.post(REGISTER, _register_data(nib="1234567890123"))
    claim = NibClaim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/umkm/usaha/klaim/{claim.pk}/"
    assert Business.objects.filter(nib="1234567890123", is_active=True).count() == 1
    assert Business.objects.filter(owner=owner).count() == 0
    assert claim.existing_business == existing
    assert claim.claimant == owner
    page = owner_client.get(response["Location"]).content.decode()
    assert "sudah terdaftar untuk akun usaha lain" in page
    assert "klaim usaha" in page
    assert existing.name not in page  # the other business is not disclosed
    # another user cannot open the claim
    owner_client.force_login(UserFactory.create())
    assert owner_client.get(f"/umkm/usaha/klaim/{claim.pk}/").status_code == 404


# --- Profile and certificates -------------------------------------------------------------------


def test_edit_profile_records_the_figures_in_the_history(owner_client: Client, owner: User) -> None:
    business = BusinessFactory.create(owner=owner, annual_turnover=300_000_000, employees=3)
    data = {
        "name": "Bika Ambon Baru",
        "kbli": "10792",
        "sector": "kuliner",
        "kecamatan": business.district_id,
        "street_address": "Jl. Rumah No. 1",
        "phone": "081234565678",
        "founding_year": "2019",
        "employees": "12",
        "capital": "50000000",
        "annual_turnover": "16000000000",
        "description": "",
    }
    response = owner_client.post(f"/umkm/usaha/{business.public_id}/ubah/", data)
    assert response.status_code == 302
    business.refresh_from_db()
    assert business.name == "Bika Ambon Baru"
    assert business.employees == 12
    assert business.annual_turnover == 16_000_000_000
    assert business.scale == Scale.MENENGAH
    latest = BusinessScaleChange.objects.filter(business=business).latest("pk")
    assert (latest.previous_scale, latest.scale, latest.employees) == (
        Scale.MIKRO,
        Scale.MENENGAH,
        12,
    )
    assert BusinessScaleChange.objects.filter(business=business).count() == 2


def test_edit_profile_with_a_bad_turnover_changes_nothing(
    owner_client: Client, owner: User
) -> None:
    business = BusinessFactory.create(owner=owner)
    before = Business.objects.values().get(pk=business.pk)
    response = owner_client.post(
        f"/umkm/usaha/{business.public_id}/ubah/",
        {
            "name": "Baru",
            "kbli": "10792",
            "sector": "kuliner",
            "kecamatan": business.district_id,
            "street_address": "x",
            "phone": "0812",
            "founding_year": "2019",
            "employees": "3",
            "capital": "1",
            "annual_turnover": "Rp1.500",
        },
    )
    assert response.status_code == 200
    assert Business.objects.values().get(pk=business.pk) == before
    assert BusinessScaleChange.objects.filter(business=business).count() == 1


def test_nib_document_upload_later(owner_client: Client, owner: User) -> None:
    business = BusinessFactory.create(owner=owner)
    response = owner_client.post(
        f"/umkm/usaha/{business.public_id}/dokumen-nib/", {"nib_document": pdf_upload()}
    )
    assert response.status_code == 302
    business.refresh_from_db()
    assert business.nib_document is not None


@pytest.mark.parametrize(
    ("type_code", "number", "message"),
    [
        (
            "halal",
            "SH2021-123456",
            "nomor pendaftaran halal (SH…), bukan nomor sertifikat",
        ),
        ("halal", "KH-123/2021", "nomor ketetapan (KH…)"),
        ("bpom_md", "MD 12345", "diawali MD lalu 12 atau 15 digit"),
        ("pirt", "P-IRT No. 2063271010123-24", "habis masa berlakunya pada 31-12-2024"),
    ],
)
def test_bad_certificates_are_refused_with_a_hint(
    owner_client: Client, owner: User, type_code: str, number: str, message: str
) -> None:
    business = BusinessFactory.create(owner=owner)
    response = owner_client.post(
        f"/umkm/usaha/{business.public_id}/sertifikat/tambah/",
        {"type": type_code, "number": number, "document": pdf_upload()},
    )
    assert response.status_code == 200
    errors = _errors(response, "number")
    assert len(errors) == 1 and message in errors[0], errors
    assert Certification.objects.count() == 0
    assert StoredFile.objects.count() == 0


def test_pirt_for_frozen_meat_is_refused(owner_client: Client, owner: User) -> None:
    business = BusinessFactory.create(owner=owner)
    frozen = ProductCategory.objects.filter(pirt_allowed=False).first()
    assert frozen is not None
    response = owner_client.post(
        f"/umkm/usaha/{business.public_id}/sertifikat/tambah/",
        {"type": "pirt", "number": "P-IRT No. 2063271010123-30", "category": frozen.slug},
    )
    assert response.status_code == 200
    assert "BPOM MD" in _errors(response, "number")[0]
    assert Certification.objects.count() == 0


def test_valid_certificates_are_added(owner_client: Client, owner: User) -> None:
    business = BusinessFactory.create(owner=owner)
    url = f"/umkm/usaha/{business.public_id}/sertifikat/tambah/"
    assert (
        owner_client.post(url, {"type": "bpom_md", "number": "MD 224510107115"}).status_code == 302
    )
    assert (
        owner_client.post(
            url, {"type": "pirt", "number": "P-IRT No. 2063271010123-30", "document": pdf_upload()}
        ).status_code
        == 302
    )
    md, pirt = Certification.objects.order_by("pk")
    assert md.number == "MD 224510107115"
    assert pirt.number == "2063271010123-30"
    assert pirt.expires_on is not None and pirt.expires_on.isoformat() == "2030-12-31"
    assert pirt.document is not None
    page = owner_client.get(f"/umkm/usaha/{business.public_id}/").content.decode()
    assert "MD 224510107115" in page


# --- Products -----------------------------------------------------------------------------------


def _product_data(**overrides: Any) -> dict[str, Any]:
    category = ProductCategory.objects.filter(pirt_allowed=True).order_by("pk").first()
    assert category is not None
    data: dict[str, Any] = {
        "category": category.slug,
        "name": "Bika Ambon Original 2 kg",
        "description": "<p><b>Bika</b> legit</p>",
        "price": "1500",
        "stock": "10",
        "minimum_order": "1",
        "unit": "kotak",
        "weight_grams": "2000",
        "tags": "oleh-oleh, kue",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("price", "code"),
    [
        ("-1000", "price_negative"),
        ("0", "price_zero"),
        ("1500.50", "price_decimal"),
        ("Rp1.500", "price_format"),
        ("1.500", "price_format"),
        ("1e12", "price_format"),
        ("1" * 25, "price_over_cap"),
        ("1000000001", "price_over_cap"),
        ("", "required"),
    ],
)
def test_bad_prices_are_refused_and_nothing_is_stored(
    owner_client: Client, owner: User, price: str, code: str
) -> None:
    business = BusinessFactory.create(owner=owner)
    response = owner_client.post(
        f"/umkm/usaha/{business.public_id}/produk/baru/",
        _product_data(price=price, photos=[image_upload()]),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert list(errors) == ["price"]
    assert errors["price"][0].code == code
    assert Product.objects.count() == 0
    assert StoredFile.objects.count() == 0


def test_price_messages_are_in_indonesian(owner_client: Client, owner: User) -> None:
    business = BusinessFactory.create(owner=owner)
    url = f"/umkm/usaha/{business.public_id}/produk/baru/"
    response = owner_client.post(url, _product_data(price="Rp1.500"))
    assert _errors(response, "price") == [
        "Tulis harga tanpa “Rp” dan tanpa titik, misalnya 1500 untuk Rp1.500."
    ]
    response = owner_client.post(url, _product_data(price="0"))
    assert _errors(response, "price") == ["Harga harus lebih dari Rp0."]


def test_create_a_product_with_photos_and_send_it_for_curation(
    owner_client: Client, owner: User
) -> None:
    business = BusinessFactory.create(owner=owner)
    cert = certification(business, "halal", "ID12110000123450921")
    buffer = io.BytesIO()
    image = Image.new("RGB", (1200, 800), (10, 120, 40))
    exif = image.getexif()
    exif[0x8825] = {1: "N", 2: (3.0, 35.0, 42.0)}  # GPS
    image.save(buffer, format="JPEG", exif=exif)
    gps_photo = SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")
    data = _product_data(
        description="<p><b>Bika</b></p><script>alert(1)</script><img src=x onerror=alert(1)>"
        '<a href="javascript:alert(1)">x</a><a href="https://bika.id">web</a>',
        certifications=[str(cert.pk)],
        photos=[gps_photo, image_upload(400, 300, name="b.png", fmt="PNG")],
        submit="1",
    )
    response = owner_client.post(f"/umkm/usaha/{business.public_id}/produk/baru/", data)
    product = Product.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/umkm/usaha/{business.public_id}/produk/{product.public_id}/"
    assert product.status == ProductStatus.PENDING
    assert product.price == 1500
    assert product.stock == 10 and product.unit == "kotak" and product.weight_grams == 2000
    assert "<script" not in product.description and "onerror" not in product.description
    assert "javascript:" not in product.description
    assert "<b>Bika</b>" in product.description
    assert 'rel="noopener noreferrer"' in product.description
    assert list(product.certifications.all()) == [cert]
    photos = list(product.photos.order_by("position"))
    assert len(photos) == 2 and all(p.thumbnail_id for p in photos)
    with storages["default"].open(photos[0].file.storage_name, "rb") as handle:
        assert 0x8825 not in Image.open(handle).getexif()
    page = owner_client.get(response["Location"]).content.decode()
    assert "Menunggu kurasi" in page
    assert "Menunggu kurasi oleh Dinas. Anda masih dapat mengubahnya." in page
    assert "Rp1.500" in page
    assert "<script>alert(1)</script>" not in page


@pytest.mark.parametrize(
    "upload",
    [
        lambda: image_upload(100, 100),
        lambda: SimpleUploadedFile("foto.jpg", pdf_upload().read(), content_type="image/jpeg"),
        lambda: SimpleUploadedFile("foto.jpg", b"<html>hi</html>", content_type="image/jpeg"),
    ],
    ids=["too-small", "pdf-named-jpg", "html-named-jpg"],
)
def test_bad_photos_refuse_the_whole_product(
    owner_client: Client, owner: User, upload: Any
) -> None:
    business = BusinessFactory.create(owner=owner)
    response = owner_client.post(
        f"/umkm/usaha/{business.public_id}/produk/baru/",
        _product_data(photos=[image_upload(), upload()]),
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["photos"]
    assert Product.objects.count() == 0
    assert ProductPhoto.objects.count() == 0
    assert StoredFile.objects.count() == 0


def test_six_photos_are_refused(owner_client: Client, owner: User) -> None:
    business = BusinessFactory.create(owner=owner)
    response = owner_client.post(
        f"/umkm/usaha/{business.public_id}/produk/baru/",
        _product_data(photos=[image_upload() for _ in range(6)]),
    )
    assert _errors(response, "photos") == ["Satu produk paling banyak memiliki 5 foto."]
    assert Product.objects.count() == 0


def test_edit_reprices_and_a_listed_product_goes_back_to_curation(
    owner_client: Client, owner: User
) -> None:
    product = ProductFactory.create(
        business=BusinessFactory.create(owner=owner, verified=True),
        listed=False,
        status=ProductStatus.LISTED,
        price=20_000,
    )
    url = f"/umkm/usaha/{product.business.public_id}/produk/{product.public_id}/"
    data = _product_data(
        name=product.name,
        category=product.category.slug,
        price="22000",
        description="",
        tags="",
        unit="pcs",
        weight_grams="0",
        stock="100",
    )
    response = owner_client.post(url, data)
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.price == 22_000
    assert product.status == ProductStatus.PENDING
    # stock only: stays where it is
    owner_client.post(url, {**data, "stock": "7"})
    product.refresh_from_db()
    assert product.stock == 7 and product.status == ProductStatus.PENDING


def test_edit_with_a_bad_price_changes_nothing(owner_client: Client, owner: User) -> None:
    product = ProductFactory.create(business=BusinessFactory.create(owner=owner), price=20_000)
    before = Product.objects.values().get(pk=product.pk)
    url = f"/umkm/usaha/{product.business.public_id}/produk/{product.public_id}/"
    response = owner_client.post(url, _product_data(price="20.000,00"))
    assert response.status_code == 200
    assert Product.objects.values().get(pk=product.pk) == before


def test_submit_withdraw_and_delete(owner_client: Client, owner: User) -> None:
    business = BusinessFactory.create(owner=owner, verified=True)
    product = ProductFactory.create(business=business)
    base = f"/umkm/usaha/{business.public_id}/produk/{product.public_id}/"
    owner_client.post(base + "ajukan/")
    product.refresh_from_db()
    assert product.status == ProductStatus.PENDING
    Product.objects.filter(pk=product.pk).update(status=ProductStatus.LISTED)
    owner_client.post(base + "turunkan/")
    product.refresh_from_db()
    assert product.status == ProductStatus.DELISTED
    page = owner_client.get(f"/umkm/usaha/{business.public_id}/produk/").content.decode()
    assert "Turun tayang" in page
    response = owner_client.post(base + "hapus/")
    assert response.status_code == 302
    assert not Product.objects.filter(pk=product.pk).exists()


def test_an_ordered_product_cannot_be_deleted(owner_client: Client, owner: User) -> None:
    business = BusinessFactory.create(owner=owner, verified=True)
    product = ProductFactory.create(business=business, listed=False, status=ProductStatus.LISTED)
    OrderLineFactory.create(order=OrderFactory.create(business=business), product=product)
    owner_client.post(f"/umkm/usaha/{business.public_id}/produk/{product.public_id}/hapus/")
    assert Product.objects.filter(pk=product.pk).exists()


def test_photo_add_and_remove_on_the_edit_page(owner_client: Client, owner: User) -> None:
    product = ProductFactory.create(business=BusinessFactory.create(owner=owner))
    base = f"/umkm/usaha/{product.business.public_id}/produk/{product.public_id}/"
    response = owner_client.post(base + "foto/", {"photo": image_upload(100, 100)})
    assert response.status_code == 200
    assert ProductPhoto.objects.count() == 0 and StoredFile.objects.count() == 0
    assert owner_client.post(base + "foto/", {"photo": image_upload()}).status_code == 302
    photo = ProductPhoto.objects.get()
    owner_client.post(f"{base}foto/{photo.pk}/hapus/")
    assert ProductPhoto.objects.count() == 0


# --- Orders -------------------------------------------------------------------------------------


def _placed_order(owner: User, *, quantity: int = 3, stock: int = 10) -> Any:
    business = BusinessFactory.create(owner=owner, verified=True)
    product = ProductFactory.create(
        business=business,
        listed=False,
        status=ProductStatus.LISTED,
        stock=stock,
        price=25_000,
        name="Bika Ambon",
    )
    buyer = UserFactory.create()
    [order] = order_place(actor=buyer, lines=[CartLine(product, quantity)])
    return business, product, order


def test_orders_list_and_detail_show_only_this_sellers_orders(
    owner_client: Client, owner: User
) -> None:
    business, _product, order = _placed_order(owner)
    other = OrderFactory.create()  # another seller's order
    OrderLineFactory.create(order=other)
    page = owner_client.get(f"/umkm/usaha/{business.public_id}/pesanan/").content.decode()
    assert order.reference in page and other.reference not in page
    detail = owner_client.get(f"/umkm/usaha/{business.public_id}/pesanan/{order.public_id}/")
    text = detail.content.decode()
    assert "Bika Ambon" in text and "Rp75.000" in text
    assert [line.pk for line in detail.context["lines"]] == list(
        order.lines.values_list("pk", flat=True)
    )
    assert (
        owner_client.get(f"/umkm/usaha/{business.public_id}/pesanan/{other.public_id}/").status_code
        == 404
    )


def test_accept_process_ship_complete(
    owner_client: Client, owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    business, product, order = _placed_order(owner)
    base = f"/umkm/usaha/{business.public_id}/pesanan/{order.public_id}/"
    for action, status in (
        ("accept", OrderStatus.ACCEPTED),
        ("process", OrderStatus.PROCESSING),
        ("ship", OrderStatus.SHIPPED),
        ("complete", OrderStatus.COMPLETED),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            assert owner_client.post(base + action + "/").status_code == 302
        order.refresh_from_db()
        assert order.status == status
    product.refresh_from_db()
    assert product.stock == 7
    assert Notification.objects.filter(recipient=order.buyer).count() == 4


def test_decline_needs_a_reason_and_returns_the_stock(owner_client: Client, owner: User) -> None:
    business, product, order = _placed_order(owner)
    base = f"/umkm/usaha/{business.public_id}/pesanan/{order.public_id}/"
    response = owner_client.post(base + "decline/", {"reason": ""})
    assert response.status_code == 200
    assert [e.code for e in response.context["decline_form"].errors.as_data()["reason"]] == [
        "required"
    ]
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED
    owner_client.post(base + "decline/", {"reason": "Stok bahan habis"})
    order.refresh_from_db()
    product.refresh_from_db()
    assert order.status == OrderStatus.DECLINED
    assert order.decline_reason == "Stok bahan habis"
    assert product.stock == 10


def test_a_step_not_allowed_now_changes_nothing(owner_client: Client, owner: User) -> None:
    business, _product, order = _placed_order(owner)
    base = f"/umkm/usaha/{business.public_id}/pesanan/{order.public_id}/"
    owner_client.post(base + "ship/")
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED
    assert owner_client.post(base + "cancel/").status_code == 404  # a buyer's action
    assert owner_client.post(base + "expire/").status_code == 404


def test_other_seller_cannot_act_on_an_order(client: Client, owner: User) -> None:
    business, _product, order = _placed_order(owner)
    client.force_login(BusinessFactory.create().owner)
    response = client.post(f"/umkm/usaha/{business.public_id}/pesanan/{order.public_id}/accept/")
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED
    assert not AuditEntry.objects.filter(action="umkm.order_accept").exists()


def test_expired_orders_are_shown(owner_client: Client, owner: User) -> None:
    business = BusinessFactory.create(owner=owner, verified=True)
    order = OrderFactory.create(
        business=business, status=OrderStatus.EXPIRED, respond_by=timezone.now() - timedelta(days=1)
    )
    page = owner_client.get(f"/umkm/usaha/{business.public_id}/pesanan/?status=kedaluwarsa")
    assert order.reference in page.content.decode()
    detail = owner_client.get(f"/umkm/usaha/{business.public_id}/pesanan/{order.public_id}/")
    assert "Pesanan ini kedaluwarsa" in detail.content.decode()
    assert detail.context["actions"] == []


# --- Coaching -----------------------------------------------------------------------------------


def test_coaching_shows_the_journey_and_enrols_in_an_open_programme(
    owner_client: Client, owner: User
) -> None:
    business = BusinessFactory.create(owner=owner)
    today = timezone.localdate()
    JourneyMilestone.objects.create(
        business=business, stage=JourneyStage.CAPITAL, reached_on=today, note="KUR Rp50 juta"
    )
    open_programme = ProgrammeFactory.create(
        name="Pelatihan Halal", end_date=today + timedelta(days=30)
    )
    ProgrammeFactory.create(
        name="Pameran Lama",
        start_date=today - timedelta(days=60),
        end_date=today - timedelta(days=30),
    )
    full = ProgrammeFactory.create(name="Kelas Penuh", quota=1, end_date=today + timedelta(days=5))
    Enrolment.objects.create(programme=full, business=BusinessFactory.create())
    url = f"/umkm/usaha/{business.public_id}/pembinaan/"
    page = owner_client.get(url).content.decode()
    assert "KUR Rp50 juta" in page
    assert "Pelatihan Halal" in page
    assert "Pameran Lama" not in page and "Kelas Penuh" not in page
    response = owner_client.post(f"{url}{open_programme.pk}/daftar/")
    assert response.status_code == 302
    assert Enrolment.objects.filter(business=business, programme=open_programme).count() == 1
    # full and ended programmes are refused, a second enrolment too
    for programme in (full, open_programme):
        owner_client.post(f"{url}{programme.pk}/daftar/")
    assert Enrolment.objects.filter(business=business).count() == 1


def test_registering_the_same_nib_again_opens_the_owners_business_without_a_claim(
    owner_client: Client, owner: User
) -> None:
    owner_client.post(REGISTER, _register_data())
    business = Business.objects.get()
    response = owner_client.post(REGISTER, _register_data(nib_document=pdf_upload()))
    assert response.status_code == 302
    assert response["Location"] == f"/umkm/usaha/{business.public_id}/"
    assert Business.objects.count() == 1
    assert NibClaim.objects.count() == 0
    assert StoredFile.objects.count() == 0


def test_home_lists_only_the_owners_businesses(owner_client: Client, owner: User) -> None:
    mine = BusinessFactory.create(owner=owner, name="Bolu Meranti Keju")
    BusinessFactory.create(name="Usaha Orang Lain")
    response = owner_client.get("/umkm/usaha/")
    page = response.content.decode()
    assert "Bolu Meranti Keju" in page and "Usaha Orang Lain" not in page
    assert list(response.context["businesses"]) == [mine]


def test_a_pirt_cannot_be_linked_to_a_frozen_meat_product(
    owner_client: Client, owner: User
) -> None:
    business = BusinessFactory.create(owner=owner)
    pirt = certification(business, "pirt", "2063271010123-30")
    frozen = ProductCategory.objects.filter(pirt_allowed=False).first()
    assert frozen is not None
    response = owner_client.post(
        f"/umkm/usaha/{business.public_id}/produk/baru/",
        _product_data(category=frozen.slug, certifications=[str(pirt.pk)]),
    )
    assert response.status_code == 200
    assert "BPOM MD" in _errors(response, "certifications")[0]
    assert Product.objects.count() == 0


def test_product_list_query_count_does_not_grow_with_products(
    owner_client: Client, owner: User
) -> None:
    business = BusinessFactory.create(owner=owner)
    for _ in range(3):
        ProductFactory.create(business=business)
    url = f"/umkm/usaha/{business.public_id}/produk/"
    owner_client.get(url)  # warm caches (session, policy)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        owner_client.get(url)
    for _ in range(10):
        ProductFactory.create(business=business)
    with CaptureQueriesContext(connection) as many:
        owner_client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
