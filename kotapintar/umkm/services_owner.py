"""Owner-side writes that the core services do not offer as one step.

Each is keyword-only and atomic and builds on ``umkm.services`` (which checks ownership,
validates with ``umkm.rules`` and audits): a product with its photos in one transaction, a
product deletion, the profile edit (public fields + figures history) and the owner's own
enrolment ("daftar") in an open coaching programme. Refused calls store nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotapintar.accounts.models import User
from kotapintar.core.audit import audit_record
from kotapintar.core.calendar import local_date
from kotapintar.core.uploads import stored_file_delete
from kotapintar.umkm import services
from kotapintar.umkm.models import (
    Business,
    Certification,
    Enrolment,
    EnrolmentStatus,
    Product,
    ProductCategory,
    ProductPhoto,
    Programme,
)

#: Profile fields changed through ``services.business_update``.
PROFILE_FIELDS = (
    "name",
    "sector",
    "kbli",
    "founding_year",
    "description",
    "phone",
    "street_address",
    "district",
    "village",
)
#: Figures recorded through ``services.business_figures_record`` (kept in the history).
FIGURE_FIELDS = ("annual_turnover", "capital", "employees")


def _require_owner(actor: User, business: Business) -> None:
    if actor is None or not actor.is_authenticated or business.owner_id != actor.pk:
        raise PermissionDenied


@transaction.atomic
def business_profile_save(
    *, actor: User, business: Business, request: Any = None, **values: Any
) -> Business:
    """Save the owner's profile form: changed profile fields through ``business_update``;
    changed turnover/capital/employees through ``business_figures_record`` (history)."""
    _require_owner(actor, business)
    profile = {
        k: values[k] for k in PROFILE_FIELDS if k in values and values[k] != getattr(business, k)
    }
    if profile:
        business = services.business_update(
            actor=actor, business=business, request=request, **profile
        )
    figures = {k: values.get(k, getattr(business, k)) for k in FIGURE_FIELDS}
    if any(figures[k] != getattr(business, k) for k in FIGURE_FIELDS):
        services.business_figures_record(
            actor=actor,
            business=business,
            annual_turnover=figures["annual_turnover"],
            capital=figures["capital"],
            employees=figures["employees"],
            request=request,
        )
        business.refresh_from_db()
    return business


@transaction.atomic
def product_create_with_photos(
    *,
    actor: User,
    business: Business,
    category: ProductCategory,
    name: str,
    price: Any,
    photos: Sequence[UploadedFile] = (),
    certifications: Iterable[Certification] = (),
    request: Any = None,
    **fields: Any,
) -> Product:
    """``services.product_create`` and ``services.product_photo_add`` for each photo, all or
    nothing: a rejected photo leaves no product and no photo row."""
    product = services.product_create(
        actor=actor,
        business=business,
        category=category,
        name=name,
        price=price,
        certifications=certifications,
        request=request,
        **fields,
    )
    for uploaded in photos:
        services.product_photo_add(
            actor=actor, product=product, uploaded_file=uploaded, request=request
        )
    return product


@transaction.atomic
def product_delete(*, actor: User, product: Product, request: Any = None) -> None:
    """Delete one's own product that was never ordered (ordered ones can only be delisted)."""
    product = Product.objects.select_for_update().select_related("business").get(pk=product.pk)
    _require_owner(actor, product.business)
    if product.order_lines.exists():
        raise ValidationError(
            _("This product has orders and cannot be deleted; take it off the catalogue instead."),
            code="has_orders",
        )
    photos = list(ProductPhoto.objects.filter(product=product).select_related("file", "thumbnail"))
    audit_record(
        actor=actor,
        action="umkm.product_delete",
        obj=product,
        before={"name": product.name, "price": product.price, "status": product.status},
        request=request,
        summary="Product deleted by its owner",
    )
    product.delete()
    for photo in photos:
        stored_file_delete(stored_file=photo.file)
        if photo.thumbnail is not None:
            stored_file_delete(stored_file=photo.thumbnail)


@transaction.atomic
def enrolment_request(
    *, actor: User, business: Business, programme: Programme, request: Any = None
) -> Enrolment:
    """The owner enrols their own business in a programme that has not ended ("daftar"),
    within its quota (checked under a row lock), once."""
    _require_owner(actor, business)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.end_date < local_date(timezone.now()):
        raise ValidationError(_("This programme has ended."), code="programme_closed")
    if not business.is_active:
        raise ValidationError(_("This business is not active."), code="inactive")
    if Enrolment.objects.filter(programme=programme, business=business).exists():
        raise ValidationError(_("This business is already enrolled."), code="duplicate")
    active = programme.enrolments.exclude(status=EnrolmentStatus.WITHDRAWN)
    if programme.quota and active.count() >= programme.quota:
        raise ValidationError(_("The programme is full."), code="quota_full")
    enrolment = Enrolment.objects.create(programme=programme, business=business)
    audit_record(
        actor=actor,
        action="umkm.enrolment_request",
        obj=enrolment,
        after={"programme": programme.pk, "business": business.pk},
        request=request,
        summary="Owner enrolled the business in a programme",
    )
    return enrolment
