"""Buyer pages: cart, checkout split per seller, ASN market (NIP), my orders, cancel, reviews."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kotapintar.accounts.models import User
from kotapintar.core.models.audit import AuditEntry
from kotapintar.testing.factories import UserFactory
from kotapintar.testing.permissions import Actors, assert_permission_matrix
from kotapintar.umkm.models import (
    BuyerProfile,
    Market,
    Order,
    OrderStatus,
    Product,
    ProductStatus,
    Review,
    ReviewStatus,
)
from kotapintar.umkm.services import order_transition
from kotapintar.umkm.tests.factories import BusinessFactory, ProductFactory, dinas_officer

pytestmark = pytest.mark.django_db

VALID_NIP = "198503122010011001"


@pytest.fixture
def shop(reference_data: Any) -> dict[str, Any]:
    bika = ProductFactory(listed=True, name="Bika Ambon Zulaikha", price=150_000, stock=10)
    bolu = ProductFactory(
        business=bika.business, listed=True, name="Bolu Meranti Keju", price=95_000, stock=5
    )
    ulos = ProductFactory(
        listed=True, name="Ulos Sadum", price=750_000, stock=2, minimum_order=1, unit="lembar"
    )
    return {"bika": bika, "bolu": bolu, "ulos": ulos}


def _login(client: Client, user: User | None = None) -> User:
    user = user or UserFactory.create()
    client.force_login(user)
    return user


def _add(client: Client, product: Product, quantity: int) -> Any:
    return client.post(
        reverse("umkm:cart_add", args=[product.public_id]), {"quantity": str(quantity)}
    )


def _checkout(client: Client, *, market: str = "umum", key: str | None = None) -> Any:
    return client.post(
        reverse("umkm:checkout"),
        {"market": market, "note": "Tolong dibungkus rapi", "key": key or str(uuid.uuid4())},
    )


def _order_audit_count() -> int:
    return AuditEntry.objects.filter(action__startswith="umkm.order_").count()


# --- Cart ---------------------------------------------------------------------------------------


def test_cart_needs_login(client: Client, shop: dict[str, Any]) -> None:
    response = _add(client, shop["bika"], 1)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.get(reverse("umkm:cart")).status_code == 302


def test_add_to_cart_and_see_per_seller_totals(client: Client, shop: dict[str, Any]) -> None:
    _login(client)
    assert _add(client, shop["bika"], 2)["Location"] == reverse("umkm:cart")
    _add(client, shop["bolu"], 1)
    _add(client, shop["ulos"], 1)
    html = client.get(reverse("umkm:cart")).content.decode()
    assert html.count('class="cart-group"') == 2
    assert "Total pesanan untuk penjual ini: <strong>Rp395.000</strong>" in html
    assert "Total pesanan untuk penjual ini: <strong>Rp750.000</strong>" in html
    assert "Total: <strong>Rp1.145.000</strong>" in html


@pytest.mark.parametrize("quantity", ["0", "-1", "1.5", "abc", ""])
def test_add_bad_quantity_stores_nothing(
    client: Client, shop: dict[str, Any], quantity: str
) -> None:
    _login(client)
    response = client.post(
        reverse("umkm:cart_add", args=[shop["bika"].public_id]), {"quantity": quantity}
    )
    assert response.status_code == 302
    assert "umkm_cart" not in client.session
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Masukkan bilangan bulat 1 atau lebih."]


def test_hidden_product_cannot_be_added(client: Client, shop: dict[str, Any]) -> None:
    _login(client)
    Product.objects.filter(pk=shop["bika"].pk).update(status=ProductStatus.DELISTED)
    assert _add(client, shop["bika"], 1).status_code == 404
    unverified = ProductFactory(status=ProductStatus.LISTED)
    assert _add(client, unverified, 1).status_code == 404
    assert "umkm_cart" not in client.session


def test_out_of_stock_product_cannot_be_added(client: Client, shop: dict[str, Any]) -> None:
    _login(client)
    Product.objects.filter(pk=shop["bika"].pk).update(stock=0)
    response = _add(client, shop["bika"], 1)
    assert [str(m) for m in response.wsgi_request._messages] == ["Stok habis."]
    assert "umkm_cart" not in client.session


def test_delisted_product_leaves_the_cart(client: Client, shop: dict[str, Any]) -> None:
    _login(client)
    _add(client, shop["bika"], 1)
    _add(client, shop["ulos"], 1)
    Product.objects.filter(pk=shop["ulos"].pk).update(status=ProductStatus.DELISTED)
    html = client.get(reverse("umkm:cart")).content.decode()
    assert ">Ulos Sadum</a>" not in html
    assert ">Bika Ambon Zulaikha</a>" in html
    assert "Beberapa produk tidak tersedia lagi dan dihapus dari keranjang Anda." in html
    assert list(client.session["umkm_cart"]) == [str(shop["bika"].public_id)]


# --- Checkout -----------------------------------------------------------------------------------


def test_checkout_splits_per_seller_and_is_idempotent(client: Client, shop: dict[str, Any]) -> None:
    buyer = _login(client)
    _add(client, shop["bika"], 2)
    _add(client, shop["bolu"], 1)
    _add(client, shop["ulos"], 1)
    key = str(uuid.uuid4())
    response = _checkout(client, key=key)
    assert response.status_code == 302
    assert response["Location"] == reverse("umkm:my_orders")
    orders = list(Order.objects.filter(buyer=buyer).order_by("total"))
    assert [o.total for o in orders] == [395_000, 750_000]
    assert sum(o.total for o in orders) == 1_145_000
    assert {o.business_id for o in orders} == {shop["bika"].business_id, shop["ulos"].business_id}
    assert all(str(o.group) == key and o.market == Market.PUBLIC for o in orders)
    assert all(o.note == "Tolong dibungkus rapi" for o in orders)
    assert Product.objects.get(pk=shop["bika"].pk).stock == 8
    assert Product.objects.get(pk=shop["ulos"].pk).stock == 1
    assert "umkm_cart" not in client.session
    audits = _order_audit_count()
    # The same form sent again (double click, reload): nothing new.
    _add(client, shop["bika"], 1)
    again = _checkout(client, key=key)
    assert again.status_code == 302
    assert Order.objects.filter(buyer=buyer).count() == 2
    assert Product.objects.get(pk=shop["bika"].pk).stock == 8
    assert _order_audit_count() == audits


def test_mixed_cart_refused_when_the_policy_blocks_it(client: Client, shop: dict[str, Any]) -> None:
    from kotapintar.umkm.selectors import umkm_policy

    policy = umkm_policy()
    policy.split_mixed_cart = False
    policy.save()
    buyer = _login(client)
    _add(client, shop["bika"], 1)
    _add(client, shop["ulos"], 1)
    response = _checkout(client)
    assert response.status_code == 400
    assert (
        "Satu keranjang hanya boleh berisi produk dari satu penjual." in response.content.decode()
    )
    assert not Order.objects.filter(buyer=buyer).exists()
    assert Product.objects.get(pk=shop["bika"].pk).stock == 10
    assert _order_audit_count() == 0


def test_checkout_one_seller_goes_to_the_order(client: Client, shop: dict[str, Any]) -> None:
    buyer = _login(client)
    _add(client, shop["bika"], 1)
    response = _checkout(client)
    order = Order.objects.get(buyer=buyer)
    assert response["Location"] == reverse("umkm:order_detail", args=[order.public_id])
    html = client.get(response["Location"]).content.decode()
    assert "Diajukan" in html
    assert "Rp150.000" in html


def test_checkout_over_stock_stores_nothing(client: Client, shop: dict[str, Any]) -> None:
    buyer = _login(client)
    _add(client, shop["bika"], 1)
    _add(client, shop["ulos"], 3)  # only 2 left
    response = _checkout(client)
    assert response.status_code == 400
    assert "Stok habis: Ulos Sadum." in response.content.decode()
    assert not Order.objects.filter(buyer=buyer).exists()
    assert Product.objects.get(pk=shop["bika"].pk).stock == 10
    assert Product.objects.get(pk=shop["ulos"].pk).stock == 2
    assert _order_audit_count() == 0
    assert len(client.session["umkm_cart"]) == 2  # the cart is kept to fix it


def test_checkout_below_minimum_order_stores_nothing(client: Client, shop: dict[str, Any]) -> None:
    buyer = _login(client)
    Product.objects.filter(pk=shop["bika"].pk).update(minimum_order=3)
    _add(client, shop["bika"], 1)
    cart = client.get(reverse("umkm:cart")).content.decode()
    assert "Pemesanan minimum: 3 pcs." in cart
    response = _checkout(client)
    assert response.status_code == 400
    assert "Pesan paling sedikit 3 Bika Ambon Zulaikha." in response.content.decode()
    assert not Order.objects.filter(buyer=buyer).exists()
    assert Product.objects.get(pk=shop["bika"].pk).stock == 10


def test_checkout_bad_form_stores_nothing(client: Client, shop: dict[str, Any]) -> None:
    buyer = _login(client)
    _add(client, shop["bika"], 1)
    response = client.post(reverse("umkm:checkout"), {"market": "opd", "key": "x"})
    assert response.status_code == 400
    assert not Order.objects.filter(buyer=buyer).exists()
    response = client.post(reverse("umkm:checkout"), {"market": "umum", "key": str(uuid.uuid4())})
    assert response.status_code == 302  # control: the same cart with a valid form works


def test_empty_cart_checkout(client: Client, shop: dict[str, Any]) -> None:
    _login(client)
    response = _checkout(client)
    assert response.status_code == 400
    assert "Keranjang kosong." in response.content.decode()


# --- ASN market ---------------------------------------------------------------------------------


def test_asn_market_needs_a_nip(client: Client, shop: dict[str, Any]) -> None:
    buyer = _login(client)
    _add(client, shop["bika"], 1)
    response = _checkout(client, market="asn")
    assert response.status_code == 403
    html = response.content.decode()
    assert (
        "Hanya ASN yang memiliki NIP yang dapat berbelanja di pasar ASN. "
        "Tambahkan NIP Anda ke profil terlebih dahulu." in html
    )
    assert not Order.objects.filter(buyer=buyer).exists()
    assert _order_audit_count() == 0
    assert Product.objects.get(pk=shop["bika"].pk).stock == 10

    # A bad NIP is refused field by field, and nothing is stored.
    for bad, message in (
        ("12345", "NIP terdiri dari tepat 18 digit."),
        ("198513122010011001", "NIP ini tidak sah."),
    ):
        response = client.post(reverse("umkm:buyer_nip"), {"nip": bad})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not BuyerProfile.objects.filter(user=buyer).exists()

    response = client.post(reverse("umkm:buyer_nip"), {"nip": "1985 0312 2010 01 1 001"})
    assert response.status_code == 302
    assert BuyerProfile.objects.get(user=buyer).nip == VALID_NIP
    response = _checkout(client, market="asn")
    assert response.status_code == 302
    assert Order.objects.get(buyer=buyer).market == Market.ASN


def test_nip_page_needs_login(client: Client, reference_data: Any) -> None:
    assert client.get(reverse("umkm:buyer_nip")).status_code == 302
    assert client.post(reverse("umkm:buyer_nip"), {"nip": VALID_NIP}).status_code == 302
    assert not BuyerProfile.objects.exists()


# --- Orders -------------------------------------------------------------------------------------


def _place(client: Client, product: Product, quantity: int = 1) -> Order:
    _add(client, product, quantity)
    _checkout(client)
    return Order.objects.filter(lines__product=product).latest("pk")


def test_order_detail_permission_matrix(client: Client, shop: dict[str, Any]) -> None:
    buyer = _login(client)
    order = _place(client, shop["bika"])
    actors = Actors.around(citizen=buyer)
    actors.add("seller", order.business.owner)
    actors.add("dinas", dinas_officer())
    url = reverse("umkm:order_detail", args=[order.public_id])
    assert_permission_matrix(
        Client,
        url,
        "get",
        {
            "anonymous": 302,
            "citizen": 200,
            "other_citizen": 404,
            "officer_other_agency": 404,
            "officer": 404,
            "admin": 404,
            "seller": 404,
            "dinas": 404,
        },
        actors,
    )
    for action in ("order_cancel", "order_complete"):
        assert_permission_matrix(
            Client,
            reverse(f"umkm:{action}", args=[order.public_id]),
            "post",
            {
                "anonymous": 302,
                "other_citizen": 404,
                "officer_other_agency": 404,
                "officer": 404,
                "admin": 404,
                "seller": 404,
                "dinas": 404,
                "citizen": 302,
            },
            actors,
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED  # only the buyer's own cancel took effect


def test_my_orders_lists_only_mine(client: Client, shop: dict[str, Any]) -> None:
    buyer = _login(client)
    mine = _place(client, shop["bika"])
    other_client = Client()
    _login(other_client)
    theirs = _place(other_client, shop["ulos"])
    html = client.get(reverse("umkm:my_orders")).content.decode()
    assert mine.reference in html
    assert theirs.reference not in html
    assert buyer.pk == mine.buyer_id


def test_cancel_returns_stock_and_is_refused_once_shipped(
    client: Client, shop: dict[str, Any]
) -> None:
    _login(client)
    order = _place(client, shop["bika"], 3)
    assert Product.objects.get(pk=shop["bika"].pk).stock == 7
    response = client.post(
        reverse("umkm:order_cancel", args=[order.public_id]), {"reason": "Salah pesan"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Product.objects.get(pk=shop["bika"].pk).stock == 10

    shipped = _place(client, shop["bolu"])
    seller = shipped.business.owner
    order_transition(actor=seller, order=shipped, action="accept")
    order_transition(actor=seller, order=shipped, action="ship")
    audits = _order_audit_count()
    html = client.get(reverse("umkm:order_detail", args=[shipped.public_id])).content.decode()
    assert "Batalkan pesanan" not in html
    assert "Pesanan sudah saya terima" in html
    response = client.post(reverse("umkm:order_cancel", args=[shipped.public_id]))
    assert response.status_code == 302
    shipped.refresh_from_db()
    assert shipped.status == OrderStatus.SHIPPED
    assert _order_audit_count() == audits


def test_timeline_and_review_after_completion(client: Client, shop: dict[str, Any]) -> None:
    buyer = _login(client)
    order = _place(client, shop["bika"], 2)
    line = order.lines.get()
    review_url = reverse("umkm:review", args=[order.public_id, line.pk])
    # Before completion: refused, nothing stored.
    response = client.post(review_url, {"rating": "5", "text": "Enak"})
    assert response.status_code == 400
    assert "Ulasan dapat diberikan setelah pesanan selesai." in response.content.decode()
    assert not Review.objects.exists()

    seller = order.business.owner
    for action in ("accept", "process", "ship"):
        order_transition(actor=seller, order=order, action=action)
    assert client.post(reverse("umkm:order_complete", args=[order.public_id])).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    html = client.get(reverse("umkm:order_detail", args=[order.public_id])).content.decode()
    for label in ("Diajukan", "Diterima", "Sedang disiapkan", "Dikirim", "Selesai"):
        assert label in html, label
    assert "Kirim ulasan" in html

    for bad in ("0", "6", "lima", ""):
        assert client.post(review_url, {"rating": bad, "text": "x"}).status_code == 400
    assert not Review.objects.exists()

    response = client.post(review_url, {"rating": "5", "text": "<script>alert(1)</script>Enak"})
    assert response.status_code == 302
    review = Review.objects.get()
    assert (review.rating, review.status, review.author_id) == (5, ReviewStatus.PENDING, buyer.pk)
    html = client.get(reverse("umkm:order_detail", args=[order.public_id])).content.decode()
    assert "menunggu moderasi" in html
    assert "Kirim ulasan" not in html
    # Not public before moderation.
    product_url = reverse("umkm:product", args=[shop["bika"].public_id])
    assert "Enak" not in Client().get(product_url).content.decode()
    # Once per line.
    response = client.post(review_url, {"rating": "4", "text": "Lagi"})
    assert response.status_code == 400
    assert "Anda sudah mengulas barang ini." in response.content.decode()
    assert Review.objects.count() == 1
    # Approved: public, and inert.
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.APPROVED)
    public = Client().get(product_url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Enak" in public
    assert "<script>alert(1)" not in public


def test_review_of_another_buyers_order_is_404(client: Client, shop: dict[str, Any]) -> None:
    _login(client)
    order = _place(client, shop["bika"])
    line = order.lines.get()
    stranger = Client()
    _login(stranger)
    response = stranger.post(
        reverse("umkm:review", args=[order.public_id, line.pk]), {"rating": "1"}
    )
    assert response.status_code == 404
    other_order = _place(stranger, shop["ulos"])
    response = client.post(
        reverse("umkm:review", args=[order.public_id, other_order.lines.get().pk]),
        {"rating": "1"},
    )
    assert response.status_code == 404
    assert not Review.objects.exists()


def test_seller_cannot_buy_own_product(client: Client, shop: dict[str, Any]) -> None:
    owner = shop["bika"].business.owner
    _login(client, owner)
    _add(client, shop["bika"], 1)
    response = _checkout(client)
    assert response.status_code == 400
    assert "Anda tidak dapat memesan produk sendiri." in response.content.decode()
    assert not Order.objects.exists()


def test_business_factory_default_is_not_public(reference_data: Any) -> None:
    # Guard for the fixtures above: an unverified business's products are never public.
    assert not BusinessFactory().is_public


@pytest.mark.parametrize("name", ["umkm:cart", "umkm:my_orders", "umkm:buyer_nip"])
def test_buyer_pages_need_a_login(reference_data: Any, name: str) -> None:
    actors = Actors.around()
    actors.add("dinas", dinas_officer())
    assert_permission_matrix(
        Client,
        reverse(name),
        "get",
        {
            "anonymous": 302,
            "citizen": 200,
            "other_citizen": 200,
            "officer_other_agency": 200,
            "officer": 200,
            "admin": 200,
            "dinas": 200,
        },
        actors,
    )
