# mypy: disable-error-code="misc,operator,assignment"
# (factory_boy results are typed as the factory; see the override in pyproject.toml)
"""Selectors: visibility and privacy, nearby suggestions, dashboard figures; tasks."""

from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta
from io import StringIO
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import requests
from django.core.management import call_command
from django.http import Http404
from django.utils import translation

from kotapintar.complaints import selectors, tasks
from kotapintar.complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintPolicy,
    EventKind,
    Status,
)
from kotapintar.core.calendar import working_days_between
from kotapintar.core.models.audit import AuditEntry
from kotapintar.testing.factories import (
    AgencyFactory,
    AgencyHeadFactory,
    AnalystFactory,
    CitizenFactory,
    CoordinatorFactory,
    OfficerFactory,
)

from .factories import (
    CategoryFactory,
    ComplaintEventFactory,
    ComplaintFactory,
    EmergencyCategoryFactory,
)

WIB = ZoneInfo("Asia/Jakarta")
pytestmark = pytest.mark.django_db


def test_public_list_excludes_secret_hidden_banned_and_rejected() -> None:
    visible = ComplaintFactory(privacy="publik")
    anonymous = ComplaintFactory(privacy="anonim")
    ComplaintFactory(privacy="rahasia")
    ComplaintFactory(is_hidden=True)
    ComplaintFactory(from_banned_reporter=True)
    ComplaintFactory(status=Status.REJECTED)
    assert set(selectors.complaints_public()) == {visible, anonymous}


def test_public_list_has_no_n_plus_one(django_assert_max_num_queries: Any) -> None:
    for _ in range(5):
        ComplaintFactory(status=Status.DISPOSED)
    with django_assert_max_num_queries(1):
        rows = [
            (c.category.group.name, c.district.name if c.district else "", c.agency)
            for c in selectors.complaints_public(status="open")
        ]
    assert len(rows) == 5


def test_secret_report_is_404_for_everyone_but_reporter_and_handlers() -> None:
    agency = AgencyFactory()
    complaint = ComplaintFactory(privacy="rahasia", status=Status.DISPOSED, agency=agency)
    with pytest.raises(Http404):
        selectors.complaint_public_get(reference=complaint.reference)
    for outsider in (CitizenFactory(), OfficerFactory(), AgencyHeadFactory()):
        with pytest.raises(Http404):
            selectors.complaint_get_for_actor(actor=outsider, reference=complaint.reference)
    for insider in (
        complaint.reporter,
        OfficerFactory(agency=agency),
        CoordinatorFactory(),
        AnalystFactory(),
    ):
        assert selectors.complaint_get_for_actor(actor=insider, reference=complaint.reference)


def test_anonymous_identity_hidden_from_public_and_officers_and_audited_for_coordinators() -> None:
    agency = AgencyFactory()
    complaint = ComplaintFactory(
        privacy="anonim", status=Status.DISPOSED, agency=agency, reporter_name="Siti Rahma"
    )
    officer = OfficerFactory(agency=agency)
    with translation.override("en"):  # "Anonymous" is not in the compiled catalogue yet
        assert selectors.reporter_display(complaint=complaint, viewer=None) == "Anonymous"
        assert selectors.reporter_display(complaint=complaint, viewer=officer) == "Anonymous"
    assert selectors.reporter_contact(complaint=complaint, viewer=officer) is None
    coordinator = CoordinatorFactory()
    contact = selectors.reporter_contact(complaint=complaint, viewer=coordinator)
    assert contact is not None and contact.name == "Siti Rahma"
    assert AuditEntry.objects.filter(action="personal_data.read").count() == 1


def test_public_name_is_first_name_and_initial() -> None:
    complaint = ComplaintFactory(privacy="publik", reporter_name="Budi Santoso Nasution")
    assert selectors.reporter_display(complaint=complaint, viewer=None) == "Budi S."


def test_timeline_hides_internal_notes_from_public_and_reporter() -> None:
    agency = AgencyFactory()
    complaint = ComplaintFactory(status=Status.DISPOSED, agency=agency)
    public = ComplaintEventFactory(complaint=complaint)
    note = ComplaintEventFactory(complaint=complaint, kind=EventKind.NOTE, is_public=False)
    info = ComplaintEventFactory(complaint=complaint, kind=EventKind.INFO_ADDED, is_public=False)
    assert selectors.complaint_timeline(complaint=complaint, actor=None) == [public]
    assert selectors.complaint_timeline(complaint=complaint, actor=complaint.reporter) == [
        public,
        info,
    ]
    staff = selectors.complaint_timeline(complaint=complaint, actor=OfficerFactory(agency=agency))
    assert staff == [public, note, info]


def test_secret_photos_hidden_from_agency_officers() -> None:
    agency = AgencyFactory()
    complaint = ComplaintFactory(privacy="rahasia", status=Status.DISPOSED, agency=agency)
    from kotapintar.complaints.models import ComplaintPhoto
    from kotapintar.core.models.files import StoredFile

    stored = StoredFile.objects.create(
        storage_name="x.jpg",
        original_name="x.jpg",
        content_type="image/jpeg",
        kind="image",
        size=1,
        sha256="0" * 64,
        original_sha256="0" * 64,
        original_size=1,
    )
    ComplaintPhoto.objects.create(complaint=complaint, file=stored, kind="laporan")
    assert (
        selectors.complaint_photos(complaint=complaint, actor=OfficerFactory(agency=agency)) == []
    )
    assert len(selectors.complaint_photos(complaint=complaint, actor=complaint.reporter)) == 1
    assert selectors.complaint_photos(complaint=complaint, actor=None) == []


def test_nearby_finds_open_reports_of_the_category_within_250_m() -> None:
    category = CategoryFactory()
    near = ComplaintFactory(category=category, latitude=3.5960, longitude=98.6722)  # ~90 m
    ComplaintFactory(category=category, latitude=3.6000, longitude=98.6722)  # ~530 m
    ComplaintFactory(category=CategoryFactory(), latitude=3.5952, longitude=98.6722)
    ComplaintFactory(category=category, status=Status.CLOSED)
    old = ComplaintFactory(category=category)
    old.submitted_at -= timedelta(days=31)
    old.save()
    found = selectors.complaints_nearby(category=category, latitude=3.5952, longitude=98.6722)
    assert found == [near]


def test_dashboard_figures_on_known_data() -> None:
    agency = AgencyFactory()
    base = datetime(2026, 3, 2, 8, 0, tzinfo=WIB)  # a Monday
    now = datetime(2026, 5, 1, 8, 0, tzinfo=WIB)
    # Three resolved: first responses after 2, 4 and 9 hours; two on time, one late.
    for hours, on_time, fixed in ((2, True, True), (4, True, None), (9, False, False)):
        c = ComplaintFactory(status=Status.RESOLVED, agency=agency, submitted_at=base)
        c.first_response_at = base + timedelta(hours=hours)
        c.resolved_at = base + timedelta(days=2)
        c.sla_due_at = c.resolved_at + timedelta(hours=1 if on_time else -1)
        c.citizen_confirmed_fixed = fixed
        c.save()
    # Open backlog: 1, 5 and 10 weeks old.
    for weeks in (1, 5, 10):
        ComplaintFactory(
            status=Status.DISPOSED, agency=agency, submitted_at=now - timedelta(weeks=weeks)
        )
    ComplaintFactory(status=Status.DISPOSED)  # another agency
    data = selectors.agency_dashboard(
        agency=agency, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), now=now
    )
    assert data["by_status"][Status.RESOLVED] == 3
    assert data["median_first_response_hours"] == 4.0
    assert data["median_resolution_hours"] == 48.0
    assert data["median_resolution_working_days"] == 2.0
    assert data["sla_compliance_percent"] == 66.7
    assert data["confirmed_fixed_percent"] == 33.3
    assert data["backlog"] == {"0_4_weeks": 1, "4_8_weeks": 1, "over_8_weeks": 1}


def test_dashboard_medians_match_the_plain_python_figures() -> None:
    """The database medians (percentile_cont on PostgreSQL, grouped working days) equal
    statistics.median over every report, with an even count (interpolated) and an odd one."""
    agency = AgencyFactory()
    base = datetime(2026, 3, 5, 15, 30, tzinfo=WIB)  # a Thursday afternoon
    spans = [(1.5, 20), (3, 30), (7.25, 55), (26, 75), (40, 100), (50.5, 170), (80, 330)]
    expected_first: list[float] = []
    expected_hours: list[float] = []
    expected_days: list[float] = []
    for index, (first_hours, resolved_hours) in enumerate(spans):
        submitted = base + timedelta(days=index, hours=index * 3)
        c = ComplaintFactory(status=Status.RESOLVED, agency=agency, submitted_at=submitted)
        c.first_response_at = submitted + timedelta(hours=first_hours) if index != 3 else None
        c.resolved_at = submitted + timedelta(hours=resolved_hours)
        c.save()
        if c.first_response_at is not None:
            expected_first.append(first_hours)
        expected_hours.append(resolved_hours)
        expected_days.append(float(working_days_between(c.submitted_at, c.resolved_at)))
    data = selectors.agency_dashboard(
        agency=agency, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)
    )
    assert len(expected_first) % 2 == 0 and len(expected_hours) % 2 == 1
    assert data["median_first_response_hours"] == round(statistics.median(expected_first), 2)
    assert data["median_first_response_hours"] == 23.62  # (7.25 + 40) / 2, interpolated
    assert data["median_resolution_hours"] == round(statistics.median(expected_hours), 2) == 75
    assert data["median_resolution_working_days"] == statistics.median(expected_days)
    assert data["resolved"] == 7


@pytest.mark.parametrize(
    ("counts", "expected"),
    [({}, None), ({4.0: 1}, 4.0), ({1.0: 2, 5.0: 2}, 3.0), ({1.0: 1, 2.0: 5, 9.0: 1}, 2.0)],
)
def test_weighted_median_is_the_median_of_the_expanded_list(
    counts: dict[float, int], expected: float | None
) -> None:
    assert selectors._weighted_median(counts) == expected
    if counts:
        expanded = [value for value, n in counts.items() for _ in range(n)]
        assert expected == statistics.median(expanded)


def test_escalation_happens_once() -> None:
    agency = AgencyFactory()
    head = AgencyHeadFactory(agency=agency)
    coordinator = CoordinatorFactory()
    complaint = ComplaintFactory(status=Status.DISPOSED, agency=agency)
    complaint.sla_started_at = complaint.submitted_at - timedelta(days=10)
    complaint.sla_due_at = complaint.submitted_at - timedelta(days=1)
    complaint.save()
    assert tasks.escalate_overdue() == 1
    assert tasks.escalate_overdue() == 0
    complaint.refresh_from_db()
    assert complaint.escalated_at is not None
    assert head.notifications.filter(kind="complaint.escalated").count() == 1
    assert coordinator.notifications.filter(kind="complaint.escalated").count() == 1


def test_auto_close_only_after_the_window() -> None:
    old = ComplaintFactory(status=Status.RESOLVED)
    old.resolved_at -= timedelta(days=15)
    old.save()
    recent = ComplaintFactory(status=Status.RESOLVED)
    out = StringIO()
    call_command("complaints_housekeeping", stdout=out)
    assert "closed=1" in out.getvalue()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, recent.status) == (Status.CLOSED, Status.RESOLVED)


def test_emergency_forwarding_posts_json_and_records_success() -> None:
    ComplaintPolicy.objects.create(emergency_webhook_url="https://polisi.contoh.id/hook")
    complaint = ComplaintFactory(category=EmergencyCategoryFactory(), reporter_phone="0812")
    with mock.patch.object(tasks.requests, "post") as post:
        post.return_value.status_code = 202
        assert tasks.forward_emergency(complaint.pk, sleep=lambda s: None) is True
    assert post.call_args.kwargs["json"]["reference"] == complaint.reference
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.FORWARDED).count() == 1


def test_emergency_forwarding_retries_then_logs_failure() -> None:
    ComplaintPolicy.objects.create(emergency_webhook_url="https://polisi.contoh.id/hook")
    complaint = ComplaintFactory(category=EmergencyCategoryFactory())
    with mock.patch.object(
        tasks.requests, "post", side_effect=requests.ConnectionError("down")
    ) as post:
        assert tasks.forward_emergency(complaint.pk, sleep=lambda s: None) is False
    assert post.call_count == tasks.FORWARD_ATTEMPTS
    note = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.NOTE)
    assert note.is_public is False


def test_the_public_location_index_covers_exactly_the_public_rows() -> None:
    """The partial index behind the public map and count must keep public_q's condition,
    or PostgreSQL stops using it (and would count the wrong rows through it)."""
    index = next(i for i in Complaint._meta.indexes if i.name == "complaint_public_location")
    assert index.condition == selectors.public_q()
