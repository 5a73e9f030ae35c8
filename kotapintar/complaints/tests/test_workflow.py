# mypy: disable-error-code="misc,operator,assignment"
# (factory_boy results are typed as the factory; see the override in pyproject.toml)
"""Workflow: every transition by the table and by role; denied calls change nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from kotapintar.complaints import services
from kotapintar.complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintFollower,
    SlaStage,
    Status,
)
from kotapintar.complaints.workflow import TRANSITIONS
from kotapintar.core.models.audit import AuditEntry
from kotapintar.testing.factories import (
    AgencyFactory,
    AgencyHeadFactory,
    AnalystFactory,
    CitizenFactory,
    CityAdminFactory,
    CoordinatorFactory,
    OfficerFactory,
)

from .factories import CategoryFactory, ComplaintFactory, RoutingRuleFactory

WIB = ZoneInfo("Asia/Jakarta")
pytestmark = pytest.mark.django_db


def _snapshot(complaint: Complaint) -> tuple[Any, ...]:
    complaint.refresh_from_db()
    return (
        complaint.status,
        complaint.agency_id,
        complaint.sla_due_at,
        complaint.events.count(),
        AuditEntry.objects.filter(object_id=str(complaint.pk)).count(),
    )


def _started(complaint: Complaint) -> Complaint:
    now = complaint.submitted_at
    complaint.sla_started_at = now
    complaint.sla_due_at = now + timedelta(days=3)
    complaint.save()
    return complaint


# action -> (call, who may): the call gets (complaint, actor, agency_of_complaint)
ACTIONS: dict[str, Callable[[Complaint, Any, Any], Any]] = {
    "verify": lambda c, a, ag: services.complaint_verify(complaint=c, actor=a),
    "reject": lambda c, a, ag: services.complaint_reject(
        complaint=c, actor=a, reason="spam", note="Iklan"
    ),
    "dispose": lambda c, a, ag: services.complaint_dispose(
        complaint=c, actor=a, agency=AgencyFactory()
    ),
    "transfer": lambda c, a, ag: services.complaint_transfer(
        complaint=c, actor=a, agency=AgencyFactory(), reason="Wewenang dinas lain"
    ),
    "return_not_authority": lambda c, a, ag: services.complaint_return_not_authority(
        complaint=c, actor=a, reason="Bukan wewenang kami"
    ),
    "start": lambda c, a, ag: services.complaint_start(complaint=c, actor=a),
    "resolve": lambda c, a, ag: services.complaint_resolve(
        complaint=c, actor=a, response="Sudah ditambal"
    ),
    "reject_resolution": lambda c, a, ag: services.complaint_reject_resolution(
        complaint=c, actor=a, reason="Belum rapi"
    ),
    "close": lambda c, a, ag: services.complaint_close(complaint=c, actor=a),
    "reopen_rejected": lambda c, a, ag: services.complaint_reopen_rejected(
        complaint=c, actor=a, reason="Salah tolak"
    ),
}

ROLE_FACTORIES: dict[str, Callable[[Any], Any]] = {
    "citizen": lambda agency: CitizenFactory(),
    "officer": lambda agency: OfficerFactory(agency=agency),
    "other_officer": lambda agency: OfficerFactory(),
    "agency_head": lambda agency: AgencyHeadFactory(agency=agency),
    "coordinator": lambda agency: CoordinatorFactory(),
    "analyst": lambda agency: AnalystFactory(),
    "city_admin": lambda agency: CityAdminFactory(),
}

ALLOWED: dict[str, set[str]] = {
    "verify": {"coordinator", "city_admin"},
    "reject": {"coordinator", "city_admin"},
    "dispose": {"coordinator", "city_admin"},
    "transfer": {"coordinator", "city_admin", "agency_head"},
    "return_not_authority": {"officer", "agency_head"},
    "start": {"officer", "agency_head"},
    "resolve": {"officer", "agency_head"},
    "reject_resolution": {"coordinator", "city_admin"},
    "close": {"coordinator", "city_admin"},
    "reopen_rejected": {"coordinator", "city_admin"},
}

CASES = [
    (from_status, action, role)
    for (from_status, action) in TRANSITIONS
    if action in ACTIONS
    for role in ROLE_FACTORIES
]


@pytest.mark.parametrize(("from_status", "action", "role"), CASES)
def test_transition_is_allowed_only_for_its_roles(from_status: str, action: str, role: str) -> None:
    agency = AgencyFactory()
    complaint = _started(
        ComplaintFactory(
            status=from_status,
            agency=agency if from_status not in (Status.RECEIVED, Status.VERIFIED) else None,
            category=CategoryFactory(requires_after_photo=False),
        )
    )
    actor = ROLE_FACTORIES[role](agency)
    if role in ALLOWED[action]:
        result = ACTIONS[action](complaint, actor, agency)
        assert isinstance(result, Complaint)
        assert result.status == TRANSITIONS[(from_status, action)]
        assert ComplaintEvent.objects.filter(complaint=complaint).count() >= 1
        assert AuditEntry.objects.filter(action__startswith="complaint.").count() >= 1
    else:
        before = _snapshot(complaint)
        with pytest.raises(PermissionDenied):
            ACTIONS[action](complaint, actor, agency)
        assert _snapshot(complaint) == before


@pytest.mark.parametrize(
    ("status", "action"),
    [(s, a) for s in Status.values for a in sorted(ACTIONS) if (s, a) not in TRANSITIONS],
)
def test_actions_outside_the_table_are_refused_and_change_nothing(action: str, status: str) -> None:
    agency = AgencyFactory()
    complaint = _started(ComplaintFactory(status=status, agency=agency))
    actor = (
        CityAdminFactory() if "officer" not in ALLOWED[action] else OfficerFactory(agency=agency)
    )
    before = _snapshot(complaint)
    with pytest.raises(ValidationError) as excinfo:
        ACTIONS[action](complaint, actor, agency)
    assert excinfo.value.code == "invalid_transition"
    assert _snapshot(complaint) == before


def test_officer_of_another_agency_cannot_start() -> None:
    complaint = _started(ComplaintFactory(status=Status.DISPOSED))
    before = _snapshot(complaint)
    with pytest.raises(PermissionDenied):
        services.complaint_start(complaint=complaint, actor=OfficerFactory())
    assert _snapshot(complaint) == before


def test_dispose_without_agency_uses_the_routing_rule() -> None:
    category = CategoryFactory()
    rule = RoutingRuleFactory(category=category)
    complaint = _started(ComplaintFactory(status=Status.RECEIVED, category=category))
    services.complaint_dispose(complaint=complaint, actor=CoordinatorFactory())
    assert complaint.agency_id == rule.agency_id
    assert complaint.sla_stage == SlaStage.RESPONSE
    assert complaint.sla_target_working_days == 5


def test_routing_prefers_category_and_kecamatan_rule() -> None:
    category = CategoryFactory()
    complaint = ComplaintFactory(category=category)
    RoutingRuleFactory(category=None, district=None)
    general = RoutingRuleFactory(category=category)
    assert services.complaint_route(complaint) == general.agency
    assert services.complaint_route(complaint, memoised=True) == general.agency
    specific = RoutingRuleFactory(category=category, district=complaint.district)
    assert services.complaint_route(complaint) == specific.agency
    # A new rule replaces the memo (signal), and an inactive agency's rule no longer counts.
    assert services.complaint_route(complaint, memoised=True) == specific.agency
    specific.agency.is_active = False
    specific.agency.save()
    assert services.complaint_route(complaint) == general.agency
    assert services.complaint_route(complaint, memoised=True) == general.agency


def test_duplicate_rejection_links_the_original_and_makes_the_reporter_a_follower() -> None:
    original = ComplaintFactory(status=Status.DISPOSED)
    duplicate = _started(ComplaintFactory(status=Status.RECEIVED))
    with pytest.raises(ValidationError) as excinfo:
        services.complaint_reject(
            complaint=duplicate, actor=CoordinatorFactory(), reason="duplikat", note=""
        )
    assert excinfo.value.code == "duplicate_required"
    services.complaint_reject(
        complaint=duplicate,
        actor=CoordinatorFactory(),
        reason="duplikat",
        note="",
        duplicate_of=original,
    )
    assert duplicate.duplicate_of_id == original.pk
    assert ComplaintFollower.objects.filter(complaint=original, user=duplicate.reporter).exists()
    original.refresh_from_db()
    assert original.supporter_count == 1


def test_not_authority_rejection_needs_a_note() -> None:
    complaint = _started(ComplaintFactory(status=Status.RECEIVED))
    with pytest.raises(ValidationError) as excinfo:
        services.complaint_reject(
            complaint=complaint, actor=CoordinatorFactory(), reason="bukan_wewenang", note=" "
        )
    assert excinfo.value.code == "required"


def test_resolve_needs_an_after_photo_when_the_category_says_so() -> None:
    agency = AgencyFactory()
    complaint = _started(
        ComplaintFactory(
            status=Status.IN_PROGRESS,
            agency=agency,
            category=CategoryFactory(requires_after_photo=True),
        )
    )
    before = _snapshot(complaint)
    with pytest.raises(ValidationError) as excinfo:
        services.complaint_resolve(
            complaint=complaint, actor=OfficerFactory(agency=agency), response="Selesai"
        )
    assert excinfo.value.code == "after_photo_required"
    assert _snapshot(complaint) == before


def test_request_info_pauses_and_add_info_resumes_the_clock() -> None:
    agency = AgencyFactory()
    officer = OfficerFactory(agency=agency)
    with time_machine.travel(datetime(2026, 8, 10, 9, 0, tzinfo=WIB), tick=False):
        complaint = ComplaintFactory(status=Status.DISPOSED, agency=agency)
        services.complaint_start(complaint=complaint, actor=officer)  # Mon: due +14 wd
        due = complaint.sla_due_at
        services.complaint_request_info(complaint=complaint, actor=officer, question="Di mana?")
    assert complaint.waiting_on_citizen is True
    assert complaint.sla_paused_at is not None
    # Paused Monday, answered Wednesday: due date moves by two working days.
    with time_machine.travel(datetime(2026, 8, 12, 15, 0, tzinfo=WIB), tick=False):
        services.complaint_add_info(
            complaint=complaint, reporter=complaint.reporter, text="Depan masjid."
        )
    assert complaint.waiting_on_citizen is False
    assert complaint.sla_paused_at is None
    assert complaint.sla_paused_working_days == 2
    assert due is not None and complaint.sla_due_at is not None
    assert complaint.sla_due_at > due


def test_stage_clocks_follow_verification_response_resolution() -> None:
    category = CategoryFactory(resolution_working_days=60, requires_after_photo=False)
    agency = AgencyFactory()
    officer = OfficerFactory(agency=agency)
    complaint = _started(ComplaintFactory(status=Status.RECEIVED, category=category))
    services.complaint_dispose(complaint=complaint, actor=CoordinatorFactory(), agency=agency)
    assert (complaint.sla_stage, complaint.sla_target_working_days) == (SlaStage.RESPONSE, 5)
    services.complaint_start(complaint=complaint, actor=officer)
    assert (complaint.sla_stage, complaint.sla_target_working_days) == (SlaStage.RESOLUTION, 60)
    assert complaint.first_response_at is not None
    services.complaint_resolve(complaint=complaint, actor=officer, response="Beres")
    assert complaint.sla_stopped_at is not None


def test_citizen_not_fixed_within_window_reopens_and_after_window_is_refused() -> None:
    complaint = ComplaintFactory(status=Status.RESOLVED, category=CategoryFactory())
    services.complaint_confirm(complaint=complaint, reporter=complaint.reporter, fixed=False)
    assert complaint.status == Status.IN_PROGRESS
    assert complaint.citizen_confirmed_fixed is False

    late = ComplaintFactory(status=Status.RESOLVED)
    late.resolved_at = late.resolved_at - timedelta(days=15)
    late.save()
    before = _snapshot(late)
    with pytest.raises(ValidationError) as excinfo:
        services.complaint_confirm(complaint=late, reporter=late.reporter, fixed=False)
    assert excinfo.value.code == "reopen_window_passed"
    assert _snapshot(late) == before


def test_citizen_fixed_closes_and_rating_is_once() -> None:
    complaint = ComplaintFactory(status=Status.RESOLVED)
    services.complaint_confirm(complaint=complaint, reporter=complaint.reporter, fixed=True)
    assert complaint.status == Status.CLOSED
    assert complaint.citizen_confirmed_fixed is True
    services.complaint_rate(complaint=complaint, reporter=complaint.reporter, rating=4)
    with pytest.raises(ValidationError) as excinfo:
        services.complaint_rate(complaint=complaint, reporter=complaint.reporter, rating=5)
    assert excinfo.value.code == "already_rated"
    complaint.refresh_from_db()
    assert complaint.rating == 4


def test_other_citizen_cannot_confirm_or_rate() -> None:
    complaint = ComplaintFactory(status=Status.RESOLVED)
    before = _snapshot(complaint)
    with pytest.raises(PermissionDenied):
        services.complaint_confirm(complaint=complaint, reporter=CitizenFactory(), fixed=True)
    with pytest.raises(PermissionDenied):
        services.complaint_rate(complaint=complaint, reporter=CitizenFactory(), rating=1)
    assert _snapshot(complaint) == before


def test_privacy_made_less_private_needs_a_reason_and_is_audited() -> None:
    complaint = ComplaintFactory(privacy="rahasia")
    coordinator = CoordinatorFactory()
    with pytest.raises(ValidationError):
        services.complaint_privacy_change(
            complaint=complaint, actor=coordinator, privacy="publik", reason=""
        )
    services.complaint_privacy_change(
        complaint=complaint, actor=coordinator, privacy="publik", reason="Diminta pelapor"
    )
    assert complaint.privacy == "publik"
    assert AuditEntry.objects.filter(action="complaint.privacy_change").count() == 1


def test_redaction_keeps_the_original_text() -> None:
    complaint = ComplaintFactory(description="Nomor HP saya 081234567890")
    services.complaint_redact(
        complaint=complaint,
        actor=CoordinatorFactory(),
        field="description",
        new_text="[disunting]",
        reason="Data pribadi",
    )
    assert complaint.description == "[disunting]"
    assert complaint.redactions.get().original_text == "Nomor HP saya 081234567890"


def test_internal_note_is_never_public() -> None:
    agency = AgencyFactory()
    complaint = ComplaintFactory(status=Status.DISPOSED, agency=agency)
    event = services.complaint_add_note(
        complaint=complaint, actor=OfficerFactory(agency=agency), text="Cek anggaran"
    )
    assert event.is_public is False


def test_follow_counts_once_and_unfollow_decrements() -> None:
    complaint = ComplaintFactory()
    user = CitizenFactory()
    assert services.complaint_follow(complaint=complaint, user=user) is True
    assert services.complaint_follow(complaint=complaint, user=user) is False
    assert complaint.supporter_count == 1
    assert services.complaint_unfollow(complaint=complaint, user=user) is True
    assert complaint.supporter_count == 0


def test_open311_key_round_trip() -> None:
    client, raw = services.open311_client_create(name="Aplikasi", contact_email="a@b.id")
    assert services.open311_client_by_key(raw) == client
    assert services.open311_client_by_key(raw + "x") is None
    assert raw not in client.key_hash
