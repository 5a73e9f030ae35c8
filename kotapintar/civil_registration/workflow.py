"""The application workflow as data: which action may happen in which status, and by whom.

Every action is one service in ``civil_registration.services`` that checks this table, locks the
row, changes it, and writes a timeline event and an audit entry in the same transaction. Actions
that do not move the status (checking a document, recording a payment) are self-loops, so the
table also says *when* they are allowed.
"""

from __future__ import annotations

from kotapintar.civil_registration.models import Status

#: Module roles (granted per user with ``accounts.ModuleRoleGrant``; registered in
#: ``registration.py``).
OPERATOR = "disdukcapil_operator"
VERIFIER = "disdukcapil_verifier"
HEAD = "disdukcapil_head"
DASHBOARD = "disdukcapil_dashboard"
#: Roles that work on cases (and may see them in their unit's queue).
CASE_ROLES = frozenset({OPERATOR, VERIFIER, HEAD})
#: The pseudo-role of the citizen who applied.
APPLICANT = "applicant"

S = Status

#: (from status, action) -> to status
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.SUBMITTED, "claim"): S.IN_VERIFICATION,
    (S.SUBMITTED, "assign"): S.IN_VERIFICATION,
    (S.IN_VERIFICATION, "assign"): S.IN_VERIFICATION,
    (S.IN_VERIFICATION, "verify_document"): S.IN_VERIFICATION,
    (S.IN_VERIFICATION, "decide_duplicate"): S.IN_VERIFICATION,
    (S.IN_VERIFICATION, "decide_late"): S.IN_VERIFICATION,
    (S.IN_VERIFICATION, "record_fine_payment"): S.IN_VERIFICATION,
    (S.IN_VERIFICATION, "return"): S.RETURNED,
    (S.RETURNED, "resubmit"): S.SUBMITTED,
    (S.IN_VERIFICATION, "approve"): S.APPROVED,
    (S.IN_VERIFICATION, "reject"): S.REJECTED,
    (S.APPROVED, "record_document_number"): S.IN_PROCESS,
    (S.APPROVED, "confirm_delivery_payment"): S.APPROVED,
    (S.IN_PROCESS, "confirm_delivery_payment"): S.IN_PROCESS,
    (S.IN_PROCESS, "attach_signed_document"): S.IN_PROCESS,
    (S.IN_PROCESS, "mark_ready"): S.READY,
    (S.IN_PROCESS, "dispatch"): S.READY,
    (S.READY, "complete"): S.COMPLETED,
    (S.SUBMITTED, "cancel"): S.CANCELLED,
    (S.IN_VERIFICATION, "cancel"): S.CANCELLED,
    (S.RETURNED, "cancel"): S.CANCELLED,
}

#: Who may take each action (module roles; ``APPLICANT`` is the citizen who applied). Unit
#: scoping applies on top: officers act only on their unit's applications.
ACTION_ROLES: dict[str, frozenset[str]] = {
    "claim": frozenset({OPERATOR, VERIFIER}),
    "assign": frozenset({VERIFIER, HEAD}),
    "verify_document": frozenset({OPERATOR, VERIFIER}),
    "decide_duplicate": frozenset({VERIFIER, HEAD}),
    "decide_late": frozenset({HEAD}),
    "record_fine_payment": frozenset({OPERATOR, VERIFIER}),
    "return": frozenset({OPERATOR, VERIFIER}),
    "resubmit": frozenset({APPLICANT}),
    "approve": frozenset({VERIFIER, HEAD}),
    "reject": frozenset({VERIFIER, HEAD}),
    "record_document_number": frozenset({OPERATOR, VERIFIER}),
    "confirm_delivery_payment": frozenset({OPERATOR, VERIFIER}),
    "attach_signed_document": frozenset({OPERATOR, VERIFIER}),
    "mark_ready": frozenset({OPERATOR, VERIFIER}),
    "dispatch": frozenset({OPERATOR, VERIFIER}),
    "complete": frozenset({OPERATOR, VERIFIER}),
    "cancel": frozenset({APPLICANT}),
}

#: Actions only the officer the application is assigned to may take (they see the files).
ASSIGNED_ONLY = frozenset({"verify_document", "return"})


def next_status(current: str, action: str) -> str | None:
    """The status ``action`` leads to from ``current``, or ``None`` when not allowed."""
    return TRANSITIONS.get((current, action))
