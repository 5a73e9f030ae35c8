"""Reads of the Dinas workspace (/umkm/kelola/): queue counts, the expiring-certificate list,
listed products, and the dashboard aggregations.

Every function checks the actor first (a non-officer gets nothing or ``Http404``). The dashboard
figures are computed in SQL (grouped counts, correlated subqueries over the indexed scale
history) so that they stay fast on 30,000 businesses and 150,000 products, and are cached for
``DASHBOARD_CACHE_SECONDS`` per period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404

from kotapintar.umkm.models import (
    Business,
    BusinessScaleChange,
    Certification,
    Enrolment,
    EnrolmentStatus,
    NibClaim,
    NibClaimStatus,
    Order,
    OrderStatus,
    Product,
    ProductStatus,
    Review,
    ReviewStatus,
    Scale,
    Sector,
    VerificationStatus,
)
from kotapintar.umkm.selectors import (
    Actor,
    GrowthGroup,
    can_read_reports,
    is_dinas_officer,
    programme_reach,
    umkm_policy,
)

DASHBOARD_CACHE_SECONDS = 300

#: Scale order for "naik kelas" (moving up); the same ranks as ``selectors.naik_kelas``.
SCALE_RANK: dict[str, int] = {Scale.MIKRO: 1, Scale.KECIL: 2, Scale.MENENGAH: 3, Scale.NON_UMKM: 4}


# --- Workspace home and queues ------------------------------------------------------------------


def dinas_queue_counts(*, actor: Actor, today: date) -> dict[str, int]:
    """How much waits in each queue of the workspace home."""
    if not is_dinas_officer(actor):
        raise Http404
    return {
        "unverified": Business.objects.filter(
            is_active=True, verification_status=VerificationStatus.UNVERIFIED
        ).count(),
        "claims": NibClaim.objects.filter(status=NibClaimStatus.PENDING).count(),
        "curation": Product.objects.filter(status=ProductStatus.PENDING).count(),
        "reviews": Review.objects.filter(status=ReviewStatus.PENDING).count(),
        "certificates": certificates_expiring_for_dinas(actor=actor, today=today).count(),
    }


def verification_queue(*, actor: Actor) -> QuerySet[Business]:
    """Active businesses waiting for verification, oldest first (with or without a document)."""
    if not is_dinas_officer(actor):
        return Business.objects.none()
    return (
        Business.objects.filter(is_active=True, verification_status=VerificationStatus.UNVERIFIED)
        .select_related("district", "nib_document")
        .order_by("created_at", "pk")
    )


def certificates_expiring_for_dinas(*, actor: Actor, today: date) -> QuerySet[Certification]:
    """Certificates of active businesses that expire within the policy's reminder window (60
    days by default), reminded or not, soonest first."""
    if not is_dinas_officer(actor):
        return Certification.objects.none()
    days = umkm_policy().certificate_reminder_days
    return (
        Certification.objects.filter(
            business__is_active=True,
            expires_on__isnull=False,
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=days),
        )
        .select_related("business", "type")
        .order_by("expires_on", "pk")
    )


def listed_products_for_dinas(*, actor: Actor, query: str = "") -> QuerySet[Product]:
    """Listed (tayang) products, newest listing first, optionally by product or seller name."""
    if not is_dinas_officer(actor):
        return Product.objects.none()
    qs = Product.objects.filter(status=ProductStatus.LISTED).select_related("business", "category")
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(business__name__icontains=query))
    return qs.order_by("-listed_at", "-pk")


# --- Dashboard ----------------------------------------------------------------------------------


def _rank(field: str) -> Case:
    return Case(
        *[When(**{field: scale}, then=Value(rank)) for scale, rank in SCALE_RANK.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class NaikKelasSummary:
    total: int
    #: (from scale, to scale, businesses), most common first.
    transitions: list[tuple[str, str, int]]


def naik_kelas_summary(*, actor: Actor, start: date, end: date) -> NaikKelasSummary:
    """Businesses that moved up a scale between ``start`` and ``end`` (inclusive), in SQL.

    The same rule as ``selectors.naik_kelas``: a business with a recorded change inside the
    period counts once, comparing its scale before ``start`` (the last entry before it; without
    one, the first entry's previous scale or its scale) with its last scale up to ``end``.
    """
    if not can_read_reports(actor):
        raise Http404
    history = BusinessScaleChange.objects.filter(business=OuterRef("pk"))
    inside = history.filter(effective_date__gte=start, effective_date__lte=end)
    before = Subquery(
        history.filter(effective_date__lt=start)
        .order_by("-effective_date", "-pk")
        .values("scale")[:1]
    )
    first_inside = inside.order_by("effective_date", "pk")
    initial = Coalesce(
        before,
        NullIf(Subquery(first_inside.values("previous_scale")[:1]), Value("")),
        Subquery(first_inside.values("scale")[:1]),
    )
    final = Subquery(inside.order_by("-effective_date", "-pk").values("scale")[:1])
    moved = (
        Business.objects.filter(
            pk__in=BusinessScaleChange.objects.filter(
                effective_date__gte=start, effective_date__lte=end
            ).values("business_id")
        )
        .annotate(initial_scale=initial, final_scale=final)
        .annotate(initial_rank=_rank("initial_scale"), final_rank=_rank("final_scale"))
        .filter(final_rank__gt=F("initial_rank"))
        .values("initial_scale", "final_scale")
        .annotate(n=Count("pk"))
        .order_by("-n", "initial_scale", "final_scale")
    )
    transitions = [(row["initial_scale"], row["final_scale"], row["n"]) for row in moved]
    return NaikKelasSummary(total=sum(n for _a, _b, n in transitions), transitions=transitions)


def growth_summary(*, actor: Actor, start: date, end: date) -> dict[str, GrowthGroup]:
    """Turnover and employees at ``start`` and ``end`` of coached and not-coached businesses,
    in SQL; the same rule as ``selectors.growth_coached_vs_not`` (a business counts when it
    has a history entry on or before ``start``; coached = enrolled, not withdrawn, in a
    programme that started in the period)."""
    if not can_read_reports(actor):
        raise Http404
    history = BusinessScaleChange.objects.filter(business=OuterRef("pk"))
    at_start = history.filter(effective_date__lte=start).order_by("-effective_date", "-pk")
    at_end = history.filter(effective_date__lte=end).order_by("-effective_date", "-pk")
    coached = Enrolment.objects.filter(
        business=OuterRef("pk"),
        programme__start_date__gte=start,
        programme__start_date__lte=end,
    ).exclude(status=EnrolmentStatus.WITHDRAWN)
    rows = (
        Business.objects.filter(
            pk__in=BusinessScaleChange.objects.filter(effective_date__lte=start).values(
                "business_id"
            )
        )
        .annotate(
            coached=Exists(coached),
            t0=Coalesce(Subquery(at_start.values("annual_turnover")[:1]), Value(0)),
            t1=Coalesce(Subquery(at_end.values("annual_turnover")[:1]), Value(0)),
            e0=Subquery(at_start.values("employees")[:1]),
            e1=Subquery(at_end.values("employees")[:1]),
        )
        .values("coached")
        .annotate(
            n=Count("pk"),
            turnover_start=Sum("t0"),
            turnover_end=Sum("t1"),
            employees_start=Sum("e0"),
            employees_end=Sum("e1"),
        )
        .order_by()
    )
    groups = {
        "coached": GrowthGroup(0, 0, 0, 0, 0),
        "not_coached": GrowthGroup(0, 0, 0, 0, 0),
    }
    for row in rows:
        groups["coached" if row["coached"] else "not_coached"] = GrowthGroup(
            businesses=row["n"],
            turnover_start=int(row["turnover_start"] or 0),
            turnover_end=int(row["turnover_end"] or 0),
            employees_start=int(row["employees_start"] or 0),
            employees_end=int(row["employees_end"] or 0),
        )
    return groups


def _counts(field: str) -> list[tuple[str, int]]:
    rows = (
        Business.objects.filter(is_active=True)
        .values(field)
        .annotate(n=Count("pk"))
        .order_by("-n", field)
    )
    return [(row[field] or "", row["n"]) for row in rows]


def orders_summary(*, start: date, end: date) -> dict[str, Any]:
    """Orders placed in the period by status, completed value, and reviews by status."""
    placed = Order.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
    by_status = dict(
        placed.values("status").annotate(n=Count("pk")).order_by().values_list("status", "n")
    )
    completed = placed.filter(status=OrderStatus.COMPLETED).aggregate(
        n=Count("pk"), total=Sum("total")
    )
    reviews = Review.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
    review_counts = dict(
        reviews.values("status").annotate(n=Count("pk")).order_by().values_list("status", "n")
    )
    average = reviews.filter(status=ReviewStatus.APPROVED).aggregate(avg=Avg("rating"))["avg"]
    return {
        "orders_total": sum(by_status.values()),
        "orders_by_status": [
            (label, by_status.get(value, 0)) for value, label in OrderStatus.choices
        ],
        "completed": completed["n"] or 0,
        "completed_value": int(completed["total"] or 0),
        "reviews_by_status": [
            (label, review_counts.get(value, 0)) for value, label in ReviewStatus.choices
        ],
        "average_rating": round(float(average), 2) if average is not None else None,
    }


def dashboard_stats(*, actor: Actor, start: date, end: date) -> dict[str, Any]:
    """Everything the dashboard shows for ``start``–``end`` (cached per period)."""
    if not can_read_reports(actor):
        raise Http404
    key = f"umkm:dinas-dashboard:{start.isoformat()}:{end.isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    scale_labels = dict(Scale.choices)
    sector_labels = dict(Sector.choices)
    naik = naik_kelas_summary(actor=actor, start=start, end=end)
    stats: dict[str, Any] = {
        "total": Business.objects.filter(is_active=True).count(),
        "verified": Business.objects.filter(
            is_active=True, verification_status=VerificationStatus.VERIFIED
        ).count(),
        "listed_products": Product.objects.filter(status=ProductStatus.LISTED).count(),
        "by_scale": [(str(scale_labels.get(k, k)), n) for k, n in _counts("scale")],
        "by_sector": [(str(sector_labels.get(k, k)), n) for k, n in _counts("sector")],
        "by_kecamatan": _counts("district__name"),
        "naik_kelas_total": naik.total,
        "naik_kelas": [
            (str(scale_labels.get(a, a)), str(scale_labels.get(b, b)), n)
            for a, b, n in naik.transitions
        ],
        "growth": growth_summary(actor=actor, start=start, end=end),
        "programmes": [
            row for row in programme_reach(actor=actor) if start <= row["start_date"] <= end
        ],
        **orders_summary(start=start, end=end),
    }
    cache.set(key, stats, DASHBOARD_CACHE_SECONDS)
    return stats
