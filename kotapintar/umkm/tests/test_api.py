"""/api/v1/umkm/…: public search and product pages, the owner's businesses, products and sales,
the buyer's orders; seller isolation (reference §5 test 9 through the API); query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from kotapintar.accounts.models import User
from kotapintar.core.models.audit import AuditEntry
from kotapintar.core.models.notifications import Notification
from kotapintar.testing.factories import CitizenFactory
from kotapintar.testing.permissions import Actors, assert_permission_matrix
from kotapintar.umkm.models import (
    OrderStatus,
    Product,
    ProductCategory,
    ProductStatus,
    Review,
    ReviewStatus,
    VerificationStatus,
)
from kotapintar.umkm.tests.factories import (
    VALID_NIK,
    BusinessFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    certification,
    dinas_officer,
)

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/umkm/products/"
MY_PRODUCTS = "/api/v1/umkm/my/products/"
NOT_FOUND = {"error": {"code": "not_found", "message": "Data tidak ditemukan."}}


def _client(user: User | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def _category(slug: str = "kue-roti") -> ProductCategory:
    return ProductCategory.objects.get(slug=slug)


def _listed(name: str, business: Any = None, price: int = 25_000, **kwargs: Any) -> Product:
    product = ProductFactory.create(
        name=name,
        price=price,
        category=_category(kwargs.pop("category", "kue-roti")),
        listed=True,
        **({"business": business} if business is not None else {}),
        **kwargs,
    )
    return product


# --- Public search and product pages ------------------------------------------------------------


def test_search_returns_only_public_products_with_facets(reference_data: Any) -> None:
    bika = _listed("Bika Ambon Original 1 kg", price=145_000)
    _listed("Bolu Meranti Keju", price=95_000)
    hidden = BusinessFactory.create()  # not verified: its listed product is never shown
    ProductFactory.create(
        business=hidden, name="Bika Ambon Palsu", status=ProductStatus.LISTED, category=_category()
    )
    ProductFactory.create(business=bika.business, name="Bika Ambon Draf", category=_category())

    response = _client().get(SEARCH, {"q": "bika"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["fuzzy"] is False
    [item] = body["results"]
    assert item == {
        "id": str(bika.public_id),
        "name": "Bika Ambon Original 1 kg",
        "price": 145_000,
        "price_display": "Rp145.000",
        "unit": "pcs",
        "minimum_order": 1,
        "in_stock": True,
        "category": {"slug": "kue-roti", "name": "Kue & Roti"},
        "seller": {
            "id": str(bika.business.public_id),
            "name": bika.business.name,
            "kecamatan": bika.business.district.name,
            "scale": "mikro",
        },
        "certifications": [],
        "thumbnails": [],
        "in_national_catalogue": False,
        "listed_at": item["listed_at"],
    }
    # Facet counts add up to the result count; no personal data anywhere.
    for name in ("category", "kecamatan", "scale", "national_catalogue"):
        assert sum(v["count"] for v in body["facets"][name]) == 1, name
    text = response.content.decode()
    assert VALID_NIK not in text and "Jl. Rumah" not in text and "081234565678" not in text


def test_search_typo_filters_and_sort(reference_data: Any) -> None:
    bika = _listed("Bika Ambon Pandan", price=90_000)
    _listed("Kopi Sidikalang Robusta 250 g", price=40_000, category="kopi")
    _listed("Kopi Gayo Arabika 250 g", price=60_000, category="kopi")

    typo = _client().get(SEARCH, {"q": "bika ambn"}).json()
    assert [r["id"] for r in typo["results"]] == [str(bika.public_id)]
    assert typo["fuzzy"] is True

    coffee = _client().get(SEARCH, {"category": "kopi", "sort": "price_desc", "facets": "false"})
    body = coffee.json()
    assert [r["name"] for r in body["results"]] == [
        "Kopi Gayo Arabika 250 g",
        "Kopi Sidikalang Robusta 250 g",
    ]
    assert "facets" not in body
    cheap = _client().get(SEARCH, {"price_max": "50000"}).json()
    assert [r["name"] for r in cheap["results"]] == ["Kopi Sidikalang Robusta 250 g"]


def test_search_rejects_bad_parameters_in_the_error_shape(reference_data: Any) -> None:
    response = _client().get(SEARCH, {"price_min": "5000", "price_max": "100"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["fields"] == {
        "price_max": ["Harga tertinggi tidak boleh di bawah harga terendah."]
    }
    bad = _client().get(SEARCH, {"sort": "acak", "page": "0", "kecamatan": "Medan"})
    assert set(bad.json()["error"]["fields"]) == {"sort", "page", "kecamatan"}


def test_product_detail_is_public_only_for_listed_products_of_verified_sellers(
    reference_data: Any,
) -> None:
    product = _listed("Teri Medan", category="olahan-ikan")
    order_line = OrderLineFactory.create(product=product, order__status=OrderStatus.COMPLETED)
    Review.objects.create(
        order_line=order_line,
        product=product,
        author=order_line.order.buyer,
        rating=5,
        text="Gurih",
        status=ReviewStatus.APPROVED,
    )
    second = OrderLineFactory.create(product=product, order__status=OrderStatus.COMPLETED)
    Review.objects.create(
        order_line=second, product=product, author=second.order.buyer, rating=2, text="Asin"
    )  # pending: not shown

    body = _client().get(f"{SEARCH}{product.public_id}/").json()
    assert body["name"] == "Teri Medan"
    assert body["reviews"] == [
        {"rating": 5, "text": "Gurih", "created_at": body["reviews"][0]["created_at"]}
    ]
    assert VALID_NIK not in json.dumps(body)

    draft = ProductFactory.create(business=product.business, category=_category())
    delisted = _listed("Bolu Lama", status=ProductStatus.DELISTED)
    unverified = ProductFactory.create(status=ProductStatus.LISTED, category=_category())
    for hidden in (draft, delisted, unverified):
        response = _client().get(f"{SEARCH}{hidden.public_id}/")
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert _client().get(f"{SEARCH}not-a-uuid/").status_code == 404


def _count_queries(client: APIClient, url: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_query_count_per_page_is_constant(reference_data: Any) -> None:
    """Constant per page type, whether the search answer comes from the cache or not."""
    client = _client()
    seller = BusinessFactory.create(verified=True)
    halal = certification(seller)
    first = _listed("Bika Ambon Keju", business=seller)
    first.certifications.add(halal)
    _listed("Bika Ambon Pandan", business=seller)

    def counts() -> tuple[int, ...]:
        cache.clear()
        client.get(SEARCH, {"q": "kopi"})  # the policy and synonyms are cached per minute
        cold = _count_queries(client, SEARCH, {"q": "bika"})
        cold_typo = _count_queries(client, SEARCH, {"q": "bika ambn"})
        warm = _count_queries(client, SEARCH, {"q": "bika"})
        warm_typo = _count_queries(client, SEARCH, {"q": "bika ambn"})
        detail = _count_queries(client, f"{SEARCH}{first.public_id}/")
        return cold, cold_typo, warm, warm_typo, detail

    few = counts()
    for n in range(8):
        other = BusinessFactory.create(verified=True)
        product = _listed(f"Bika Ambon Durian {n}", business=other)
        product.certifications.add(certification(other))
        line = OrderLineFactory.create(product=first, order__status=OrderStatus.COMPLETED)
        Review.objects.create(
            order_line=line,
            product=first,
            author=line.order.buyer,
            rating=4,
            status=ReviewStatus.APPROVED,
        )
    many = counts()

    assert many == few
    assert few[2] < few[0]  # a cached answer saves the count and facet queries


def test_a_cached_search_drops_a_delisted_product_at_once(reference_data: Any) -> None:
    product = _listed("Pancake Durian")
    assert _client().get(SEARCH, {"q": "pancake"}).json()["count"] == 1
    assert _client().get(SEARCH, {"q": "pancake"}).json()["count"] == 1  # from the cache
    product.status = ProductStatus.DELISTED
    product.save()
    assert _client().get(SEARCH, {"q": "pancake"}).json()["count"] == 0
    product.status = ProductStatus.LISTED
    product.save()
    product.business.verification_status = VerificationStatus.REJECTED
    product.business.save()
    assert _client().get(SEARCH, {"q": "pancake"}).json()["results"] == []


# --- The owner's businesses and products --------------------------------------------------------


def test_owner_lists_only_own_businesses_and_products(reference_data: Any) -> None:
    mine = BusinessFactory.create(verified=True)
    other = BusinessFactory.create(verified=True)
    own_product = _listed("Bolu Meranti Keju", business=mine)
    _listed("Ulos Sadum", business=other, category="ulos")

    businesses = _client(mine.owner).get("/api/v1/umkm/my/businesses/").json()
    assert [b["id"] for b in businesses["results"]] == [str(mine.public_id)]
    assert businesses["results"][0]["owner_nik_masked"] == "1271********0001"
    assert VALID_NIK not in json.dumps(businesses)
    products = _client(mine.owner).get(MY_PRODUCTS).json()
    assert [p["id"] for p in products["results"]] == [str(own_product.public_id)]
    filtered = _client(mine.owner).get(MY_PRODUCTS, {"business": str(other.public_id)})
    assert filtered.status_code == 404
    assert _client().get(MY_PRODUCTS).status_code == 401


def test_owner_creates_a_product_through_the_api(reference_data: Any) -> None:
    business = BusinessFactory.create(verified=True)
    halal = certification(business, number="ID12110000123450622")

    response = _client(business.owner).post(
        MY_PRODUCTS,
        {
            "business": str(business.public_id),
            "category": "kue-roti",
            "name": "Bika Ambon Pandan",
            "price": 85000,
            "stock": 12,
            "description": "<p><b>Bika</b><script>alert(1)</script></p>",
            "certifications": ["ID12110000123450622"],
            "submit": True,
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    product = Product.objects.get(public_id=body["id"])
    assert (product.name, product.price, product.stock, product.status) == (
        "Bika Ambon Pandan",
        85_000,
        12,
        ProductStatus.PENDING,
    )
    assert "<script>" not in product.description and "<b>Bika</b>" in product.description
    assert list(product.certifications.all()) == [halal]
    assert body["price_display"] == "Rp85.000"
    assert AuditEntry.objects.filter(
        action="umkm.product_create", object_id=str(product.pk)
    ).exists()


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("Rp1.500", "Tulis harga tanpa “Rp” dan tanpa titik, misalnya 1500 untuk Rp1.500."),
        (0, "Harga harus lebih dari Rp0."),
        (1500.5, "Harga rupiah tanpa desimal: masukkan bilangan bulat, misalnya 1500."),
    ],
)
def test_bad_price_is_rejected_field_by_field_and_nothing_is_stored(
    reference_data: Any, price: Any, message: str
) -> None:
    business = BusinessFactory.create(verified=True)
    audits = AuditEntry.objects.count()

    response = _client(business.owner).post(
        MY_PRODUCTS,
        {"business": str(business.public_id), "category": "kue-roti", "name": "X", "price": price},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"price": [message]}
    assert not Product.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_creating_for_another_owners_business_is_not_found(reference_data: Any) -> None:
    other = BusinessFactory.create(verified=True)
    intruder = BusinessFactory.create(verified=True).owner
    audits = AuditEntry.objects.count()

    response = _client(intruder).post(
        MY_PRODUCTS,
        {
            "business": str(other.public_id),
            "category": "kue-roti",
            "name": "Bika Ambon Palsu",
            "price": 1000,
        },
        format="json",
    )

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert not Product.objects.exists()
    assert AuditEntry.objects.count() == audits


def _seller_actors(owner: User) -> Actors:
    return Actors(
        users={
            "anonymous": None,
            "citizen": CitizenFactory.create(),
            "other_seller": BusinessFactory.create(verified=True).owner,
            "dinas": dinas_officer(),
            "owner": owner,
        }
    )


def _state(product: Product) -> tuple[Any, ...]:
    product.refresh_from_db()
    return (product.name, product.price, product.stock, product.status, product.description)


@pytest.mark.parametrize(
    ("suffix", "method", "data", "owner_status"),
    [
        ("", "patch", {"name": "Bika Ambon Diubah"}, 200),
        ("price/", "post", {"price": 99000}, 200),
        ("stock/", "post", {"stock": 3}, 200),
        ("", "delete", None, 204),
        ("", "get", None, 200),
    ],
)
def test_another_sellers_product_is_not_found_and_unchanged(
    reference_data: Any, suffix: str, method: str, data: Any, owner_status: int
) -> None:
    """Reference §5 test 9 through the API: edit, reprice, restock, delete B's product."""
    product = _listed("Bika Ambon Original", price=50_000, stock=20)
    before = _state(product)
    audits = AuditEntry.objects.count()
    url = f"{MY_PRODUCTS}{product.public_id}/{suffix}"
    actors = _seller_actors(product.business.owner)

    responses = assert_permission_matrix(
        APIClient,
        url,
        method,
        {"anonymous": 401, "citizen": 404, "other_seller": 404, "dinas": 404},
        Actors(users={k: v for k, v in actors.users.items() if k != "owner"}),
        data=data,
        format="json",
    )

    assert _state(product) == before
    assert AuditEntry.objects.count() == audits
    for name in ("citizen", "other_seller", "dinas"):
        assert responses[name].json() == NOT_FOUND
    owner_response = getattr(_client(product.business.owner), method)(url, data, format="json")
    assert owner_response.status_code == owner_status
    if method == "delete":
        assert not Product.objects.filter(pk=product.pk).exists()
    elif method != "get":
        assert _state(product) != before


def test_owner_changes_price_and_stock_with_the_services_rules(reference_data: Any) -> None:
    product = _listed("Sirup Markisa", price=45_000, stock=10, category="minuman-sirup")
    client = _client(product.business.owner)

    stock = client.post(f"{MY_PRODUCTS}{product.public_id}/stock/", {"stock": 40}, format="json")
    assert stock.status_code == 200
    product.refresh_from_db()
    assert (product.stock, product.status) == (40, ProductStatus.LISTED)  # stays listed

    price = client.post(f"{MY_PRODUCTS}{product.public_id}/price/", {"price": 50000}, format="json")
    assert price.status_code == 200
    assert price.json()["price_display"] == "Rp50.000"
    product.refresh_from_db()
    assert (product.price, product.status) == (50_000, ProductStatus.PENDING)  # back to curation

    bad = client.post(f"{MY_PRODUCTS}{product.public_id}/stock/", {"stock": -1}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"stock"}
    product.refresh_from_db()
    assert product.stock == 40


def test_an_ordered_product_cannot_be_deleted(reference_data: Any) -> None:
    line = OrderLineFactory.create()
    product = line.product

    response = _client(product.business.owner).delete(f"{MY_PRODUCTS}{product.public_id}/")

    assert response.status_code == 400
    assert Product.objects.filter(pk=product.pk).exists()


# --- Orders -------------------------------------------------------------------------------------


def test_seller_sees_only_own_orders_of_a_mixed_cart(reference_data: Any) -> None:
    buyer = CitizenFactory.create()
    seller_a = BusinessFactory.create(verified=True)
    seller_b = BusinessFactory.create(verified=True)
    order_a = OrderFactory.create(buyer=buyer, business=seller_a, total=25_000)
    order_b = OrderFactory.create(buyer=buyer, business=seller_b, group=order_a.group, total=50_000)
    OrderLineFactory.create(order=order_a)
    OrderLineFactory.create(order=order_b, quantity=2)

    sales = _client(seller_a.owner).get("/api/v1/umkm/my/sales/").json()
    assert [o["id"] for o in sales["results"]] == [str(order_a.public_id)]
    assert len(sales["results"][0]["lines"]) == 1
    assert sales["results"][0]["lines"][0]["product"] == str(order_a.lines.get().product.public_id)
    response = _client(seller_a.owner).get(f"/api/v1/umkm/my/sales/{order_b.public_id}/")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND

    mine = _client(buyer).get("/api/v1/umkm/my/orders/").json()
    assert {o["id"] for o in mine["results"]} == {str(order_a.public_id), str(order_b.public_id)}
    stranger = _client(CitizenFactory.create()).get(f"/api/v1/umkm/my/orders/{order_a.public_id}/")
    assert stranger.status_code == 404


def test_seller_actions_on_another_sellers_order_change_nothing(reference_data: Any) -> None:
    order = OrderFactory.create(total=25_000)
    OrderLineFactory.create(order=order)
    url = f"/api/v1/umkm/my/sales/{order.public_id}/accept/"
    actors = _seller_actors(order.business.owner)
    actors.users["buyer"] = order.buyer
    audits = AuditEntry.objects.count()
    notifications = Notification.objects.count()

    assert_permission_matrix(
        APIClient,
        url,
        "post",
        {
            "anonymous": 401,
            "citizen": 404,
            "other_seller": 404,
            "dinas": 404,
            "buyer": 404,
            "owner": 200,
        },
        actors,
        data={},
        format="json",
    )

    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED
    assert AuditEntry.objects.filter(action="umkm.order_accept").count() == 1
    assert AuditEntry.objects.count() == audits + 1
    assert Notification.objects.count() <= notifications + 1  # only the owner's accept notifies


def test_seller_moves_an_order_along_and_declining_needs_a_reason(reference_data: Any) -> None:
    order = OrderFactory.create(total=25_000)
    OrderLineFactory.create(order=order)
    client = _client(order.business.owner)
    base = f"/api/v1/umkm/my/sales/{order.public_id}"

    no_reason = client.post(f"{base}/decline/", {}, format="json")
    assert no_reason.status_code == 400
    assert set(no_reason.json()["error"]["fields"]) == {"reason"}
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED

    assert client.post(f"{base}/accept/", {}, format="json").json()["status"] == "diterima"
    wrong = client.post(f"{base}/complete/", {}, format="json")
    assert wrong.status_code == 400
    assert client.post(f"{base}/ship/", {}, format="json").json()["status"] == "dikirim"
    assert client.post(f"{base}/teleport/", {}, format="json").status_code == 404
    done = client.post(f"{base}/complete/", {}, format="json").json()
    assert (done["status"], done["status_label"]) == ("selesai", "Selesai")


def test_verification_status_hides_a_sellers_products_from_search(reference_data: Any) -> None:
    product = _listed("Kain Ulos Ragi Hotang", category="ulos")
    assert _client().get(SEARCH, {"q": "ulos"}).json()["count"] == 1
    product.business.verification_status = VerificationStatus.REJECTED
    product.business.save()
    assert _client().get(SEARCH, {"q": "ulos"}).json()["count"] == 0
