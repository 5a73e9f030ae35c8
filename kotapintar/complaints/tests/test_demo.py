"""Demo complaints: realistic mix, consistent places/agencies/SLA, deterministic, idempotent."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.core.management.base import CommandError
from django.db.models import F
from django.utils import timezone

from kotapintar.accounts.roles import Role
from kotapintar.agencies.models import AgencyKind, UnitKind
from kotapintar.complaints import demo
from kotapintar.complaints.models import (
    OPEN_STATUSES,
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintFollower,
    EventKind,
    Privacy,
    RejectionReason,
    SlaStage,
    Status,
)
from kotapintar.complaints.tests.factories import (
    CategoryFactory,
    EmergencyCategoryFactory,
    RoutingRuleFactory,
)
from kotapintar.core.calendar import add_working_days
from kotapintar.core.demo import runner
from kotapintar.core.demo.registry import DemoDataError, ScaleSpec
from kotapintar.testing.factories import (
    AgencyFactory,
    DistrictFactory,
    OfficerFactory,
    ServiceUnitFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

TINY = ScaleSpec("tiny", citizens=30, officers=12, years=2)
BOX = (3.48, 3.80, 98.58, 98.75)


@pytest.fixture
def medan() -> dict[str, Any]:
    """Three kecamatan with two kelurahan each, OPD, categories and one routing rule."""
    districts = {}
    for code, name in [("01", "Medan Kota"), ("07", "Medan Tuntungan"), ("99", "Medan Baru X")]:
        district = DistrictFactory(code=f"12.71.{code}", name=name)
        districts[code] = district
        for v in (1, 2):
            VillageFactory(code=f"12.71.{code}.100{v}", district=district, name=f"Kel {code}-{v}")
    registry = AgencyFactory(
        code="disdukcapil", name="Dinas Kependudukan", short_name="Disdukcapil"
    )
    ServiceUnitFactory(agency=registry, code="kantor", kind=UnitKind.HEAD_OFFICE)
    roads = AgencyFactory(code="sdabmbk", name="Dinas SDABMBK", short_name="Dinas SDABMBK")
    environment = AgencyFactory(code="dlh", name="Dinas Lingkungan Hidup", short_name="DLH")
    tuntungan = AgencyFactory(
        code="kecamatan-127107", name="Kecamatan Medan Tuntungan", kind=AgencyKind.KECAMATAN
    )
    roads_cat = CategoryFactory(code="jalan-rusak", name="Jalan rusak", default_agency=roads)
    rubbish = CategoryFactory(code="sampah", name="Sampah", default_agency=environment)
    lights = CategoryFactory(code="lampu-jalan", name="Lampu jalan", default_agency=roads)
    emergency = EmergencyCategoryFactory(default_agency=tuntungan)
    # Rubbish in Medan Tuntungan goes to the kecamatan office (category + kecamatan rule).
    RoutingRuleFactory(category=rubbish, district=districts["07"], agency=tuntungan)
    OfficerFactory(agency=roads)
    return {
        "districts": districts,
        "roads": roads,
        "environment": environment,
        "tuntungan": tuntungan,
        "categories": [roads_cat, rubbish, lights, emergency],
    }


def _generate(scale: str = "small", seed: int = 7, spec: ScaleSpec | None = None) -> dict[str, int]:
    runs = runner.demo_data_generate(
        scale=scale, seed=seed, only=["users", "complaints"], spec=spec
    )
    return {name: value for run in runs for name, value in run.counts.items()}


def _snapshot() -> list[tuple[Any, ...]]:
    return [
        (
            c.reference,
            c.category.code,
            c.title,
            c.description,
            c.latitude,
            c.longitude,
            c.district_id,
            c.village_id,
            c.privacy,
            c.status,
            c.agency.code if c.agency else None,
            c.reporter.email if c.reporter else c.reporter_name,
            c.submitted_at,
            c.sla_due_at,
            c.rating,
            tuple(
                (e.kind, e.to_status, e.message, e.created_at, e.public_id)
                for e in c.events.order_by("created_at", "id")
            ),
        )
        for c in Complaint.objects.select_related("category", "agency", "reporter").order_by(
            "idempotency_key"
        )
    ]


def test_small_scale_generates_two_hundred_complaints_with_a_realistic_mix(
    medan: dict[str, Any],
) -> None:
    counts = _generate()

    assert counts["complaints"] == 200
    complaints = list(Complaint.objects.all())
    assert len(complaints) == 200
    privacy = Counter(c.privacy for c in complaints)
    assert 140 <= privacy[Privacy.PUBLIC] <= 180  # 80 %
    assert 15 <= privacy[Privacy.ANONYMOUS] <= 45  # 15 %
    assert 2 <= privacy[Privacy.SECRET] <= 20  # 5 %
    statuses = Counter(c.status for c in complaints)
    assert statuses[Status.CLOSED] >= 120
    assert 5 <= statuses[Status.REJECTED] <= 30
    assert {c.rejection_reason for c in complaints if c.status == Status.REJECTED} <= {
        RejectionReason.SPAM,
        RejectionReason.DUPLICATE,
        RejectionReason.NOT_AUTHORITY,
        RejectionReason.UNCLEAR,
    }
    # Titles and descriptions are Indonesian text of the category's kind.
    roads = [c for c in complaints if c.category.code == "jalan-rusak"]
    assert roads and all(
        any(word in c.title.lower() for word in ("jalan", "lubang", "aspal", "trotoar"))
        for c in roads
    )
    assert all(0 < len(c.title) <= 120 and c.description.strip() for c in complaints)
    assert len({c.reference for c in complaints}) == 200
    assert all(c.reference.startswith("ADU-") and len(c.reference) == 13 for c in complaints)


def test_old_reports_are_closed_and_recent_ones_open(medan: dict[str, Any]) -> None:
    _generate()
    now = timezone.now()

    old = Complaint.objects.filter(submitted_at__lt=now - timedelta(days=90))
    recent = Complaint.objects.filter(submitted_at__gte=now - timedelta(days=4))
    old_finished = old.filter(status__in=[Status.CLOSED, Status.REJECTED]).count()
    assert old.count() > 100
    assert old_finished / old.count() >= 0.9
    recent_open = recent.filter(status__in=list(OPEN_STATUSES)).count()
    assert recent.count() >= 1
    assert recent_open / recent.count() >= 0.6
    # The data is "as of last midnight" (WIB): nothing happens today.
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    assert not ComplaintEvent.objects.filter(created_at__gte=midnight).exists()


def test_place_is_a_kelurahan_of_the_kecamatan_inside_the_city(medan: dict[str, Any]) -> None:
    _generate()

    for c in Complaint.objects.select_related("village"):
        assert c.village is not None
        assert c.village.district_id == c.district_id
        assert BOX[0] < c.latitude < BOX[1] and BOX[2] < c.longitude < BOX[3]
    # Every kecamatan gets reports, including one whose centre is unknown (grid placement).
    assert set(Complaint.objects.values_list("district_id", flat=True)) == {
        "12.71.01",
        "12.71.07",
        "12.71.99",
    }


def test_disposed_reports_go_to_the_routed_agency(medan: dict[str, Any]) -> None:
    _generate()

    dispatched = Complaint.objects.exclude(
        status__in=[Status.RECEIVED, Status.VERIFIED, Status.REJECTED]
    ).select_related("category")
    assert dispatched.count() > 100
    for c in dispatched:
        if c.category.code == "sampah" and c.district_id == "12.71.07":
            assert c.agency == medan["tuntungan"]
        else:
            assert c.agency_id == c.category.default_agency_id
        dispose = c.events.get(kind=EventKind.STATUS, to_status=Status.DISPOSED)
        assert dispose.agency_id == c.agency_id
        assert c.disposed_at == dispose.created_at
    assert not Complaint.objects.filter(
        status__in=[Status.RECEIVED, Status.VERIFIED, Status.REJECTED], agency__isnull=False
    ).exists()


def test_timeline_has_a_status_event_for_every_step_in_order(medan: dict[str, Any]) -> None:
    _generate()

    for c in Complaint.objects.prefetch_related("events"):
        events = sorted(c.events.all(), key=lambda e: (e.created_at, e.id))
        steps = [e for e in events if e.kind == EventKind.STATUS]
        assert steps[0].to_status == Status.RECEIVED
        assert steps[0].created_at == c.submitted_at
        assert steps[-1].to_status == c.status
        for before, after in itertools.pairwise(steps):
            assert after.from_status == before.to_status
            assert after.created_at >= before.created_at
        if c.status == Status.CLOSED:
            assert c.submitted_at <= c.disposed_at <= c.first_response_at  # type: ignore[operator]
            assert c.first_response_at <= c.resolved_at <= c.closed_at  # type: ignore[operator]
        assert all(e.is_public for e in events if e.kind == EventKind.STATUS)
        assert not any(e.is_public for e in events if e.kind == EventKind.NOTE)


def test_sla_fields_match_the_current_stage(medan: dict[str, Any]) -> None:
    _generate()

    for c in Complaint.objects.select_related("category"):
        assert c.sla_started_at is not None and c.sla_due_at is not None
        if c.status in (Status.RECEIVED, Status.VERIFIED, Status.REJECTED):
            assert (c.sla_stage, c.sla_started_at) == (SlaStage.VERIFICATION, c.submitted_at)
        elif c.status == Status.DISPOSED:
            assert (c.sla_stage, c.sla_started_at) == (SlaStage.RESPONSE, c.disposed_at)
        else:
            # Started at the first response, restarted when the citizen reopened it.
            last_start = c.events.filter(to_status=Status.IN_PROGRESS).order_by("created_at").last()
            assert last_start is not None
            assert (c.sla_stage, c.sla_started_at) == (SlaStage.RESOLUTION, last_start.created_at)
            assert c.sla_target_working_days == c.category.resolution_working_days
        if c.status in (Status.RESOLVED, Status.CLOSED):
            assert c.sla_stopped_at == c.resolved_at
        elif c.status != Status.REJECTED:
            assert c.sla_stopped_at is None
        # The precomputed working days agree with the platform's calendar.
        assert c.sla_target_working_days is not None
        expected = add_working_days(c.sla_started_at, c.sla_target_working_days)
        assert c.sla_due_at == add_working_days(expected, c.sla_paused_working_days)


def test_duplicates_link_to_an_earlier_report_of_the_same_category_and_kecamatan(
    medan: dict[str, Any],
) -> None:
    _generate(scale="tiny", spec=TINY)

    duplicates = Complaint.objects.filter(rejection_reason=RejectionReason.DUPLICATE)
    assert duplicates.exists()
    for c in duplicates.select_related("duplicate_of"):
        original = c.duplicate_of
        assert original is not None
        assert (original.category_id, original.district_id) == (c.category_id, c.district_id)
        assert original.submitted_at < c.submitted_at
        assert original.status != Status.REJECTED
    assert (
        not Complaint.objects.exclude(rejection_reason=RejectionReason.DUPLICATE)
        .filter(duplicate_of__isnull=False)
        .exists()
    )
    # As complaint_reject does: the duplicate's reporter supports the original.
    for c in duplicates.select_related("duplicate_of"):
        assert c.duplicate_of is not None
        if c.reporter_id is not None and c.reporter_id != c.duplicate_of.reporter_id:
            assert ComplaintFollower.objects.filter(
                complaint=c.duplicate_of, user_id=c.reporter_id, is_supporter=True
            ).exists()


def test_supporter_counts_match_the_followers(medan: dict[str, Any]) -> None:
    _generate(scale="tiny", spec=TINY)

    followed = Counter(ComplaintFollower.objects.values_list("complaint_id", flat=True))
    assert len(followed) >= 10
    for c in Complaint.objects.all():
        assert c.supporter_count == followed.get(c.pk, 0)
        if followed.get(c.pk):
            assert c.privacy != Privacy.SECRET
    assert not ComplaintFollower.objects.filter(user_id=F("complaint__reporter_id")).exists()


def test_reporters_are_demo_citizens_and_staff_act_for_their_agency(
    medan: dict[str, Any],
) -> None:
    _generate(scale="tiny", spec=TINY)

    complaints = Complaint.objects.select_related("reporter", "assigned_to")
    assert complaints.count() == 300  # ten per bulk citizen
    assert all(c.reporter is not None and c.reporter.role == Role.CITIZEN for c in complaints)
    assert 1 <= complaints.filter(reporter__email="warga@demo.kotapintar.id").count() <= 40
    assert Counter(c.channel for c in complaints)[Channel.WEB] >= 230
    for c in complaints.filter(assigned_to__isnull=False):
        assert c.assigned_to is not None and c.assigned_to.agency_id == c.agency_id
    rated = complaints.filter(rating__isnull=False)
    assert rated.exists()
    assert not rated.exclude(
        status__in=[Status.RESOLVED, Status.CLOSED, Status.IN_PROGRESS]
    ).exists()
    assert complaints.filter(citizen_confirmed_fixed=True, status=Status.CLOSED).exists()


def test_same_seed_gives_the_same_data(medan: dict[str, Any]) -> None:
    _generate(seed=11)
    first = _snapshot()
    Complaint.objects.update(duplicate_of=None)
    Complaint.objects.all().delete()

    _generate(seed=11)

    assert _snapshot() == first


def test_another_seed_gives_other_data(medan: dict[str, Any]) -> None:
    _generate(seed=11)
    first = _snapshot()
    Complaint.objects.update(duplicate_of=None)
    Complaint.objects.all().delete()

    _generate(seed=12)

    assert _snapshot() != first


def test_running_again_adds_nothing(medan: dict[str, Any]) -> None:
    first = _generate()
    events = ComplaintEvent.objects.count()

    again = _generate()

    assert again == first
    assert Complaint.objects.count() == 200
    assert ComplaintEvent.objects.count() == events


def test_missing_categories_are_loaded_with_the_domain_command(
    medan: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kotapintar.complaints.models import Category

    Category.objects.update(is_active=False)
    loaded: list[str] = []

    def load(name: str) -> None:
        loaded.append(name)
        Category.objects.filter(code="jalan-rusak").update(is_active=True)

    monkeypatch.setattr(demo, "call_command", load)

    _generate()

    assert loaded == ["load_complaint_categories"]
    assert set(Complaint.objects.values_list("category__code", flat=True)) == {"jalan-rusak"}


def test_failing_category_load_is_a_clear_error_and_stores_nothing(
    medan: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kotapintar.complaints.models import Category

    Category.objects.update(is_active=False)

    def fail(name: str) -> None:
        raise CommandError("Unknown command: 'load_complaint_categories'")

    monkeypatch.setattr(demo, "call_command", fail)

    with pytest.raises(DemoDataError, match="load_complaint_categories"):
        _generate()
    assert not Complaint.objects.exists()
