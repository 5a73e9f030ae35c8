"""Demo civil registration data: ~300 applications at ``--scale small``, ~1,000,000 over five
years at ``medan-5y`` (Medan: ~1,400 documents a day).

One chronological pass in chunks, deterministic for a seed (``DemoContext.rng_for``). Each
application gets a plausible life through the workflow table: submitted, claimed by an officer
of its unit, sometimes returned to the citizen and resubmitted (round 2, the replaced file kept
as history), approved, the SIAK number recorded, the signed PDF attached, ready / dispatched by
Pos, completed; a few are rejected or cancelled. Old applications are almost all finished;
recent ones are spread over the queue (the life is cut at "last midnight"). The SLA clock fields
follow the same rules as ``core.sla`` (paused while returned, stopped when ready or closed),
from a precomputed table of working days.

Personal data is synthetic but structurally valid: NIKs with Medan kecamatan prefixes, a birth
date (day + 40 for women) and a seeded serial; they are encrypted with the field's own
``get_prep_value`` and blind-indexed with ``identity_blind_index``, as the services do. Files are
placeholders: one small JPEG and one small PDF stored once through ``core.uploads.store_upload``
and linked by every demo document (``ApplicationDocument.file`` is a plain foreign key), so the
disk does not fill.

``--scale small`` also guarantees every status, both rounds, late births with a fine, a
possible-duplicate birth pair (undecided) and twins (flagged, decided "not a duplicate"), every
delivery method and self-print accesses with the demo PIN ``DEMO_SELF_PRINT_PIN``.

PostgreSQL: rows go in with COPY. Re-running is a no-op for a scale that was generated (the rows
carry the idempotency key ``demo-<scale>-<n>``).
"""

from __future__ import annotations

import json
import random
import uuid
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from functools import cache
from itertools import accumulate
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import JSONField, Model
from django.utils import timezone
from psycopg import sql

from kotapintar.accounts.models import ModuleRoleGrant, User
from kotapintar.accounts.roles import Role
from kotapintar.agencies.models import ServiceUnit, UnitKind
from kotapintar.agencies.selectors import civil_registry_agency
from kotapintar.civil_registration import workflow
from kotapintar.civil_registration.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationEventKind,
    DeliveryMethod,
    DocumentService,
    DocumentStatus,
    DuplicateDecision,
    EventKind,
    FineStatus,
    PaymentStatus,
    RejectionReason,
    Relationship,
    Requirement,
    SelfPrintAccess,
    Status,
)
from kotapintar.civil_registration.rules import name_key
from kotapintar.civil_registration.selectors import civil_registration_policy
from kotapintar.civil_registration.services import (
    DOCUMENT_KINDS,
    REFERENCE_PREFIX,
    civil_registration_seed_load,
)
from kotapintar.core.calendar import non_working_days
from kotapintar.core.demo.names import person_name
from kotapintar.core.demo.registry import (
    DEMO_EMAIL_DOMAIN,
    DemoContext,
    DemoDataError,
    register_generator,
)
from kotapintar.core.demo.samples import TINY_JPEG, tiny_pdf
from kotapintar.core.fields import EncryptedTextField
from kotapintar.core.models.files import StoredFile
from kotapintar.core.personal_data import identity_blind_index
from kotapintar.core.reference_numbers import ALPHABET, BODY_LENGTH, GROUP_LENGTH
from kotapintar.core.uploads import store_upload
from kotapintar.regions.models import District, Village

GENERATOR_NAME = "civil_registration"
KEY_PREFIX = "demo"
#: Applications per scale; another (test) scale gets five per bulk citizen, at least 300.
COUNTS = {"small": 300, "medan-5y": 1_000_000}
CHUNK = 10_000
#: The PIN of every demo self-print access (published, like the demo password).
DEMO_SELF_PRINT_PIN = "246810"
#: Officer accounts this generator adds per Disdukcapil unit that has fewer case officers.
OFFICERS_PER_UNIT = 2
OFFICER_PREFIX = "dukcapil"
WIB = dt_timezone(timedelta(hours=7))

#: Medan's service mix (relative weights): KK and KTP-el most, then birth certificates and KIA.
SERVICE_MIX: dict[str, float] = {
    "kk-perubahan": 17,
    "kk-baru": 8,
    "kk-hilang-rusak": 6,
    "ktp-el-baru": 8,
    "ktp-el-hilang": 8,
    "ktp-el-rusak": 4,
    "ktp-el-perubahan": 6,
    "kia": 10,
    "akta-kelahiran": 14,
    "akta-kematian": 5,
    "akta-perkawinan": 1.5,
    "akta-perceraian": 1,
    "surat-pindah": 6,
    "pindah-datang": 5,
    "lahir-mati": 0.3,
}
DELIVERY_MIX = {
    DeliveryMethod.PICKUP: 55,
    DeliveryMethod.KIOSK: 10,
    DeliveryMethod.POS: 15,
    DeliveryMethod.SELF_PRINT: 20,
}
RELATIONSHIP_BY_EVENT: dict[str, str] = {
    EventKind.BIRTH: Relationship.CHILD,
    EventKind.STILLBIRTH: Relationship.CHILD,
    EventKind.DEATH: Relationship.PARENT,
    EventKind.MARRIAGE: Relationship.SELF,
    EventKind.DIVORCE: Relationship.SELF,
}
RETURN_NOTES = (
    "Foto KK buram, mohon unggah ulang foto dokumen asli.",
    "Dokumen yang diunggah adalah fotokopi; unggah foto dokumen asli.",
    "Halaman dokumen terpotong; unggah seluruh halaman.",
)

# --- Working days ----------------------------------------------------------------------------


class WorkingDays:
    """``core.calendar.add_working_days`` from a precomputed list (same counting rule)."""

    def __init__(self, first: date, last: date) -> None:
        closed: set[date] = set()
        for year in range(first.year, last.year + 1):
            closed |= non_working_days(year)
        days = (last - first).days + 1
        self.dates = [
            d for d in (first + timedelta(days=i) for i in range(days)) if d not in closed
        ]
        self.open = set(self.dates)

    def add(self, at: datetime, n: int) -> datetime:
        if n <= 0:
            return at
        local = at.astimezone(WIB)
        day = self.dates[bisect_right(self.dates, local.date()) + n - 1]
        return datetime.combine(day, local.timetz())

    def between(self, a: datetime, b: datetime) -> int:
        return max(
            0,
            bisect_right(self.dates, b.astimezone(WIB).date())
            - bisect_right(self.dates, a.astimezone(WIB).date()),
        )

    def office_time(self, rng: random.Random, after: datetime, gap: int) -> datetime:
        """An officer's action ``gap`` working days after ``after``, in office hours."""
        local = after.astimezone(WIB)
        if gap <= 0 and local.date() in self.open and 8 <= local.hour < 15:
            return local + timedelta(minutes=rng.randrange(10, 150))
        index = bisect_right(self.dates, local.date()) + max(gap, 1) - 1
        day = self.dates[index]
        return datetime.combine(
            day, time(rng.randrange(8, 16), rng.randrange(60), rng.randrange(60), tzinfo=WIB)
        )


# --- Setting ---------------------------------------------------------------------------------


@dataclass
class Setting:
    services: list[DocumentService]
    weights: list[float]
    requirements: dict[int, list[Requirement]]  # service id -> uploads of a complete set
    units: list[ServiceUnit]
    unit_weights: list[float]
    officers: dict[int, list[int]]  # unit id -> case officer ids
    applicants: list[int]
    demo_citizen: int | None
    nik_prefixes: list[str]
    villages: dict[str | None, list[str]]  # kecamatan code -> kelurahan codes
    reasons: list[int]
    jpeg: StoredFile
    pdf: StoredFile
    pin_hash: str
    link_days: int
    pos_fee: int
    window_days: int
    cum_weights: list[float] = field(default_factory=list)
    unit_cum: list[float] = field(default_factory=list)


def _ensure_services() -> None:
    if not DocumentService.objects.filter(is_active=True).exists():
        civil_registration_seed_load()
    if not DocumentService.objects.filter(is_active=True).exists():
        raise DemoDataError("No active civil registration services after loading the seed file.")


def _placeholder_files() -> tuple[StoredFile, StoredFile]:
    """One tiny JPEG and one tiny PDF, stored once through the core upload rules."""
    found = {
        f.original_name: f
        for f in StoredFile.objects.filter(
            original_name__in=["demo-dokumen.jpg", "demo-dokumen.pdf"], uploaded_by=None
        )
    }
    if "demo-dokumen.jpg" not in found:
        found["demo-dokumen.jpg"] = store_upload(
            uploaded_file=SimpleUploadedFile(
                "demo-dokumen.jpg", TINY_JPEG, content_type="image/jpeg"
            ),
            uploaded_by=None,
            allowed_kinds=DOCUMENT_KINDS,
        )
    if "demo-dokumen.pdf" not in found:
        found["demo-dokumen.pdf"] = store_upload(
            uploaded_file=SimpleUploadedFile(
                "demo-dokumen.pdf", tiny_pdf(), content_type="application/pdf"
            ),
            uploaded_by=None,
            allowed_kinds=DOCUMENT_KINDS,
        )
    return found["demo-dokumen.jpg"], found["demo-dokumen.pdf"]


def _case_officers(ctx: DemoContext, units: list[ServiceUnit]) -> dict[int, list[int]]:
    """Disdukcapil officers with their module roles; units without enough get new accounts."""
    agency = units[0].agency
    rng = ctx.rng_for("officers")
    password = ctx.password_hash()
    staff = User.objects.filter(agency=agency, is_active=True).exclude(role=Role.CITIZEN)
    for unit in units:
        have = staff.filter(unit=unit).count()
        for n in range(have + 1, OFFICERS_PER_UNIT + 1):
            User.objects.get_or_create(
                email=ctx.demo_email(f"{OFFICER_PREFIX}.{unit.code}.{n}"),
                defaults={
                    "full_name": person_name(rng),
                    "role": Role.OFFICER,
                    "agency": agency,
                    "unit": unit,
                    "password": password,
                    "email_verified_at": timezone.now(),
                },
            )
    grants = []
    for user_id, role, unit_id in staff.values_list("pk", "role", "unit_id"):
        if role == Role.AGENCY_HEAD or unit_id is None:
            grants.append(ModuleRoleGrant(user_id=user_id, code=workflow.HEAD))
        else:
            grants.append(ModuleRoleGrant(user_id=user_id, code=workflow.OPERATOR))
            grants.append(ModuleRoleGrant(user_id=user_id, code=workflow.VERIFIER))
    ModuleRoleGrant.objects.bulk_create(grants, ignore_conflicts=True)
    officers: dict[int, list[int]] = {u.pk: [] for u in units}
    for user_id, unit_id in (
        staff.filter(unit__in=units, role__in=[Role.OFFICER, Role.COORDINATOR])
        .order_by("pk")
        .values_list("pk", "unit_id")
    ):
        officers[unit_id].append(user_id)
    return officers


def _setting(ctx: DemoContext) -> Setting:
    agency = civil_registry_agency()
    if agency is None:
        raise DemoDataError(
            "No Disdukcapil agency (code 'disdukcapil'): run `python manage.py "
            "load_reference_data` for Kota Medan (12.71) first."
        )
    units = list(agency.units.filter(is_active=True).order_by("code"))
    if not units:
        raise DemoDataError("Disdukcapil has no service units: load the reference data first.")
    services = [s for s in DocumentService.objects.filter(is_active=True).order_by("pk")]
    requirements: dict[int, list[Requirement]] = {}
    for r in Requirement.objects.filter(service__in=services).order_by("order", "pk"):
        if r.needs_upload and (r.required and r.substitute_for_id is None):
            requirements.setdefault(r.service_id, []).append(r)
    applicants = list(
        User.objects.filter(
            role=Role.CITIZEN,
            is_active=True,
            email__startswith="warga",
            email__endswith=f"@{DEMO_EMAIL_DOMAIN}",
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not applicants:
        raise DemoDataError("No demo citizens: the 'users' generator must run first.")
    demo_citizen = (
        User.objects.filter(email=ctx.demo_email("warga")).values_list("pk", flat=True).first()
    )
    districts = District.objects.filter(pk__in=[u.district_id for u in units if u.district_id])
    villages: dict[str | None, list[str]] = {}
    for village_id, district_id in Village.objects.filter(district__in=list(districts)).values_list(
        "pk", "district_id"
    ):
        villages.setdefault(district_id, []).append(village_id)
    all_villages = [v for vs in villages.values() for v in vs]
    villages[None] = all_villages
    prefixes = sorted(d.nik_prefix for d in districts) or ["127101"]
    jpeg, pdf = _placeholder_files()
    policy = civil_registration_policy()
    return Setting(
        services=services,
        weights=[SERVICE_MIX.get(s.code, 1.0) for s in services],
        requirements=requirements,
        units=units,
        unit_weights=[35.0 if u.kind == UnitKind.HEAD_OFFICE else 3.0 for u in units],
        officers=_case_officers(ctx, units),
        applicants=applicants,
        demo_citizen=demo_citizen,
        nik_prefixes=prefixes,
        villages=villages,
        reasons=list(
            RejectionReason.objects.filter(is_active=True, requires_note=False).values_list(
                "pk", flat=True
            )
        ),
        jpeg=jpeg,
        pdf=pdf,
        pin_hash=make_password(DEMO_SELF_PRINT_PIN),
        link_days=policy.self_print_link_days,
        pos_fee=policy.pos_delivery_fee_rupiah,
        window_days=policy.duplicate_birth_window_days,
    )


# --- One application ---------------------------------------------------------------------


@dataclass
class Life:
    """An application being generated: its column values, documents, events and access."""

    app: dict[str, Any]
    documents: list[dict[str, Any]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    self_print: dict[str, Any] | None = None


@cache
def _application_defaults() -> dict[str, Any]:
    return {f.attname: f.get_default() for f in Application._meta.concrete_fields}


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _nik(rng: random.Random, prefix: str, born: date, female: bool) -> str:
    day = born.day + (40 if female else 0)
    return f"{prefix}{day:02d}{born.month:02d}{born.year % 100:02d}{rng.randrange(1, 10000):04d}"


def _reference(rng: random.Random, taken: set[str]) -> str:
    while True:
        body = "".join(rng.choices(ALPHABET, k=BODY_LENGTH))
        reference = f"{REFERENCE_PREFIX}-{body[:GROUP_LENGTH]}-{body[GROUP_LENGTH:]}"
        if reference not in taken:
            taken.add(reference)
            return reference


def _form(
    rng: random.Random, service: DocumentService, s: Setting, event: date | None
) -> tuple[dict[str, Any], str]:
    """Plausible answers for the service's form fields, and the mother's NIK (births)."""
    data: dict[str, Any] = {}
    mother = ""
    for spec in service.form_fields:
        key, kind = spec.get("key", ""), spec.get("type", "text")
        if kind == "nik":
            born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 40))
            value = _nik(rng, rng.choice(s.nik_prefixes), born, key.startswith("mother"))
            if key == "mother_nik":
                mother = value
            data[key] = value
        elif kind == "name":
            data[key] = person_name(rng, female=key.startswith("mother"))
        elif kind == "date":
            data[key] = (
                event or date(1970, 1, 1) + timedelta(days=rng.randrange(365 * 45))
            ).isoformat()
        elif kind == "choice":
            choices = spec.get("choices") or [""]
            first = choices[rng.randrange(len(choices))]
            data[key] = first[0] if isinstance(first, list | tuple) else first
        elif kind == "textarea":
            data[key] = f"Jl. Pelita No. {rng.randrange(1, 200)}, Medan"
        else:
            data[key] = "Medan"
    return data, mother


def _one(
    ctx: DemoContext,
    s: Setting,
    wd: WorkingDays,
    rng: random.Random,
    n: int,
    submitted: datetime,
    cutoff: datetime,
    taken: set[str],
    open_niks: set[tuple[int, str]],
    stop: str | None = None,
) -> Life:
    service = rng.choices(s.services, cum_weights=s.cum_weights)[0]
    unit = rng.choices(s.units, cum_weights=s.unit_cum)[0]
    event_kind = service.event_kind
    applicant = (
        s.demo_citizen
        if s.demo_citizen and (n % 2500 == 7 or (ctx.is_small and n % 25 == 3))
        else s.applicants[rng.randrange(len(s.applicants))]
    )
    female = rng.random() < 0.5
    today = submitted.astimezone(WIB).date()
    event: date | None = None
    is_late = False
    days_since: int | None = None
    fine = 0
    if event_kind != EventKind.NONE:
        deadline = service.legal_deadline_days or 60
        late = rng.random() < 0.15
        days_since = rng.randrange(deadline + 1, deadline * 6) if late else rng.randrange(deadline)
        event = today - timedelta(days=days_since)
        if service.legal_deadline_days and days_since > service.legal_deadline_days:
            is_late = True
            fine = service.late_fine_rupiah or 0
    newborn = event_kind in (EventKind.BIRTH, EventKind.STILLBIRTH)
    if newborn:
        born = event or today
        nik = ""
    else:
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
        nik = _nik(rng, rng.choice(s.nik_prefixes), born, female)
    form, mother = _form(rng, service, s, event if newborn else None)
    name = person_name(rng, female=female)
    method = rng.choices(list(DELIVERY_MIX), weights=list(DELIVERY_MIX.values()))[0]
    app = dict(_application_defaults())
    app.update(
        id=_uuid(rng),
        reference=_reference(rng, taken),
        service_id=service.pk,
        applicant_id=applicant,
        relationship=RELATIONSHIP_BY_EVENT.get(event_kind, Relationship.SELF),
        subject_name=name,
        subject_nik=nik,
        subject_nik_hash=identity_blind_index(nik) if nik else "",
        subject_has_no_nik=not nik,
        subject_kk=_nik(rng, rng.choice(s.nik_prefixes), born, False)[:12] + "0001",
        form_data_encrypted=json.dumps(form, ensure_ascii=False, sort_keys=True),
        mother_nik_hash=identity_blind_index(mother) if mother else "",
        subject_name_key=name_key(name),
        event_date=event,
        is_late=is_late,
        days_since_event=days_since,
        fine_rupiah=fine,
        fine_status=FineStatus.UNPAID if fine else FineStatus.NONE,
        biometric_recorded_declared=service.requires_biometric_recording,
        truth_declared=True,
        unit_id=unit.pk,
        delivery_method=method,
        idempotency_key=f"{KEY_PREFIX}-{ctx.scale}-{n:07d}",
        submitted_at=submitted,
        status=Status.SUBMITTED,
        sla_target_working_days=service.sla_working_days,
        sla_started_at=submitted,
        sla_due_at=wd.add(submitted, service.sla_working_days),
    )
    app["subject_kk_hash"] = identity_blind_index(app["subject_kk"])
    if method == DeliveryMethod.POS:
        villages = s.villages.get(unit.district_id) or s.villages[None]
        app.update(
            delivery_village_id=villages[rng.randrange(len(villages))] if villages else None,
            delivery_address=f"Jl. Merdeka No. {rng.randrange(1, 300)}, Medan",
            delivery_fee_rupiah=s.pos_fee,
            delivery_payment_status=PaymentStatus.UNPAID,
        )
    life = Life(app=app)
    _live(s, wd, rng, life, service, unit, cutoff, stop)
    if (
        app["status"]
        in (
            Status.SUBMITTED,
            Status.IN_VERIFICATION,
            Status.RETURNED,
            Status.APPROVED,
            Status.IN_PROCESS,
            Status.READY,
        )
        and nik
    ):
        if (service.pk, nik) in open_niks:  # astronomically rare; keep the constraint
            app.update(subject_nik="", subject_nik_hash="", subject_has_no_nik=True)
        open_niks.add((service.pk, nik))
    return life


def _live(
    s: Setting,
    wd: WorkingDays,
    rng: random.Random,
    life: Life,
    service: DocumentService,
    unit: ServiceUnit,
    cutoff: datetime,
    stop: str | None,
) -> None:
    """Walks the workflow until the cut-off (or the ``stop`` status) and records every step."""
    app = life.app
    staff = s.officers.get(unit.pk) or [o for os in s.officers.values() for o in os]
    officer = staff[rng.randrange(len(staff))] if staff else None
    slow = stop is None and rng.random() < 0.08  # some cases wait longer: overdue lists
    gap = (lambda: rng.randrange(2, 12)) if slow else (lambda: rng.randrange(0, 2))
    requirements = s.requirements.get(service.pk, [])
    t = app["submitted_at"]
    applicant = app["applicant_id"]

    def doc(req: Requirement, round_: int, at: datetime) -> dict[str, Any]:
        stored = s.pdf if rng.random() < 0.25 else s.jpeg
        row = {
            "id": _uuid(rng),
            "requirement_id": req.pk,
            "file_id": stored.pk,
            "round": round_,
            "sha256": stored.original_sha256,
            "status": DocumentStatus.PENDING,
            "rejection_reason_id": None,
            "rejection_note": "",
            "verified_by_id": None,
            "verified_at": None,
            "superseded_by_id": None,
            "is_superseded": False,
            "created_at": at,
        }
        life.documents.append(row)
        return row

    def event(at: datetime, frm: str, to: str, actor: int | None, message: str = "") -> None:
        life.events.append(
            (ApplicationEventKind.STATUS, frm, to, message, True, app["round"], actor, at)
        )

    def move(at: datetime, to: str, actor: int | None, message: str = "") -> bool:
        """False (and nothing changed) when ``at`` is after the cut-off."""
        if at >= cutoff:
            return False
        event(at, app["status"], to, actor, message)
        app["status"] = to
        app["updated_at"] = at
        return True

    current = {r.pk: doc(r, 1, t) for r in requirements}
    event(t, "", Status.SUBMITTED, applicant)
    if stop == Status.SUBMITTED:
        return
    # Cancelled by the citizen before anyone looked at it.
    if rng.random() < 0.02:
        at = t + timedelta(hours=rng.randrange(1, 30))
        if move(at, Status.CANCELLED, applicant):
            app.update(closed_at=at, sla_stopped_at=at)
        return
    at = wd.office_time(rng, t, gap())
    if not move(at, Status.IN_VERIFICATION, officer):
        return
    app.update(assigned_officer_id=officer, claimed_at=at)
    if stop == Status.IN_VERIFICATION:
        return
    # Returned for correction (round 2), or left waiting.
    if (rng.random() < 0.10 or stop == Status.RETURNED) and current:
        at = wd.office_time(rng, at, 0)
        if not move(at, Status.RETURNED, officer, ""):
            return
        bad = current[rng.choice(list(current))]
        bad.update(
            status=DocumentStatus.INVALID,
            rejection_reason_id=s.reasons[rng.randrange(len(s.reasons))] if s.reasons else None,
            verified_by_id=officer,
            verified_at=at,
        )
        app.update(return_note=rng.choice(RETURN_NOTES), returned_at=at, sla_paused_at=at)
        if stop == Status.RETURNED:
            return
        back = at + timedelta(hours=rng.randrange(3, 24 * 10))
        if rng.random() < 0.08:  # never corrected: cancelled a while later
            back += timedelta(days=20)
            if move(back, Status.CANCELLED, applicant):
                paused = wd.between(at, back)
                app.update(
                    closed_at=back,
                    sla_stopped_at=back,
                    sla_paused_at=None,
                    sla_paused_working_days=paused,
                    sla_due_at=wd.add(app["sla_due_at"], paused),
                )
            return
        if back >= cutoff:
            return
        paused = wd.between(at, back)
        app.update(
            sla_paused_at=None,
            sla_paused_working_days=paused,
            sla_due_at=wd.add(app["sla_due_at"], paused),
        )
        app["round"] = 2
        move(back, Status.SUBMITTED, applicant)
        req_id = bad["requirement_id"]
        replacement = doc(next(r for r in requirements if r.pk == req_id), 2, back)
        bad.update(is_superseded=True, superseded_by_id=replacement["id"])
        # The replacement must be written first (it is the target of superseded_by).
        life.documents.remove(replacement)
        life.documents.insert(0, replacement)
        current[req_id] = replacement
        at = wd.office_time(rng, back, gap())
        if not move(at, Status.IN_VERIFICATION, officer):
            return
    for row in current.values():
        if row["status"] == DocumentStatus.PENDING:
            row.update(status=DocumentStatus.VALID, verified_by_id=officer, verified_at=at)
    if rng.random() < 0.04:
        at = wd.office_time(rng, at, 0)
        if move(at, Status.REJECTED, officer):
            app.update(
                rejection_reason_id=s.reasons[0] if s.reasons else None,
                rejection_note="Permohonan tidak memenuhi syarat.",
                closed_at=at,
                sla_stopped_at=at,
            )
        return
    if app["fine_rupiah"]:
        app["fine_status"] = FineStatus.PAID
    at = wd.office_time(rng, at, 0)
    if not move(at, Status.APPROVED, officer):
        return
    app["approved_at"] = at
    if app["delivery_method"] == DeliveryMethod.POS:
        app["delivery_payment_status"] = PaymentStatus.PAID
    if stop == Status.APPROVED:
        return
    at = wd.office_time(rng, at, gap())
    if not move(at, Status.IN_PROCESS, officer):
        return
    app["siak_document_number"] = f"1271-LU-{at:%d%m%Y}-{rng.randrange(10**6):06d}"
    if stop == Status.IN_PROCESS:
        return
    at = wd.office_time(rng, at, 0)
    if at >= cutoff:
        return
    app.update(
        signed_document_id=s.pdf.pk,
        verification_token=uuid.UUID(int=rng.getrandbits(128)).hex,
        issued_at=at,
    )
    method = app["delivery_method"]
    at = wd.office_time(rng, at, 0)
    if method == DeliveryMethod.POS:
        if not move(at, Status.READY, officer, ""):
            return
        app.update(tracking_number=f"RR{rng.randrange(10**9):09d}ID", dispatched_at=at, ready_at=at)
    elif not move(at, Status.READY, officer):
        return
    else:
        app["ready_at"] = at
    app["sla_stopped_at"] = at
    if method == DeliveryMethod.SELF_PRINT:
        life.self_print = {
            "token": uuid.UUID(int=rng.getrandbits(128)).hex
            + uuid.UUID(int=rng.getrandbits(64)).hex[:16],
            "pin_hash": s.pin_hash,
            "expires_at": at + timedelta(days=s.link_days),
            "failed_attempts": 0,
            "locked_until": None,
            "last_download_at": None,
            "download_count": 0,
            "created_at": at,
        }
    done = None if stop == Status.READY else at + timedelta(hours=rng.randrange(2, 24 * 6))
    if done is not None and move(done, Status.COMPLETED, officer):
        app.update(completed_at=done, closed_at=done)
        if life.self_print is not None:
            life.self_print.update(last_download_at=done, download_count=1)
    elif life.self_print is not None:
        # Still waiting to be printed: the link was renewed, so the demo PIN works today.
        life.self_print["expires_at"] = cutoff + timedelta(days=s.link_days)


# --- The generator ---------------------------------------------------------------------------


def _target(ctx: DemoContext) -> int:
    return COUNTS.get(ctx.scale, max(300, 5 * ctx.size.citizens))


def demo_civil_registration(ctx: DemoContext) -> dict[str, int]:
    prefix = f"{KEY_PREFIX}-{ctx.scale}-"
    mine = Application.objects.filter(idempotency_key__startswith=prefix)
    if not mine.exists():
        _ensure_services()
        _generate(ctx, _setting(ctx))
    return {
        "applications": mine.count(),
        "documents": ApplicationDocument.objects.filter(application__in=mine).count(),
        "events": ApplicationEvent.objects.filter(application__in=mine).count(),
    }


def _submission_times(ctx: DemoContext, rng: random.Random, count: int) -> list[datetime]:
    """Sorted times over the scale's years up to last midnight: office hours and weekdays
    mostly (online, so some evenings and weekends), growing over the years."""
    days = ctx.size.years * 365
    first = ctx.today - timedelta(days=days)
    day_weights = [
        (0.7 + 0.6 * i / days) * (0.35 if (first + timedelta(days=i)).weekday() >= 5 else 1.0)
        for i in range(days)
    ]
    hour_weights = [0.1] * 6 + [
        0.8,
        2,
        3,
        3,
        3,
        2.5,
        2,
        2.5,
        2.5,
        2,
        1.5,
        1,
        1,
        1.2,
        1.2,
        1,
        0.6,
        0.3,
    ]
    picked_days = rng.choices(range(days), cum_weights=list(accumulate(day_weights)), k=count)
    picked_hours = rng.choices(range(24), weights=hour_weights, k=count)
    times = [
        datetime.combine(
            first + timedelta(days=d), time(h, rng.randrange(60), rng.randrange(60), tzinfo=WIB)
        )
        for d, h in zip(picked_days, picked_hours, strict=True)
    ]
    times.sort()
    return times


#: At --scale small the last applications are stopped at these statuses (every one shown).
SMALL_SHOWCASE = (
    Status.SUBMITTED,
    Status.IN_VERIFICATION,
    Status.RETURNED,
    Status.APPROVED,
    Status.IN_PROCESS,
    Status.READY,
)


def _generate(ctx: DemoContext, s: Setting) -> None:
    count = _target(ctx)
    rng = ctx.rng_for("applications")
    s.cum_weights = list(accumulate(s.weights))
    s.unit_cum = list(accumulate(s.unit_weights))
    times = _submission_times(ctx, rng, count)
    cutoff = datetime.combine(ctx.today, time(0, 0, tzinfo=WIB))
    wd = WorkingDays(times[0].date() - timedelta(days=7), ctx.today + timedelta(days=400))
    taken = set(Application.objects.values_list("reference", flat=True))
    open_niks: set[tuple[int, str]] = set()  # (service, NIK) of this run's open applications
    showcase_from = count - 3 * len(SMALL_SHOWCASE) if ctx.is_small else count + 1
    chunk: list[Life] = []
    for n, submitted in enumerate(times, start=1):
        stop = None
        if n > showcase_from:
            stop = SMALL_SHOWCASE[n % len(SMALL_SHOWCASE)]
            submitted = cutoff - timedelta(days=rng.randrange(12, 20), hours=rng.randrange(24))
        chunk.append(_one(ctx, s, wd, rng, n, submitted, cutoff, taken, open_niks, stop))
        if len(chunk) >= CHUNK:
            _write(ctx, chunk)
            chunk = []
    if ctx.is_small:
        chunk.extend(_births_showcase(ctx, s, wd, rng, cutoff, taken, count))
    if chunk:
        _write(ctx, chunk)


def _births_showcase(
    ctx: DemoContext,
    s: Setting,
    wd: WorkingDays,
    rng: random.Random,
    cutoff: datetime,
    taken: set[str],
    count: int,
) -> list[Life]:
    """A possible-duplicate birth pair (undecided) and twins (decided: not a duplicate), plus
    a late birth with its fine. The duplicate fields are what ``application_submit`` sets."""
    birth = next((x for x in s.services if x.event_kind == EventKind.BIRTH), None)
    if birth is None:
        return []
    original = s.services, s.cum_weights
    s.services, s.cum_weights = [birth], [1.0]
    try:
        lives = [
            _one(
                ctx,
                s,
                wd,
                rng,
                count + i,
                cutoff - timedelta(days=12) + timedelta(hours=i),
                cutoff,
                taken,
                set(),
                stop,
            )
            for i, stop in enumerate(
                (
                    Status.COMPLETED,
                    Status.IN_VERIFICATION,
                    Status.COMPLETED,
                    Status.APPROVED,
                    Status.IN_VERIFICATION,
                ),
                start=1,
            )
        ]
    finally:
        s.services, s.cum_weights = original
    first, duplicate, twin_a, twin_b, late = (life.app for life in lives)
    mother = _nik(rng, s.nik_prefixes[0], date(1992, 4, 12), True)
    mother_hash = identity_blind_index(mother)
    born = ctx.today - timedelta(days=20)
    for app in (first, duplicate, twin_a, twin_b):
        form = json.loads(app["form_data_encrypted"])
        form["mother_nik"] = mother
        app.update(
            form_data_encrypted=json.dumps(form, ensure_ascii=False, sort_keys=True),
            mother_nik_hash=mother_hash,
            event_date=born,
            days_since_event=20,
            is_late=False,
            fine_rupiah=0,
            fine_status=FineStatus.NONE,
        )
    # The same child reported twice, two days apart (birth date within the window).
    duplicate.update(
        subject_name=first["subject_name"],
        subject_name_key=first["subject_name_key"],
        event_date=born + timedelta(days=2),
        days_since_event=18,
        possible_duplicate=True,
        possible_duplicate_of_id=first["id"],
    )
    twin_b.update(
        possible_duplicate=True,
        possible_duplicate_of_id=twin_a["id"],
        duplicate_decision=DuplicateDecision.NOT_DUPLICATE,
        duplicate_note="Anak kembar: dua kelahiran pada hari yang sama, bukan ganda.",
    )
    days = (birth.legal_deadline_days or 60) + 45
    late.update(
        event_date=ctx.today - timedelta(days=days),
        days_since_event=days,
        is_late=True,
        fine_rupiah=birth.late_fine_rupiah or 0,
        fine_status=FineStatus.UNPAID if birth.late_fine_rupiah else FineStatus.NONE,
    )
    for life in (lives[1], lives[3]):
        life.events.append(
            (
                ApplicationEventKind.NOTE,
                "",
                "",
                "Kemungkinan ganda: periksa permohonan serupa.",
                False,
                1,
                None,
                life.app["submitted_at"],
            )
        )
    return lives


# --- Writing -----------------------------------------------------------------------------------

DOCUMENT_FIELDS = (
    "id",
    "application_id",
    "requirement_id",
    "file_id",
    "round",
    "sha256",
    "status",
    "rejection_reason_id",
    "rejection_note",
    "is_evidence",
    "verified_by_id",
    "verified_at",
    "superseded_by_id",
    "is_superseded",
    "created_at",
)
EVENT_FIELDS = (
    "application_id",
    "kind",
    "from_status",
    "to_status",
    "message",
    "is_public",
    "round",
    "actor_id",
    "created_at",
)
SELF_PRINT_FIELDS = (
    "application_id",
    "token",
    "pin_hash",
    "expires_at",
    "failed_attempts",
    "locked_until",
    "last_download_at",
    "download_count",
    "created_at",
)


def _utc(value: Any) -> Any:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def _document_rows(chunk: list[Life]) -> Iterator[tuple[Any, ...]]:
    for life in chunk:
        for d in life.documents:
            values = {**d, "application_id": life.app["id"], "is_evidence": False}
            yield tuple(_utc(values[name]) for name in DOCUMENT_FIELDS)


def _event_rows(chunk: list[Life]) -> Iterator[tuple[Any, ...]]:
    for life in chunk:
        for e in life.events:
            yield (life.app["id"], *e[:-1], _utc(e[-1]))


def _self_print_rows(chunk: list[Life]) -> Iterator[tuple[Any, ...]]:
    for life in chunk:
        if life.self_print is not None:
            values = {**life.self_print, "application_id": life.app["id"]}
            yield tuple(_utc(values[name]) for name in SELF_PRINT_FIELDS)


def _write(ctx: DemoContext, chunk: list[Life]) -> None:
    now = timezone.now()
    for life in chunk:
        life.app.setdefault("updated_at", now)
        if life.app["updated_at"] is None:
            life.app["updated_at"] = now
    fields = list(Application._meta.concrete_fields)
    if connection.vendor == "postgresql":
        convert: list[Callable[[Any], Any]] = []
        for f in fields:
            if isinstance(f, JSONField):
                convert.append(json.dumps)
            elif isinstance(f, EncryptedTextField):
                convert.append(f.get_prep_value)  # encrypts a non-empty value
            else:
                convert.append(_utc)
        attnames = [f.attname for f in fields]
        pairs = list(zip(attnames, convert, strict=True))
        _copy(
            Application,
            attnames,
            (tuple(conv(life.app[a]) for a, conv in pairs) for life in chunk),
        )
        _copy(ApplicationDocument, DOCUMENT_FIELDS, _document_rows(chunk))
        _copy(ApplicationEvent, EVENT_FIELDS, _event_rows(chunk))
        _copy(SelfPrintAccess, SELF_PRINT_FIELDS, _self_print_rows(chunk))
        return
    names = {f.attname for f in fields}
    Application.objects.bulk_create(
        [Application(**{k: v for k, v in life.app.items() if k in names}) for life in chunk],
        batch_size=ctx.batch_size,
    )
    _bulk_rows(ApplicationDocument, DOCUMENT_FIELDS, _document_rows(chunk), ctx)
    _bulk_rows(ApplicationEvent, EVENT_FIELDS, _event_rows(chunk), ctx)
    _bulk_rows(SelfPrintAccess, SELF_PRINT_FIELDS, _self_print_rows(chunk), ctx)


def _bulk_rows(
    model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]], ctx: DemoContext
) -> None:
    ctx.bulk_create(model, (model(**dict(zip(names, row, strict=True))) for row in rows))


def _copy(model: type[Model], attnames: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    meta = model._meta
    column_of = {f.attname: str(f.column) for f in meta.concrete_fields}
    columns = sql.SQL(", ").join([sql.Identifier(column_of[a]) for a in attnames])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(meta.db_table), columns)
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


register_generator(GENERATOR_NAME, 120, demo_civil_registration)

__all__ = ["COUNTS", "DEMO_SELF_PRINT_PIN", "demo_civil_registration"]
