"""Public e-catalogue pages: catalogue/search, facets, product and seller pages, photos."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kotapintar.testing.factories import DistrictFactory, VillageFactory
from kotapintar.umkm.models import (
    Business,
    Product,
    ProductCategory,
    ProductStatus,
    ReviewStatus,
    Scale,
    SearchQueryLog,
    VerificationStatus,
)
from kotapintar.umkm.services import product_photo_add
from kotapintar.umkm.tests.factories import (
    BusinessFactory,
    OrderLineFactory,
    ProductFactory,
    certification,
    image_upload,
)

pytestmark = pytest.mark.django_db

CATALOGUE = "/umkm/"

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">klik</a>',
    "<svg onload=alert(1)>",
]


class _MarkupScan(HTMLParser):
    """Collects what could run: event-handler attributes, inline scripts, javascript: links."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")
        if tag == "script" and not dict(attrs).get("src"):
            self.found.append("inline script")
        if tag in ("svg", "iframe", "object", "embed"):
            self.found.append(tag)


def _active_markup(html: str) -> list[str]:
    scan = _MarkupScan()
    scan.feed(html)
    return scan.found


def _names(response: Any) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<span class="product-name">([^<]*)</span>', html)


def _facet_counts(response: Any, facet: str) -> list[int]:
    html = response.content.decode()
    block = re.search(rf'data-facet="{facet}">(.*?)</section>', html, re.S)
    assert block is not None, f"facet {facet} missing"
    return [int(n) for n in re.findall(r'<span class="count">\((\d+)\)</span>', block.group(1))]


@pytest.fixture
def medan(reference_data: Any) -> dict[str, Any]:
    """A small Medan catalogue: two sellers in two kecamatan, plus hidden products."""
    kue = ProductCategory.objects.get(slug="kue-roti")
    kain = ProductCategory.objects.get(slug="ulos")
    medan_kota = DistrictFactory(code="12.71.01", name="Medan Kota")
    medan_baru = DistrictFactory(code="12.71.02", name="Medan Baru")
    bakery = BusinessFactory(
        verified=True, name="Bika Zulaikha", district=medan_kota, scale=Scale.MIKRO
    )
    weaver = BusinessFactory(
        verified=True, name="Ulos Ragi", district=medan_baru, scale=Scale.KECIL
    )
    bika = ProductFactory(
        business=bakery,
        category=kue,
        name="Bika Ambon Zulaikha Original 2 kg",
        price=150_000,
        status=ProductStatus.LISTED,
        listed=True,
    )
    bolu = ProductFactory(
        business=bakery,
        category=kue,
        name="Bolu Meranti Keju",
        price=95_000,
        status=ProductStatus.LISTED,
        listed=True,
    )
    ulos = ProductFactory(
        business=weaver, category=kain, name="Kain Ulos Ragi Hotang", price=750_000, listed=True
    )
    halal = certification(bakery, "halal", "ID00110012345678")
    bika.certifications.add(halal)
    unverified = BusinessFactory(name="Belum Diverifikasi", district=medan_kota)
    hidden_unverified = ProductFactory(
        business=unverified, category=kue, name="Bika Ambon Rahasia", status=ProductStatus.LISTED
    )
    delisted = ProductFactory(
        business=bakery, category=kue, name="Bika Ambon Lama", status=ProductStatus.DELISTED
    )
    return {
        "bika": bika,
        "bolu": bolu,
        "ulos": ulos,
        "bakery": bakery,
        "weaver": weaver,
        "unverified": hidden_unverified,
        "delisted": delisted,
        "medan_kota": medan_kota,
    }


def test_catalogue_lists_only_public_products(client: Client, medan: dict[str, Any]) -> None:
    response = client.get(CATALOGUE)
    assert response.status_code == 200
    names = _names(response)
    assert sorted(names) == sorted(
        ["Bika Ambon Zulaikha Original 2 kg", "Bolu Meranti Keju", "Kain Ulos Ragi Hotang"]
    )
    html = response.content.decode()
    assert "Bika Ambon Rahasia" not in html
    assert "Bika Ambon Lama" not in html
    assert "3 produk" in html
    assert "Rp150.000" in html
    assert "Bika Zulaikha · Medan Kota" in html


def test_search_finds_typos_and_prefixes_but_never_hidden(
    client: Client, medan: dict[str, Any]
) -> None:
    assert _names(client.get(CATALOGUE, {"q": "bika ambn"})) == [
        "Bika Ambon Zulaikha Original 2 kg"
    ]
    assert _names(client.get(CATALOGUE, {"q": "bika"})) == ["Bika Ambon Zulaikha Original 2 kg"]
    assert _names(client.get(CATALOGUE, {"q": "BIKA AMBON"})) == [
        "Bika Ambon Zulaikha Original 2 kg"
    ]
    response = client.get(CATALOGUE, {"q": "bika ambn"})
    assert "ejaan yang mirip" in response.content.decode()
    assert _names(client.get(CATALOGUE, {"q": "ulos -hotang"})) == []
    assert _names(client.get(CATALOGUE, {"q": '"ragi hotang"'})) == ["Kain Ulos Ragi Hotang"]


def test_zero_results_message_and_log(client: Client, medan: dict[str, Any]) -> None:
    response = client.get(CATALOGUE, {"q": "durian montong"})
    html = response.content.decode()
    assert "Tidak ada produk yang cocok dengan “durian montong”." in html
    assert "Periksa ejaan atau gunakan lebih sedikit kata." in html
    assert list(SearchQueryLog.objects.values_list("query", flat=True)) == ["durian montong"]


def test_facet_counts_equal_results(client: Client, medan: dict[str, Any]) -> None:
    response = client.get(CATALOGUE)
    for facet in ("category", "kecamatan", "scale", "price", "national_catalogue"):
        assert sum(_facet_counts(response, facet)) == 3, facet
    assert _facet_counts(response, "certification") == [1]
    # A filter: the count shown equals the results, and every facet adds up to it.
    response = client.get(CATALOGUE, {"kecamatan": medan["medan_kota"].code})
    assert len(_names(response)) == 2
    assert "2 produk" in response.content.decode()
    for facet in ("category", "kecamatan", "scale", "price"):
        assert sum(_facet_counts(response, facet)) == 2, facet
    response = client.get(CATALOGUE, {"skala": "kecil"})
    assert _names(response) == ["Kain Ulos Ragi Hotang"]
    response = client.get(CATALOGUE, {"sertifikasi": "halal"})
    assert _names(response) == ["Bika Ambon Zulaikha Original 2 kg"]
    response = client.get(CATALOGUE, {"harga": "100001-500000"})
    assert _names(response) == ["Bika Ambon Zulaikha Original 2 kg"]
    assert _facet_counts(response, "price") == [1]
    response = client.get(CATALOGUE, {"kategori": "fesyen-kain"})
    assert _names(response) == ["Kain Ulos Ragi Hotang"]


def test_sort_by_price(client: Client, medan: dict[str, Any]) -> None:
    assert _names(client.get(CATALOGUE, {"urut": "price_asc"})) == [
        "Bolu Meranti Keju",
        "Bika Ambon Zulaikha Original 2 kg",
        "Kain Ulos Ragi Hotang",
    ]
    assert _names(client.get(CATALOGUE, {"urut": "price_desc"}))[0] == "Kain Ulos Ragi Hotang"


def test_bad_parameters_are_ignored(client: Client, medan: dict[str, Any]) -> None:
    response = client.get(
        CATALOGUE, {"harga": "abc", "page": "-3", "urut": "<script>", "skala": "raksasa"}
    )
    assert response.status_code == 200
    assert len(_names(response)) == 3


def test_pagination(client: Client, medan: dict[str, Any]) -> None:
    from kotapintar.umkm.selectors import umkm_policy

    policy = umkm_policy()
    policy.search_page_size = 2
    policy.save()
    first = client.get(CATALOGUE, {"urut": "price_asc"})
    second = client.get(CATALOGUE, {"urut": "price_asc", "page": 2})
    assert _names(first) == ["Bolu Meranti Keju", "Bika Ambon Zulaikha Original 2 kg"]
    assert _names(second) == ["Kain Ulos Ragi Hotang"]
    assert "Halaman 1 dari 2" in first.content.decode()


def test_catalogue_query_count_is_constant(
    client: Client, reference_data: Any, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        from django.core.cache import cache

        cache.clear()  # measure a computed page, not a cached search answer (search_cache)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(CATALOGUE, {"q": "kopi"}).status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        product = ProductFactory(listed=True, name=f"Kopi Sidikalang {i}")
        product.certifications.add(certification(product.business))
    count()  # warm the per-process caches (synonyms)
    few = count()
    for i in range(12):
        product = ProductFactory(listed=True, name=f"Kopi Lintong {i}")
        product.certifications.add(certification(product.business))
    assert count() == few
    with django_assert_max_num_queries(20):
        client.get(CATALOGUE, {"q": "kopi"})


def test_anonymous_catalogue_has_no_csrf_token_or_cookie(
    client: Client, medan: dict[str, Any]
) -> None:
    response = client.get(CATALOGUE)
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert not response.cookies


# --- Product page -------------------------------------------------------------------------------


def test_product_page(client: Client, medan: dict[str, Any]) -> None:
    bika: Product = medan["bika"]
    bika.minimum_order = 2
    bika.unit = "kotak"
    bika.weight_grams = 2000
    bika.stock = 7
    bika.save()
    line = OrderLineFactory.create(product=bika, order__business=bika.business)
    from kotapintar.umkm.models import Review

    Review.objects.create(
        order_line=line,
        product=bika,
        author=line.order.buyer,
        rating=5,
        text="Lembut sekali",
        status=ReviewStatus.APPROVED,
    )
    other_line = OrderLineFactory.create(product=bika, order__business=bika.business)
    Review.objects.create(
        order_line=other_line,
        product=bika,
        author=other_line.order.buyer,
        rating=1,
        text="Belum dimoderasi",
    )
    response = client.get(reverse("umkm:product", args=[bika.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rp150.000" in html
    assert "Pemesanan minimum" in html and "2 kotak" in html
    assert "2 kg" in html
    assert "7 kotak" in html
    assert "ID00110012345678" in html
    assert "Lembut sekali" in html
    assert "Belum dimoderasi" not in html
    assert "Bika Zulaikha" in html
    assert "Masuk untuk memesan" in html


def test_product_out_of_stock_and_expired_certificate(
    client: Client, medan: dict[str, Any]
) -> None:
    import datetime

    from kotapintar.umkm.models import Certification

    bika: Product = medan["bika"]
    bika.stock = 0
    bika.save()
    Certification.objects.filter(number="ID00110012345678").update(
        expires_on=datetime.date(2024, 12, 31)
    )
    html = client.get(reverse("umkm:product", args=[bika.public_id])).content.decode()
    assert "stok habis" in html
    assert "31 Des 2024" not in html  # an expired certificate is no longer shown to buyers
    assert "Tambah ke keranjang" not in html


@pytest.mark.parametrize("key", ["unverified", "delisted"])
def test_hidden_product_page_is_404(client: Client, medan: dict[str, Any], key: str) -> None:
    assert client.get(reverse("umkm:product", args=[medan[key].public_id])).status_code == 404


def test_unknown_product_reference_is_404(client: Client, reference_data: Any) -> None:
    assert client.get("/umkm/produk/bukan-uuid/").status_code == 404


# --- Seller page --------------------------------------------------------------------------------


def test_seller_page_hides_personal_data(client: Client, medan: dict[str, Any]) -> None:
    bakery: Business = medan["bakery"]
    bakery.village = VillageFactory.create(district=bakery.district, name="Sei Rengas")
    bakery.save()
    response = client.get(reverse("umkm:seller", args=[bakery.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bika Zulaikha" in html
    assert "Medan Kota" in html and "Sei Rengas" in html
    assert "Mikro" in html
    assert "ID00110012345678" in html
    assert "Bolu Meranti Keju" in html
    assert "Bika Ambon Lama" not in html
    for secret in ("1271011708850001", "081234565678", "Jl. Rumah No. 1", "Siti Aminah"):
        assert secret not in html


def test_unverified_or_inactive_seller_is_404(client: Client, medan: dict[str, Any]) -> None:
    assert (
        client.get(
            reverse("umkm:seller", args=[medan["unverified"].business.public_id])
        ).status_code
        == 404
    )
    bakery: Business = medan["bakery"]
    Business.objects.filter(pk=bakery.pk).update(verification_status=VerificationStatus.REJECTED)
    assert client.get(reverse("umkm:seller", args=[bakery.public_id])).status_code == 404
    assert client.get(reverse("umkm:product", args=[medan["bika"].public_id])).status_code == 404
    assert "Bika Ambon" not in client.get(CATALOGUE).content.decode()


# --- XSS ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_is_inert_on_every_public_page(
    client: Client, reference_data: Any, payload: str
) -> None:
    business = BusinessFactory(verified=True, name=f"Toko {payload}", description=payload)
    # Stored as given (bypassing the service's cleaning): the pages must still be inert.
    product = ProductFactory(
        business=business,
        name=f"Keripik {payload}",
        description=f"<p><b>Bika</b></p>{payload}",
        listed=True,
    )
    Product.objects.filter(pk=product.pk).update(business=business)
    pages = [
        client.get(CATALOGUE),
        client.get(CATALOGUE, {"q": "keripik"}),
        client.get(CATALOGUE, {"q": payload}),
        client.get(reverse("umkm:product", args=[product.public_id])),
        client.get(reverse("umkm:seller", args=[business.public_id])),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script>alert(1)" not in html
        # No element carries an event handler (escaped text like "&lt;img onerror" is inert).
        assert _active_markup(html) == [], _active_markup(html)
        assert "<img src=x" not in html
        assert "<svg" not in html
        assert 'href="javascript:' not in html
    product_html = pages[3].content.decode()
    assert "<p><b>Bika</b></p>" in product_html


# --- Photos -------------------------------------------------------------------------------------


def test_photo_of_public_product(client: Client, medan: dict[str, Any]) -> None:
    bika: Product = medan["bika"]
    photo = product_photo_add(actor=bika.business.owner, product=bika, uploaded_file=image_upload())
    for size in ("thumb", "full"):
        response = client.get(reverse("umkm:photo", args=[photo.file_id, size]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "public, max-age=60"
        body = b"".join(response.streaming_content)
        assert body[:2] == b"\xff\xd8"
    assert client.get(reverse("umkm:photo", args=[photo.file_id, "huge"])).status_code == 404
    html = client.get(CATALOGUE).content.decode()
    assert reverse("umkm:photo", args=[photo.file_id, "thumb"]) in html


def test_photo_of_hidden_product_is_404(client: Client, medan: dict[str, Any]) -> None:
    bika: Product = medan["bika"]
    photo = product_photo_add(actor=bika.business.owner, product=bika, uploaded_file=image_upload())
    url = reverse("umkm:photo", args=[photo.file_id, "thumb"])
    Product.objects.filter(pk=bika.pk).update(status=ProductStatus.DELISTED)
    assert client.get(url).status_code == 404
    Product.objects.filter(pk=bika.pk).update(status=ProductStatus.LISTED)
    assert client.get(url).status_code == 200
    Business.objects.filter(pk=bika.business_id).update(
        verification_status=VerificationStatus.UNVERIFIED
    )
    assert client.get(url).status_code == 404
    unverified: Product = medan["unverified"]
    hidden = product_photo_add(
        actor=unverified.business.owner, product=unverified, uploaded_file=image_upload()
    )
    assert client.get(reverse("umkm:photo", args=[hidden.file_id, "full"])).status_code == 404


def test_product_and_seller_pages_query_count_is_constant(
    client: Client, medan: dict[str, Any]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bika: Product = medan["bika"]
    urls = [
        reverse("umkm:product", args=[bika.public_id]),
        reverse("umkm:seller", args=[bika.business.public_id]),
    ]

    def counts() -> list[int]:
        from django.core.cache import cache

        result = []
        for url in urls:
            cache.clear()  # a computed page, not a cached search answer (search_cache)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    counts()
    few = counts()
    from kotapintar.umkm.models import Review

    for _ in range(4):
        line = OrderLineFactory.create(product=bika, order__business=bika.business)
        Review.objects.create(
            order_line=line,
            product=bika,
            author=line.order.buyer,
            rating=4,
            status=ReviewStatus.APPROVED,
        )
        bika.certifications.add(certification(bika.business, "sni"))
        ProductFactory(business=bika.business, listed=True)
    assert counts() == few


def test_result_cards_in_one_query_in_page_order_with_the_first_photo(
    medan: dict[str, Any], django_assert_num_queries: Any
) -> None:
    from kotapintar.umkm.selectors import product_cards

    bika, ulos = medan["bika"], medan["ulos"]
    owner = bika.business.owner
    first = product_photo_add(actor=owner, product=bika, uploaded_file=image_upload())
    product_photo_add(actor=owner, product=bika, uploaded_file=image_upload())
    Product.objects.filter(pk=ulos.pk).update(stock=0)
    with django_assert_num_queries(1):
        cards = product_cards([ulos.pk, bika.pk, 987654321])
    assert [(c.name, c.price, c.seller, c.kecamatan, c.in_stock) for c in cards] == [
        ("Kain Ulos Ragi Hotang", 750_000, "Ulos Ragi", "Medan Baru", False),
        ("Bika Ambon Zulaikha Original 2 kg", 150_000, "Bika Zulaikha", "Medan Kota", True),
    ]
    assert cards[0].photo_file_id is None
    assert cards[1].photo_file_id == first.file_id
    assert product_cards([]) == []
