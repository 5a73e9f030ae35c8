"""Demo civil registration data: every status and showcase case at --scale small, consistent
SLA clocks, units and officers, encrypted and blind-indexed NIKs, deterministic, idempotent."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from kotapintar.civil_registration import demo
from kotapintar.civil_registration.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    DeliveryMethod,
    DuplicateDecision,
    SelfPrintAccess,
    Status,
)
from kotapintar.civil_registration.selectors import is_case_officer
from kotapintar.civil_registration.services import self_print_unlock
from kotapintar.civil_registration.tests.factories import World
from kotapintar.core.demo import runner
from kotapintar.core.models.files import StoredFile
from kotapintar.core.personal_data import identity_blind_index, parse_nik

pytestmark = pytest.mark.django_db

ONLY = ["users", "civil_registration"]


def _generate(seed: int = 7) -> dict[str, int]:
    runs = runner.demo_data_generate(scale="small", seed=seed, only=ONLY)
    return next(r.counts for r in runs if r.name == "civil_registration")


@pytest.fixture
def generated(world: World, private_storage: Path) -> dict[str, Any]:
    counts = _generate()
    return {"counts": counts, "world": world}


def test_small_scale_counts_and_every_status(generated: dict[str, Any]) -> None:
    counts = generated["counts"]
    assert counts["applications"] == demo.COUNTS["small"] + 5  # + the birth showcase
    assert counts["documents"] == ApplicationDocument.objects.count() > counts["applications"]
    assert counts["events"] == ApplicationEvent.objects.count()
    statuses = Counter(Application.objects.values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    assert statuses[Status.COMPLETED] > sum(statuses.values()) / 2


def test_both_rounds_with_the_replaced_file_kept(generated: dict[str, Any]) -> None:
    second = Application.objects.filter(round=2)
    assert second.exists()
    for application in second[:10]:
        replaced = application.documents.filter(is_superseded=True).get()
        assert replaced.round == 1 and replaced.status == "invalid"
        assert replaced.superseded_by is not None and replaced.superseded_by.round == 2
        assert replaced.superseded_by.requirement_id == replaced.requirement_id


def test_late_births_duplicate_pair_and_twins(generated: dict[str, Any]) -> None:
    late = Application.objects.filter(service__event_kind="birth", is_late=True)
    assert late.exists()
    assert all(a.fine_rupiah == a.service.late_fine_rupiah for a in late)
    assert all((a.days_since_event or 0) > (a.service.legal_deadline_days or 0) for a in late)
    flagged = list(Application.objects.filter(possible_duplicate=True).order_by("submitted_at"))
    assert len(flagged) == 2
    pair, twins = flagged
    original = pair.possible_duplicate_of
    assert original is not None and original.mother_nik_hash == pair.mother_nik_hash != ""
    assert original.subject_name_key == pair.subject_name_key
    assert original.event_date is not None and pair.event_date is not None
    assert abs((original.event_date - pair.event_date).days) <= 5
    assert pair.duplicate_decision == DuplicateDecision.UNDECIDED
    assert twins.duplicate_decision == DuplicateDecision.NOT_DUPLICATE
    assert twins.possible_duplicate_of.event_date == twins.event_date


def test_every_delivery_method_and_self_print_with_the_demo_pin(
    generated: dict[str, Any],
) -> None:
    methods = set(Application.objects.values_list("delivery_method", flat=True))
    assert methods == set(DeliveryMethod.values)
    pos = Application.objects.filter(delivery_method=DeliveryMethod.POS)
    assert all(a.delivery_fee_rupiah == 12000 and a.delivery_address for a in pos)
    access = SelfPrintAccess.objects.filter(application__status=Status.READY).first()
    assert access is not None
    assert access.application.delivery_method == DeliveryMethod.SELF_PRINT
    file = self_print_unlock(token=access.token, pin=demo.DEMO_SELF_PRINT_PIN)
    assert file.pk == access.application.signed_document_id


def test_personal_data_encrypted_and_blind_indexed(generated: dict[str, Any]) -> None:
    application = Application.objects.exclude(subject_nik="").first()
    assert application is not None
    info = parse_nik(application.subject_nik)
    assert info.value == application.subject_nik and info.value.startswith("12710")
    assert application.subject_nik_hash == identity_blind_index(application.subject_nik)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT subject_nik FROM civil_registration_application WHERE id = %s",
            [application.pk.hex if connection.vendor == "sqlite" else application.pk],
        )
        stored = cursor.fetchone()[0]
    assert application.subject_nik not in stored


def test_officers_units_and_sla_clock(generated: dict[str, Any]) -> None:
    for application in Application.objects.exclude(assigned_officer=None).select_related(
        "assigned_officer"
    )[:50]:
        officer = application.assigned_officer
        assert officer.unit_id == application.unit_id
        assert is_case_officer(officer)
    stopped = Application.objects.filter(status__in=[Status.COMPLETED, Status.READY])
    assert not stopped.filter(sla_stopped_at=None).exists()
    returned = Application.objects.filter(status=Status.RETURNED)
    assert returned.exists() and not returned.filter(sla_paused_at=None).exists()
    running = Application.objects.filter(status=Status.SUBMITTED, round=1)
    assert not running.filter(sla_due_at=None).exists()
    for application in Application.objects.filter(status=Status.COMPLETED)[:50]:
        completed, ready, approved = (
            application.completed_at,
            application.ready_at,
            application.approved_at,
        )
        assert completed is not None and ready is not None and approved is not None
        assert completed >= ready >= approved
        started, due = application.sla_started_at, application.sla_due_at
        assert started is not None and due is not None and started <= due


def test_placeholder_files_are_shared(generated: dict[str, Any]) -> None:
    files = set(ApplicationDocument.objects.values_list("file_id", flat=True))
    assert len(files) == 2
    assert StoredFile.objects.filter(original_name__startswith="demo-dokumen").count() == 2


def test_idempotent_and_deterministic(generated: dict[str, Any]) -> None:
    first = sorted(Application.objects.values_list("reference", "status", "subject_nik_hash"))
    assert _generate() == generated["counts"]  # a second run adds nothing
    # From scratch with the same seed: the same applications.
    SelfPrintAccess.objects.all().delete()
    ApplicationEvent.objects.all().delete()
    ApplicationDocument.objects.update(superseded_by=None)
    ApplicationDocument.objects.all().delete()
    Application.objects.update(possible_duplicate_of=None)
    Application.objects.all().delete()
    assert _generate() == generated["counts"]
    again = sorted(Application.objects.values_list("reference", "status", "subject_nik_hash"))
    assert again == first
