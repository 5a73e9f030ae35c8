"""Working-day calendar (hari kerja) in Asia/Jakarta local dates.

A date is a working day unless it is non-working, where non-working means:

1. a Saturday or Sunday, or
2. an Indonesian national public holiday according to the maintained ``holidays`` library
   (``holidays.country_holidays("ID")``), plus the government's collective leave (cuti bersama,
   the library's ``government`` category) unless the setting
   ``KOTAPINTAR_CALENDAR_LIBRARY_CUTI_BERSAMA`` is ``False``, or
3. a :class:`~kotapintar.core.models.calendar.CalendarDay` row of kind ``cuti_bersama`` or
   ``extra_holiday``;

and a ``working_override`` row makes its date a working day whatever 1-3 say.

Counting rule (:func:`add_working_days`): starting on local day D at local time T, "+n working
days" is the n-th working day after D, at the same local time T; "+0" is the start itself. The
start day does not count, whether or not it is a working day, so Friday 10:00 + 1 = Monday
10:00 and Saturday 10:00 + 1 = Monday 10:00. :func:`working_days_between` is its inverse:
``working_days_between(d, add_working_days(d, n)) == n``.

The non-working dates of a year are cached (Django cache, shared by all processes when the
cache is Redis) under a version token; every change to ``CalendarDay`` replaces the token.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import overload
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from kotapintar.core.models.calendar import CalendarDay, CalendarDayKind

JAKARTA = ZoneInfo("Asia/Jakarta")

_VERSION_KEY = "core:calendar:version"
# Bounds the staleness of a per-process cache (locmem) that missed an invalidation.
_YEAR_TTL_SECONDS = 60 * 60
_NON_WORKING_KINDS = (CalendarDayKind.CUTI_BERSAMA, CalendarDayKind.EXTRA_HOLIDAY)


# --- Reading the calendar -----------------------------------------------------------------


def local_date(value: date | datetime) -> date:
    """The Asia/Jakarta calendar date of ``value`` (a date is returned unchanged)."""
    if isinstance(value, datetime):
        return _to_local(value).date()
    return value


def library_holidays(year: int) -> dict[date, str]:
    """National holidays (and cuti bersama, if enabled) from the ``holidays`` library.

    Names are the library's official Indonesian names, e.g. "Hari Raya Idul Fitri".
    """
    return dict(_library_holidays(year, _library_includes_cuti_bersama()))


def non_working_days(year: int) -> frozenset[date]:
    """Every non-working date of ``year``, weekends included (cached)."""
    key = f"core:calendar:{_version()}:{int(_library_includes_cuti_bersama())}:{year}"
    days: frozenset[date] | None = cache.get(key)
    if days is None:
        days = _compute_non_working_days(year)
        cache.set(key, days, _YEAR_TTL_SECONDS)
    return days


def is_working_day(d: date | datetime) -> bool:
    """Whether the local date of ``d`` is a working day."""
    day = local_date(d)
    return day not in non_working_days(day.year)


@overload
def add_working_days(start: datetime, n: int) -> datetime: ...
@overload
def add_working_days(start: date, n: int) -> date: ...
def add_working_days(start: date | datetime, n: int) -> date | datetime:
    """``start`` moved by ``n`` working days (negative ``n`` moves back); see module docstring.

    A datetime must be timezone-aware; the result is an aware datetime in Asia/Jakarta with the
    same local time of day. A date gives a date.
    """
    if n == 0:
        return start
    is_datetime = isinstance(start, datetime)
    local = _to_local(start) if isinstance(start, datetime) else None
    day = local.date() if local is not None else start
    step = 1 if n > 0 else -1
    remaining = abs(n)
    lookup = _YearLookup()
    while remaining:
        day += timedelta(days=step)
        if lookup.is_working(day):
            remaining -= 1
    if is_datetime and local is not None:
        return datetime.combine(day, local.timetz())
    return day


def working_days_between(a: date | datetime, b: date | datetime) -> int:
    """Working days from ``a``'s local date to ``b``'s, the inverse of :func:`add_working_days`.

    Forwards it counts the working days after ``a`` up to and including ``b``; backwards (``b``
    before ``a``) it is minus the working days from ``b`` included up to ``a`` excluded. 0 on
    the same local date.
    """
    start, end = local_date(a), local_date(b)
    lookup = _YearLookup()
    if end < start:
        return -sum(1 for day in _days(end, start - timedelta(days=1)) if lookup.is_working(day))
    return sum(1 for day in _days(start + timedelta(days=1), end) if lookup.is_working(day))


def calendar_day_name(d: date) -> str:
    """Why ``d`` is a holiday (or a working override), for display; "" for ordinary days."""
    row = CalendarDay.objects.filter(date=d).only("name").first()
    if row is not None:
        return row.name
    return library_holidays(d.year).get(d, "")


# --- Writing the calendar ------------------------------------------------------------------


@transaction.atomic
def calendar_day_create(*, day: date, kind: str, name: str) -> CalendarDay:
    calendar_day = CalendarDay(date=day, kind=kind, name=name.strip())
    calendar_day.full_clean()
    calendar_day.save()
    calendar_invalidate()
    return calendar_day


@transaction.atomic
def calendar_day_update(
    *,
    calendar_day: CalendarDay,
    day: date | None = None,
    kind: str | None = None,
    name: str | None = None,
) -> CalendarDay:
    if day is not None:
        calendar_day.date = day
    if kind is not None:
        calendar_day.kind = kind
    if name is not None:
        calendar_day.name = name.strip()
    calendar_day.full_clean()
    calendar_day.save()
    calendar_invalidate()
    return calendar_day


@transaction.atomic
def calendar_day_delete(*, calendar_day: CalendarDay) -> None:
    calendar_day.delete()
    calendar_invalidate()


@transaction.atomic
def calendar_days_import_cuti_bersama(*, year: int) -> int:
    """Copy the library's cuti bersama of ``year`` into editable rows; returns rows created.

    For deployments that switch the library's cuti bersama off but want a starting point to
    edit. Existing rows (any kind) on those dates are left alone.
    """
    joint = holidays.country_holidays("ID", years=year, categories=("government",), language="id")
    existing = set(CalendarDay.objects.filter(date__year=year).values_list("date", flat=True))
    rows = [
        CalendarDay(date=d, kind=CalendarDayKind.CUTI_BERSAMA, name=str(name)[:150])
        for d, name in sorted(joint.items())
        if d not in existing
    ]
    CalendarDay.objects.bulk_create(rows)
    calendar_invalidate()
    return len(rows)


def calendar_invalidate() -> None:
    """Forget every cached year: now, and again when the surrounding transaction commits.

    The first bump makes reads later in the same transaction see the change; the second one
    drops anything cached from those uncommitted reads before other processes can rely on it.
    """
    _bump_version()
    transaction.on_commit(_bump_version)


# --- Internals ------------------------------------------------------------------------------


def _library_includes_cuti_bersama() -> bool:
    return bool(getattr(settings, "KOTAPINTAR_CALENDAR_LIBRARY_CUTI_BERSAMA", True))


@lru_cache(maxsize=128)
def _library_holidays(year: int, include_cuti_bersama: bool) -> tuple[tuple[date, str], ...]:
    # The library's data only changes with a new release, so a process-wide memo is safe.
    categories: tuple[str, ...] = ("public", "government") if include_cuti_bersama else ("public",)
    found = holidays.country_holidays("ID", years=year, categories=categories, language="id")
    return tuple(sorted((d, str(name)) for d, name in found.items()))


def _compute_non_working_days(year: int) -> frozenset[date]:
    days = {d for d in _days(date(year, 1, 1), date(year, 12, 31)) if d.weekday() >= 5}
    days.update(library_holidays(year))
    rows = list(CalendarDay.objects.filter(date__year=year).values_list("date", "kind"))
    for day, kind in rows:
        if kind in _NON_WORKING_KINDS:
            days.add(day)
    for day, kind in rows:
        if kind == CalendarDayKind.WORKING_OVERRIDE:
            days.discard(day)
    return frozenset(days)


def _version() -> str:
    version: str | None = cache.get(_VERSION_KEY)
    if version is None:
        # A fresh token (not 0) so that an evicted version key can never revive old entries.
        cache.add(_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(_VERSION_KEY) or "0"
    return version


def _bump_version() -> None:
    cache.set(_VERSION_KEY, uuid.uuid4().hex, None)


def _to_local(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("A timezone-aware datetime is required.")
    return value.astimezone(JAKARTA)


def _days(first: date, last: date) -> Iterator[date]:
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


class _YearLookup:
    """Holds each year's non-working set for one computation (one cache read per year)."""

    def __init__(self) -> None:
        self._years: dict[int, frozenset[date]] = {}

    def is_working(self, day: date) -> bool:
        days = self._years.get(day.year)
        if days is None:
            days = self._years[day.year] = non_working_days(day.year)
        return day not in days
