# mypy: disable-error-code="misc,operator,assignment"
# (factory_boy results are typed as the factory; see the override in pyproject.toml)
"""complaint_submit: validation (nothing stored on error), idempotency, abuse list, emergency."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections

from kotapintar.complaints import services
from kotapintar.complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    EventKind,
    Priority,
    QuestionType,
    SlaStage,
    Status,
)
from kotapintar.complaints.selectors import complaint_policy, complaints_public
from kotapintar.complaints.services import complaint_submission_allowed, complaint_submit
from kotapintar.complaints.tests.factories import (
    CategoryFactory,
    CategoryQuestionFactory,
    EmergencyCategoryFactory,
    Open311ClientFactory,
    QuestionOptionFactory,
    fake_jpeg_upload,
    jpeg_upload,
)
from kotapintar.core.models.audit import AuditEntry
from kotapintar.core.models.files import StoredFile
from kotapintar.testing.factories import (
    CitizenFactory,
    CityBoundaryFactory,
    CoordinatorFactory,
    VillageFactory,
)

WIB = ZoneInfo("Asia/Jakarta")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _city(settings: Any, tmp_path: Path) -> None:
    CityBoundaryFactory()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


def _submit(**overrides: Any) -> Complaint:
    values: dict[str, Any] = {
        "reporter": overrides.pop("reporter", None) or CitizenFactory(),
        "category": overrides.pop("category", None) or CategoryFactory(),
        "title": "Jalan berlubang di depan sekolah",
        "description": "Lubang sedalam 20 cm, sudah dua motor jatuh.",
        "latitude": 3.5952,
        "longitude": 98.6722,
    }
    values.update(overrides)
    return complaint_submit(**values)


def _counts() -> tuple[int, int, int, int]:
    return (
        Complaint.objects.count(),
        ComplaintEvent.objects.count(),
        StoredFile.objects.count(),
        AuditEntry.objects.filter(action="complaint.submit").count(),
    )


def test_submission_is_received_with_event_audit_and_verification_clock() -> None:
    reporter = CitizenFactory(full_name="Budi Santoso")
    complaint = _submit(reporter=reporter, photos=[jpeg_upload()])

    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
    assert complaint.reference.startswith("ADU-")
    assert complaint.reporter_name == "Budi Santoso"
    assert complaint.sla_stage == SlaStage.VERIFICATION
    assert complaint.sla_target_working_days == 3
    assert list(complaint.events.values_list("kind", "to_status", "is_public")) == [
        (EventKind.STATUS, Status.RECEIVED, True)
    ]
    assert complaint.photos.count() == 1
    assert (
        AuditEntry.objects.filter(action="complaint.submit", object_id=str(complaint.pk)).count()
        == 1
    )
    assert reporter.notifications.filter(kind="complaint.received").count() == 1


def test_friday_before_independence_day_verification_is_due_next_thursday() -> None:
    # 14 Aug 2026 is a Friday; 17 Aug (Monday) is a holiday: 3 working days = Thu 20 Aug.
    with time_machine.travel(datetime(2026, 8, 14, 10, 30, tzinfo=WIB), tick=False):
        complaint = _submit()
    assert complaint.sla_due_at == datetime(2026, 8, 20, 10, 30, tzinfo=WIB)


@pytest.mark.parametrize(
    ("latitude", "longitude", "code"),
    [
        (3.6422, 98.8853, "outside_city"),  # Kualanamu airport, Deli Serdang
        (0.0, 0.0, "outside_city"),
        (91.0, 98.6722, "invalid_location"),
        (98.6722, 3.5952, "swapped_coordinates"),
        (3.5952, None, "location_required"),
        ("abc", 98.6722, "invalid_location"),
        (float("nan"), 98.6722, "invalid_location"),
    ],
)
def test_points_outside_the_city_are_refused_and_nothing_is_stored(
    latitude: Any, longitude: Any, code: str
) -> None:
    reporter, category = CitizenFactory(), CategoryFactory()
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        _submit(reporter=reporter, category=category, latitude=latitude, longitude=longitude)
    assert excinfo.value.code == code
    assert _counts() == before


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"title": ""}, "required"),
        ({"title": "   \t "}, "required"),
        ({"description": "\n\n   "}, "required"),
        ({"title": "budi@contoh.id"}, "title_personal_data"),
        ({"title": "0812-3456-7890"}, "title_personal_data"),
        ({"title": "+62 812 3456 7890"}, "title_personal_data"),
        ({"title": "x" * 121}, "too_long"),
        ({"description": "a" * 4001}, "too_long"),
        ({"description": "ada\x00nol"}, "control_characters"),
        ({"title": "judul\x1b[31m"}, "control_characters"),
        ({"privacy": "rahasia-sekali"}, "invalid_privacy"),
        ({"village_code": "31.71.01.1001"}, "unknown_village"),
        ({"idempotency_key": "k" * 81}, "invalid_idempotency_key"),
    ],
)
def test_bad_text_is_refused_with_a_code_and_nothing_is_stored(
    overrides: dict[str, Any], code: str
) -> None:
    reporter, category = CitizenFactory(), CategoryFactory()
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        _submit(reporter=reporter, category=category, **overrides)
    assert excinfo.value.code == code
    assert _counts() == before


def test_description_of_exactly_4000_characters_is_accepted() -> None:
    complaint = _submit(description="a" * 4000)
    assert len(complaint.description) == 4000


def test_html_is_stored_as_typed_plain_text() -> None:
    complaint = _submit(description="<script>alert(1)</script> & =SUM(A1)")
    assert complaint.description == "<script>alert(1)</script> & =SUM(A1)"


def test_inactive_category_is_an_unknown_category() -> None:
    category = CategoryFactory(is_active=False)
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        _submit(category=category)
    assert excinfo.value.code == "unknown_category"
    assert _counts() == before


def test_four_photos_are_refused_and_nothing_is_stored() -> None:
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        _submit(photos=[jpeg_upload() for _ in range(4)])
    assert excinfo.value.code == "too_many_photos"
    assert _counts() == before


def test_three_photos_are_accepted() -> None:
    complaint = _submit(photos=[jpeg_upload() for _ in range(3)])
    assert ComplaintPhoto.objects.filter(complaint=complaint, kind="laporan").count() == 3


def test_non_image_renamed_jpg_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    before = _counts()
    with pytest.raises(ValidationError):
        _submit(photos=[jpeg_upload(), fake_jpeg_upload()])
    assert _counts() == before
    stored = tmp_path / "private"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def test_blocking_answer_raises_its_message_and_stores_nothing() -> None:
    category = EmergencyCategoryFactory()
    question = CategoryQuestionFactory(
        category=category, code="bahaya", datatype=QuestionType.SINGLE, required=True
    )
    QuestionOptionFactory(
        question=question,
        key="ya",
        name="Ya",
        blocks_submission=True,
        blocking_message="Segera hubungi 112 (darurat) atau 110 (polisi).",
    )
    QuestionOptionFactory(question=question, key="tidak", name="Tidak")
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        _submit(category=category, answers={"bahaya": "ya"})
    assert excinfo.value.code == "blocked"
    assert excinfo.value.messages == ["Segera hubungi 112 (darurat) atau 110 (polisi)."]
    assert _counts() == before


def test_answers_are_checked_against_the_questions() -> None:
    category = CategoryFactory()
    size = CategoryQuestionFactory(
        category=category, code="ukuran", datatype=QuestionType.SINGLE, required=True
    )
    QuestionOptionFactory(question=size, key="kecil")
    QuestionOptionFactory(question=size, key="besar")
    kinds = CategoryQuestionFactory(
        category=category, code="jenis", datatype=QuestionType.MULTI, required=False
    )
    QuestionOptionFactory(question=kinds, key="motor")
    QuestionOptionFactory(question=kinds, key="mobil")
    CategoryQuestionFactory(category=category, code="lebar", datatype=QuestionType.NUMBER)

    for answers, code in [
        ({}, "answer_required"),
        ({"ukuran": "raksasa"}, "invalid_answer"),
        ({"ukuran": "kecil", "jenis": ["motor", "kapal"]}, "invalid_answer"),
        ({"ukuran": "kecil", "lebar": "lebar sekali"}, "invalid_answer"),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            _submit(category=category, answers=answers)
        assert excinfo.value.code == code
    complaint = _submit(
        category=category,
        answers={"ukuran": "besar", "jenis": ["motor", "mobil"], "lebar": "1,5", "asing": "x"},
    )
    assert complaint.answers == {"ukuran": "besar", "jenis": ["motor", "mobil"], "lebar": "1,5"}
    assert Complaint.objects.count() == 1


def test_same_idempotency_key_twice_gives_one_complaint() -> None:
    reporter = CitizenFactory()
    first = _submit(reporter=reporter, idempotency_key="form-123")
    second = _submit(reporter=reporter, idempotency_key="form-123", title="Judul lain")
    assert second.pk == first.pk
    assert Complaint.objects.count() == 1


def test_same_key_from_another_reporter_is_another_complaint() -> None:
    first = _submit(idempotency_key="form-123")
    second = _submit(idempotency_key="form-123")
    assert first.pk != second.pk


def test_open311_client_key_is_idempotent_per_client() -> None:
    client = Open311ClientFactory()
    category = CategoryFactory()
    first = complaint_submit(
        reporter=None,
        category=category,
        title="Lampu jalan mati",
        description="Sudah seminggu.",
        latitude=3.5952,
        longitude=98.6722,
        channel="open311",
        open311_client=client,
        idempotency_key="abc",
        reporter_email="warga@contoh.id",
    )
    second = complaint_submit(
        reporter=None,
        category=category,
        title="Lampu jalan mati",
        description="Sudah seminggu.",
        latitude=3.5952,
        longitude=98.6722,
        channel="open311",
        open311_client=client,
        idempotency_key="abc",
    )
    assert first.pk == second.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_creates_one_complaint() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent transactions need PostgreSQL.")
    CityBoundaryFactory()
    reporter, category = CitizenFactory(), CategoryFactory()
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait()
            complaint = complaint_submit(
                reporter=reporter,
                category=category,
                title="Sampah menumpuk",
                description="Di pinggir jalan.",
                latitude=3.5952,
                longitude=98.6722,
                idempotency_key="double-click",
            )
            results.append(complaint.pk)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(results)) == 1
    assert Complaint.objects.filter(reporter=reporter).count() == 1


def test_banned_reporter_gets_a_normal_confirmation_but_report_is_never_public() -> None:
    coordinator = CoordinatorFactory()
    reporter = CitizenFactory()
    services.reporter_ban(user=reporter, actor=coordinator, reason="Laporan palsu berulang")
    complaint = _submit(reporter=reporter)
    assert complaint.status == Status.RECEIVED
    assert complaint.from_banned_reporter is True
    assert reporter.notifications.filter(kind="complaint.received").count() == 1
    assert list(complaints_public()) == []
    with pytest.raises(ValidationError) as excinfo:
        services.complaint_dispose(complaint=complaint, actor=coordinator)
    assert excinfo.value.code == "banned_reporter"
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
    assert complaint.agency_id is None


def test_emergency_report_is_top_priority_due_at_once_and_forwarded_after_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    category = EmergencyCategoryFactory()
    coordinator = CoordinatorFactory()
    with mock.patch.object(services, "_enqueue_emergency") as enqueue:
        with django_capture_on_commit_callbacks(execute=True):
            complaint = _submit(category=category)
        enqueue.assert_called_once_with(complaint.pk)
    assert complaint.priority == Priority.EMERGENCY
    assert complaint.sla_target_working_days == 0
    assert coordinator.notifications.filter(kind="complaint.emergency").count() == 1


def test_emergency_enqueue_failure_never_breaks_the_submission(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kotapintar.complaints import tasks

    failing = mock.Mock()
    failing.enqueue.side_effect = RuntimeError("queue down")
    monkeypatch.setattr(tasks, "complaint_forward_emergency", failing)
    category = EmergencyCategoryFactory()
    with django_capture_on_commit_callbacks(execute=True):
        complaint = _submit(category=category)
    failing.enqueue.assert_called_once_with(complaint.pk)
    assert Complaint.objects.filter(pk=complaint.pk).exists()


def test_rate_limit_allows_the_policy_number_per_hour() -> None:
    reporter = CitizenFactory()
    limit = complaint_policy().submissions_per_hour
    answers = [complaint_submission_allowed(reporter=reporter, ip="10.0.0.1") for _ in range(limit)]
    assert answers == [True] * limit
    assert complaint_submission_allowed(reporter=reporter, ip="10.0.0.1") is False
    assert complaint_submission_allowed(reporter=CitizenFactory(), ip="10.0.0.2") is True


def test_village_code_sets_kecamatan_and_kelurahan() -> None:
    village = VillageFactory()
    complaint = _submit(village_code=village.code)
    assert complaint.village_id == village.code
    assert complaint.district_id == village.district_id
