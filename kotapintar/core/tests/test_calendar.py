"""Working-day calendar: real 2026 Indonesian dates, admin-editable rows, counting rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.admin.sites import AdminSite
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from kotapintar.core.admin_calendar import CalendarDayAdmin
from kotapintar.core.calendar import (
    JAKARTA,
    add_working_days,
    calendar_day_create,
    calendar_day_delete,
    calendar_day_name,
    calendar_day_update,
    calendar_days_import_cuti_bersama,
    is_working_day,
    library_holidays,
    non_working_days,
    working_days_between,
)
from kotapintar.core.models.calendar import CalendarDay, CalendarDayKind
from kotapintar.testing.factories import CityAdminFactory

pytestmark = pytest.mark.django_db


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=JAKARTA)  # type: ignore[misc]


# --- What the library says about 2026 ---------------------------------------------------


def test_library_puts_idul_fitri_2026_on_21_and_22_march() -> None:
    # 1 Syawal 1447 H falls on Saturday 21 March 2026 (SKB 3 Menteri); the library agrees.
    # Friday 20 March is cuti bersama, not Idul Fitri itself.
    days = library_holidays(2026)
    assert days[date(2026, 3, 21)] == "Hari Raya Idul Fitri"
    assert days[date(2026, 3, 22)] == "Hari kedua dari Hari Raya Idul Fitri"
    assert days[date(2026, 3, 20)] == "Cuti Bersama Hari Raya Idul Fitri"
    assert days[date(2026, 3, 23)] == "Cuti Bersama Hari Raya Idul Fitri"
    assert days[date(2026, 3, 24)] == "Cuti Bersama Hari Raya Idul Fitri"


def test_library_2026_cuti_bersama_are_the_eight_decreed_days() -> None:
    cuti = sorted(d for d, name in library_holidays(2026).items() if name.startswith("Cuti"))
    assert cuti == [
        date(2026, 2, 16),
        date(2026, 3, 18),
        date(2026, 3, 20),
        date(2026, 3, 23),
        date(2026, 3, 24),
        date(2026, 5, 15),
        date(2026, 5, 28),
        date(2026, 12, 24),
    ]


def test_independence_day_and_christmas_2026_are_not_working_days() -> None:
    assert is_working_day(date(2026, 8, 17)) is False  # Monday, Hari Kemerdekaan
    assert is_working_day(date(2026, 12, 25)) is False  # Friday, Natal
    assert is_working_day(date(2026, 12, 24)) is False  # Thursday, cuti bersama Natal
    assert is_working_day(date(2026, 12, 23)) is True  # an ordinary Wednesday
    assert is_working_day(date(2026, 8, 18)) is True


def test_weekends_are_not_working_days() -> None:
    assert is_working_day(date(2026, 7, 11)) is False  # Saturday
    assert is_working_day(date(2026, 7, 12)) is False  # Sunday
    assert is_working_day(date(2026, 7, 13)) is True  # Monday


def test_library_cuti_bersama_can_be_switched_off() -> None:
    with override_settings(KOTAPINTAR_CALENDAR_LIBRARY_CUTI_BERSAMA=False):
        assert is_working_day(date(2026, 3, 20)) is True
        assert is_working_day(date(2026, 3, 21)) is False  # Idul Fitri itself stays
    assert is_working_day(date(2026, 3, 20)) is False


def test_is_working_day_uses_the_jakarta_date_of_a_datetime() -> None:
    # Friday 10 July 2026 20:00 UTC is already Saturday 03:00 in Jakarta.
    assert is_working_day(datetime(2026, 7, 10, 20, 0, tzinfo=UTC)) is False
    assert is_working_day(datetime(2026, 7, 10, 16, 59, tzinfo=UTC)) is True


# --- Admin-editable rows ------------------------------------------------------------------


def test_cuti_bersama_row_makes_that_day_non_working() -> None:
    day = date(2026, 7, 15)  # an ordinary Wednesday
    assert is_working_day(day) is True
    calendar_day_create(day=day, kind=CalendarDayKind.CUTI_BERSAMA, name="Cuti bersama uji")
    assert is_working_day(day) is False
    assert calendar_day_name(day) == "Cuti bersama uji"


def test_extra_local_holiday_row_makes_that_day_non_working() -> None:
    day = date(2026, 7, 1)
    calendar_day_create(day=day, kind=CalendarDayKind.EXTRA_HOLIDAY, name="Libur daerah")
    assert is_working_day(day) is False


def test_working_override_beats_a_library_holiday_and_a_weekend() -> None:
    calendar_day_create(
        day=date(2026, 8, 25), kind=CalendarDayKind.WORKING_OVERRIDE, name="Tetap masuk"
    )
    calendar_day_create(
        day=date(2026, 8, 29), kind=CalendarDayKind.WORKING_OVERRIDE, name="Hari kerja pengganti"
    )
    assert is_working_day(date(2026, 8, 25)) is True  # Maulid Nabi in the library
    assert is_working_day(date(2026, 8, 29)) is True  # a Saturday


def test_updating_and_deleting_a_row_takes_effect_immediately() -> None:
    row = calendar_day_create(
        day=date(2026, 7, 15), kind=CalendarDayKind.EXTRA_HOLIDAY, name="Libur"
    )
    calendar_day_update(calendar_day=row, day=date(2026, 7, 16))
    assert is_working_day(date(2026, 7, 15)) is True
    assert is_working_day(date(2026, 7, 16)) is False
    calendar_day_update(calendar_day=row, kind=CalendarDayKind.WORKING_OVERRIDE)
    assert is_working_day(date(2026, 7, 16)) is True
    calendar_day_delete(calendar_day=row)
    assert CalendarDay.objects.count() == 0
    assert is_working_day(date(2026, 7, 16)) is True


def test_second_row_on_the_same_date_is_rejected_and_changes_nothing() -> None:
    calendar_day_create(day=date(2026, 7, 15), kind=CalendarDayKind.EXTRA_HOLIDAY, name="A")
    with pytest.raises(ValidationError) as excinfo:
        calendar_day_create(day=date(2026, 7, 15), kind=CalendarDayKind.WORKING_OVERRIDE, name="B")
    assert "date" in excinfo.value.message_dict
    assert list(CalendarDay.objects.values_list("name", flat=True)) == ["A"]
    assert is_working_day(date(2026, 7, 15)) is False


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValidationError):
        calendar_day_create(day=date(2026, 7, 15), kind="holiday", name="X")
    assert CalendarDay.objects.count() == 0


def test_import_copies_library_cuti_bersama_once() -> None:
    assert calendar_days_import_cuti_bersama(year=2026) == 8
    assert calendar_days_import_cuti_bersama(year=2026) == 0
    row = CalendarDay.objects.get(date=date(2026, 3, 20))
    assert (row.kind, row.name) == (
        CalendarDayKind.CUTI_BERSAMA,
        "Cuti Bersama Hari Raya Idul Fitri",
    )


# --- Caching --------------------------------------------------------------------------------


def test_year_is_computed_once_then_served_from_the_cache(
    django_assert_num_queries: Callable[..., Any],
) -> None:
    with django_assert_num_queries(1):
        non_working_days(2026)
    with django_assert_num_queries(0):
        assert add_working_days(date(2026, 3, 17), 1) == date(2026, 3, 25)
        assert is_working_day(date(2026, 8, 17)) is False


def test_admin_save_and_delete_invalidate_the_cached_calendar(admin_user: object) -> None:
    day = date(2026, 7, 15)
    assert is_working_day(day) is True  # now cached as working
    model_admin = CalendarDayAdmin(CalendarDay, AdminSite())
    request = RequestFactory().post("/admin/")
    request.user = admin_user  # type: ignore[assignment]

    row = CalendarDay(date=day, kind=CalendarDayKind.CUTI_BERSAMA, name="Cuti")
    model_admin.save_model(request, row, form=None, change=False)
    assert is_working_day(day) is False

    row.kind = CalendarDayKind.WORKING_OVERRIDE
    model_admin.save_model(request, row, form=None, change=True)
    assert is_working_day(day) is True

    row.kind = CalendarDayKind.EXTRA_HOLIDAY
    model_admin.save_model(request, row, form=None, change=True)
    assert is_working_day(day) is False
    model_admin.delete_model(request, row)
    assert is_working_day(day) is True

    calendar_day_create(day=day, kind=CalendarDayKind.CUTI_BERSAMA, name="Cuti")
    assert is_working_day(day) is False
    model_admin.delete_queryset(request, CalendarDay.objects.all())
    assert is_working_day(day) is True


def test_adding_a_cuti_bersama_day_in_the_admin_takes_effect_immediately(
    settings: Any,
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    day = date(2026, 7, 15)
    assert is_working_day(day) is True
    client = Client()
    client.force_login(CityAdminFactory())
    response = client.post(
        reverse("admin:core_calendarday_add"),
        {"date": "2026-07-15", "kind": "cuti_bersama", "name": "Cuti bersama tambahan"},
    )
    assert response.status_code == 302
    assert is_working_day(day) is False


# --- Counting -------------------------------------------------------------------------------


def test_friday_plus_one_working_day_is_monday_at_the_same_time() -> None:
    assert add_working_days(wib(2026, 7, 10, 10, 30), 1) == wib(2026, 7, 13, 10, 30)
    assert add_working_days(date(2026, 7, 10), 1) == date(2026, 7, 13)


def test_plus_zero_is_the_start_itself() -> None:
    start = wib(2026, 7, 11, 9, 0)  # even on a Saturday
    assert add_working_days(start, 0) == start


def test_saturday_plus_one_working_day_is_monday() -> None:
    assert add_working_days(wib(2026, 7, 11, 9, 0), 1) == wib(2026, 7, 13, 9, 0)


def test_idul_fitri_long_break_is_skipped() -> None:
    # Nyepi (18-19 March), Idul Fitri (20-24 March incl. weekend and cuti bersama).
    assert add_working_days(wib(2026, 3, 17, 10, 0), 1) == wib(2026, 3, 25, 10, 0)
    # A report filed on the Friday before: verification due in 3 working days.
    assert add_working_days(wib(2026, 3, 13, 15, 0), 3) == wib(2026, 3, 25, 15, 0)


def test_independence_day_long_weekend_is_skipped() -> None:
    assert add_working_days(wib(2026, 8, 14, 8, 0), 1) == wib(2026, 8, 18, 8, 0)


def test_christmas_and_new_year_across_the_year_boundary() -> None:
    # 24 Dec cuti bersama, 25 Dec Natal, weekend, then 28-31 Dec; 1 Jan 2027 Friday holiday.
    assert add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 28)
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_negative_n_counts_backwards() -> None:
    assert add_working_days(date(2026, 7, 13), -1) == date(2026, 7, 10)
    assert add_working_days(date(2026, 3, 25), -1) == date(2026, 3, 17)


def test_result_is_jakarta_local_time_whatever_the_input_zone() -> None:
    # Friday 10 July 2026 20:00 UTC = Saturday 03:00 WIB: +1 is Monday 03:00 WIB.
    result = add_working_days(datetime(2026, 7, 10, 20, 0, tzinfo=UTC), 1)
    assert result == wib(2026, 7, 13, 3, 0)
    assert result.utcoffset() == timedelta(hours=7)


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_days(datetime(2026, 7, 10, 10, 0), 1)


def test_working_days_between_counts_after_start_up_to_end() -> None:
    assert working_days_between(date(2026, 7, 10), date(2026, 7, 13)) == 1
    assert working_days_between(date(2026, 7, 13), date(2026, 7, 13)) == 0
    assert working_days_between(date(2026, 3, 13), date(2026, 3, 25)) == 3
    assert working_days_between(date(2026, 7, 13), date(2026, 7, 10)) == -1
    assert working_days_between(date(2026, 3, 21), date(2026, 3, 13)) == -3
    assert working_days_between(wib(2026, 7, 13, 23, 0), wib(2026, 7, 14, 1, 0)) == 1


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 14, 60, -1, -3])
def test_working_days_between_is_the_inverse_of_add_working_days(n: int) -> None:
    for start in (date(2026, 3, 13), date(2026, 3, 21), date(2026, 12, 20), date(2026, 8, 14)):
        assert working_days_between(start, add_working_days(start, n)) == n


def test_a_full_2026_has_the_expected_number_of_working_days() -> None:
    # 261 weekdays, minus national holidays (13) and cuti bersama (8) that fall on weekdays.
    weekday_holidays = [d for d in library_holidays(2026) if d.weekday() < 5]
    assert len(weekday_holidays) == 21
    assert working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 261 - 21
