"""Reads for the officers' workspace that the core selectors do not offer (visibility still comes
from ``civil_registration.selectors``: every function here starts from an application the actor
may already see).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Case, DateTimeField, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from kotapintar.accounts.models import User
from kotapintar.civil_registration import rules, workflow
from kotapintar.civil_registration.models import OPEN_STATUSES, Application, EventKind, Status
from kotapintar.civil_registration.selectors import (
    Actor,
    application_queue_for_officer,
    civil_registration_policy,
    is_case_officer,
    mask_name,
    module_roles_of,
)
from kotapintar.regions.selectors import district_by_nik_prefix

#: Roles an application can be handed to (they verify and process cases).
ASSIGNABLE_ROLES = frozenset({workflow.OPERATOR, workflow.VERIFIER})


#: Encrypted columns a list never shows: not even read (and decrypted) for masked rows.
LIST_DEFERRED_FIELDS = (
    "subject_nik",
    "subject_kk",
    "form_data_encrypted",
    "delivery_address",
    "nik_warnings",
)

#: Stands in for "no due date" so that such rows sort last.
_NO_DUE_DATE = datetime(9999, 1, 1, tzinfo=UTC)


def queue_ordered(qs: QuerySet[Application], *, open_only: bool = True) -> QuerySet[Application]:
    """Open work: nearest service-time due date first (no clock: last), then the oldest
    submission. Other lists (all or final statuses): newest first.

    The due date is sorted through an expression on purpose: a plain ``ORDER BY sla_due_at``
    with a ``LIMIT`` lets PostgreSQL walk the due-date index from the oldest row, through the
    years of completed applications, before it finds the unit's few open ones. The expression
    makes it pick the unit's open rows first (``unit, status`` index) and sort only those.
    """
    qs = qs.defer(*LIST_DEFERRED_FIELDS)
    if not open_only:
        return qs.order_by("-submitted_at", "-pk")
    return qs.order_by(
        Coalesce("sla_due_at", Value(_NO_DUE_DATE), output_field=DateTimeField()).asc(),
        "submitted_at",
        "pk",
    )


def staff_queue(
    *,
    actor: Actor,
    status: str | list[str] | None,
    service_code: str | None,
    overdue: bool,
    mine: bool,
    unassigned: bool,
    late: bool,
    possible_duplicate: bool,
    now: datetime | None = None,
) -> QuerySet[Application]:
    """The unit queue with the workspace filters, sorted by due date (masked rows only)."""
    qs = application_queue_for_officer(
        actor=actor,
        status=status,
        service_code=service_code,
        overdue=overdue,
        mine=mine,
        unassigned=unassigned,
        now=now,
    )
    if late:
        qs = qs.filter(is_late=True)
    if possible_duplicate:
        qs = qs.filter(possible_duplicate=True)
    statuses = {status} if isinstance(status, str) else set(status or ())
    open_only = bool(statuses) and statuses <= set(OPEN_STATUSES)
    ordered = queue_ordered(qs, open_only=open_only or overdue)
    if mine:
        # Resubmitted cases (back in "diajukan", still assigned to this officer) come first.
        first = Case(When(status=Status.SUBMITTED, then=Value(0)), default=Value(1))
        ordered = ordered.order_by(first, *ordered.query.order_by)
    return ordered


def overdue_applications(*, actor: Actor, now: datetime | None = None) -> QuerySet[Application]:
    """Open applications past their service time in the actor's scope, most overdue first."""
    return queue_ordered(application_queue_for_officer(actor=actor, overdue=True, now=now))


def assignable_officers(*, application: Application) -> QuerySet[User]:
    """Active officers of the application's unit who may take a case."""
    return (
        User.objects.filter(
            is_active=True,
            unit_id=application.unit_id,
            module_roles__code__in=ASSIGNABLE_ROLES,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def is_head(actor: Actor) -> bool:
    return is_case_officer(actor) and workflow.HEAD in module_roles_of(actor)


@dataclass(frozen=True)
class DuplicateCandidate:
    """A birth that may be the same event; masked (the other case is not the viewer's)."""

    reference: str
    masked_name: str
    event_date: Any
    status: str
    unit_name: str
    is_flagged_match: bool


def possible_duplicates(*, application: Application) -> list[DuplicateCandidate]:
    """Other births of the same mother (blind index) within the configured window."""
    if not application.possible_duplicate:
        return []
    rows: list[Application] = []
    if application.mother_nik_hash and application.event_date is not None:
        window = civil_registration_policy().duplicate_birth_window_days
        start, end = rules.duplicate_window(application.event_date, window)
        rows = list(
            Application.objects.filter(
                mother_nik_hash=application.mother_nik_hash,
                service__event_kind__in=[EventKind.BIRTH, EventKind.STILLBIRTH],
                event_date__range=(start, end),
            )
            .exclude(pk=application.pk)
            .select_related("unit")
            .order_by("event_date", "submitted_at")[:20]
        )
    if application.possible_duplicate_of_id and all(
        r.pk != application.possible_duplicate_of_id for r in rows
    ):
        other = (
            Application.objects.select_related("unit")
            .filter(pk=application.possible_duplicate_of_id)
            .first()
        )
        if other is not None:
            rows.insert(0, other)
    return [
        DuplicateCandidate(
            reference=r.reference,
            masked_name=mask_name(r.subject_name),
            event_date=r.event_date,
            status=r.get_status_display(),
            unit_name=r.unit.name,
            is_flagged_match=r.pk == application.possible_duplicate_of_id,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class NikRegion:
    regency: str
    district: str


def nik_region(nik: str) -> NikRegion | None:
    """The kecamatan a NIK's prefix names, from ``regions`` (``1271…`` -> Kota Medan / Medan
    Kota; never the BPS code table). ``None`` when the prefix is not in the table."""
    if not nik or len(nik) < 6:
        return None
    district = district_by_nik_prefix(nik[:6])
    if district is None:
        return None
    regency = district.regency
    return NikRegion(regency=_title(regency.name), district=_title(district.name))


def _title(name: str) -> str:
    return name.title() if name.isupper() else name


def is_overdue(application: Application, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        application.sla_started_at is not None
        and application.sla_due_at is not None
        and application.sla_due_at < now
        and application.sla_paused_at is None
        and application.sla_stopped_at is None
    )


__all__ = [
    "DuplicateCandidate",
    "NikRegion",
    "assignable_officers",
    "is_head",
    "is_overdue",
    "nik_region",
    "overdue_applications",
    "possible_duplicates",
    "queue_ordered",
    "staff_queue",
]
