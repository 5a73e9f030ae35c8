"""Buyer-side writes and reads that the core services do not cover: the session cart, an
idempotent checkout over ``services.order_place``, and the status timeline of an order.

The cart lives in the session (``{product public id: quantity}``); nothing is stored in the
database until checkout, where ``services.order_place`` validates again (public product, minimum
order, stock) and splits the cart per seller. A repeated checkout with the same hidden key (a
double click, a reload after POST) returns the orders of the first one instead of ordering twice.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kotapintar.accounts.models import User
from kotapintar.core.models.audit import AuditEntry
from kotapintar.umkm import services
from kotapintar.umkm.models import Business, Market, Order, OrderStatus, Product
from kotapintar.umkm.search import public_products

CART_SESSION_KEY = "umkm_cart"
#: Distinct products a cart may hold (a session is not a warehouse).
MAX_CART_LINES = 50


# --- Cart (session) -----------------------------------------------------------------------------


def cart_read(session: MutableMapping[str, Any]) -> dict[str, int]:
    raw = session.get(CART_SESSION_KEY) or {}
    cart: dict[str, int] = {}
    if isinstance(raw, dict):
        for key, value in raw.items():
            if isinstance(key, str) and isinstance(value, int) and value > 0:
                cart[key] = value
    return cart


def _cart_write(session: MutableMapping[str, Any], cart: dict[str, int]) -> None:
    session[CART_SESSION_KEY] = cart


def cart_add(*, session: MutableMapping[str, Any], product: Product, quantity: int) -> int:
    """Add ``quantity`` of a public product; returns the quantity now in the cart."""
    if not public_products().filter(pk=product.pk).exists():
        raise ValidationError(_("This product is not available."), code="unavailable")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValidationError(
            {"quantity": [ValidationError(_("Enter a whole number of 1 or more."), code="invalid")]}
        )
    cart = cart_read(session)
    key = str(product.public_id)
    if key not in cart and len(cart) >= MAX_CART_LINES:
        raise ValidationError(_("The cart is full."), code="cart_full")
    cart[key] = cart.get(key, 0) + quantity
    _cart_write(session, cart)
    return cart[key]


def cart_set(*, session: MutableMapping[str, Any], product_public_id: str, quantity: int) -> None:
    """Change a line's quantity (0 removes it)."""
    cart = cart_read(session)
    if product_public_id not in cart:
        return
    if quantity <= 0:
        del cart[product_public_id]
    else:
        cart[product_public_id] = quantity
    _cart_write(session, cart)


def cart_clear(*, session: MutableMapping[str, Any]) -> None:
    session.pop(CART_SESSION_KEY, None)


@dataclass
class CartItem:
    product: Product
    quantity: int

    @property
    def subtotal(self) -> int:
        return self.product.price * self.quantity

    @property
    def below_minimum(self) -> bool:
        return self.quantity < max(1, self.product.minimum_order)

    @property
    def over_stock(self) -> bool:
        return self.quantity > self.product.stock


@dataclass
class CartSellerGroup:
    business: Business
    items: list[CartItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(item.subtotal for item in self.items)


@dataclass
class CartView:
    groups: list[CartSellerGroup]
    #: Lines whose product is no longer public (delisted, seller unverified): removed.
    dropped: int = 0

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)

    @property
    def items(self) -> list[CartItem]:
        return [item for group in self.groups for item in group.items]

    @property
    def is_empty(self) -> bool:
        return not self.groups


def cart_contents(*, session: MutableMapping[str, Any]) -> CartView:
    """The cart grouped per seller, with only public products (others are dropped)."""
    cart = cart_read(session)
    valid_ids: list[str] = []
    for key in cart:
        try:
            valid_ids.append(str(uuid.UUID(key)))
        except ValueError:
            continue
    products = {
        str(p.public_id): p
        for p in public_products()
        .filter(public_id__in=valid_ids)
        .select_related("business", "business__district")
        .prefetch_related("photos")
    }
    groups: OrderedDict[int, CartSellerGroup] = OrderedDict()
    dropped = 0
    for key, quantity in cart.items():
        product = products.get(key)
        if product is None:
            dropped += 1
            continue
        group = groups.setdefault(product.business_id, CartSellerGroup(product.business))
        group.items.append(CartItem(product, quantity))
    if dropped:
        _cart_write(session, {k: v for k, v in cart.items() if k in products})
    return CartView(groups=list(groups.values()), dropped=dropped)


# --- Checkout -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutResult:
    orders: list[Order]
    #: True when the key had already been used: the orders of the first checkout.
    replayed: bool = False


@transaction.atomic
def checkout(
    *,
    actor: User,
    session: MutableMapping[str, Any],
    market: str,
    note: str = "",
    idempotency_key: uuid.UUID,
    request: Any = None,
) -> CheckoutResult:
    """Place the session cart through ``services.order_place`` (one order per seller).

    The buyer's row is locked first, so two submissions with the same key run one after the
    other; the second finds the orders of the first (their cart group is the key) and returns
    them. Errors (stock, minimum order, ASN market without NIP) store nothing and keep the cart.
    """
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    User.objects.select_for_update().filter(pk=actor.pk).first()
    existing = list(Order.objects.filter(buyer=actor, group=idempotency_key).order_by("pk"))
    if existing:
        cart_clear(session=session)
        return CheckoutResult(orders=existing, replayed=True)
    if market == Market.ASN and not services.buyer_is_asn(actor):
        raise PermissionDenied(
            _(
                "Only civil servants (ASN) with a NIP may buy in the ASN market. "
                "Add your NIP to your profile first."
            )
        )
    view = cart_contents(session=session)
    if view.is_empty:
        raise ValidationError(_("The cart is empty."), code="empty_cart")
    orders = services.order_place(
        actor=actor,
        lines=[services.CartLine(item.product, item.quantity) for item in view.items],
        market=market,
        note=note,
        request=request,
    )
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(group=idempotency_key)
    for order in orders:
        order.group = idempotency_key
    cart_clear(session=session)
    return CheckoutResult(orders=orders)


# --- Order timeline (a read) --------------------------------------------------------------------


def order_status_label(status: str) -> str:
    return str(OrderStatus(status).label)


#: Audit actions of an order and the status they led to.
_ACTION_STATUS = {
    "umkm.order_place": OrderStatus.SUBMITTED,
    "umkm.order_accept": OrderStatus.ACCEPTED,
    "umkm.order_decline": OrderStatus.DECLINED,
    "umkm.order_process": OrderStatus.PROCESSING,
    "umkm.order_ship": OrderStatus.SHIPPED,
    "umkm.order_complete": OrderStatus.COMPLETED,
    "umkm.order_cancel": OrderStatus.CANCELLED,
    "umkm.order_expire": OrderStatus.EXPIRED,
}


@dataclass(frozen=True)
class TimelineStep:
    status: str
    label: str
    at: datetime


def order_timeline(*, order: Order) -> list[TimelineStep]:
    """The dated status changes of an order (from its audit entries; no actor names)."""
    rows = (
        AuditEntry.objects.filter(
            object_type=Order._meta.label_lower,
            object_id=str(order.pk),
            action__in=list(_ACTION_STATUS),
        )
        .order_by("created_at", "pk")
        .values_list("action", "created_at")
    )
    steps = [
        TimelineStep(
            status=_ACTION_STATUS[action],
            label=order_status_label(_ACTION_STATUS[action]),
            at=created_at,
        )
        for action, created_at in rows
    ]
    if not steps:
        steps.append(
            TimelineStep(
                status=OrderStatus.SUBMITTED,
                label=order_status_label(OrderStatus.SUBMITTED),
                at=order.created_at,
            )
        )
    return steps
