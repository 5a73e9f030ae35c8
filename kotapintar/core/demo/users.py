"""Built-in generator: the demo logins and, at large scales, citizens and officers."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from kotapintar.accounts.models import User
from kotapintar.accounts.roles import Role
from kotapintar.agencies.models import Agency, AgencyKind, ServiceUnit, UnitKind
from kotapintar.agencies.selectors import civil_registry_agency
from kotapintar.agencies.services import CIVIL_REGISTRY_AGENCY_CODE
from kotapintar.core.demo.names import person_name
from kotapintar.core.demo.registry import (
    DEMO_EMAIL_DOMAIN,
    DemoContext,
    DemoDataError,
    register_generator,
)
from kotapintar.core.personal_data import identity_blind_index
from kotapintar.regions.models import District

CITIZEN_PREFIX = "warga"
OFFICER_PREFIX = "petugas"


@dataclass(frozen=True)
class DemoLogin:
    local_part: str
    full_name: str
    role: Role
    in_civil_registry: bool = False  # works at Disdukcapil
    at_head_office: bool = False  # ... at its head office unit
    nik: str = ""
    phone: str = ""


#: The fixed accounts, all with the password ``DEMO_PASSWORD``; the first three are printed
#: by ``make run`` and used by the browser journeys.
DEMO_LOGINS = (
    DemoLogin(
        "warga",
        "Siti Rahmawati Nasution",
        Role.CITIZEN,
        nik="1271015708900002",  # Medan Kota, woman born 17-08-1990
        phone="+6281234567890",
    ),
    DemoLogin("petugas", "Budi Santoso", Role.OFFICER, in_civil_registry=True, at_head_office=True),
    DemoLogin("admin", "Admin Kota Pintar", Role.CITY_ADMIN),
    DemoLogin(
        "koordinator", "Rina Siregar", Role.COORDINATOR, in_civil_registry=True, at_head_office=True
    ),
    DemoLogin("kepala", "Hendra Lubis", Role.AGENCY_HEAD, in_civil_registry=True),
    DemoLogin("analis", "Dewi Lestari", Role.ANALYST),
)


def demo_users(ctx: DemoContext) -> dict[str, int]:
    registry = civil_registry_agency()
    if registry is None:
        raise DemoDataError(
            f"No agency with code {CIVIL_REGISTRY_AGENCY_CODE!r} (Disdukcapil): the demo officer "
            "works there. Run `python manage.py load_reference_data` for a region whose OPD "
            "file lists it (Kota Medan, 12.71)."
        )
    head_office = registry.units.filter(kind=UnitKind.HEAD_OFFICE).order_by("code").first()
    password = ctx.password_hash()
    now = timezone.now()
    for login in DEMO_LOGINS:
        User.objects.get_or_create(
            email=ctx.demo_email(login.local_part),
            defaults={
                "full_name": login.full_name,
                "role": login.role,
                "agency": registry if login.in_civil_registry else None,
                "unit": head_office if login.at_head_office else None,
                "nik": login.nik,
                "nik_hash": identity_blind_index(login.nik) if login.nik else "",
                "phone": login.phone,
                "password": password,
                "email_verified_at": now,
                "is_staff": login.role == Role.CITY_ADMIN,
                "is_superuser": login.role == Role.CITY_ADMIN,
            },
        )

    # Bulk accounts: regenerated in full only when some are missing (a first or interrupted
    # run); rows that exist are kept as they are (ignore_conflicts on the unique e-mail).
    size = ctx.size
    if _bulk(CITIZEN_PREFIX).count() < size.citizens:
        taken = {login.nik for login in DEMO_LOGINS if login.nik}
        ctx.bulk_create(User, _citizens(ctx, taken), ignore_conflicts=True)
    if _bulk(OFFICER_PREFIX).count() < size.officers:
        ctx.bulk_create(User, _officers(ctx), ignore_conflicts=True)

    return {
        "demo_logins": User.objects.filter(
            email__in=[ctx.demo_email(login.local_part) for login in DEMO_LOGINS]
        ).count(),
        "citizens": _bulk(CITIZEN_PREFIX).count(),
        "officers": _bulk(OFFICER_PREFIX).count(),
    }


def _bulk(prefix: str) -> QuerySet[User]:
    # Bulk accounts are <prefix><digits>@demo...; the fixed ones are <prefix>@demo... .
    return User.objects.filter(
        email__startswith=prefix, email__endswith=f"@{DEMO_EMAIL_DOMAIN}"
    ).exclude(email__startswith=f"{prefix}@")


def _citizens(ctx: DemoContext, taken_niks: set[str]) -> Iterator[User]:
    rng = ctx.rng_for("citizens")
    password = ctx.password_hash()
    prefixes = _nik_prefixes()
    days = ctx.size.years * 365
    for n in range(1, ctx.size.citizens + 1):
        female = rng.random() < 0.51
        joined = _moment(ctx, rng, days_ago=rng.randrange(days))
        nik = _nik(rng, rng.choice(prefixes), female, taken_niks) if rng.random() < 0.4 else ""
        phone = f"+628{rng.randrange(10**9, 10**10)}" if rng.random() < 0.5 else ""
        yield User(
            email=ctx.demo_email(f"{CITIZEN_PREFIX}{n:05d}"),
            full_name=person_name(rng, female=female),
            role=Role.CITIZEN,
            nik=nik,
            nik_hash=identity_blind_index(nik) if nik else "",
            phone=phone,
            password=password,
            date_joined=joined,
            email_verified_at=joined,
        )


def _officers(ctx: DemoContext) -> Iterator[User]:
    rng = ctx.rng_for("officers")
    password = ctx.password_hash()
    agencies = list(Agency.objects.filter(is_active=True).order_by("code"))
    units: dict[int, list[ServiceUnit]] = {a.pk: [] for a in agencies}
    for unit in ServiceUnit.objects.filter(is_active=True).order_by("agency_id", "code"):
        units.setdefault(unit.agency_id, []).append(unit)
    # Busy offices get more staff: Disdukcapil most, kecamatan offices more than others.
    weights = [
        8 if a.code == CIVIL_REGISTRY_AGENCY_CODE else 2 if a.kind == AgencyKind.KECAMATAN else 1
        for a in agencies
    ]
    staffed: dict[int, int] = {}
    joined = _moment(ctx, rng, days_ago=ctx.size.years * 365)
    for n in range(1, ctx.size.officers + 1):
        # Every agency first gets one person (its head), then staff by weight.
        agency = agencies[n - 1] if n <= len(agencies) else rng.choices(agencies, weights)[0]
        rank = staffed[agency.pk] = staffed.get(agency.pk, 0) + 1
        role = Role.AGENCY_HEAD if rank == 1 else Role.COORDINATOR if rank == 2 else Role.OFFICER
        options = units[agency.pk]
        yield User(
            email=ctx.demo_email(f"{OFFICER_PREFIX}{n:04d}"),
            full_name=person_name(rng),
            role=role,
            agency=agency,
            unit=rng.choice(options) if options and role != Role.AGENCY_HEAD else None,
            password=password,
            date_joined=joined,
            email_verified_at=joined,
        )


def _nik_prefixes() -> list[str]:
    codes = District.objects.filter(regency_id=settings.KOTAPINTAR_REGION_CODE).order_by("code")
    prefixes = [district.nik_prefix for district in codes]
    return prefixes or [settings.KOTAPINTAR_REGION_CODE.replace(".", "") + "01"]


def _nik(rng: random.Random, prefix: str, female: bool, taken: set[str]) -> str:
    """Kecamatan code, birth date DDMMYY (day + 40 for women), 4-digit serial; unique."""
    while True:
        born = date(1945, 1, 1) + timedelta(days=rng.randrange(365 * 62))
        day = born.day + (40 if female else 0)
        nik = f"{prefix}{day:02d}{born.month:02d}{born.year % 100:02d}{rng.randrange(1, 10000):04d}"
        if nik not in taken:
            taken.add(nik)
            return nik


def _moment(ctx: DemoContext, rng: random.Random, *, days_ago: int) -> datetime:
    day = ctx.today - timedelta(days=days_ago)
    at = time(hour=rng.randrange(7, 22), minute=rng.randrange(60))
    return timezone.make_aware(datetime.combine(day, at))


register_generator("users", 10, demo_users)
