"""The buyer's pages: cart, checkout (one order per seller), NIP for the ASN market, my orders,
order detail (timeline, cancel, confirm receipt) and reviews.

Thin: reads through ``umkm.selectors`` (another buyer's order is a 404), writes through
``umkm.services`` and ``umkm.services_buyer``; the services' errors become field messages and
nothing is stored.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kotapintar.accounts.models import User
from kotapintar.umkm import selectors, services, services_buyer
from kotapintar.umkm.forms_buyer import (
    AddToCartForm,
    CancelForm,
    CartLineForm,
    CheckoutForm,
    NipForm,
    ReviewForm,
)
from kotapintar.umkm.models import BuyerProfile, Market, Order, OrderLine, OrderStatus
from kotapintar.umkm.workflow import next_status

ORDERS_PAGE_SIZE = 20


def _messages_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def _apply_errors(form: Any, error: ValidationError, *, default_field: str | None = None) -> None:
    """Put a service's ``ValidationError`` on the form (field errors where it names a field)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields else default_field
            for item in errors:
                form.add_error(target, item)
    else:
        for message in error.messages:
            form.add_error(default_field, message)


# --- Cart ---------------------------------------------------------------------------------------


def _cart_page(
    request: HttpRequest, *, checkout_form: CheckoutForm | None = None, status: int = 200
) -> HttpResponse:
    cart = services_buyer.cart_contents(session=request.session)
    if cart.dropped:
        messages.warning(
            request,
            _("Some products are no longer available and were removed from your cart."),
        )
    return render(
        request,
        "umkm/buyer/cart.html",
        {
            "cart": cart,
            "checkout_form": checkout_form or CheckoutForm(),
            "is_asn": services.buyer_is_asn(cast(User, request.user)),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def cart(request: HttpRequest) -> HttpResponse:
    return _cart_page(request)


@login_required
@require_POST
def cart_add(request: HttpRequest, ref: str) -> HttpResponse:
    product = selectors.public_product_get(public_id=ref)
    form = AddToCartForm(request.POST)
    product_url = reverse("umkm:product", args=[product.public_id])
    if not form.is_valid():
        messages.error(request, _("Enter a whole number of 1 or more."))
        return redirect(product_url)
    quantity = form.cleaned_data["quantity"]
    if product.stock <= 0:
        messages.error(request, _("Out of stock."))
        return redirect(product_url)
    try:
        services_buyer.cart_add(session=request.session, product=product, quantity=quantity)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
        return redirect(product_url)
    messages.success(request, _("%(name)s was added to your cart.") % {"name": product.name})
    return redirect("umkm:cart")


@login_required
@require_POST
def cart_update(request: HttpRequest) -> HttpResponse:
    form = CartLineForm(request.POST)
    if form.is_valid():
        services_buyer.cart_set(
            session=request.session,
            product_public_id=str(form.cleaned_data["product"]),
            quantity=form.cleaned_data["quantity"],
        )
    else:
        messages.error(request, _("Enter a whole number of 0 or more."))
    return redirect("umkm:cart")


@login_required
@require_POST
def checkout(request: HttpRequest) -> HttpResponse:
    """Place the cart: one order per seller; the hidden key makes a repeat harmless."""
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        return _cart_page(request, checkout_form=form, status=400)
    try:
        result = services_buyer.checkout(
            actor=cast(User, request.user),
            session=request.session,
            market=form.cleaned_data["market"],
            note=form.cleaned_data["note"],
            idempotency_key=form.cleaned_data["key"],
            request=request,
        )
    except PermissionDenied as exc:
        form.add_error("market", str(exc) or _("You may not buy in this market."))
        return _cart_page(request, checkout_form=form, status=403)
    except ValidationError as exc:
        _apply_errors(form, exc)
        return _cart_page(request, checkout_form=form, status=400)
    if not result.replayed:
        messages.success(
            request,
            _("Your order was sent: %(count)d order(s), one per seller.")
            % {"count": len(result.orders)},
        )
    if len(result.orders) == 1:
        return redirect("umkm:order_detail", public_id=result.orders[0].public_id)
    return redirect("umkm:my_orders")


# --- NIP ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def buyer_nip(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    profile = BuyerProfile.objects.filter(user=user).first()
    if request.method == "POST":
        form = NipForm(request.POST)
        if form.is_valid():
            try:
                services.buyer_nip_set(actor=user, nip=form.cleaned_data["nip"], request=request)
            except ValidationError as exc:
                _apply_errors(form, exc, default_field="nip")
            else:
                messages.success(request, _("Your NIP was saved. You can buy in the ASN market."))
                return redirect("umkm:cart")
        status = 400
    else:
        form = NipForm()
        status = 200
    return render(
        request,
        "umkm/buyer/nip.html",
        {"form": form, "current_nip": profile.nip if profile else ""},
        status=status,
    )


# --- Orders -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def my_orders(request: HttpRequest) -> HttpResponse:
    orders = selectors.order_list_for_buyer(actor=request.user).order_by("-created_at", "-pk")
    page = Paginator(orders, ORDERS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(order, services_buyer.order_status_label(order.status)) for order in page]
    return render(request, "umkm/buyer/orders.html", {"page": page, "rows": rows})


def _order_page(
    request: HttpRequest,
    order: Order,
    *,
    review_forms: dict[int, ReviewForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    lines = list(
        OrderLine.objects.filter(order=order).select_related("review", "product").order_by("pk")
    )
    forms = review_forms or {}
    rows = []
    for line in lines:
        review = getattr(line, "review", None) if hasattr(line, "review") else None
        rows.append(
            {
                "line": line,
                "review": review,
                "form": forms.get(line.pk)
                or (ReviewForm() if order.status == OrderStatus.COMPLETED and not review else None),
                "product_url": reverse("umkm:product", args=[line.product.public_id]),
            }
        )
    return render(
        request,
        "umkm/buyer/order_detail.html",
        {
            "order": order,
            "status_label": services_buyer.order_status_label(order.status),
            "rows": rows,
            "timeline": services_buyer.order_timeline(order=order),
            "can_cancel": next_status(order.status, "cancel") is not None,
            "can_complete": next_status(order.status, "complete") is not None,
            "cancel_form": CancelForm(),
            "is_asn_market": order.market == Market.ASN,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def order_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    order = selectors.order_get_for_buyer(actor=request.user, public_id=public_id)
    return _order_page(request, order)


@login_required
@require_POST
def order_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """The buyer's own moves: cancel (while the table allows it) or confirm receipt."""
    if action not in ("cancel", "complete"):
        raise Http404
    order = selectors.order_get_for_buyer(actor=request.user, public_id=public_id)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.order_transition(
            actor=cast(User, request.user),
            order=order,
            action=action,
            reason=reason,
            request=request,
        )
    except (ValidationError, PermissionDenied):
        messages.error(request, _("This order cannot be changed that way now."))
    else:
        if action == "cancel":
            messages.success(request, _("The order was cancelled."))
        else:
            messages.success(request, _("Thank you: the order is completed."))
    return redirect("umkm:order_detail", public_id=order.public_id)


@login_required
@require_POST
def review(request: HttpRequest, public_id: str, line_id: int) -> HttpResponse:
    order = selectors.order_get_for_buyer(actor=request.user, public_id=public_id)
    line = OrderLine.objects.filter(order=order, pk=line_id).first()
    if line is None:
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_submit(
                actor=cast(User, request.user),
                order_line=line,
                rating=form.cleaned_data["rating"],
                text=form.cleaned_data["text"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Thank you. Your review is waiting for moderation."))
            return redirect("umkm:order_detail", public_id=order.public_id)
    return _order_page(request, order, review_forms={line.pk: form}, status=400)
