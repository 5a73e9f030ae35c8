"""SLA clock: start, pause/resume (due date shifts by working days paused), stop, state."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import pytest
from django.db.models import DateTimeField, Value

from kotapintar.core.calendar import JAKARTA
from kotapintar.core.sla import (
    SlaClockFields,
    SlaError,
    SlaState,
    due_soon_q,
    overdue_q,
    sla_pause,
    sla_resume,
    sla_start,
    sla_state,
    sla_stop,
)

pytestmark = pytest.mark.django_db  # the calendar reads CalendarDay rows


@dataclass
class Case:
    """Stands in for a module's model that includes SlaClockFields."""

    sla_target_working_days: int | None = None
    sla_started_at: datetime | None = None
    sla_due_at: datetime | None = None
    sla_paused_at: datetime | None = None
    sla_paused_working_days: int = 0
    sla_stopped_at: datetime | None = None


def clock(case: Case) -> SlaClockFields:
    return cast(SlaClockFields, case)


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=JAKARTA)  # type: ignore[misc]


def started(at: datetime, working_days: int) -> Case:
    case = Case()
    sla_start(clock(case), at=at, working_days=working_days)
    return case


def test_start_sets_due_in_working_days_over_the_idul_fitri_break() -> None:
    case = Case()
    changed = sla_start(clock(case), at=wib(2026, 3, 13, 15, 0), working_days=3)
    assert case.sla_due_at == wib(2026, 3, 25, 15, 0)
    assert case.sla_started_at == wib(2026, 3, 13, 15, 0)
    assert case.sla_target_working_days == 3
    assert set(changed) == {f.name for f in dataclasses.fields(Case)}


def test_state_before_due_counts_remaining_working_days() -> None:
    case = started(wib(2026, 7, 6, 9, 0), 5)  # due Monday 13 July 09:00
    assert sla_state(clock(case), now=wib(2026, 7, 8, 16, 0)) == SlaState(
        due_at=wib(2026, 7, 13, 9, 0),
        is_overdue=False,
        is_paused=False,
        remaining_working_days=3,
        overdue_working_days=0,
    )


def test_due_later_today_is_not_overdue_and_has_zero_days_left() -> None:
    case = started(wib(2026, 7, 6, 9, 0), 5)
    state = sla_state(clock(case), now=wib(2026, 7, 13, 8, 59))
    assert (state.is_overdue, state.remaining_working_days) == (False, 0)


def test_overdue_after_the_due_time_with_whole_working_days_late() -> None:
    case = started(wib(2026, 7, 6, 9, 0), 5)
    same_day = sla_state(clock(case), now=wib(2026, 7, 13, 9, 1))
    assert (same_day.is_overdue, same_day.overdue_working_days) == (True, 0)
    next_week = sla_state(clock(case), now=wib(2026, 7, 20, 10, 0))
    assert (next_week.is_overdue, next_week.overdue_working_days) == (True, 5)
    assert next_week.remaining_working_days == 0


def test_resume_shifts_due_by_the_working_days_paused() -> None:
    case = started(wib(2026, 7, 6, 9, 0), 5)  # due Mon 13 July 09:00
    sla_pause(clock(case), at=wib(2026, 7, 7, 14, 0))  # Tuesday
    changed = sla_resume(clock(case), at=wib(2026, 7, 9, 10, 0))  # Thursday: Wed + Thu paused
    assert case.sla_due_at == wib(2026, 7, 15, 9, 0)
    assert case.sla_paused_working_days == 2
    assert case.sla_paused_at is None
    assert set(changed) == {"sla_due_at", "sla_paused_working_days", "sla_paused_at"}


def test_pause_over_a_weekend_counts_only_working_days() -> None:
    case = started(wib(2026, 7, 6, 9, 0), 5)
    sla_pause(clock(case), at=wib(2026, 7, 10, 16, 0))  # Friday afternoon
    sla_resume(clock(case), at=wib(2026, 7, 13, 8, 0))  # Monday morning
    assert case.sla_paused_working_days == 1
    assert case.sla_due_at == wib(2026, 7, 14, 9, 0)


def test_pause_and_resume_on_the_same_day_shifts_nothing() -> None:
    case = started(wib(2026, 7, 6, 9, 0), 5)
    sla_pause(clock(case), at=wib(2026, 7, 7, 9, 0))
    sla_resume(clock(case), at=wib(2026, 7, 7, 15, 0))
    assert case.sla_due_at == wib(2026, 7, 13, 9, 0)
    assert case.sla_paused_working_days == 0


def test_paused_clock_is_frozen_and_never_becomes_overdue() -> None:
    case = started(wib(2026, 7, 6, 9, 0), 5)
    sla_pause(clock(case), at=wib(2026, 7, 8, 9, 0))  # Wednesday, 3 working days left
    state = sla_state(clock(case), now=wib(2026, 9, 1, 9, 0))
    assert state == SlaState(
        due_at=wib(2026, 7, 13, 9, 0),
        is_overdue=False,
        is_paused=True,
        remaining_working_days=3,
        overdue_working_days=0,
    )


def test_stop_freezes_the_clock_and_tells_whether_it_was_late() -> None:
    on_time = started(wib(2026, 7, 6, 9, 0), 5)
    sla_stop(clock(on_time), at=wib(2026, 7, 10, 9, 0))
    state = sla_state(clock(on_time), now=wib(2026, 12, 1, 9, 0))
    assert (state.is_stopped, state.is_overdue, state.remaining_working_days) == (True, False, 1)

    late = started(wib(2026, 7, 6, 9, 0), 5)
    sla_stop(clock(late), at=wib(2026, 7, 15, 10, 0))
    state = sla_state(clock(late), now=wib(2026, 12, 1, 9, 0))
    assert (state.is_overdue, state.overdue_working_days) == (True, 2)


def test_stop_while_paused_resumes_first() -> None:
    case = started(wib(2026, 7, 6, 9, 0), 5)
    sla_pause(clock(case), at=wib(2026, 7, 7, 9, 0))
    changed = sla_stop(clock(case), at=wib(2026, 7, 9, 9, 0))
    assert case.sla_paused_at is None
    assert case.sla_paused_working_days == 2
    assert case.sla_due_at == wib(2026, 7, 15, 9, 0)
    assert case.sla_stopped_at == wib(2026, 7, 9, 9, 0)
    assert "sla_stopped_at" in changed and "sla_due_at" in changed


def test_not_started_clock_has_an_empty_state() -> None:
    state = sla_state(clock(Case()), now=wib(2026, 7, 6, 9, 0))
    assert state == SlaState(
        due_at=None,
        is_overdue=False,
        is_paused=False,
        remaining_working_days=0,
        overdue_working_days=0,
        is_started=False,
    )


def test_restart_after_stop_starts_a_fresh_clock() -> None:
    case = started(wib(2026, 7, 6, 9, 0), 5)
    sla_pause(clock(case), at=wib(2026, 7, 7, 9, 0))
    sla_stop(clock(case), at=wib(2026, 7, 9, 9, 0))
    sla_start(clock(case), at=wib(2026, 7, 20, 9, 0), working_days=2)
    assert case == Case(
        sla_target_working_days=2,
        sla_started_at=wib(2026, 7, 20, 9, 0),
        sla_due_at=wib(2026, 7, 22, 9, 0),
    )


@pytest.mark.parametrize(
    ("prepare", "operation"),
    [
        ("running", lambda c: sla_start(c, at=wib(2026, 7, 7, 9, 0), working_days=1)),
        ("running", lambda c: sla_resume(c, at=wib(2026, 7, 7, 9, 0))),
        ("paused", lambda c: sla_pause(c, at=wib(2026, 7, 8, 9, 0))),
        ("paused", lambda c: sla_resume(c, at=wib(2026, 7, 6, 12, 0))),  # before the pause
        ("running", lambda c: sla_pause(c, at=wib(2026, 7, 1, 9, 0))),  # before the start
        ("stopped", lambda c: sla_pause(c, at=wib(2026, 7, 8, 9, 0))),
        ("stopped", lambda c: sla_stop(c, at=wib(2026, 7, 8, 9, 0))),
        ("new", lambda c: sla_pause(c, at=wib(2026, 7, 8, 9, 0))),
        ("new", lambda c: sla_stop(c, at=wib(2026, 7, 8, 9, 0))),
        ("new", lambda c: sla_start(c, at=wib(2026, 7, 8, 9, 0), working_days=-1)),
        ("new", lambda c: sla_start(c, at=datetime(2026, 7, 8, 9, 0), working_days=1)),
    ],
)
def test_invalid_clock_operations_raise_and_change_nothing(prepare: str, operation: Any) -> None:
    case = Case()
    if prepare != "new":
        sla_start(clock(case), at=wib(2026, 7, 6, 9, 0), working_days=5)
    if prepare == "paused":
        sla_pause(clock(case), at=wib(2026, 7, 7, 9, 0))
    if prepare == "stopped":
        sla_stop(clock(case), at=wib(2026, 7, 7, 9, 0))
    before = dataclasses.replace(case)
    with pytest.raises(SlaError):
        operation(clock(case))
    assert case == before


# --- Query helpers, evaluated by the database (Q.check) on SQLite and PostgreSQL -----------


def _row(**values: datetime | None) -> dict[str, Any]:
    fields = ("sla_started_at", "sla_due_at", "sla_paused_at", "sla_stopped_at")
    return {name: Value(values.get(name), output_field=DateTimeField()) for name in fields}


def test_overdue_q_matches_only_running_clocks_past_due() -> None:
    now = wib(2026, 7, 14, 9, 0)
    start, due = wib(2026, 7, 6, 9, 0), wib(2026, 7, 13, 9, 0)
    assert overdue_q(now).check(_row(sla_started_at=start, sla_due_at=due)) is True
    assert overdue_q(now).check(_row(sla_started_at=start, sla_due_at=now)) is False
    assert (
        overdue_q(now).check(_row(sla_started_at=start, sla_due_at=now + timedelta(days=1)))
        is False
    )
    paused = _row(sla_started_at=start, sla_due_at=due, sla_paused_at=wib(2026, 7, 10, 9, 0))
    assert overdue_q(now).check(paused) is False
    stopped = _row(sla_started_at=start, sla_due_at=due, sla_stopped_at=wib(2026, 7, 14, 8, 0))
    assert overdue_q(now).check(stopped) is False
    assert overdue_q(now).check(_row()) is False


def test_overdue_q_can_filter_through_a_relation() -> None:
    q = overdue_q(wib(2026, 7, 14, 9, 0), prefix="application__")
    assert sorted(key for key, _ in cast(list[tuple[str, Any]], q.children)) == [
        "application__sla_due_at__lt",
        "application__sla_paused_at__isnull",
        "application__sla_started_at__isnull",
        "application__sla_stopped_at__isnull",
    ]


def test_due_soon_q_matches_clocks_due_within_the_working_day_horizon() -> None:
    now = wib(2026, 7, 10, 9, 0)  # Friday; +1 working day = Monday 13 July 09:00
    start = wib(2026, 7, 1, 9, 0)
    q = due_soon_q(now, within_working_days=1)
    assert q.check(_row(sla_started_at=start, sla_due_at=wib(2026, 7, 13, 8, 0))) is True
    assert q.check(_row(sla_started_at=start, sla_due_at=wib(2026, 7, 14, 8, 0))) is False
    assert q.check(_row(sla_started_at=start, sla_due_at=wib(2026, 7, 10, 8, 0))) is False
