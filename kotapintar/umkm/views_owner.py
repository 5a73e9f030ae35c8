"""The owner's pages under /umkm/usaha/: register a business (or a "klaim usaha" for an NIB
already registered), edit the profile, certificates, products with photos, incoming orders and
the coaching view.

Thin views: the forms parse, ``umkm.services`` / ``umkm.services_owner`` decide and store
(nothing on any error), ``umkm.selectors`` / ``umkm.selectors_owner`` scope every record to the
signed-in owner (another owner's business, product or order is a 404).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kotapintar.accounts.models import User
from kotapintar.core.calendar import local_date
from kotapintar.regions.models import Village
from kotapintar.regions.selectors import city_districts
from kotapintar.umkm import rules, selectors, selectors_owner, services, services_owner
from kotapintar.umkm.forms_owner import (
    BusinessEditForm,
    BusinessRegisterForm,
    CertificationForm,
    NibDocumentForm,
    OptionalReasonForm,
    PhotoForm,
    ProductForm,
    ReasonForm,
)
from kotapintar.umkm.models import (
    Business,
    OrderStatus,
    Product,
    ProductStatus,
    VerificationStatus,
)
from kotapintar.umkm.views_messages import report_outcome
from kotapintar.umkm.workflow import ACTION_PARTIES, TRANSITIONS

PAGE_SIZE = 20
#: Order actions a seller takes from these pages.
SELLER_ACTIONS = ("accept", "decline", "process", "ship", "complete")
#: Fields a service error may name that the forms call differently.
_FIELD_ALIASES = {"village": "kelurahan", "district": "kecamatan", "type": "type"}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _add_service_errors(form: Any, exc: ValidationError, *, default: str | None = None) -> None:
    """Put each service error at its field (the rest above the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            name = _FIELD_ALIASES.get(field, field)
            form.add_error(name if name in form.fields else default, errors)
    else:
        form.add_error(default, exc)


def _business(request: HttpRequest, business_id: Any) -> Business:
    return selectors.business_get_for_owner(actor=request.user, public_id=business_id)


def _owned_product(
    request: HttpRequest, business_id: Any, product_id: Any
) -> tuple[Business, Product]:
    """The user's business and one of its products; anyone else's is a 404."""
    business = _business(request, business_id)
    product = selectors_owner.product_get_for_business(
        actor=request.user, business=business, public_id=product_id
    )
    return business, product


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return _no_store(render(request, f"umkm/owner/{template}", context, status=status))


# --- Businesses ---------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    businesses = selectors.business_list_for_owner(actor=request.user).order_by("name", "pk")
    claims = selectors_owner.nib_claims_for_claimant(actor=request.user).select_related(
        "existing_business"
    )
    return _render(request, "home.html", {"businesses": businesses, "claims": claims})


def _places() -> dict[str, Any]:
    districts = list(city_districts())
    villages = Village.objects.filter(district__in=districts).select_related("district")
    return {"districts": districts, "villages": villages}


def _register_form(**kwargs: Any) -> BusinessRegisterForm:
    return BusinessRegisterForm(**_places(), **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def business_register(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _render(request, "business_register.html", {"form": _register_form()})
    form = _register_form(data=request.POST, files=request.FILES)
    if not form.is_valid():
        return _render(request, "business_register.html", {"form": form})
    data = form.cleaned_data
    own = (
        selectors.business_list_for_owner(actor=request.user)
        .filter(nib=data["nib"], is_active=True)
        .first()
    )
    if own is not None:
        # A second submission of the owner's own registration (back button, double tap).
        messages.info(request, _("You have already registered this NIB."))
        return redirect("umkm:owner_business", business_id=own.public_id)
    try:
        result = services.business_register(
            actor=_user(request),
            name=data["name"],
            owner_name=data["owner_name"],
            owner_nik=data["owner_nik"],
            nib=data["nib"],
            kbli=data["kbli"],
            sector=data["sector"],
            district=data["district"],
            village=data["village"],
            street_address=data["street_address"],
            phone=data["phone"],
            founding_year=data["founding_year"],
            employees=data["employees"],
            capital=data["capital"],
            annual_turnover=data["annual_turnover"],
            description=data["description"],
            is_cooperative=data["is_cooperative"],
            nib_document=data.get("nib_document") or None,
            request=request,
        )
    except ValidationError as exc:
        _add_service_errors(form, exc)
        return _render(request, "business_register.html", {"form": form})
    if result.claim is not None:
        return redirect("umkm:owner_claim", claim_id=result.claim.pk)
    assert result.business is not None
    messages.success(request, _("Your business is registered. It is not yet verified."))
    return redirect("umkm:owner_business", business_id=result.business.public_id)


@login_required
@require_GET
def claim_detail(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = selectors_owner.nib_claim_get_for_claimant(actor=request.user, claim_id=claim_id)
    return _render(request, "claim.html", {"claim": claim})


@login_required
@require_GET
def business_detail(request: HttpRequest, business_id: Any) -> HttpResponse:
    business = _business(request, business_id)
    context = {
        "business": business,
        "certifications": selectors_owner.certifications_of(business),
        "document_form": NibDocumentForm(),
        "today": local_date(timezone.now()),
        "statuses": VerificationStatus,
        "product_count": selectors.product_list_for_owner(
            actor=request.user, business=business
        ).count(),
        "open_orders": selectors_owner.orders_for_business(
            actor=request.user, business=business, status=OrderStatus.SUBMITTED
        ).count(),
    }
    return _render(request, "business_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def business_edit(request: HttpRequest, business_id: Any) -> HttpResponse:
    business = _business(request, business_id)
    if request.method == "GET":
        initial = {
            field: getattr(business, field)
            for field in (
                "name",
                "kbli",
                "sector",
                "street_address",
                "phone",
                "founding_year",
                "employees",
                "capital",
                "annual_turnover",
                "description",
            )
        }
        initial["kecamatan"] = business.district_id
        initial["kelurahan"] = business.village_id or ""
        form = BusinessEditForm(initial=initial, **_places())
        return _render(request, "business_edit.html", {"form": form, "business": business})
    form = BusinessEditForm(data=request.POST, **_places())
    if not form.is_valid():
        return _render(request, "business_edit.html", {"form": form, "business": business})
    try:
        services_owner.business_profile_save(
            actor=_user(request), business=business, request=request, **form.cleaned_data
        )
    except ValidationError as exc:
        _add_service_errors(form, exc)
        return _render(request, "business_edit.html", {"form": form, "business": business})
    messages.success(request, _("The profile was saved."))
    return redirect("umkm:owner_business", business_id=business.public_id)


@login_required
@require_POST
def nib_document_upload(request: HttpRequest, business_id: Any) -> HttpResponse:
    business = _business(request, business_id)
    form = NibDocumentForm(data=request.POST, files=request.FILES)
    if form.is_valid():
        try:
            services.business_nib_document_upload(
                actor=_user(request),
                business=business,
                uploaded_file=form.cleaned_data["nib_document"],
                request=request,
            )
        except ValidationError as exc:
            _add_service_errors(form, exc, default="nib_document")
        else:
            messages.success(request, _("The NIB document was uploaded."))
            return redirect("umkm:owner_business", business_id=business.public_id)
    context = {
        "business": business,
        "certifications": selectors_owner.certifications_of(business),
        "document_form": form,
        "today": local_date(timezone.now()),
        "statuses": VerificationStatus,
        "product_count": 0,
        "open_orders": 0,
    }
    return _render(request, "business_detail.html", context)


def _certification_form(**kwargs: Any) -> CertificationForm:
    return CertificationForm(
        types=selectors_owner.certification_types_active(),
        categories=selectors_owner.product_categories_active(),
        **kwargs,
    )


@login_required
@require_http_methods(["GET", "POST"])
def certification_add(request: HttpRequest, business_id: Any) -> HttpResponse:
    business = _business(request, business_id)
    types = list(selectors_owner.certification_types_active())
    if request.method == "GET":
        form = _certification_form()
    else:
        form = _certification_form(data=request.POST, files=request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.certification_add(
                    actor=_user(request),
                    business=business,
                    type_code=data["type"],
                    number=data["number"],
                    expires_on=data.get("expires_on"),
                    document=data.get("document") or None,
                    category=data.get("category_obj"),
                    request=request,
                )
            except ValidationError as exc:
                _add_service_errors(form, exc, default="number")
            else:
                messages.success(request, _("The certificate was added."))
                return redirect("umkm:owner_business", business_id=business.public_id)
    return _render(
        request, "certification_form.html", {"form": form, "business": business, "types": types}
    )


@login_required
@require_POST
def certification_remove(
    request: HttpRequest, business_id: Any, certification_id: int
) -> HttpResponse:
    business = _business(request, business_id)
    certification = selectors_owner.certification_get(
        business=business, certification_id=certification_id
    )
    services.certification_remove(
        actor=_user(request), certification=certification, request=request
    )
    messages.success(request, _("The certificate was removed."))
    return redirect("umkm:owner_business", business_id=business.public_id)


# --- Products -----------------------------------------------------------------------------------


def _product_form(business: Business, *, with_photos: bool, **kwargs: Any) -> ProductForm:
    policy = selectors.umkm_policy()
    return ProductForm(
        categories=selectors_owner.product_categories_active(),
        certifications=selectors_owner.certifications_of(business),
        price_cap=policy.price_cap,
        max_photos=policy.max_photos if with_photos else 0,
        min_photo_side=policy.min_photo_side,
        **kwargs,
    )


@login_required
@require_GET
def product_list(request: HttpRequest, business_id: Any) -> HttpResponse:
    business = _business(request, business_id)
    products = selectors.product_list_for_owner(actor=request.user, business=business).order_by(
        "name", "pk"
    )
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "product_list.html",
        {"business": business, "page": page, "statuses": ProductStatus},
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_create(request: HttpRequest, business_id: Any) -> HttpResponse:
    business = _business(request, business_id)
    if request.method == "GET":
        form = _product_form(business, with_photos=True)
        return _render(request, "product_form.html", {"form": form, "business": business})
    form = _product_form(business, with_photos=True, data=request.POST, files=request.FILES)
    if not form.is_valid():
        return _render(request, "product_form.html", {"form": form, "business": business})
    data = form.cleaned_data
    try:
        product = services_owner.product_create_with_photos(
            actor=_user(request),
            business=business,
            category=data["category"],
            name=data["name"],
            price=data["price"],
            description=data["description"],
            stock=data["stock"],
            minimum_order=data["minimum_order"],
            unit=data["unit"],
            weight_grams=data["weight_grams"],
            tags=data["tags"],
            certifications=data["certifications"],
            photos=data.get("photos") or [],
            submit="submit" in request.POST,
            request=request,
        )
    except ValidationError as exc:
        _add_service_errors(form, exc, default=None)
        return _render(request, "product_form.html", {"form": form, "business": business})
    if product.status == ProductStatus.PENDING:
        messages.success(request, _("The product was saved and sent for curation."))
    else:
        messages.success(request, _("The product was saved as a draft."))
    return redirect(
        "umkm:owner_product", business_id=business.public_id, product_id=product.public_id
    )


def _product_context(
    business: Business, product: Product, form: ProductForm, **extra: Any
) -> dict[str, Any]:
    policy = selectors.umkm_policy()
    return {
        "business": business,
        "product": product,
        "form": form,
        "photo_form": extra.pop("photo_form", None) or PhotoForm(min_side=policy.min_photo_side),
        "photos": list(product.photos.all()),
        "max_photos": policy.max_photos,
        "statuses": ProductStatus,
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, business_id: Any, product_id: Any) -> HttpResponse:
    business, product = _owned_product(request, business_id, product_id)
    if request.method == "GET":
        initial = {
            "category": product.category.slug,
            "name": product.name,
            "description": product.description,
            "price": str(product.price),
            "stock": str(product.stock),
            "minimum_order": str(product.minimum_order),
            "unit": product.unit,
            "weight_grams": str(product.weight_grams),
            "tags": product.tags,
            "certifications": [str(c.pk) for c in product.certifications.all()],
        }
        form = _product_form(business, with_photos=False, initial=initial)
        return _render(request, "product_edit.html", _product_context(business, product, form))
    form = _product_form(business, with_photos=False, data=request.POST)
    if not form.is_valid():
        return _render(request, "product_edit.html", _product_context(business, product, form))
    data = form.cleaned_data
    changes = {
        key: data[key]
        for key in services.PRODUCT_EDITABLE
        if (rules.clean_description(data[key]) if key == "description" else data[key])
        != getattr(product, key)
    }
    try:
        product = services.product_update(
            actor=_user(request),
            product=product,
            certifications=data["certifications"],
            request=request,
            **changes,
        )
    except ValidationError as exc:
        _add_service_errors(form, exc)
        return _render(request, "product_edit.html", _product_context(business, product, form))
    messages.success(request, _("The product was saved."))
    return redirect(
        "umkm:owner_product", business_id=business.public_id, product_id=product.public_id
    )


def _product_action_done(
    request: HttpRequest, business: Business, product: Product
) -> HttpResponse:
    return redirect(
        "umkm:owner_product", business_id=business.public_id, product_id=product.public_id
    )


@login_required
@require_POST
def product_submit(request: HttpRequest, business_id: Any, product_id: Any) -> HttpResponse:
    business, product = _owned_product(request, business_id, product_id)
    with report_outcome(request, success=_("The product was sent for curation.")):
        services.product_submit(actor=_user(request), product=product, request=request)
    return _product_action_done(request, business, product)


@login_required
@require_POST
def product_withdraw(request: HttpRequest, business_id: Any, product_id: Any) -> HttpResponse:
    """The owner takes a listed product off the catalogue (turun tayang) at once."""
    business, product = _owned_product(request, business_id, product_id)
    form = OptionalReasonForm(data=request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    with report_outcome(request, success=_("The product was taken off the catalogue.")):
        services.product_delist(
            actor=_user(request), product=product, reason=reason, request=request
        )
    return _product_action_done(request, business, product)


@login_required
@require_POST
def product_delete(request: HttpRequest, business_id: Any, product_id: Any) -> HttpResponse:
    business, product = _owned_product(request, business_id, product_id)
    try:
        services_owner.product_delete(actor=_user(request), product=product, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _product_action_done(request, business, product)
    messages.success(request, _("The product was deleted."))
    return redirect("umkm:owner_products", business_id=business.public_id)


@login_required
@require_POST
def product_photo_add(request: HttpRequest, business_id: Any, product_id: Any) -> HttpResponse:
    business, product = _owned_product(request, business_id, product_id)
    policy = selectors.umkm_policy()
    photo_form = PhotoForm(data=request.POST, files=request.FILES, min_side=policy.min_photo_side)
    if photo_form.is_valid():
        try:
            services.product_photo_add(
                actor=_user(request),
                product=product,
                uploaded_file=photo_form.cleaned_data["photo"],
                request=request,
            )
        except ValidationError as exc:
            _add_service_errors(photo_form, exc, default="photo")
        else:
            messages.success(request, _("The photo was added."))
            return _product_action_done(request, business, product)
    form = _product_form(business, with_photos=False, initial={"category": product.category.slug})
    context = _product_context(business, product, form, photo_form=photo_form)
    return _render(request, "product_edit.html", context)


@login_required
@require_POST
def product_photo_remove(
    request: HttpRequest, business_id: Any, product_id: Any, photo_id: int
) -> HttpResponse:
    business, product = _owned_product(request, business_id, product_id)
    photo = selectors_owner.product_photo_get(product=product, photo_id=photo_id)
    services.product_photo_remove(actor=_user(request), photo=photo, request=request)
    messages.success(request, _("The photo was removed."))
    return _product_action_done(request, business, product)


# --- Orders -------------------------------------------------------------------------------------


def _seller_actions(status: str) -> list[str]:
    return [
        action
        for action in SELLER_ACTIONS
        if (status, action) in TRANSITIONS and "seller" in ACTION_PARTIES.get(action, ())
    ]


@login_required
@require_GET
def order_list(request: HttpRequest, business_id: Any) -> HttpResponse:
    business = _business(request, business_id)
    status = request.GET.get("status", "")
    if status not in OrderStatus.values:
        status = ""
    orders = selectors_owner.orders_for_business(
        actor=request.user, business=business, status=status or None
    )
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "order_list.html",
        {
            "business": business,
            "page": page,
            "status": status,
            "status_choices": OrderStatus.choices,
            "now": timezone.now(),
        },
    )


def _order_context(business: Business, order: Any, **extra: Any) -> dict[str, Any]:
    lines = list(order.lines.select_related("product"))
    return {
        "business": business,
        "order": order,
        "lines": lines,
        "actions": _seller_actions(order.status),
        "decline_form": extra.pop("decline_form", None) or ReasonForm(),
        "now": timezone.now(),
        "statuses": OrderStatus,
        **extra,
    }


@login_required
@require_GET
def order_detail(request: HttpRequest, business_id: Any, order_id: Any) -> HttpResponse:
    business = _business(request, business_id)
    order = selectors_owner.order_get_for_business(
        actor=request.user, business=business, public_id=order_id
    )
    return _render(request, "order_detail.html", _order_context(business, order))


_DONE_MESSAGES = {
    "accept": gettext_lazy("The order was accepted. Its stock was reserved when it was placed."),
    "decline": gettext_lazy("The order was declined; its quantities went back into your stock."),
    "process": gettext_lazy("The order is marked as being prepared."),
    "ship": gettext_lazy("The order is marked as shipped."),
    "complete": gettext_lazy("The order is completed."),
}


@login_required
@require_POST
def order_action(
    request: HttpRequest, business_id: Any, order_id: Any, action: str
) -> HttpResponse:
    business = _business(request, business_id)
    order = selectors_owner.order_get_for_business(
        actor=request.user, business=business, public_id=order_id
    )
    if action not in SELLER_ACTIONS:
        raise Http404
    reason = ""
    decline_form = None
    if action == "decline":
        decline_form = ReasonForm(data=request.POST)
        if not decline_form.is_valid():
            context = _order_context(business, order, decline_form=decline_form)
            return _render(request, "order_detail.html", context)
        reason = decline_form.cleaned_data["reason"]
    with report_outcome(request, success=_DONE_MESSAGES[action]):
        services.order_transition(
            actor=_user(request), order=order, action=action, reason=reason, request=request
        )
    return redirect("umkm:owner_order", business_id=business.public_id, order_id=order.public_id)


# --- Coaching -----------------------------------------------------------------------------------


@login_required
@require_GET
def coaching(request: HttpRequest, business_id: Any) -> HttpResponse:
    business = _business(request, business_id)
    today = local_date(timezone.now())
    return _render(
        request,
        "coaching.html",
        {
            "business": business,
            "journey": selectors_owner.journey_of(business),
            "enrolments": selectors_owner.enrolments_of(business),
            "programmes": selectors_owner.programmes_open_for(business, today=today),
        },
    )


@login_required
@require_POST
def programme_enrol(request: HttpRequest, business_id: Any, programme_id: int) -> HttpResponse:
    business = _business(request, business_id)
    today = local_date(timezone.now())
    programme = next(
        (
            p
            for p in selectors_owner.programmes_open_for(business, today=today)
            if p.pk == programme_id
        ),
        None,
    )
    if programme is None:
        messages.error(request, _("This programme is not open for your business."))
    else:
        enrolled = _("You are enrolled in %(name)s.") % {"name": programme.name}
        with report_outcome(request, success=enrolled):
            services_owner.enrolment_request(
                actor=_user(request), business=business, programme=programme, request=request
            )
    return redirect("umkm:owner_coaching", business_id=business.public_id)
