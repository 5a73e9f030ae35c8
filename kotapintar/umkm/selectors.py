"""Reads of the UMKM module, with every visibility rule (DESIGN §5: checked in selectors).

- Buyers and the public see only public products (listed, of a verified active business) and
  public business profiles (never the NIK, street address or unmasked phone).
- An owner sees only their own businesses, products and orders *to* them; a buyer only their
  own orders. Anything else is ``Http404``.
- Dinas Koperasi & UKM officers (module role ``umkm_dinas``) and city administrators see the
  whole registry, queues and reports.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Count,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    UUIDField,
)
from django.http import Http404

from kotapintar.accounts.models import ModuleRoleGrant, User
from kotapintar.accounts.roles import Role
from kotapintar.core.lookups import get_or_404
from kotapintar.umkm.models import (
    Business,
    BusinessScaleChange,
    Certification,
    Enrolment,
    EnrolmentStatus,
    GovernmentPurchase,
    NibClaim,
    NibClaimStatus,
    Order,
    OrderLine,
    Product,
    ProductPhoto,
    ProductStatus,
    Programme,
    Review,
    ReviewStatus,
    Scale,
    ScaleThreshold,
    UmkmPolicy,
    VerificationStatus,
)
from kotapintar.umkm.search import public_products

Actor = User | AnonymousUser | None

# --- Configuration ------------------------------------------------------------------------------


def umkm_policy() -> UmkmPolicy:
    policy = UmkmPolicy.objects.order_by("pk").first()
    if policy is None:
        policy = UmkmPolicy.objects.create()
    return policy


def scale_thresholds() -> list[ScaleThreshold]:
    return list(ScaleThreshold.objects.order_by("rank"))


# --- Roles --------------------------------------------------------------------------------------


def is_dinas_officer(user: Actor) -> bool:
    """A Dinas Koperasi & UKM officer (module role) or a city administrator."""
    from kotapintar.umkm.registration import DINAS_ROLE

    if user is None or not user.is_authenticated or not user.is_active:
        return False
    assert isinstance(user, User)
    if user.role == Role.CITY_ADMIN:
        return True
    return ModuleRoleGrant.objects.filter(user=user, code=DINAS_ROLE).exists()


def can_read_reports(user: Actor) -> bool:
    """Dinas officers, city administrators and analysts (read-only)."""
    if is_dinas_officer(user):
        return True
    return bool(
        user is not None and user.is_authenticated and getattr(user, "role", "") == Role.ANALYST
    )


def _authenticated(user: Actor) -> User | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    assert isinstance(user, User)
    return user


# --- Registry -----------------------------------------------------------------------------------


def business_list_for_owner(*, actor: Actor) -> QuerySet[Business]:
    user = _authenticated(actor)
    if user is None:
        return Business.objects.none()
    return Business.objects.filter(owner=user).select_related("district", "village")


def business_get_for_owner(*, actor: Actor, public_id: Any) -> Business:
    """One of the actor's own businesses, or 404 (another owner's business is "not found")."""
    return get_or_404(business_list_for_owner(actor=actor), public_id=public_id)


def business_list_for_dinas(*, actor: Actor, status: str | None = None) -> QuerySet[Business]:
    if not is_dinas_officer(actor):
        return Business.objects.none()
    qs = Business.objects.select_related("district", "village", "owner")
    if status:
        qs = qs.filter(verification_status=status)
    return qs


def business_get_for_dinas(*, actor: Actor, public_id: Any) -> Business:
    return get_or_404(business_list_for_dinas(actor=actor), public_id=public_id)


def public_businesses() -> QuerySet[Business]:
    return Business.objects.filter(
        verification_status=VerificationStatus.VERIFIED, is_active=True
    ).select_related("district", "village")


def public_business_get(*, public_id: Any) -> Business:
    return get_or_404(public_businesses(), public_id=public_id)


@dataclass(frozen=True)
class PublicBusinessProfile:
    """What a public page may show of a business: no NIK, no street address, masked phone."""

    public_id: str
    name: str
    sector: str
    scale: str
    kecamatan: str
    kelurahan: str
    founding_year: int
    description: str
    phone_masked: str


def public_business_profile(business: Business) -> PublicBusinessProfile:
    from kotapintar.core.personal_data import mask_phone

    return PublicBusinessProfile(
        public_id=str(business.public_id),
        name=business.name,
        sector=business.get_sector_display(),
        scale=business.get_scale_display(),
        kecamatan=business.district.name,
        kelurahan=business.village.name if business.village is not None else "",
        founding_year=business.founding_year,
        description=business.description,
        phone_masked=mask_phone(business.phone) if business.phone else "",
    )


def nib_claims_for_dinas(*, actor: Actor) -> QuerySet[NibClaim]:
    if not is_dinas_officer(actor):
        return NibClaim.objects.none()
    return NibClaim.objects.filter(status=NibClaimStatus.PENDING).select_related(
        "existing_business", "claimant"
    )


def scale_on(*, business: Business, on: date) -> str:
    """The business's scale on a date, from the recorded history (the current scale if none)."""
    change = (
        BusinessScaleChange.objects.filter(business=business, effective_date__lte=on)
        .order_by("-effective_date", "-pk")
        .first()
    )
    if change is not None:
        return change.scale
    first = (
        BusinessScaleChange.objects.filter(business=business)
        .order_by("effective_date", "pk")
        .first()
    )
    return first.scale if first is not None else business.scale


def certificates_expiring(*, today: date, days: int) -> QuerySet[Certification]:
    from datetime import timedelta

    return Certification.objects.filter(
        expires_on__isnull=False,
        expires_on__gte=today,
        expires_on__lte=today + timedelta(days=days),
        reminder_sent_at__isnull=True,
        business__is_active=True,
    ).select_related("business__owner", "type")


# --- Catalogue ----------------------------------------------------------------------------------


def product_list_for_owner(*, actor: Actor, business: Business | None = None) -> QuerySet[Product]:
    user = _authenticated(actor)
    if user is None:
        return Product.objects.none()
    qs = Product.objects.filter(business__owner=user).select_related("business", "category")
    if business is not None:
        qs = qs.filter(business=business)
    return qs.prefetch_related("photos", "certifications__type")


def product_get_for_owner(*, actor: Actor, public_id: Any) -> Product:
    return get_or_404(product_list_for_owner(actor=actor), public_id=public_id)


def public_product_get(*, public_id: Any) -> Product:
    """A public product with what its page shows, or 404 (unlisted, unverified, delisted)."""
    return get_or_404(
        public_products()
        .select_related("business", "business__district", "business__village", "category")
        .prefetch_related(
            "photos",
            "certifications__type",
            Prefetch(
                "reviews",
                queryset=Review.objects.filter(status=ReviewStatus.APPROVED),
                to_attr="approved_reviews",
            ),
        ),
        public_id=public_id,
    )


def curation_queue(*, actor: Actor) -> QuerySet[Product]:
    """Products waiting for curation (of verified businesses first)."""
    if not is_dinas_officer(actor):
        return Product.objects.none()
    return (
        Product.objects.filter(status=ProductStatus.PENDING)
        .select_related("business", "category")
        .order_by("-business__verification_status", "updated_at")
    )


def product_list_for_dinas(*, actor: Actor) -> QuerySet[Product]:
    if not is_dinas_officer(actor):
        return Product.objects.none()
    return Product.objects.select_related("business", "category")


def national_catalogue_export_rows(*, actor: Actor) -> QuerySet[Product]:
    """Curated products of verified businesses, ready for INAPROC onboarding (never unverified)."""
    if not can_read_reports(actor):
        return Product.objects.none()
    return (
        public_products()
        .select_related("business", "category", "category__parent")
        .prefetch_related("certifications__type")
        .order_by("business__name", "name")
    )


# --- Orders -------------------------------------------------------------------------------------


def order_list_for_buyer(*, actor: Actor) -> QuerySet[Order]:
    user = _authenticated(actor)
    if user is None:
        return Order.objects.none()
    return Order.objects.filter(buyer=user).select_related("business").prefetch_related("lines")


def order_get_for_buyer(*, actor: Actor, public_id: Any) -> Order:
    return get_or_404(order_list_for_buyer(actor=actor), public_id=public_id)


def order_list_for_seller(*, actor: Actor) -> QuerySet[Order]:
    """Orders to the actor's businesses (each order has one seller: only its own lines)."""
    user = _authenticated(actor)
    if user is None:
        return Order.objects.none()
    return (
        Order.objects.filter(business__owner=user)
        .select_related("business", "buyer")
        .prefetch_related("lines")
    )


def order_get_for_seller(*, actor: Actor, public_id: Any) -> Order:
    return get_or_404(order_list_for_seller(actor=actor), public_id=public_id)


def order_lines_for_seller(*, actor: Actor) -> QuerySet[OrderLine]:
    user = _authenticated(actor)
    if user is None:
        return OrderLine.objects.none()
    return OrderLine.objects.filter(order__business__owner=user).select_related("order", "product")


def reviews_pending(*, actor: Actor) -> QuerySet[Review]:
    if not is_dinas_officer(actor):
        return Review.objects.none()
    return Review.objects.filter(status=ReviewStatus.PENDING).select_related("product", "author")


@dataclass(frozen=True)
class ProductCard:
    """What a results page shows of one product: no model instances, nothing personal."""

    public_id: Any
    name: str
    price: int
    unit: str
    in_stock: bool
    photo_file_id: Any  # the first photo's file, or None
    seller: str
    kecamatan: str


def product_cards(ids: list[int]) -> list[ProductCard]:
    """The cards of a results page, in the given order, in ONE query (the first photo by a
    subquery). Values only: building ~200 model instances for the same page cost more than
    the queries themselves."""
    if not ids:
        return []
    first_photo = ProductPhoto.objects.filter(product_id=OuterRef("pk")).order_by("position", "pk")
    rows = Product.objects.filter(pk__in=ids).values(
        "pk",
        "public_id",
        "name",
        "price",
        "unit",
        "stock",
        "business__name",
        "business__district__name",
        photo_file_id=Subquery(first_photo.values("file_id")[:1], output_field=UUIDField()),
    )
    by_id = {row["pk"]: row for row in rows}
    return [
        ProductCard(
            public_id=row["public_id"],
            name=row["name"],
            price=row["price"],
            unit=row["unit"],
            in_stock=row["stock"] > 0,
            photo_file_id=row["photo_file_id"],
            seller=row["business__name"],
            kecamatan=row["business__district__name"] or "",
        )
        for pk in ids
        if (row := by_id.get(pk)) is not None
    ]


def public_reviews(*, product: Product) -> QuerySet[Review]:
    return Review.objects.filter(product=product, status=ReviewStatus.APPROVED)


# --- Government buying (the 40% share) ----------------------------------------------------------


@dataclass(frozen=True)
class ShareRow:
    agency_id: int | None
    agency_name: str
    year: int
    total: int
    umk_total: int
    domestic_total: int
    target_percent: int

    @property
    def umk_share_percent(self) -> float:
        return round(100 * self.umk_total / self.total, 2) if self.total else 0.0

    @property
    def domestic_share_percent(self) -> float:
        return round(100 * self.domestic_total / self.total, 2) if self.total else 0.0

    @property
    def meets_target(self) -> bool:
        return self.total > 0 and self.umk_total * 100 >= self.target_percent * self.total


def government_purchase_share(*, actor: Actor, year: int) -> tuple[list[ShareRow], ShareRow]:
    """Per OPD and city-wide for ``year``: total goods/services spend, UMK/cooperative spend,
    domestic-product spend, against the target from ``UmkmPolicy`` (40%)."""
    if not can_read_reports(actor):
        raise Http404
    target = umkm_policy().umk_share_target_percent
    rows = (
        GovernmentPurchase.objects.filter(year=year)
        .values("agency_id", "agency__name")
        .annotate(
            total=Sum("amount"),
            umk=Sum("amount", filter=Q(is_umk_or_cooperative=True)),
            pdn=Sum("amount", filter=Q(is_domestic_product=True)),
        )
        .order_by("agency__name")
    )
    per_agency = [
        ShareRow(
            agency_id=row["agency_id"],
            agency_name=row["agency__name"],
            year=year,
            total=row["total"] or 0,
            umk_total=row["umk"] or 0,
            domestic_total=row["pdn"] or 0,
            target_percent=target,
        )
        for row in rows
    ]
    city = ShareRow(
        agency_id=None,
        agency_name="",
        year=year,
        total=sum(r.total for r in per_agency),
        umk_total=sum(r.umk_total for r in per_agency),
        domestic_total=sum(r.domestic_total for r in per_agency),
        target_percent=target,
    )
    return per_agency, city


# --- Dashboard ----------------------------------------------------------------------------------


def umkm_counts(*, actor: Actor, by: str) -> list[dict[str, Any]]:
    """Active businesses counted by ``scale``, ``sector`` or ``kecamatan``."""
    if not can_read_reports(actor):
        raise Http404
    field = {"scale": "scale", "sector": "sector", "kecamatan": "district__name"}[by]
    return list(
        Business.objects.filter(is_active=True)
        .values(field)
        .annotate(count=Count("pk"))
        .order_by(field)
    )


_SCALE_RANK: dict[str, int] = {Scale.MIKRO: 1, Scale.KECIL: 2, Scale.MENENGAH: 3, Scale.NON_UMKM: 4}


@dataclass(frozen=True)
class NaikKelas:
    business_id: int
    from_scale: str
    to_scale: str
    on: date


def naik_kelas(*, actor: Actor, start: date, end: date) -> list[NaikKelas]:
    """Businesses whose scale moved up between ``start`` and ``end`` (inclusive), from the history.

    Each business counts once: its scale before ``start`` compared with its last scale up to
    ``end``; the date is the first upward change inside the period.
    """
    if not can_read_reports(actor):
        raise Http404
    history: dict[int, list[BusinessScaleChange]] = defaultdict(list)
    for change in BusinessScaleChange.objects.filter(effective_date__lte=end).order_by(
        "business_id", "effective_date", "pk"
    ):
        history[change.business_id].append(change)
    found: list[NaikKelas] = []
    for business_id, changes in history.items():
        before = [c for c in changes if c.effective_date < start]
        inside = [c for c in changes if start <= c.effective_date <= end]
        if not inside:
            continue
        initial = before[-1].scale if before else (inside[0].previous_scale or inside[0].scale)
        final = inside[-1].scale
        if _SCALE_RANK.get(final, 0) > _SCALE_RANK.get(initial, 0):
            first_up = next(
                c for c in inside if _SCALE_RANK.get(c.scale, 0) > _SCALE_RANK.get(initial, 0)
            )
            found.append(NaikKelas(business_id, initial, final, first_up.effective_date))
    return sorted(found, key=lambda n: (n.on, n.business_id))


@dataclass(frozen=True)
class GrowthGroup:
    businesses: int
    turnover_start: int
    turnover_end: int
    employees_start: int
    employees_end: int

    @property
    def turnover_growth_percent(self) -> float:
        if not self.turnover_start:
            return 0.0
        return round(100 * (self.turnover_end - self.turnover_start) / self.turnover_start, 2)

    @property
    def employment_growth_percent(self) -> float:
        if not self.employees_start:
            return 0.0
        return round(100 * (self.employees_end - self.employees_start) / self.employees_start, 2)


def growth_coached_vs_not(*, actor: Actor, start: date, end: date) -> dict[str, GrowthGroup]:
    """Turnover and employment at ``start`` and ``end`` (from the history) of businesses with an
    enrolment in a programme that started in the period (``coached``) and of the others with
    history at both dates (``not_coached``)."""
    if not can_read_reports(actor):
        raise Http404
    coached_ids = set(
        Enrolment.objects.filter(programme__start_date__gte=start, programme__start_date__lte=end)
        .exclude(status=EnrolmentStatus.WITHDRAWN)
        .values_list("business_id", flat=True)
    )
    snapshots: dict[int, list[BusinessScaleChange]] = defaultdict(list)
    for change in BusinessScaleChange.objects.filter(effective_date__lte=end).order_by(
        "business_id", "effective_date", "pk"
    ):
        snapshots[change.business_id].append(change)
    sums = {
        "coached": [0, 0, 0, 0, 0],
        "not_coached": [0, 0, 0, 0, 0],
    }
    for business_id, changes in snapshots.items():
        at_start = [c for c in changes if c.effective_date <= start]
        if not at_start:
            continue
        first, last = at_start[-1], changes[-1]
        key = "coached" if business_id in coached_ids else "not_coached"
        total = sums[key]
        total[0] += 1
        total[1] += first.annual_turnover or 0
        total[2] += last.annual_turnover or 0
        total[3] += first.employees
        total[4] += last.employees
    return {key: GrowthGroup(*values) for key, values in sums.items()}


def programme_reach(*, actor: Actor, year: int | None = None) -> list[dict[str, Any]]:
    """Per programme: enrolled businesses, attended/completed, quota."""
    if not can_read_reports(actor):
        raise Http404
    qs = Programme.objects.all()
    if year is not None:
        qs = qs.filter(start_date__year=year)
    return list(
        qs.annotate(
            enrolled=Count("enrolments", filter=~Q(enrolments__status=EnrolmentStatus.WITHDRAWN)),
            completed=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.COMPLETED)),
            attended=Count(
                "enrolments",
                filter=Q(
                    enrolments__status__in=[EnrolmentStatus.ATTENDED, EnrolmentStatus.COMPLETED]
                ),
            ),
        )
        .values("pk", "name", "type", "quota", "start_date", "enrolled", "attended", "completed")
        .order_by("start_date", "name")
    )


def programme_list(*, actor: Actor) -> QuerySet[Programme]:
    if not is_dinas_officer(actor):
        return Programme.objects.none()
    return Programme.objects.annotate(enrolled=Count("enrolments"))
