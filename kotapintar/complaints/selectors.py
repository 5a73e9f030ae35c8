"""Reads for complaints. Visibility rules live here and only here (see the shared contract).

- Public: not rahasia, not hidden, not from a banned reporter, not rejected; never an identity
  beyond a publik reporter's short name.
- Reporter: all their own reports. Coordinators, city admins, analysts: every report.
- Officers and agency heads: reports disposed to their agency or assigned to them.
- Outside the actor's visibility: 404. Anonim/rahasia identities: hidden from agency staff;
  coordinators and city admins see them through ``reporter_contact``, which audits the read.
"""

from __future__ import annotations

import hashlib
import json
import math
import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
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
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import Round, TruncDate
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kotapintar.accounts.models import User
from kotapintar.accounts.roles import Role
from kotapintar.agencies.models import Agency
from kotapintar.complaints.config_cache import config_memo
from kotapintar.complaints.models import (
    OPEN_STATUSES,
    Category,
    CategoryQuestion,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    ComplaintPolicy,
    EventKind,
    Privacy,
    RoutingRule,
    Status,
)
from kotapintar.core.audit import audit_personal_data_read
from kotapintar.core.calendar import JAKARTA, working_days_between
from kotapintar.core.personal_data import mask_phone
from kotapintar.core.reference_numbers import normalize_reference
from kotapintar.core.sla import SlaState, sla_state
from kotapintar.regions.models import District, Village
from kotapintar.regions.selectors import city_districts

EARTH_RADIUS_M = 6_371_000.0
NEARBY_LIMIT = 10
_TRIAGE_ROLES = frozenset({Role.COORDINATOR, Role.CITY_ADMIN})
_CITY_WIDE_READERS = frozenset({Role.COORDINATOR, Role.CITY_ADMIN, Role.ANALYST})
_AGENCY_ROLES = frozenset({Role.OFFICER, Role.AGENCY_HEAD})
_LIST_RELATED = ("category", "category__group", "district", "village", "agency")


# --- Configuration ---------------------------------------------------------------------------


def complaint_policy() -> ComplaintPolicy:
    """The city's single policy row, created with defaults on first use (memoised per process
    until the configuration changes: see ``config_cache``; do not modify it)."""
    return config_memo("policy", _complaint_policy_load)


def _complaint_policy_load() -> ComplaintPolicy:
    policy = ComplaintPolicy.objects.order_by("pk").first()
    if policy is None:
        policy, _created = ComplaintPolicy.objects.get_or_create(pk=1)
    return policy


def categories_active_list() -> list[Category]:
    """``categories_active()`` as a list, memoised per process until the configuration
    changes (``config_cache``): the report form and every submission read it."""
    return config_memo("categories", lambda: list(categories_active()))


@dataclass(frozen=True)
class CityPlaces:
    """The city's kecamatan and kelurahan for the report form."""

    districts: list[District]
    villages: list[Village]  # with ``district``, in the database's order


def city_places() -> CityPlaces:
    """The city's kecamatan and kelurahan, memoised per process (``config_cache``)."""

    def load() -> CityPlaces:
        districts = list(city_districts())
        villages = list(Village.objects.filter(district__in=districts).select_related("district"))
        return CityPlaces(districts=districts, villages=villages)

    return config_memo(f"places:{settings.KOTAPINTAR_REGION_CODE}", load)


def categories_for_filters() -> list[Category]:
    """Every category (active or not) with its group, in the groups' order: the officers'
    filter lists, memoised per process (``config_cache``)."""
    return config_memo(
        "categories-all",
        lambda: list(
            Category.objects.select_related("group").order_by("group__order", "order", "name")
        ),
    )


def agencies_active_list() -> list[Agency]:
    """Active agencies by name, memoised per process (``config_cache``)."""
    return config_memo(
        "agencies-active", lambda: list(Agency.objects.filter(is_active=True).order_by("name"))
    )


def routing_rules_active_list() -> list[RoutingRule]:
    """Routing rules of active agencies with their agency, by pk, memoised per process
    (``config_cache``)."""
    return config_memo(
        "routing-rules",
        lambda: list(
            RoutingRule.objects.filter(agency__is_active=True)
            .select_related("agency")
            .order_by("pk")
        ),
    )


def categories_active() -> QuerySet[Category]:
    """Active categories with their group, questions and options (for forms and Open311)."""
    return (
        Category.objects.filter(is_active=True)
        .select_related("group", "default_agency")
        .prefetch_related(
            Prefetch(
                "questions",
                queryset=CategoryQuestion.objects.order_by("order", "id").prefetch_related(
                    "options"
                ),
            )
        )
        .order_by("group__order", "group__name", "order", "name")
    )


# --- Visibility ------------------------------------------------------------------------------


def _active_user(actor: object) -> User | None:
    if isinstance(actor, User) and actor.is_authenticated and actor.is_active:
        return actor
    return None


def public_q() -> Q:
    """The rows anyone may see."""
    return (
        ~Q(privacy=Privacy.SECRET)
        & Q(is_hidden=False, from_banned_reporter=False)
        & ~Q(status=Status.REJECTED)
    )


def _date_bounds(value: date | datetime, *, end: bool) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    moment = datetime.combine(value + timedelta(days=1) if end else value, time.min)
    return timezone.make_aware(moment)


def complaints_public(
    *,
    category_codes: list[str] | tuple[str, ...] | None = None,
    district_code: str | None = None,
    status: str | None = None,
    date_from: date | datetime | None = None,
    date_to: date | datetime | None = None,
) -> QuerySet[Complaint]:
    """Public reports, newest first, with the relations a list shows (no reporter).

    ``status`` is "open", "closed" or a ``Status`` value; dates are local (WIB) days, inclusive.
    """
    qs = Complaint.objects.filter(public_q()).select_related(*_LIST_RELATED)
    if category_codes:
        qs = qs.filter(category__code__in=list(category_codes))
    if district_code:
        qs = qs.filter(district_id=district_code)
    if status == "open":
        qs = qs.filter(status__in=list(OPEN_STATUSES))
    elif status == "closed":
        qs = qs.exclude(status__in=list(OPEN_STATUSES))
    elif status:
        qs = qs.filter(status=status)
    if date_from is not None:
        qs = qs.filter(submitted_at__gte=_date_bounds(date_from, end=False))
    if date_to is not None:
        bound = _date_bounds(date_to, end=True)
        # A datetime is an inclusive instant; a date includes its whole local day.
        if isinstance(date_to, datetime):
            qs = qs.filter(submitted_at__lte=bound)
        else:
            qs = qs.filter(submitted_at__lt=bound)
    return qs.order_by("-submitted_at", "-pk")


def complaint_public_get(*, reference: str) -> Complaint:
    normalized = normalize_reference(reference or "", prefix="ADU")
    if normalized is None:
        raise Http404
    complaint = complaints_public().filter(reference=normalized).first()
    if complaint is None:
        raise Http404
    return complaint


def complaints_for_actor(*, actor: User | AnonymousUser | None) -> QuerySet[Complaint]:
    """Reports the actor may open in the staff or citizen views (others do not exist)."""
    user = _active_user(actor)
    qs = Complaint.objects.select_related(*_LIST_RELATED, "assigned_to")
    if user is None:
        return qs.none()
    if user.role in _CITY_WIDE_READERS:
        return qs
    own = Q(reporter=user)
    if user.role in _AGENCY_ROLES:
        scope = own | Q(assigned_to=user)
        if user.agency_id is not None:
            scope |= Q(agency_id=user.agency_id)
        return qs.filter(scope)
    return qs.filter(own)


def complaint_get_for_actor(*, actor: User | AnonymousUser | None, reference: str) -> Complaint:
    normalized = normalize_reference(reference or "", prefix="ADU")
    if normalized is None:
        raise Http404
    complaint = complaints_for_actor(actor=actor).filter(reference=normalized).first()
    if complaint is None:
        raise Http404
    return complaint


def complaint_get_for_staff_page(
    *, actor: User | AnonymousUser | None, reference: str
) -> Complaint:
    """``complaint_get_for_actor`` for the officers' report page: the same visibility, with
    the reporter and the assignee joined and the configuration relations (category with its
    group, kecamatan, kelurahan, agency) attached from the memo (``attach_config_relations``).
    Joining all of them made PostgreSQL spend ~4 ms planning a one-row query."""
    normalized = normalize_reference(reference or "", prefix="ADU")
    if normalized is None:
        raise Http404
    qs = (
        complaints_for_actor(actor=actor)
        .select_related(None)
        .select_related("assigned_to", "reporter")
    )
    complaint = qs.filter(reference=normalized).first()
    if complaint is None:
        raise Http404
    attach_config_relations([complaint])
    return complaint


#: Foreign keys of a report to configuration that ``attach_config_relations`` fills in.
_CONFIG_RELATIONS = ("category", "district", "village", "agency")


def _config_objects(name: str) -> list[Any]:
    if name == "category":
        return categories_for_filters()
    if name == "district":
        return city_places().districts
    if name == "village":
        return city_places().villages
    return agencies_active_list()


def attach_config_relations(complaints: list[Complaint]) -> None:
    """Set the reports' category (with its group), kecamatan, kelurahan and agency from the
    per-process configuration memo (``config_cache``) instead of joining them in SQL: a join
    of the report with its seven related tables cost PostgreSQL 2-4 ms of planning for a
    handful of rows. An object missing from the memo (an inactive agency, a place outside
    the city) is read in one query per relation, never per report. The attached objects are
    shared: callers only read them."""
    for name in _CONFIG_RELATIONS:
        field = Complaint._meta.get_field(name)
        key = field.target_field.attname  # type: ignore[union-attr]
        attname = field.attname  # type: ignore[union-attr]
        wanted = {getattr(c, attname) for c in complaints} - {None}
        if not wanted:
            continue
        known = {
            getattr(obj, key): obj for obj in _config_objects(name) if getattr(obj, key) in wanted
        }
        missing = wanted - known.keys()
        if missing:
            model = field.related_model
            rows = model._default_manager.filter(**{f"{key}__in": missing})  # type: ignore[union-attr]
            if name == "category":
                rows = rows.select_related("group")
            elif name == "village":
                rows = rows.select_related("district")
            known.update({getattr(obj, key): obj for obj in rows})
        for complaint in complaints:
            value = getattr(complaint, attname)
            if value is not None and value in known:
                field.set_cached_value(complaint, known[value])  # type: ignore[union-attr]


def _is_handler(user: User | None, complaint: Complaint) -> bool:
    """Staff who work on this report (its agency's staff, the assignee, triage, analysts)."""
    if user is None:
        return False
    if user.role in _CITY_WIDE_READERS:
        return True
    return user.role in _AGENCY_ROLES and (
        (user.agency_id is not None and user.agency_id == complaint.agency_id)
        or complaint.assigned_to_id == user.pk
    )


def complaint_timeline(
    *, complaint: Complaint, actor: User | AnonymousUser | None
) -> list[ComplaintEvent]:
    """Events the viewer may read: all for handling staff; the reporter's own additions too."""
    user = _active_user(actor)
    events = ComplaintEvent.objects.filter(complaint=complaint).select_related("agency")
    if _is_handler(user, complaint):
        events = events.select_related("actor")
    elif user is not None and complaint.reporter_id == user.pk:
        events = events.filter(
            Q(is_public=True) | Q(kind__in=[EventKind.INFO_ADDED, EventKind.FEEDBACK])
        )
    else:
        events = events.filter(is_public=True)
    return list(events.order_by("created_at", "id"))


def complaint_photos(
    *, complaint: Complaint, actor: User | AnonymousUser | None
) -> list[ComplaintPhoto]:
    """Photos the viewer may see: never redacted ones; rahasia photos only to the reporter
    and the city-wide staff; "additional information" photos only to the reporter and staff."""
    user = _active_user(actor)
    photos = ComplaintPhoto.objects.filter(complaint=complaint, is_redacted=False).select_related(
        "file"
    )
    is_reporter = user is not None and complaint.reporter_id == user.pk
    if is_reporter or (user is not None and user.role in _CITY_WIDE_READERS):
        return list(photos)
    if _is_handler(user, complaint):
        return [] if complaint.privacy == Privacy.SECRET else list(photos)
    if not complaint.is_publicly_visible:
        return []
    return list(photos.exclude(kind="tambahan"))


def photo_file_visible(user: User | AnonymousUser | None, stored_file: Any) -> bool:
    """File-access policy for ``core.uploads.register_file_access_policy``."""
    photo = (
        ComplaintPhoto.objects.select_related("complaint").filter(file_id=stored_file.pk).first()
    )
    if photo is None:
        return False
    return any(p.pk == photo.pk for p in complaint_photos(complaint=photo.complaint, actor=user))


def _short_name(name: str) -> str:
    parts = name.split()
    if not parts:
        return _("Citizen")
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]} {parts[1][0]}."


def reporter_display(*, complaint: Complaint, viewer: User | AnonymousUser | None) -> str:
    """The reporter's name as this viewer may see it (never an e-mail, phone or NIK).

    Anonim and rahasia show "Anonim" to everyone but the reporter (coordinators use
    ``reporter_contact``, which audits); publik shows staff the full name and others a short
    name ("Budi S.").
    """
    user = _active_user(viewer)
    name = complaint.reporter_name
    if user is not None and complaint.reporter_id == user.pk:
        return name or _short_name(user.full_name)
    if complaint.privacy != Privacy.PUBLIC:
        return _("Anonymous")
    if _is_handler(user, complaint) and user is not None and user.role != Role.ANALYST:
        return name or _("Citizen")
    return _short_name(name)


@dataclass(frozen=True)
class ReporterContact:
    name: str
    email: str
    phone: str
    phone_masked: str


def reporter_contact(
    *,
    complaint: Complaint,
    viewer: User | AnonymousUser | None,
    request: HttpRequest | None = None,
) -> ReporterContact | None:
    """The reporter's contact details for staff allowed to see them; each read is audited.

    Anonim/rahasia: coordinators and city admins only. Publik: the handling agency's staff too.
    """
    user = _active_user(viewer)
    if user is None or user.role == Role.ANALYST or not _is_handler(user, complaint):
        return None
    if complaint.privacy != Privacy.PUBLIC and user.role not in _TRIAGE_ROLES:
        return None
    reporter = complaint.reporter
    email = complaint.reporter_email or (reporter.email if reporter else "")
    phone = complaint.reporter_phone or (reporter.phone if reporter else "")
    name = complaint.reporter_name or (reporter.full_name if reporter else "")
    fields = [f for f, v in (("name", name), ("email", email), ("phone", phone)) if v]
    if fields:
        audit_personal_data_read(actor=user, obj=complaint, fields=fields, request=request)
    return ReporterContact(name=name, email=email, phone=phone, phone_masked=mask_phone(phone))


# --- Nearby, SLA ------------------------------------------------------------------------------


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def complaints_nearby(*, category: Category, latitude: float, longitude: float) -> list[Complaint]:
    """Open public reports of the category near the point (duplicate suggestions), nearest first."""
    policy = complaint_policy()
    radius = float(policy.nearby_radius_m)
    dlat = radius / 111_320.0
    dlon = radius / (111_320.0 * max(0.01, math.cos(math.radians(latitude))))
    since = timezone.now() - timedelta(days=policy.nearby_days)
    candidates = complaints_public().filter(
        category=category,
        status__in=list(OPEN_STATUSES),
        submitted_at__gte=since,
        latitude__gte=latitude - dlat,
        latitude__lte=latitude + dlat,
        longitude__gte=longitude - dlon,
        longitude__lte=longitude + dlon,
    )[:200]
    scored = [(haversine_m(latitude, longitude, c.latitude, c.longitude), c) for c in candidates]
    return [c for d, c in sorted(scored, key=lambda x: x[0]) if d <= radius][:NEARBY_LIMIT]


def complaint_sla_view(complaint: Complaint, now: datetime | None = None) -> SlaState:
    """The report's current SLA stage clock (due date, overdue, paused)."""
    return sla_state(complaint, now=now or timezone.now())


# --- Dashboard --------------------------------------------------------------------------------


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def _weighted_median(counts: dict[float, int]) -> float | None:
    """``statistics.median`` of a list given as value -> how many times it occurs."""
    total = sum(counts.values())
    if not total:
        return None
    low_index, high_index = (total - 1) // 2, total // 2
    seen = 0
    low: float | None = None
    for value in sorted(counts):
        seen += counts[value]
        if low is None and seen > low_index:
            low = value
        if seen > high_index:
            assert low is not None
            return round((low + value) / 2, 2)
    raise AssertionError("unreachable: the counts add up to total")


class _Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``: the median, interpolated as ``statistics.median``."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class _HoursBetween(Func):
    """PostgreSQL: ``end - start`` in hours, as a float."""

    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)::double precision"
    output_field = FloatField()

    def __init__(self, start: str, end: str) -> None:
        super().__init__(ExpressionWrapper(F(end) - F(start), output_field=DurationField()))


def _median_hours(period: QuerySet[Complaint], *, end: str) -> float | None:
    """Median hours from submission to ``end`` over the reports that have ``end``.

    In the database on PostgreSQL (``percentile_cont``); elsewhere (SQLite) in Python.
    """
    done = period.filter(**{f"{end}__isnull": False})
    if connection.vendor == "postgresql":
        value = done.aggregate(m=_Median(_HoursBetween("submitted_at", end)))["m"]
        return None if value is None else round(value, 2)
    return _median(
        [
            (finished - started).total_seconds() / 3600
            for started, finished in done.values_list("submitted_at", end)
        ]
    )


def _median_resolution_working_days(period: QuerySet[Complaint]) -> float | None:
    """Median working days from submission to resolution (``working_days_between``).

    Working days depend only on the two local dates, so the database groups the reports by
    (submission date, resolution date) and the calendar is consulted once per pair.
    """
    pairs = (
        period.filter(resolved_at__isnull=False)
        .annotate(
            submitted_day=TruncDate("submitted_at", tzinfo=JAKARTA),
            resolved_day=TruncDate("resolved_at", tzinfo=JAKARTA),
        )
        .values("submitted_day", "resolved_day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[float, int] = {}
    for row in pairs:
        days = float(working_days_between(row["submitted_day"], row["resolved_day"]))
        counts[days] = counts.get(days, 0) + row["n"]
    return _weighted_median(counts)


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def agency_dashboard(
    *,
    agency: Agency | None,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Figures for reports submitted between the local dates (inclusive); ``agency`` None: city.

    - ``by_status`` / ``by_category``: counts.
    - ``median_first_response_hours``: submission to the agency's first response.
    - ``median_resolution_hours`` and ``median_resolution_working_days``: submission to
      resolution (working days as ``core.calendar.working_days_between``).
    - ``sla_compliance_percent``: of resolved reports with a due date, the share resolved by
      the due date of their stage clock.
    - ``backlog``: reports open now (whatever their submission date), by age in weeks.
    - ``confirmed_fixed_percent``: of resolved reports, the share the reporter confirmed fixed.
    Banned reporters' reports are left out.
    """
    now = now or timezone.now()
    base = Complaint.objects.filter(from_banned_reporter=False)
    if agency is not None:
        base = base.filter(agency=agency)
    period = base.filter(
        submitted_at__gte=_date_bounds(date_from, end=False),
        submitted_at__lt=_date_bounds(date_to, end=True),
    )
    by_status = dict.fromkeys(Status.values, 0)
    for row in period.values("status").annotate(n=Count("pk")):
        by_status[row["status"]] = row["n"]
    by_category = [
        {"code": row["category__code"], "name": row["category__name"], "count": row["n"]}
        for row in period.values("category__code", "category__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "category__name")
    ]
    # Counted and the medians taken in the database: a city's period can hold tens of
    # thousands of resolved reports.
    resolved_q = Q(resolved_at__isnull=False)
    with_due_q = resolved_q & Q(sla_due_at__isnull=False)
    figures = period.aggregate(
        resolved=Count("pk", filter=resolved_q),
        with_due=Count("pk", filter=with_due_q),
        on_time=Count("pk", filter=with_due_q & Q(resolved_at__lte=F("sla_due_at"))),
        confirmed=Count("pk", filter=resolved_q & Q(citizen_confirmed_fixed=True)),
    )

    # Counted in the database: the open backlog of a whole city can be tens of thousands.
    four_weeks_ago, eight_weeks_ago = now - timedelta(weeks=4), now - timedelta(weeks=8)
    backlog = base.filter(status__in=list(OPEN_STATUSES)).aggregate(
        **{
            "0_4_weeks": Count("pk", filter=Q(submitted_at__gt=four_weeks_ago)),
            "4_8_weeks": Count(
                "pk", filter=Q(submitted_at__lte=four_weeks_ago, submitted_at__gt=eight_weeks_ago)
            ),
            "over_8_weeks": Count("pk", filter=Q(submitted_at__lte=eight_weeks_ago)),
        }
    )

    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_category": by_category,
        "median_first_response_hours": _median_hours(period, end="first_response_at"),
        "median_resolution_hours": _median_hours(period, end="resolved_at"),
        "median_resolution_working_days": _median_resolution_working_days(period),
        "sla_compliance_percent": _percent(figures["on_time"], figures["with_due"]),
        "backlog": backlog,
        "confirmed_fixed_percent": _percent(figures["confirmed"], figures["resolved"]),
        "resolved": figures["resolved"],
    }


def complaint_answers_display(*, complaint: Complaint) -> list[tuple[str, str]]:
    """The reporter's answers with the questions' wording and the options' labels."""
    shown: list[tuple[str, str]] = []
    answers = complaint.answers or {}
    if not answers:
        return shown  # nothing to label: no need to read the category's questions
    for question in complaint.category.questions.prefetch_related("options"):
        if question.code not in answers:
            continue
        labels = {option.key: option.name for option in question.options.all()}
        value = answers[question.code]
        values = value if isinstance(value, list) else [value]
        shown.append((question.prompt, ", ".join(labels.get(str(v), str(v)) for v in values)))
    return shown


# --- Public list and map at city scale ---------------------------------------------------------

#: Seconds a public count or map is reused: counting hundreds of thousands of rows on every
#: request would cost more than the page itself, and a minute-old total is fine for the public.
PUBLIC_CACHE_SECONDS = 60
MAP_MARKER_LIMIT = 500
MAP_CLUSTER_DECIMALS = 2  # about 1 km cells
MAP_CLUSTER_LIMIT = 2000


def _public_cache_key(kind: str, filters: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(filters, sort_keys=True, default=str).encode()).hexdigest()
    return f"complaints:public-{kind}:{translation.get_language()}:{digest}"


def complaints_public_count(*, filters: dict[str, Any]) -> int:
    """How many public reports match ``filters`` (the arguments of ``complaints_public``)."""
    key = _public_cache_key("count", filters)
    count = cache.get(key)
    if count is None:
        count = complaints_public(**filters).order_by().count()
        cache.set(key, count, PUBLIC_CACHE_SECONDS)
    return int(count)


def complaints_public_map(*, filters: dict[str, Any]) -> dict[str, Any]:
    """Map data of public reports: markers (public fields only) or, above a limit, counts per
    grid cell."""
    key = _public_cache_key("map", filters)
    payload = cache.get(key)
    if payload is None:
        payload = _public_map(filters)
        cache.set(key, payload, PUBLIC_CACHE_SECONDS)
    return cast(dict[str, Any], payload)


def _public_map(filters: dict[str, Any]) -> dict[str, Any]:
    complaints = complaints_public(**filters).order_by()
    total = complaints_public_count(filters=filters)
    if total <= MAP_MARKER_LIMIT:
        rows = complaints.order_by("-submitted_at").values(
            "reference", "title", "latitude", "longitude", "status", "category__name"
        )
        markers = [
            {
                "reference": row["reference"],
                "title": row["title"],
                "lat": round(row["latitude"], 6),
                "lon": round(row["longitude"], 6),
                "status": row["status"],
                "status_label": str(Status(row["status"]).label),
                "category": row["category__name"],
                "url": reverse("complaints:public_detail", args=[row["reference"]]),
            }
            for row in rows
        ]
        return {"count": total, "clustered": False, "markers": markers}
    cells = (
        complaints.annotate(
            cell_lat=Round("latitude", MAP_CLUSTER_DECIMALS),
            cell_lon=Round("longitude", MAP_CLUSTER_DECIMALS),
        )
        .values("cell_lat", "cell_lon")
        .annotate(n=Count("id"))
        .order_by("-n")[:MAP_CLUSTER_LIMIT]
    )
    clusters = [
        {"lat": float(c["cell_lat"]), "lon": float(c["cell_lon"]), "count": c["n"]} for c in cells
    ]
    return {"count": total, "clustered": True, "clusters": clusters}


#: Seconds a dashboard is reused: its medians walk every resolved report of the period.
DASHBOARD_CACHE_SECONDS = 300


def agency_dashboard_cached(
    *, agency: Agency | None, date_from: date, date_to: date
) -> dict[str, Any]:
    """``agency_dashboard`` recomputed at most every five minutes per agency and period."""
    key = f"complaints:dashboard:{agency.pk if agency else 'city'}:{date_from}:{date_to}"
    stats = cache.get(key)
    if stats is None:
        stats = agency_dashboard(agency=agency, date_from=date_from, date_to=date_to)
        cache.set(key, stats, DASHBOARD_CACHE_SECONDS)
    return cast(dict[str, Any], stats)
