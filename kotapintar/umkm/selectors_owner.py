"""Owner-side reads that the core selectors do not offer: scoped to the actor's own businesses
(anything else is ``Http404``), built on ``umkm.selectors``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from kotapintar.core.lookups import get_or_404
from kotapintar.umkm.models import (
    JOURNEY_ORDER,
    Business,
    Certification,
    CertificationType,
    Enrolment,
    EnrolmentStatus,
    JourneyMilestone,
    JourneyStage,
    NibClaim,
    Order,
    Product,
    ProductCategory,
    ProductPhoto,
    Programme,
)
from kotapintar.umkm.selectors import (
    Actor,
    _authenticated,
    order_list_for_seller,
    product_list_for_owner,
)


def nib_claims_for_claimant(*, actor: Actor) -> QuerySet[NibClaim]:
    user = _authenticated(actor)
    if user is None:
        return NibClaim.objects.none()
    return NibClaim.objects.filter(claimant=user)


def nib_claim_get_for_claimant(*, actor: Actor, claim_id: int) -> NibClaim:
    return get_or_404(nib_claims_for_claimant(actor=actor), pk=claim_id)


def product_get_for_business(*, actor: Actor, business: Business, public_id: Any) -> Product:
    """A product of ``business`` (itself one of the actor's), or 404."""
    return get_or_404(product_list_for_owner(actor=actor, business=business), public_id=public_id)


def product_photo_get(*, product: Product, photo_id: int) -> ProductPhoto:
    return get_or_404(ProductPhoto.objects.all(), product=product, pk=photo_id)


def orders_for_business(
    *, actor: Actor, business: Business, status: str | None = None
) -> QuerySet[Order]:
    qs = order_list_for_seller(actor=actor).filter(business=business)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def order_get_for_business(*, actor: Actor, business: Business, public_id: Any) -> Order:
    return get_or_404(orders_for_business(actor=actor, business=business), public_id=public_id)


def certifications_of(business: Business) -> QuerySet[Certification]:
    return Certification.objects.filter(business=business).select_related("type", "document")


def certification_get(*, business: Business, certification_id: int) -> Certification:
    """A certificate of ``business`` (itself one of the actor's), or 404."""
    return get_or_404(Certification.objects.all(), business=business, pk=certification_id)


def certification_types_active() -> QuerySet[CertificationType]:
    return CertificationType.objects.filter(is_active=True).order_by("code")


def product_categories_active() -> list[ProductCategory]:
    """Active categories, each parent followed by its children (for a pick-list)."""
    categories = list(
        ProductCategory.objects.filter(is_active=True)
        .select_related("parent")
        .order_by("position", "name")
    )
    return categories


@dataclass(frozen=True)
class JourneyStep:
    stage: str
    label: str
    milestone: JourneyMilestone | None


def journey_of(business: Business) -> list[JourneyStep]:
    """The stages "from capital to marketing" in order, with the milestone reached (if any)."""
    reached = {
        m.stage: m
        for m in JourneyMilestone.objects.filter(business=business).select_related("programme")
    }
    labels = dict(JourneyStage.choices)
    return [JourneyStep(stage, str(labels[stage]), reached.get(stage)) for stage in JOURNEY_ORDER]


def enrolments_of(business: Business) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(business=business).select_related("programme")


def programmes_open_for(business: Business, *, today: date) -> list[Programme]:
    """Programmes that have not ended, that the business is not in, and that have room."""
    candidates = (
        Programme.objects.filter(end_date__gte=today)
        .exclude(enrolments__business=business)
        .annotate(
            taken=Count("enrolments", filter=~Q(enrolments__status=EnrolmentStatus.WITHDRAWN))
        )
        .order_by("start_date", "name")
    )
    return [p for p in candidates if not p.quota or p.taken < p.quota]
