"""The Disdukcapil dashboard: non-personal aggregates only (reference §6.6, OpenCRVS analytics).

Every widget is one SQL query grouped in the database (no per-application Python), so a period
over a million applications stays a handful of queries; the whole dashboard is cached for a few
minutes per scope and period. Lead time is the hours from submission to "ready" (collected,
dispatched or downloadable). Medians and 90th percentiles use PostgreSQL's ``percentile_cont``;
on SQLite the database groups the lead times into tenth-of-an-hour buckets per group and the
same interpolated percentile is taken from those counts.

Who sees it: the head of Disdukcapil and the dashboard role (their agency), city administrators
and analysts with one of those roles or city administrators (the whole city). Anyone else: 404.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    QuerySet,
)
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from kotapintar.accounts.models import User
from kotapintar.accounts.roles import Role
from kotapintar.agencies.models import ServiceUnit
from kotapintar.civil_registration import workflow
from kotapintar.civil_registration.models import (
    OPEN_STATUSES,
    Application,
    ApplicationDocument,
    EventKind,
)
from kotapintar.civil_registration.selectors import Actor, module_roles_of
from kotapintar.core.calendar import JAKARTA
from kotapintar.core.sla import overdue_q

#: Seconds a dashboard is reused (it aggregates up to the whole five-year history).
DASHBOARD_CACHE_SECONDS = 300
DAILY_VOLUME_DAYS = 30
#: Births and deaths: the on-time/late share (legal deadlines, reference §2.4).
REGISTRATION_EVENTS = (EventKind.BIRTH, EventKind.DEATH)


def dashboard_scope_agency_id(actor: Actor) -> int | None:
    """``None`` for the whole city, else the agency whose applications the actor may count.

    Raises ``Http404`` for anyone without the dashboard.
    """
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise Http404
    assert isinstance(actor, User)
    roles = module_roles_of(actor)
    if actor.role == Role.CITY_ADMIN:
        return None
    if not roles & {workflow.DASHBOARD, workflow.HEAD}:
        raise Http404
    if actor.role == Role.ANALYST:
        return None
    if actor.agency_id is None or actor.role == Role.CITIZEN:
        raise Http404
    return int(actor.agency_id)


def can_view_dashboard(actor: Actor) -> bool:
    try:
        dashboard_scope_agency_id(actor)
    except Http404:
        return False
    return True


# --- SQL helpers ---------------------------------------------------------------------------------


class _Percentile(Aggregate):
    """PostgreSQL ``percentile_cont(p) WITHIN GROUP (ORDER BY x)`` (NULLs ignored)."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float) -> None:
        self.template = f"%(function)s({fraction:.2f}) WITHIN GROUP (ORDER BY %(expressions)s)"
        super().__init__(expression)


class _PgHours(Func):
    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)::double precision"
    output_field = FloatField()

    def __init__(self, start: str, end: str) -> None:
        super().__init__(ExpressionWrapper(F(end) - F(start), output_field=DurationField()))


class _SqliteHoursBucket(Func):
    """``end - start`` in hours rounded to a tenth (NULL when ``end`` is NULL)."""

    template = "ROUND((JULIANDAY(%(expressions)s)) * 24.0, 1)"
    arg_joiner = ") - JULIANDAY("
    output_field = FloatField()

    def __init__(self, start: str, end: str) -> None:
        super().__init__(F(end), F(start))


def weighted_percentile(counts: dict[float, int], fraction: float) -> float | None:
    """``percentile_cont`` of a multiset given as value -> count (linear interpolation)."""
    total = sum(counts.values())
    if not total:
        return None
    position = fraction * (total - 1)
    low_index, high_index = math.floor(position), math.ceil(position)
    low = high = None
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if low is None and seen > low_index:
            low = value
        if seen > high_index:
            high = value
            break
    assert low is not None and high is not None
    return round(low + (high - low) * (position - low_index), 2)


def _lead_time_groups(
    qs: QuerySet[Application], keys: Iterable[str], *, order: str
) -> list[dict[str, Any]]:
    """Per group of ``keys``: applications, ready ones, median and p90 lead hours. One query."""
    keys = list(keys)
    grouped = qs.order_by().values(*keys)
    if connection.vendor == "postgresql":
        hours = _PgHours("submitted_at", "ready_at")
        rows = list(
            grouped.annotate(
                applications=Count("pk"),
                ready=Count("ready_at"),
                median_hours=_Percentile(hours, 0.5),
                p90_hours=_Percentile(hours, 0.9),
            )
        )
        for row in rows:
            for name in ("median_hours", "p90_hours"):
                if row[name] is not None:
                    row[name] = round(row[name], 2)
    else:
        buckets = grouped.annotate(
            bucket=_SqliteHoursBucket("submitted_at", "ready_at"), n=Count("pk")
        ).values(*keys, "bucket", "n")
        merged: dict[tuple[Any, ...], dict[str, Any]] = {}
        hours_by_group: dict[tuple[Any, ...], dict[float, int]] = defaultdict(dict)
        for row in buckets:
            group = tuple(row[k] for k in keys)
            entry = merged.setdefault(
                group, {**{k: row[k] for k in keys}, "applications": 0, "ready": 0}
            )
            entry["applications"] += row["n"]
            if row["bucket"] is not None:
                entry["ready"] += row["n"]
                counts = hours_by_group[group]
                counts[float(row["bucket"])] = counts.get(float(row["bucket"]), 0) + row["n"]
        rows = []
        for group, entry in merged.items():
            counts = hours_by_group.get(group, {})
            entry["median_hours"] = weighted_percentile(counts, 0.5)
            entry["p90_hours"] = weighted_percentile(counts, 0.9)
            rows.append(entry)
    rows.sort(key=lambda r: (-r["applications"], str(r.get(order) or "")))
    return rows


# --- The dashboard -------------------------------------------------------------------------------


def _period_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    start = datetime.combine(date_from, time.min, tzinfo=JAKARTA)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=JAKARTA)
    return start, end


def dashboard_stats(
    *,
    agency_id: int | None,
    date_from: date,
    date_to: date,
    unit_id: int | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Aggregates over applications submitted between the local dates (inclusive).

    ``agency_id`` ``None``: the whole city. No widget carries a name, NIK or any other personal
    data of a citizen; officers appear by their own name (their workload).
    """
    now = now or timezone.now()
    start, end = _period_bounds(date_from, date_to)
    scope = Application.objects.all()
    if unit_id is not None:
        scope = scope.filter(unit_id=unit_id)
    if agency_id is not None:
        # The agency's unit ids as literals, not a join: PostgreSQL then reads the period
        # through the submission-date index alone instead of intersecting it with the unit
        # index per unit (measured: five times faster on a million applications).
        unit_ids = list(
            ServiceUnit.objects.filter(agency_id=agency_id).values_list("pk", flat=True)
        )
        scope = scope.filter(unit_id__in=unit_ids)
    period = scope.filter(submitted_at__gte=start, submitted_at__lt=end)

    by_status = dict(period.order_by().values_list("status").annotate(n=Count("pk")))
    by_service = _lead_time_groups(period, ["service_id", "service__name"], order="service__name")
    by_unit = _lead_time_groups(period, ["unit_id", "unit__name"], order="unit__name")
    by_officer = _lead_time_groups(
        period.filter(assigned_officer__isnull=False),
        ["assigned_officer_id", "assigned_officer__full_name"],
        order="assigned_officer__full_name",
    )
    timeliness_rows = (
        period.filter(service__event_kind__in=REGISTRATION_EVENTS, event_date__isnull=False)
        .order_by()
        .values("service__event_kind", "is_late")
        .annotate(n=Count("pk"))
    )
    timeliness = {kind.value: {"on_time": 0, "late": 0} for kind in REGISTRATION_EVENTS}
    for row in timeliness_rows:
        timeliness[row["service__event_kind"]]["late" if row["is_late"] else "on_time"] += row["n"]
    document_reasons = list(
        ApplicationDocument.objects.filter(
            application__in=period.values("pk"), rejection_reason__isnull=False
        )
        .order_by()
        .values("rejection_reason__code", "rejection_reason__label")
        .annotate(n=Count("pk"))
        .order_by("-n", "rejection_reason__label")
    )
    application_reasons = list(
        period.filter(rejection_reason__isnull=False)
        .order_by()
        .values("rejection_reason__code", "rejection_reason__label")
        .annotate(n=Count("pk"))
        .order_by("-n", "rejection_reason__label")
    )
    delivery = dict(period.order_by().values_list("delivery_method").annotate(n=Count("pk")))
    daily_start, _unused = _period_bounds(date_to - timedelta(days=DAILY_VOLUME_DAYS - 1), date_to)
    daily_rows = (
        scope.filter(submitted_at__gte=daily_start, submitted_at__lt=end)
        .annotate(day=TruncDate("submitted_at", tzinfo=JAKARTA))
        .order_by()
        .values("day")
        .annotate(n=Count("pk"))
    )
    per_day = {_as_date(row["day"]): row["n"] for row in daily_rows}
    first_day = date_to - timedelta(days=DAILY_VOLUME_DAYS - 1)
    daily = [
        {"day": first_day + timedelta(days=i), "n": per_day.get(first_day + timedelta(days=i), 0)}
        for i in range(DAILY_VOLUME_DAYS)
    ]
    overdue_now = scope.filter(overdue_q(now), status__in=OPEN_STATUSES).count()
    total = sum(by_status.values())
    return {
        "total": total,
        "by_status": by_status,
        "by_service": by_service,
        "by_unit": by_unit,
        "by_officer": by_officer,
        "timeliness": timeliness,
        "document_rejection_reasons": document_reasons,
        "application_rejection_reasons": application_reasons,
        "delivery": delivery,
        "daily": daily,
        "overdue_now": overdue_now,
    }


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return cast(date, value)


def dashboard_stats_cached(
    *, agency_id: int | None, date_from: date, date_to: date, unit_id: int | None = None
) -> dict[str, Any]:
    """``dashboard_stats`` recomputed at most every five minutes per scope and period."""
    key = (
        f"civil_registration:dashboard:{agency_id or 'city'}:{unit_id or 'all'}:"
        f"{date_from.isoformat()}:{date_to.isoformat()}"
    )
    stats = cache.get(key)
    if stats is None:
        stats = dashboard_stats(
            agency_id=agency_id, date_from=date_from, date_to=date_to, unit_id=unit_id
        )
        cache.set(key, stats, DASHBOARD_CACHE_SECONDS)
    return cast(dict[str, Any], stats)


__all__ = [
    "DASHBOARD_CACHE_SECONDS",
    "can_view_dashboard",
    "dashboard_scope_agency_id",
    "dashboard_stats",
    "dashboard_stats_cached",
    "weighted_percentile",
]
