"""SLA clock in working days, persisted on the case row itself.

A module's case model includes :class:`SlaClockFields`; its services call the functions below
(they change the fields in memory and return the names of the changed fields, for
``save(update_fields=...)``) inside the same transaction as the status change.

Rules (all dates are Asia/Jakarta local dates, working days as in ``kotapintar.core.calendar``):

* **Start** at ``at`` with a target of ``working_days``: due = ``add_working_days(at, n)``,
  i.e. the n-th working day after the start day, at the start's local time.
* **Pause** (the case waits on the citizen) freezes the clock at ``at``.
* **Resume** at ``at`` moves the due date forward by ``working_days_between(paused_at, at)``
  working days: the number of working days after the pause's local date up to and including the
  resume's local date. A pause and resume on the same day moves nothing; paused on Monday and
  resumed on Wednesday moves the due date by 2 working days, keeping its time of day.
* **Stop** (the case is finished) freezes the clock for good; stopping a paused clock first
  resumes it at the same instant.
* **State** is evaluated at ``now``, or at the freeze point while paused or stopped, so a clock
  paused before its due time is never overdue and a stopped clock tells whether the case was
  finished late. ``remaining_working_days`` and ``overdue_working_days`` use
  ``working_days_between``: a case due later today has 0 remaining and is not overdue; a case
  overdue since this morning is overdue by 0 whole working days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from kotapintar.core.calendar import add_working_days, working_days_between


class SlaError(ValueError):
    """An SLA clock operation that does not fit the clock's current state."""


class SlaClockFields(models.Model):
    """Abstract fields of a persistent SLA clock; include in a module's case model."""

    sla_target_working_days = models.PositiveSmallIntegerField(
        _("SLA target (working days)"), null=True, blank=True
    )
    sla_started_at = models.DateTimeField(_("SLA started at"), null=True, blank=True)
    sla_due_at = models.DateTimeField(_("due at"), null=True, blank=True, db_index=True)
    sla_paused_at = models.DateTimeField(_("SLA paused at"), null=True, blank=True)
    sla_paused_working_days = models.PositiveIntegerField(_("working days paused"), default=0)
    sla_stopped_at = models.DateTimeField(_("SLA stopped at"), null=True, blank=True)

    class Meta:
        abstract = True


@dataclass(frozen=True, slots=True)
class SlaState:
    due_at: datetime | None
    is_overdue: bool
    is_paused: bool
    remaining_working_days: int
    overdue_working_days: int
    is_started: bool = True
    is_stopped: bool = False
    paused_working_days: int = 0


def sla_start(obj: SlaClockFields, *, at: datetime, working_days: int) -> list[str]:
    """Start (or restart a stopped) clock at ``at`` with a target of ``working_days``."""
    _require_aware(at)
    if working_days < 0:
        raise SlaError("The SLA target cannot be negative.")
    if obj.sla_started_at is not None and obj.sla_stopped_at is None:
        raise SlaError("The SLA clock is already running.")
    obj.sla_target_working_days = working_days
    obj.sla_started_at = at
    obj.sla_due_at = add_working_days(at, working_days)
    obj.sla_paused_at = None
    obj.sla_paused_working_days = 0
    obj.sla_stopped_at = None
    return [
        "sla_target_working_days",
        "sla_started_at",
        "sla_due_at",
        "sla_paused_at",
        "sla_paused_working_days",
        "sla_stopped_at",
    ]


def sla_pause(obj: SlaClockFields, *, at: datetime) -> list[str]:
    """Freeze a running clock while the case waits on the citizen."""
    _require_aware(at)
    _require_running(obj)
    if obj.sla_paused_at is not None:
        raise SlaError("The SLA clock is already paused.")
    if obj.sla_started_at is not None and at < obj.sla_started_at:
        raise SlaError("The SLA clock cannot be paused before it started.")
    obj.sla_paused_at = at
    return ["sla_paused_at"]


def sla_resume(obj: SlaClockFields, *, at: datetime) -> list[str]:
    """Restart a paused clock; the due date moves by the working days paused."""
    _require_aware(at)
    _require_running(obj)
    paused_at = obj.sla_paused_at
    if paused_at is None:
        raise SlaError("The SLA clock is not paused.")
    if at < paused_at:
        raise SlaError("The SLA clock cannot resume before it was paused.")
    paused_days = working_days_between(paused_at, at)
    if obj.sla_due_at is not None:
        obj.sla_due_at = add_working_days(obj.sla_due_at, paused_days)
    obj.sla_paused_working_days += paused_days
    obj.sla_paused_at = None
    return ["sla_due_at", "sla_paused_working_days", "sla_paused_at"]


def sla_stop(obj: SlaClockFields, *, at: datetime) -> list[str]:
    """Stop the clock for good (the case is finished)."""
    _require_aware(at)
    _require_running(obj)
    changed: list[str] = []
    if obj.sla_paused_at is not None:
        changed = sla_resume(obj, at=at)
    obj.sla_stopped_at = at
    return [*changed, "sla_stopped_at"]


def sla_state(obj: SlaClockFields, *, now: datetime) -> SlaState:
    """The clock as seen at ``now`` (or at its freeze point when paused or stopped)."""
    _require_aware(now)
    due = obj.sla_due_at
    if obj.sla_started_at is None or due is None:
        return SlaState(
            due_at=None,
            is_overdue=False,
            is_paused=False,
            remaining_working_days=0,
            overdue_working_days=0,
            is_started=False,
        )
    reference = obj.sla_stopped_at or obj.sla_paused_at or now
    is_overdue = reference > due
    return SlaState(
        due_at=due,
        is_overdue=is_overdue,
        is_paused=obj.sla_paused_at is not None and obj.sla_stopped_at is None,
        remaining_working_days=0 if is_overdue else working_days_between(reference, due),
        overdue_working_days=working_days_between(due, reference) if is_overdue else 0,
        is_stopped=obj.sla_stopped_at is not None,
        paused_working_days=obj.sla_paused_working_days,
    )


def overdue_q(now: datetime, *, prefix: str = "") -> models.Q:
    """Rows whose running (started, unpaused, unstopped) clock is past due at ``now``.

    ``prefix`` filters through a relation, e.g. ``overdue_q(now, prefix="application__")``.
    """
    return models.Q(
        **{
            f"{prefix}sla_started_at__isnull": False,
            f"{prefix}sla_due_at__lt": now,
            f"{prefix}sla_paused_at__isnull": True,
            f"{prefix}sla_stopped_at__isnull": True,
        }
    )


def due_soon_q(now: datetime, *, within_working_days: int, prefix: str = "") -> models.Q:
    """Running clocks not yet overdue that fall due within ``within_working_days`` (reminders)."""
    horizon = add_working_days(now, within_working_days)
    return models.Q(
        **{
            f"{prefix}sla_started_at__isnull": False,
            f"{prefix}sla_due_at__gte": now,
            f"{prefix}sla_due_at__lte": horizon,
            f"{prefix}sla_paused_at__isnull": True,
            f"{prefix}sla_stopped_at__isnull": True,
        }
    )


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise SlaError("SLA times must be timezone-aware.")


def _require_running(obj: SlaClockFields) -> None:
    if obj.sla_started_at is None:
        raise SlaError("The SLA clock has not started.")
    if obj.sla_stopped_at is not None:
        raise SlaError("The SLA clock has stopped.")
