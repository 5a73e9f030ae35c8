"""Reads of the Dinas workspace (/umkm/kelola/): queue counts, the expiring-certificate list,
listed products, and the dashboard aggregations.

Every function checks the actor first (a non-officer gets nothing or ``Http404``). The dashboard
figures are computed in SQL (grouped counts; one window-function pass over the scale history
for "naik kelas" and growth) so that they stay fast on 30,000 businesses and 150,000 products,
and are cached for ``DASHBOARD_CACHE_SECONDS`` per period. The raw SQL interpolates only table
names from model metadata; every value is a query parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    Q,
    QuerySet,
    Sum,
)
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
    Programme,
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


@dataclass(frozen=True)
class NaikKelasSummary:
    total: int
    #: (from scale, to scale, businesses), most common first.
    transitions: list[tuple[str, str, int]]


def _rank_sql(column: str) -> tuple[str, list[Any]]:
    """``CASE column WHEN 'mikro' THEN 1 … ELSE 0 END`` with its parameters."""
    whens = " ".join("WHEN %s THEN %s" for _scale in SCALE_RANK)
    params: list[Any] = [v for pair in SCALE_RANK.items() for v in (str(pair[0]), pair[1])]
    return f"CASE {column} {whens} ELSE 0 END", params


def naik_kelas_summary(*, actor: Actor, start: date, end: date) -> NaikKelasSummary:
    """Businesses that moved up a scale between ``start`` and ``end`` (inclusive), in SQL.

    The same rule as ``selectors.naik_kelas``: a business with a recorded change inside the
    period counts once, comparing its scale before ``start`` (the last entry before it; without
    one, the first entry's previous scale or its scale) with its last scale up to ``end``.
    One pass over the history up to ``end`` with window functions (PostgreSQL and SQLite).
    """
    if not can_read_reports(actor):
        raise Http404
    table = BusinessScaleChange._meta.db_table
    initial_rank, initial_params = _rank_sql("initial_scale")
    final_rank, final_params = _rank_sql("final_scale")
    sql = f"""
        WITH h AS (
            SELECT business_id, effective_date, scale, previous_scale,
                   effective_date < %s AS before_start,
                   ROW_NUMBER() OVER (
                       PARTITION BY business_id, effective_date < %s
                       ORDER BY effective_date DESC, id DESC) AS rn_last,
                   ROW_NUMBER() OVER (
                       PARTITION BY business_id, effective_date < %s
                       ORDER BY effective_date, id) AS rn_first
            FROM {table}
            WHERE effective_date <= %s
        ),
        per AS (
            SELECT business_id,
                   COALESCE(
                       MAX(CASE WHEN before_start AND rn_last = 1 THEN scale END),
                       MAX(CASE WHEN NOT before_start AND rn_first = 1
                                THEN NULLIF(previous_scale, '') END),
                       MAX(CASE WHEN NOT before_start AND rn_first = 1 THEN scale END)
                   ) AS initial_scale,
                   MAX(CASE WHEN NOT before_start AND rn_last = 1 THEN scale END) AS final_scale
            FROM h
            GROUP BY business_id
            HAVING MAX(CASE WHEN NOT before_start THEN 1 ELSE 0 END) = 1
        )
        SELECT initial_scale, final_scale, COUNT(*) AS n
        FROM per
        WHERE {final_rank} > {initial_rank}
        GROUP BY initial_scale, final_scale
        ORDER BY n DESC, initial_scale, final_scale
    """  # noqa: S608 - table names from model metadata, values are parameters
    params = [start, start, start, end, *final_params, *initial_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        transitions = [(str(a), str(b), int(n)) for a, b, n in cursor.fetchall()]
    return NaikKelasSummary(total=sum(n for _a, _b, n in transitions), transitions=transitions)


def growth_summary(*, actor: Actor, start: date, end: date) -> dict[str, GrowthGroup]:
    """Turnover and employees at ``start`` and ``end`` of coached and not-coached businesses,
    in SQL; the same rule as ``selectors.growth_coached_vs_not`` (a business counts when it
    has a history entry on or before ``start``; coached = enrolled, not withdrawn, in a
    programme that started in the period). One pass over the history with window functions."""
    if not can_read_reports(actor):
        raise Http404
    history = BusinessScaleChange._meta.db_table
    enrolment = Enrolment._meta.db_table
    programme = Programme._meta.db_table
    sql = f"""
        WITH h AS (
            SELECT business_id, effective_date <= %s AS at_start,
                   COALESCE(annual_turnover, 0) AS turnover, employees,
                   ROW_NUMBER() OVER (
                       PARTITION BY business_id, effective_date <= %s
                       ORDER BY effective_date DESC, id DESC) AS rn
            FROM {history}
            WHERE effective_date <= %s
        ),
        per AS (
            SELECT business_id,
                   MAX(CASE WHEN at_start AND rn = 1 THEN turnover END) AS t0,
                   MAX(CASE WHEN at_start AND rn = 1 THEN employees END) AS e0,
                   MAX(CASE WHEN NOT at_start AND rn = 1 THEN turnover END) AS t1,
                   MAX(CASE WHEN NOT at_start AND rn = 1 THEN employees END) AS e1
            FROM h
            GROUP BY business_id
            HAVING MAX(CASE WHEN at_start THEN 1 ELSE 0 END) = 1
        ),
        coached AS (
            SELECT DISTINCT e.business_id
            FROM {enrolment} e JOIN {programme} p ON p.id = e.programme_id
            WHERE p.start_date >= %s AND p.start_date <= %s AND e.status <> %s
        )
        SELECT CASE WHEN c.business_id IS NULL THEN 0 ELSE 1 END AS is_coached,
               COUNT(*), SUM(t0), SUM(COALESCE(t1, t0)), SUM(e0), SUM(COALESCE(e1, e0))
        FROM per LEFT JOIN coached c ON c.business_id = per.business_id
        GROUP BY CASE WHEN c.business_id IS NULL THEN 0 ELSE 1 END
    """  # noqa: S608 - table names from model metadata, values are parameters
    params: list[Any] = [start, start, end, start, end, str(EnrolmentStatus.WITHDRAWN)]
    groups = {
        "coached": GrowthGroup(0, 0, 0, 0, 0),
        "not_coached": GrowthGroup(0, 0, 0, 0, 0),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for is_coached, n, t0, t1, e0, e1 in cursor.fetchall():
            groups["coached" if is_coached else "not_coached"] = GrowthGroup(
                businesses=int(n),
                turnover_start=int(t0 or 0),
                turnover_end=int(t1 or 0),
                employees_start=int(e0 or 0),
                employees_end=int(e1 or 0),
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
