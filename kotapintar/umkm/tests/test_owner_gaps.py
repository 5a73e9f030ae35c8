"""Points of issue 5 closed after the audit: the module menu, the owner's kecamatan/kelurahan
and certificate removal, hostile photos through the owner's forms, and seller isolation on
every owner URL (another owner: 404, nothing changed)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import MULTIPART_CONTENT
from django.urls import URLPattern, reverse

from kotapintar.core.models.audit import AuditEntry
from kotapintar.core.models.files import StoredFile
from kotapintar.core.models.notifications import Notification
from kotapintar.core.tests.test_uploads_samples import MB, png_header_only
from kotapintar.testing.factories import DistrictFactory, UserFactory, VillageFactory
from kotapintar.umkm import urls_owner
from kotapintar.umkm.models import (
    Business,
    BusinessScaleChange,
    Certification,
    Enrolment,
    NibClaim,
    Order,
    OrderLine,
    Product,
    ProductPhoto,
)
from kotapintar.umkm.search import product_search
from kotapintar.umkm.tests.factories import (
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
def _reference(reference_data: Any, private_storage: Any) -> None:
    """Seed the reference data; files go to a temporary private folder."""


# --- Module menu --------------------------------------------------------------------------------


def _menu(html: str) -> str:
    start = html.index('class="site-nav umkm-nav"')
    return html[start : html.index("</nav>", start)]


def test_menu_links_catalogue_cart_orders_and_business_everywhere(client: Client) -> None:
    product = ProductFactory.create(listed=True)
    menu = _menu(client.get("/umkm/").content.decode())
    for href in ('href="/umkm/"', 'href="/umkm/keranjang/"', 'href="/umkm/pesanan/"'):
        assert href in menu
    assert 'href="/umkm/usaha/"' in menu and "Daftarkan usaha Anda" in menu
    assert "/umkm/kelola/" not in menu
    user = UserFactory.create()
    client.force_login(user)
    for url in (
        "/umkm/",
        f"/umkm/produk/{product.public_id}/",
        f"/umkm/penjual/{product.business.public_id}/",
        "/umkm/keranjang/",
        "/umkm/pesanan/",
        "/umkm/usaha/",
        "/umkm/usaha/daftar/",
    ):
        menu = _menu(client.get(url).content.decode())
        assert 'href="/umkm/usaha/"' in menu, url
        assert "Daftarkan usaha Anda" in menu, url
        assert "/umkm/kelola/" not in menu, url
    # an owner reads "Usaha saya", also on the pages of their business
    business = BusinessFactory.create(owner=user)
    for url in ("/umkm/", f"/umkm/usaha/{business.public_id}/"):
        menu = _menu(client.get(url).content.decode())
        assert "Usaha saya" in menu and "Daftarkan usaha Anda" not in menu, url
    current = _menu(client.get("/umkm/keranjang/").content.decode())
    assert 'href="/umkm/keranjang/" aria-current="page"' in current


def test_menu_shows_the_dinas_workspace_to_dinas_officers_only(client: Client) -> None:
    client.force_login(dinas_officer())
    for url in ("/umkm/", "/umkm/kelola/"):
        menu = _menu(client.get(url).content.decode())
        assert 'href="/umkm/kelola/"' in menu and "Ruang kerja Dinas" in menu, url


# --- Kecamatan / kelurahan of the business ------------------------------------------------------


def _edit_data(business: Business, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": business.name,
        "kbli": business.kbli,
        "sector": business.sector,
        "kecamatan": business.district_id,
        "kelurahan": business.village_id or "",
        "street_address": "Jl. Mojopahit No. 62",
        "phone": "081234565678",
        "founding_year": str(business.founding_year),
        "employees": str(business.employees),
        "capital": str(business.capital),
        "annual_turnover": ""
        if business.annual_turnover is None
        else str(business.annual_turnover),
        "description": business.description,
    }
    data.update(overrides)
    return data


def test_owner_moves_the_business_to_another_kecamatan_and_kelurahan(client: Client) -> None:
    business = BusinessFactory.create(verified=True)
    product = ProductFactory.create(business=business, listed=True, name="Bika Ambon Pindah")
    old_district = business.district
    new_district = DistrictFactory.create(code="12.71.02", name="Medan Baru")
    village = VillageFactory.create(
        code="12.71.02.1001", district=new_district, name="Padang Bulan"
    )
    client.force_login(business.owner)
    url = f"/umkm/usaha/{business.public_id}/ubah/"
    page = client.get(url).content.decode()
    assert 'name="kecamatan"' in page and 'name="kelurahan"' in page
    figures_before = BusinessScaleChange.objects.count()
    response = client.post(
        url, _edit_data(business, kecamatan=new_district.code, kelurahan=village.code)
    )
    assert response.status_code == 302
    business.refresh_from_db()
    assert (business.district_id, business.village_id) == (new_district.code, village.code)
    assert BusinessScaleChange.objects.count() == figures_before  # figures unchanged
    entry = AuditEntry.objects.get(action="umkm.business_update")
    assert entry.before is not None
    assert entry.before["district_id"] == old_district.code
    assert entry.before["village_id"] is None
    assert entry.after == {"district_id": new_district.code, "village_id": village.code}
    # the catalogue's kecamatan filter follows at once
    assert [p.pk for p in product_search(filters={"kecamatan": new_district.code}).products] == [
        product.pk
    ]
    assert product_search(filters={"kecamatan": old_district.code}).total == 0
    detail = client.get(f"/umkm/usaha/{business.public_id}/").content.decode()
    assert "Padang Bulan, Medan Baru" in detail


def test_kelurahan_of_another_kecamatan_is_refused_and_nothing_changes(client: Client) -> None:
    business = BusinessFactory.create()
    other = DistrictFactory.create(code="12.71.02", name="Medan Baru")
    elsewhere = VillageFactory.create(
        code="12.71.03.1001", district=DistrictFactory.create(code="12.71.03", name="Medan Johor")
    )
    client.force_login(business.owner)
    before = Business.objects.values().get(pk=business.pk)
    response = client.post(
        f"/umkm/usaha/{business.public_id}/ubah/",
        _edit_data(business, kecamatan=other.code, kelurahan=elsewhere.code, name="Nama Baru"),
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["form"].errors["kelurahan"]] == [
        "Kelurahan ini tidak berada di kecamatan yang dipilih."
    ]
    assert Business.objects.values().get(pk=business.pk) == before
    assert not AuditEntry.objects.filter(action__startswith="umkm.").exists()


def test_business_update_service_checks_the_kelurahan(reference_data: Any) -> None:
    from django.core.exceptions import ValidationError

    from kotapintar.umkm.services import business_update

    district = DistrictFactory.create()
    village = VillageFactory.create(district=district)
    business = BusinessFactory.create(district=district, village=village)
    other = DistrictFactory.create(code="12.71.02", name="Medan Baru")
    elsewhere = VillageFactory.create(
        code="12.71.03.1001", district=DistrictFactory.create(code="12.71.03", name="Medan Johor")
    )
    with pytest.raises(ValidationError) as excinfo:
        business_update(actor=business.owner, business=business, district=other, village=elsewhere)
    assert list(excinfo.value.error_dict) == ["village"]
    # a new kecamatan alone drops the old kecamatan's kelurahan
    business_update(actor=business.owner, business=business, district=other)
    business.refresh_from_db()
    assert (business.district_id, business.village_id) == (other.code, None)


# --- Removing a certificate / expired certificates ----------------------------------------------


def test_owner_removes_a_certificate_it_leaves_public_pages_and_is_audited(
    client: Client,
) -> None:
    shown = "ID1211*********0921"  # the audit masks long numbers
    business = BusinessFactory.create(verified=True)
    cert = certification(business, "halal", "ID12110000123450921")
    product = ProductFactory.create(business=business, listed=True)
    product.certifications.add(cert)
    assert (
        "ID12110000123450921" in client.get(f"/umkm/produk/{product.public_id}/").content.decode()
    )
    assert product_search(filters={"certification": "halal"}).total == 1
    client.force_login(business.owner)
    page = client.get(f"/umkm/usaha/{business.public_id}/").content.decode()
    remove_url = f"/umkm/usaha/{business.public_id}/sertifikat/{cert.pk}/hapus/"
    assert f'action="{remove_url}"' in page
    assert client.get(remove_url).status_code == 405
    response = client.post(remove_url)
    assert response.status_code == 302
    assert not Certification.objects.filter(pk=cert.pk).exists()
    assert list(product.certifications.all()) == []
    entry = AuditEntry.objects.get(action="umkm.certification_remove")
    assert entry.actor_id == business.owner.pk
    assert entry.before is not None
    assert entry.before["type"] == "halal"
    assert entry.before["number"] == shown  # the audit masks long numbers too
    assert entry.before["products"] == [str(product.public_id)]
    assert "Sertifikat telah dihapus." in client.get(response["Location"]).content.decode()
    client.logout()
    for url in (f"/umkm/produk/{product.public_id}/", f"/umkm/penjual/{business.public_id}/"):
        assert "ID12110000123450921" not in client.get(url).content.decode(), url
    assert product_search(filters={"certification": "halal"}).total == 0


def test_expired_certificate_disappears_from_public_pages_and_filters(client: Client) -> None:
    business = BusinessFactory.create(verified=True)
    cert = certification(business, "pirt", "2063271010123-29")
    product = ProductFactory.create(business=business, listed=True)
    product.certifications.add(cert)
    cert.expires_on = datetime.date(2029, 12, 31)
    cert.save()
    html = client.get(f"/umkm/produk/{product.public_id}/").content.decode()
    assert "berlaku sampai 31 Des 2029" in html
    assert product_search(filters={"certification": "pirt"}).total == 1
    cert.expires_on = datetime.date(2024, 12, 31)
    cert.save()
    for url in (f"/umkm/produk/{product.public_id}/", f"/umkm/penjual/{business.public_id}/"):
        html = client.get(url).content.decode()
        assert "31 Des 2024" not in html and "Belum ada sertifikat" in html, url
    result = product_search(filters={"certification": "pirt"})
    assert result.total == 0
    assert [f.value for f in product_search().facets["certification"]] == []
    # the owner still sees it, marked expired
    client.force_login(business.owner)
    page = client.get(f"/umkm/usaha/{business.public_id}/").content.decode()
    assert "2063271010123-29" in page and "kedaluwarsa" in page


# --- Hostile photos through the owner's forms (reference test 7 a/b) ---------------------------


def _product_data(business: Business, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "category": "makanan-minuman",
        "name": "Bika Ambon Original",
        "description": "",
        "price": "1500",
        "stock": "10",
        "minimum_order": "1",
        "unit": "kotak",
        "weight_grams": "2000",
        "tags": "",
    }
    data.update(overrides)
    return data


class _CountingStream:
    """A ``wsgi.input`` that records how much of the body was read."""

    def __init__(self, data: bytes) -> None:
        self.data, self.bytes_read = data, 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.data[: None if size < 0 else size]
        self.data = self.data[len(chunk) :]
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def _nothing_stored() -> None:
    assert Product.objects.count() == 0 or not ProductPhoto.objects.exists()
    assert ProductPhoto.objects.count() == 0
    assert StoredFile.objects.count() == 0


def test_a_40_mb_photo_is_refused_before_the_body_is_read(client: Client) -> None:
    business = BusinessFactory.create()
    client.force_login(business.owner)
    stream = _CountingStream(b"x" * 1024)
    response = client.generic(
        "POST",
        f"/umkm/usaha/{business.public_id}/produk/baru/",
        b"",
        MULTIPART_CONTENT,
        CONTENT_LENGTH=str(40 * MB),
        **{"wsgi.input": stream},
    )
    assert response.status_code == 413
    assert "Kiriman terlalu besar. Batas ukuran per kiriman adalah 20 MB." in (
        response.content.decode()
    )
    assert stream.bytes_read == 0
    assert Product.objects.count() == 0
    _nothing_stored()


def test_a_photo_over_the_file_limit_is_cut_off_with_a_clear_message(client: Client) -> None:
    product = ProductFactory.create()
    client.force_login(product.business.owner)
    big = SimpleUploadedFile("besar.jpg", b"\xff\xd8\xff" + b"\0" * (6 * MB), "image/jpeg")
    response = client.post(
        f"/umkm/usaha/{product.business.public_id}/produk/{product.public_id}/foto/",
        {"photo": big},
    )
    assert response.status_code == 413
    assert "Berkas terlalu besar. Batas per berkas adalah 5 MB." in response.content.decode()
    _nothing_stored()
    assert not AuditEntry.objects.filter(action__startswith="umkm.").exists()


def test_a_decompression_bomb_is_refused_on_create_and_on_the_edit_page(client: Client) -> None:
    business = BusinessFactory.create()
    client.force_login(business.owner)
    bomb = SimpleUploadedFile("bom.png", png_header_only(30_000, 30_000), "image/png")
    response = client.post(
        f"/umkm/usaha/{business.public_id}/produk/baru/",
        _product_data(business, photos=[bomb]),
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["form"].errors["photos"]] == [
        "Dimensi gambar terlalu besar. Batasnya 40 megapiksel."
    ]
    assert Product.objects.count() == 0
    _nothing_stored()
    product = ProductFactory.create(business=business)
    bomb = SimpleUploadedFile("bom.png", png_header_only(30_000, 30_000), "image/png")
    response = client.post(
        f"/umkm/usaha/{business.public_id}/produk/{product.public_id}/foto/", {"photo": bomb}
    )
    assert response.status_code == 200
    assert "Dimensi gambar terlalu besar. Batasnya 40 megapiksel." in response.content.decode()
    _nothing_stored()
    assert not AuditEntry.objects.filter(action__startswith="umkm.").exists()


# --- Seller isolation on every owner URL --------------------------------------------------------


def _snapshot() -> dict[str, Any]:
    return {
        "businesses": list(Business.objects.order_by("pk").values()),
        "products": list(Product.objects.order_by("pk").values()),
        "photos": list(ProductPhoto.objects.order_by("pk").values()),
        "certificates": list(Certification.objects.order_by("pk").values()),
        "orders": list(Order.objects.order_by("pk").values()),
        "lines": list(OrderLine.objects.order_by("pk").values()),
        "claims": list(NibClaim.objects.order_by("pk").values()),
        "enrolments": list(Enrolment.objects.order_by("pk").values()),
        "figures": BusinessScaleChange.objects.count(),
        "files": StoredFile.objects.count(),
        "audit": AuditEntry.objects.filter(action__startswith="umkm.").count(),
        "notifications": Notification.objects.count(),
    }


def test_every_owner_url_is_404_for_another_owner_and_changes_nothing(client: Client) -> None:
    victim = BusinessFactory.create(verified=True)
    product = ProductFactory.create(business=victim, listed=True)
    photo_product = ProductFactory.create(business=victim)
    cert = certification(victim, "halal", "ID12110000123450921")
    order = OrderFactory.create(business=victim)
    OrderLineFactory.create(order=order, product=product, quantity=2)
    programme = ProgrammeFactory.create()
    claim = NibClaim.objects.create(
        nib=victim.nib,
        existing_business=victim,
        claimant=UserFactory.create(),
        business_name="Klaim",
        owner_name="Orang Lain",
    )
    from kotapintar.umkm.services import product_photo_add

    photo = product_photo_add(
        actor=victim.owner, product=photo_product, uploaded_file=image_upload()
    )
    attacker = BusinessFactory.create(verified=True)
    ProductFactory.create(business=attacker)
    client.force_login(attacker.owner)
    before = _snapshot()

    b, p, o = victim.public_id, product.public_id, order.public_id
    kwargs_for: dict[str, dict[str, Any]] = {
        "owner_claim": {"claim_id": claim.pk},
        "owner_certification_remove": {"business_id": b, "certification_id": cert.pk},
        "owner_product_photo_remove": {
            "business_id": b,
            "product_id": photo_product.public_id,
            "photo_id": photo.pk,
        },
        "owner_order_action": {"business_id": b, "order_id": o, "action": "accept"},
        "owner_programme_enrol": {"business_id": b, "programme_id": programme.pk},
    }
    checked = set()
    for pattern in urls_owner.urlpatterns:
        assert isinstance(pattern, URLPattern)
        name = pattern.name or ""
        if name in ("owner_home", "owner_register"):
            continue  # the actor's own list and form: nothing of another owner's
        params = set(pattern.pattern.converters)
        kwargs = kwargs_for.get(name) or {
            k: v
            for k, v in {"business_id": b, "product_id": p, "order_id": o}.items()
            if k in params
        }
        url = reverse(f"umkm:{name}", kwargs=kwargs)
        data = {
            "photo": image_upload(),
            "nib_document": pdf_upload(),
            "price": "1",
            "name": "X",
            "reason": "x",
        }
        answers = {client.get(url).status_code, client.post(url, data).status_code}
        assert answers in ({404}, {404, 405}), url
        checked.add(name)
        # the same records reached through the attacker's own business (URL tampering)
        if "business_id" in kwargs and len(kwargs) > 1 and name != "owner_programme_enrol":
            tampered = reverse(f"umkm:{name}", kwargs={**kwargs, "business_id": attacker.public_id})
            answers = {client.get(tampered).status_code, client.post(tampered, data).status_code}
            assert answers in ({404}, {404, 405}), tampered
    assert len(checked) == len(urls_owner.urlpatterns) - 2
    assert _snapshot() == before
