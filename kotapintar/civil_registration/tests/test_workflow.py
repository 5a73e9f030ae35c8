from __future__ import annotations

from kotapintar.civil_registration import workflow
from kotapintar.civil_registration.models import FINAL_STATUSES, OPEN_STATUSES, Status


def test_main_path_and_return_loop_are_in_the_table() -> None:
    path = [
        (Status.SUBMITTED, "claim", Status.IN_VERIFICATION),
        (Status.IN_VERIFICATION, "return", Status.RETURNED),
        (Status.RETURNED, "resubmit", Status.SUBMITTED),
        (Status.IN_VERIFICATION, "approve", Status.APPROVED),
        (Status.APPROVED, "record_document_number", Status.IN_PROCESS),
        (Status.IN_PROCESS, "mark_ready", Status.READY),
        (Status.IN_PROCESS, "dispatch", Status.READY),
        (Status.READY, "complete", Status.COMPLETED),
        (Status.IN_VERIFICATION, "reject", Status.REJECTED),
    ]
    for current, action, target in path:
        assert workflow.next_status(current, action) == target


def test_cancel_only_before_approval() -> None:
    allowed = {s for s in Status if workflow.next_status(s, "cancel")}
    assert allowed == {Status.SUBMITTED, Status.IN_VERIFICATION, Status.RETURNED}


def test_final_statuses_have_no_way_out() -> None:
    for status in FINAL_STATUSES:
        assert not [a for (s, a) in workflow.TRANSITIONS if s == status]


def test_approval_needs_verification_and_no_shortcuts() -> None:
    assert workflow.next_status(Status.SUBMITTED, "approve") is None
    assert workflow.next_status(Status.RETURNED, "approve") is None
    assert workflow.next_status(Status.APPROVED, "mark_ready") is None
    assert workflow.next_status(Status.SUBMITTED, "verify_document") is None


def test_every_action_has_roles_and_open_statuses_are_not_final() -> None:
    actions = {a for (_s, a) in workflow.TRANSITIONS}
    assert actions == set(workflow.ACTION_ROLES)
    assert not (OPEN_STATUSES & FINAL_STATUSES)
    assert set(Status) == OPEN_STATUSES | FINAL_STATUSES
    assert workflow.ACTION_ROLES["decide_late"] == {workflow.HEAD}
    assert workflow.ACTION_ROLES["cancel"] == {workflow.APPLICANT}
    assert workflow.DASHBOARD not in set().union(*workflow.ACTION_ROLES.values())
