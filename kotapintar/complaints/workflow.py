"""The complaint workflow as data: which status may follow which, and who may move it.

Every transition is one service in ``complaints.services`` that checks this table, locks the row,
changes it, and writes a timeline event and an audit entry in the same transaction.
"""

from __future__ import annotations

from kotapintar.accounts.roles import Role
from kotapintar.complaints.models import Status

#: (from status, action) -> to status
TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.RECEIVED, "verify"): Status.VERIFIED,
    (Status.RECEIVED, "reject"): Status.REJECTED,
    (Status.RECEIVED, "dispose"): Status.DISPOSED,  # verify and dispose in one step
    (Status.VERIFIED, "dispose"): Status.DISPOSED,
    (Status.VERIFIED, "reject"): Status.REJECTED,
    (Status.DISPOSED, "transfer"): Status.DISPOSED,
    (Status.DISPOSED, "return_not_authority"): Status.VERIFIED,  # back to the coordinator
    (Status.DISPOSED, "start"): Status.IN_PROGRESS,
    (Status.IN_PROGRESS, "transfer"): Status.DISPOSED,
    (Status.IN_PROGRESS, "resolve"): Status.RESOLVED,
    (Status.RESOLVED, "reject_resolution"): Status.IN_PROGRESS,  # coordinator: not good enough
    (Status.RESOLVED, "reopen"): Status.IN_PROGRESS,  # citizen: not fixed, within the window
    (Status.RESOLVED, "close"): Status.CLOSED,
    (Status.REJECTED, "reopen_rejected"): Status.RECEIVED,  # coordinator corrects a rejection
}

#: Base roles allowed to take each action (module scoping still applies: own agency only).
ACTION_ROLES: dict[str, frozenset[str]] = {
    "verify": frozenset({Role.COORDINATOR, Role.CITY_ADMIN}),
    "reject": frozenset({Role.COORDINATOR, Role.CITY_ADMIN}),
    "dispose": frozenset({Role.COORDINATOR, Role.CITY_ADMIN}),
    "transfer": frozenset({Role.COORDINATOR, Role.AGENCY_HEAD, Role.CITY_ADMIN}),
    "return_not_authority": frozenset({Role.OFFICER, Role.AGENCY_HEAD}),
    "start": frozenset({Role.OFFICER, Role.AGENCY_HEAD}),
    "resolve": frozenset({Role.OFFICER, Role.AGENCY_HEAD}),
    "reject_resolution": frozenset({Role.COORDINATOR, Role.CITY_ADMIN}),
    "close": frozenset({Role.COORDINATOR, Role.CITY_ADMIN}),
    "reopen": frozenset({Role.CITIZEN}),
    "reopen_rejected": frozenset({Role.COORDINATOR, Role.CITY_ADMIN}),
}


def next_status(current: str, action: str) -> str | None:
    """The status ``action`` leads to from ``current``, or ``None`` when not allowed."""
    return TRANSITIONS.get((current, action))
