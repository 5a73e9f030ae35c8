"""Orders: reference §5 tests 9 (order lines), 10 (ASN market), 12 (split), 17 (delisted),
19 (the last stock under concurrency), the workflow, expiry and moderated reviews."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.http import Http404
from django.utils import timezone

from kotapintar.core.models.audit import AuditEntry
from kotapintar.core.models.notifications import Notification
from kotapintar.testing.factories import UserFactory
from kotapintar.umkm.models import (
    Market,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    Review,
    ReviewStatus,
)
from kotapintar.umkm.selectors import (
    order_get_for_buyer,
    order_get_for_seller,
    order_lines_for_seller,
    public_reviews,
)
from kotapintar.umkm.services import (
    CartLine,
    buyer_nip_set,
    order_place,
    order_transition,
    orders_expire,
    product_delist,
    review_moderate,
    review_submit,
)
from kotapintar.umkm.tests.factories import BusinessFactory, ProductFactory, dinas_officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sellers(reference_data: Any) -> dict[str, Any]:
    a, b = BusinessFactory(verified=True), BusinessFactory(verified=True)
    return {
        "a": a,
        "b": b,
        "bika": ProductFactory(business=a, name="Bika Ambon", price=120_000, stock=10, listed=True),
        "bolu": ProductFactory(
            business=a, name="Bolu Meranti", price=80_000, stock=10, listed=True
        ),
        "ulos": ProductFactory(business=b, name="Ulos Sadum", price=450_000, stock=3, listed=True),
    }


# --- 12. Split per seller -----------------------------------------------------------------------


def test_mixed_cart_is_split_per_seller(two_sellers: Any) -> None:
    buyer = UserFactory()
    orders = order_place(
        actor=buyer,
        lines=[
            CartLine(two_sellers["bika"], 2),
            CartLine(two_sellers["ulos"], 1),
            CartLine(two_sellers["bolu"], 1),
        ],
    )
    assert len(orders) == 2
    by_seller = {o.business_id: o for o in orders}
    assert by_seller[two_sellers["a"].pk].total == 2 * 120_000 + 80_000
    assert by_seller[two_sellers["b"].pk].total == 450_000
    assert sum(o.total for o in orders) == 2 * 120_000 + 80_000 + 450_000
    assert len({o.group for o in orders}) == 1
    two_sellers["bika"].refresh_from_db()
    assert two_sellers["bika"].stock == 8
    assert Notification.objects.filter(kind="umkm.order_placed").count() == 0  # after commit


def test_mixed_cart_blocked_when_policy_says_so(two_sellers: Any) -> None:
    from kotapintar.umkm.selectors import umkm_policy

    policy = umkm_policy()
    policy.split_mixed_cart = False
    policy.save()
    with pytest.raises(ValidationError) as exc:
        order_place(
            actor=UserFactory(),
            lines=[CartLine(two_sellers["bika"], 1), CartLine(two_sellers["ulos"], 1)],
        )
    assert exc.value.code == "mixed_cart"
    assert not Order.objects.exists()
    two_sellers["bika"].refresh_from_db()
    assert two_sellers["bika"].stock == 10


def test_out_of_stock_line_fails_whole_cart(two_sellers: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        order_place(
            actor=UserFactory(),
            lines=[CartLine(two_sellers["bika"], 2), CartLine(two_sellers["ulos"], 4)],
        )
    assert exc.value.messages == ["Stok habis: Ulos Sadum."]
    assert not Order.objects.exists()
    two_sellers["bika"].refresh_from_db()
    assert two_sellers["bika"].stock == 10


# --- 10. ASN market -----------------------------------------------------------------------------


def test_asn_market_needs_a_nip(two_sellers: Any) -> None:
    citizen = UserFactory()
    with pytest.raises(PermissionDenied):
        order_place(actor=citizen, lines=[CartLine(two_sellers["bika"], 1)], market=Market.ASN)
    assert not Order.objects.exists()
    with pytest.raises(ValidationError):
        buyer_nip_set(actor=citizen, nip="12345")
    buyer_nip_set(actor=citizen, nip="198508172010011001")
    (order,) = order_place(
        actor=citizen, lines=[CartLine(two_sellers["bika"], 1)], market=Market.ASN
    )
    assert order.market == Market.ASN


# --- 17. Delisted cannot be ordered -------------------------------------------------------------


def test_delisted_product_cannot_be_ordered(two_sellers: Any) -> None:
    product_delist(actor=dinas_officer(), product=two_sellers["bika"], reason="Harga tidak wajar")
    with pytest.raises(ValidationError) as exc:
        order_place(actor=UserFactory(), lines=[CartLine(two_sellers["bika"], 1)])
    assert exc.value.messages == ["Bika Ambon sudah tidak tersedia."]


def test_cannot_order_below_minimum_or_own_product(two_sellers: Any) -> None:
    with pytest.raises(ValidationError):
        order_place(actor=UserFactory(), lines=[CartLine(two_sellers["bika"], 0)])
    with pytest.raises(ValidationError):
        order_place(actor=two_sellers["a"].owner, lines=[CartLine(two_sellers["bika"], 1)])
    assert not Order.objects.exists()


# --- 9. Order isolation -------------------------------------------------------------------------


def test_seller_sees_only_own_orders_and_lines(two_sellers: Any) -> None:
    buyer = UserFactory()
    orders = order_place(
        actor=buyer, lines=[CartLine(two_sellers["bika"], 1), CartLine(two_sellers["ulos"], 1)]
    )
    order_a = next(o for o in orders if o.business_id == two_sellers["a"].pk)
    order_b = next(o for o in orders if o.business_id == two_sellers["b"].pk)
    seller_a = two_sellers["a"].owner
    assert order_get_for_seller(actor=seller_a, public_id=order_a.public_id) == order_a
    with pytest.raises(Http404):
        order_get_for_seller(actor=seller_a, public_id=order_b.public_id)
    assert [line.product_name for line in order_lines_for_seller(actor=seller_a)] == ["Bika Ambon"]
    with pytest.raises(PermissionDenied):
        order_transition(actor=seller_a, order=order_b, action="accept")
    order_b.refresh_from_db()
    assert order_b.status == OrderStatus.SUBMITTED
    with pytest.raises(Http404):
        order_get_for_buyer(actor=seller_a, public_id=order_a.public_id)


# --- Workflow, expiry, reviews ------------------------------------------------------------------


def test_full_flow_and_moderated_review(
    two_sellers: Any, django_capture_on_commit_callbacks: Any
) -> None:
    buyer = UserFactory()
    seller = two_sellers["a"].owner
    with django_capture_on_commit_callbacks(execute=True):
        (order,) = order_place(actor=buyer, lines=[CartLine(two_sellers["bika"], 2)])
    assert Notification.objects.filter(recipient=seller, kind="umkm.order_placed").count() == 1
    line = order.lines.get()
    with pytest.raises(ValidationError):
        review_submit(actor=buyer, order_line=line, rating=5)
    with pytest.raises(PermissionDenied):
        order_transition(actor=buyer, order=order, action="accept")
    for action in ("accept", "process", "ship", "complete"):
        with django_capture_on_commit_callbacks(execute=True):
            order = order_transition(actor=seller, order=order, action=action)
    assert order.status == OrderStatus.COMPLETED
    assert (
        Notification.objects.filter(recipient_id=buyer.pk, kind="umkm.order_complete").count() == 1
    )
    with pytest.raises(ValidationError):
        order_transition(actor=seller, order=order, action="accept")

    with pytest.raises(PermissionDenied):
        review_submit(actor=UserFactory(), order_line=line, rating=5)
    with pytest.raises(ValidationError):
        review_submit(actor=buyer, order_line=line, rating=6)
    review = review_submit(actor=buyer, order_line=line, rating=5, text="Enak sekali")
    with pytest.raises(ValidationError):
        review_submit(actor=buyer, order_line=line, rating=4)
    assert list(public_reviews(product=two_sellers["bika"])) == []
    with pytest.raises(PermissionDenied):
        review_moderate(actor=seller, review=review, approve=True)
    review_moderate(actor=dinas_officer(), review=review, approve=True)
    assert list(public_reviews(product=two_sellers["bika"])) == [review]
    assert Review.objects.get().status == ReviewStatus.APPROVED


def test_decline_returns_stock_and_needs_reason(two_sellers: Any) -> None:
    (order,) = order_place(actor=UserFactory(), lines=[CartLine(two_sellers["ulos"], 2)])
    seller = two_sellers["b"].owner
    with pytest.raises(ValidationError):
        order_transition(actor=seller, order=order, action="decline")
    order_transition(actor=seller, order=order, action="decline", reason="Stok kain habis")
    two_sellers["ulos"].refresh_from_db()
    assert two_sellers["ulos"].stock == 3
    assert AuditEntry.objects.filter(action="umkm.order_decline").count() == 1


def test_unanswered_orders_expire_after_working_days(
    two_sellers: Any, django_capture_on_commit_callbacks: Any
) -> None:
    buyer = UserFactory()
    (order,) = order_place(actor=buyer, lines=[CartLine(two_sellers["bika"], 3)])
    assert order.respond_by > timezone.now() + timedelta(days=2)
    assert orders_expire(now=timezone.now()) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert orders_expire(now=order.respond_by + timedelta(minutes=1)) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    two_sellers["bika"].refresh_from_db()
    assert two_sellers["bika"].stock == 10
    for user in (buyer, two_sellers["a"].owner):
        assert (
            Notification.objects.filter(recipient_id=user.pk, kind="umkm.order_expire").count() == 1
        )
    assert orders_expire(now=order.respond_by + timedelta(days=9)) == 0


# --- 19. The last stock under concurrency -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_race_for_the_last_ten(reference_data: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with a database lock: run on PostgreSQL")
    from kotapintar.umkm.services import umkm_reference_load

    umkm_reference_load()
    product = ProductFactory(name="Bika Ambon 10 kotak", stock=10, listed=True)
    buyers = [UserFactory() for _ in range(50)]
    barrier = threading.Barrier(50)
    outcomes: list[str] = []
    lock = threading.Lock()

    def buy(user: Any) -> None:
        try:
            barrier.wait()
            order_place(actor=user, lines=[CartLine(product, 1)])
            result = "ok"
        except ValidationError as exc:
            result = exc.messages[0]
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=buy, args=(user,)) for user in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    product.refresh_from_db()
    assert outcomes.count("ok") == 10
    assert outcomes.count("Stok habis: Bika Ambon 10 kotak.") == 40
    assert product.stock == 0
    assert OrderLine.objects.filter(product_id=product.pk).count() == 10
    assert Product.objects.get(pk=product.pk).stock >= 0
