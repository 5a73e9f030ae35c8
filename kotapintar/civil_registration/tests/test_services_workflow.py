from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from kotapintar.civil_registration import services
from kotapintar.civil_registration.models import (
    Application,
    ApplicationDocument,
    DeliveryMethod,
    DocumentStatus,
    DuplicateDecision,
    FineStatus,
    LateDecision,
    PaymentStatus,
    RejectionReason,
    SelfPrintAccess,
    Status,
)
from kotapintar.civil_registration.rules import jakarta_date
from kotapintar.civil_registration.tests.factories import (
    World,
    jpeg_upload,
    pdf_upload,
    submit,
)
from kotapintar.civil_registration.tests.helpers import pin_delivery, side_effects
from kotapintar.core.models.audit import AuditEntry
from kotapintar.core.models.notifications import Notification

pytestmark = pytest.mark.django_db


def reason(code: str) -> RejectionReason:
    return RejectionReason.objects.get(code=code)


def claimed(world: World, **kwargs: Any) -> Application:
    application = submit(world, **kwargs)
    return services.application_claim(actor=world.verifier, application=application)


def all_valid(world: World, application: Application) -> None:
    for doc in application.documents.filter(is_superseded=False):
        services.document_verify(actor=world.verifier, document=doc, valid=True)


def approved(world: World, **kwargs: Any) -> Application:
    application = claimed(world, **kwargs)
    all_valid(world, application)
    return services.application_approve(actor=world.verifier, application=application)


def assert_refused(call: Callable[[], object], error: type[Exception], app: Application) -> None:
    before = side_effects()
    snapshot = Application.objects.filter(pk=app.pk).values().get()
    with pytest.raises(error):
        call()
    assert side_effects() == before
    assert Application.objects.filter(pk=app.pk).values().get() == snapshot


# --- Main path -------------------------------------------------------------------------------


def test_pickup_journey_to_completion(world: World) -> None:
    application = approved(world)
    assert application.status == Status.APPROVED
    application = services.application_record_document_number(
        actor=world.operator, application=application, document_number="1271-KTP-2026-0001"
    )
    assert application.status == Status.IN_PROCESS
    result = services.application_attach_signed_document(
        actor=world.operator, application=application, signed_file=pdf_upload()
    )
    assert result.pin_sent_to_applicant is False
    assert not SelfPrintAccess.objects.filter(application=application).exists()
    assert result.application.verification_token
    application = services.application_mark_ready(actor=world.operator, application=application)
    assert application.status == Status.READY and application.sla_stopped_at is not None
    application = services.application_complete(actor=world.operator, application=application)
    assert application.status == Status.COMPLETED
    statuses = list(application.events.filter(kind="status").values_list("to_status", flat=True))
    assert statuses == [
        Status.SUBMITTED,
        Status.IN_VERIFICATION,
        Status.APPROVED,
        Status.IN_PROCESS,
        Status.READY,
        Status.COMPLETED,
    ]
    assert Notification.objects.filter(recipient=world.citizen).count() == 6
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "civil_registration.submit",
        "civil_registration.claim",
        "civil_registration.document_verify",
        "civil_registration.approve",
        "civil_registration.record_document_number",
        "civil_registration.attach_signed_document",
        "civil_registration.mark_ready",
        "civil_registration.complete",
    } <= actions


def test_claim_assigns_the_officer(world: World) -> None:
    application = claimed(world)
    assert application.status == Status.IN_VERIFICATION
    assert application.assigned_officer == world.verifier


def test_assign_to_an_officer_of_the_unit(world: World) -> None:
    application = submit(world)
    application = services.application_assign(
        actor=world.head, application=application, officer=world.operator
    )
    assert application.assigned_officer == world.operator
    assert application.status == Status.IN_VERIFICATION
    with pytest.raises(ValidationError):
        services.application_assign(
            actor=world.head, application=application, officer=world.other_unit_verifier
        )


# --- Denied paths change nothing ---------------------------------------------------------------


def test_citizen_and_other_unit_cannot_claim(world: World) -> None:
    application = submit(world)
    for actor in (world.citizen, world.other_unit_verifier, world.dashboard):
        assert_refused(
            partial(services.application_claim, actor=actor, application=application),
            PermissionDenied,
            application,
        )


def test_officer_without_module_role_cannot_act(world: World) -> None:
    from kotapintar.testing.factories import OfficerFactory

    plain = OfficerFactory(agency=world.agency, unit=world.desk)
    application = submit(world)
    assert_refused(
        lambda: services.application_claim(actor=plain, application=application),
        PermissionDenied,
        application,
    )


def test_only_the_assigned_officer_verifies_documents(world: World) -> None:
    application = claimed(world)
    doc = application.documents.first()
    assert doc is not None
    assert_refused(
        lambda: services.document_verify(actor=world.operator, document=doc, valid=True),
        PermissionDenied,
        application,
    )


def test_approve_before_claim_is_an_invalid_transition(world: World) -> None:
    application = submit(world)
    assert_refused(
        lambda: services.application_approve(actor=world.verifier, application=application),
        ValidationError,
        application,
    )


def test_approve_with_unchecked_documents_is_refused(world: World) -> None:
    application = claimed(world)
    with pytest.raises(ValidationError) as exc:
        services.application_approve(actor=world.verifier, application=application)
    assert [e.code for e in exc.value.error_list] == ["documents_not_valid"]
    assert Application.objects.get(pk=application.pk).status == Status.IN_VERIFICATION


def test_operator_cannot_approve_or_decide_late(world: World) -> None:
    application = claimed(world)
    all_valid(world, application)
    assert_refused(
        lambda: services.application_approve(actor=world.operator, application=application),
        PermissionDenied,
        application,
    )


def test_cancel_by_the_applicant_only_and_not_after_approval(world: World) -> None:
    application = submit(world)
    assert_refused(
        lambda: services.application_cancel(actor=world.other_citizen, application=application),
        PermissionDenied,
        application,
    )
    done = approved(world, service_code="ktp-el-rusak")
    assert_refused(
        lambda: services.application_cancel(actor=world.citizen, application=done),
        ValidationError,
        done,
    )
    cancelled = services.application_cancel(actor=world.citizen, application=application)
    assert cancelled.status == Status.CANCELLED and cancelled.sla_stopped_at is not None


# --- T9 / T13: invalid documents, return, resubmit ------------------------------------------


def test_t9_forgery_needs_a_note_and_keeps_the_file_as_evidence(world: World) -> None:
    application = claimed(world)
    doc = application.documents.get(requirement__code="kk")
    assert_refused(
        lambda: services.document_verify(
            actor=world.verifier, document=doc, valid=False, reason=reason("diduga-palsu")
        ),
        ValidationError,
        application,
    )
    doc = services.document_verify(
        actor=world.verifier,
        document=doc,
        valid=False,
        reason=reason("diduga-palsu"),
        note="Nomor seri blanko tidak cocok.",
    )
    assert doc.status == DocumentStatus.INVALID and doc.is_evidence
    assert doc.sha256 == doc.file.original_sha256 and doc.file.original_storage_name
    entry = AuditEntry.objects.filter(action="civil_registration.document_verify").last()
    assert entry is not None and entry.after is not None
    assert entry.after["reason"] == "diduga-palsu"


def test_t9_photocopy_reason_needs_no_note(world: World) -> None:
    application = claimed(world)
    doc = application.documents.get(requirement__code="kk")
    doc = services.document_verify(
        actor=world.verifier, document=doc, valid=False, reason=reason("foto-fotokopi")
    )
    assert doc.rejection_reason is not None and doc.rejection_reason.code == "foto-fotokopi"
    assert not doc.is_evidence


def test_t13_return_pauses_clock_and_resubmit_keeps_both_rounds(world: World) -> None:
    application = claimed(world)
    kk = application.documents.get(requirement__code="kk")
    services.document_verify(
        actor=world.verifier, document=kk, valid=False, reason=reason("tidak-terbaca")
    )
    application = services.application_return(actor=world.verifier, application=application)
    assert application.status == Status.RETURNED
    assert application.sla_paused_at is not None
    note = Notification.objects.filter(recipient=world.citizen).order_by("pk").last()
    assert note is not None and "Tidak terbaca" in note.body

    with pytest.raises(ValidationError) as exc:
        services.application_resubmit(actor=world.citizen, application=application)
    assert "documents.kk" in exc.value.message_dict

    application = services.application_resubmit(
        actor=world.citizen, application=application, documents={"kk": jpeg_upload("kk2.jpg")}
    )
    assert application.status == Status.SUBMITTED and application.round == 2
    assert application.sla_paused_at is None
    old = ApplicationDocument.objects.get(pk=kk.pk)
    assert old.is_superseded and old.superseded_by is not None
    assert old.superseded_by.round == 2
    assert old.file_id is not None  # kept, never deleted
    assert application.documents.count() == 3
    rounds = list(application.events.filter(kind="status").values_list("round", "to_status"))
    assert rounds == [
        (1, Status.SUBMITTED),
        (1, Status.IN_VERIFICATION),
        (1, Status.RETURNED),
        (2, Status.SUBMITTED),
    ]


def test_t13_paused_days_move_the_due_date(world: World) -> None:
    application = claimed(world)
    application = services.application_return(
        actor=world.verifier, application=application, note="Foto KK terpotong."
    )
    due_before = application.sla_due_at
    # Pretend the citizen answered ten days later.
    Application.objects.filter(pk=application.pk).update(
        sla_paused_at=timezone.now() - timedelta(days=10)
    )
    application.refresh_from_db()
    application = services.application_resubmit(
        actor=world.citizen, application=application, documents={"kk": jpeg_upload()}
    )
    assert application.sla_paused_working_days > 0
    assert due_before is not None and application.sla_due_at is not None
    assert application.sla_due_at > due_before


def test_return_needs_an_invalid_document_or_a_note(world: World) -> None:
    application = claimed(world)
    assert_refused(
        lambda: services.application_return(actor=world.verifier, application=application),
        ValidationError,
        application,
    )


def test_reject_needs_reason_and_note_and_stops_the_clock(world: World) -> None:
    application = claimed(world)
    assert_refused(
        lambda: services.application_reject(
            actor=world.verifier, application=application, reason=reason("lainnya"), note=""
        ),
        ValidationError,
        application,
    )
    application = services.application_reject(
        actor=world.verifier,
        application=application,
        reason=reason("data-tidak-sesuai"),
        note="Nama berbeda dengan KK.",
    )
    assert application.status == Status.REJECTED and application.sla_stopped_at is not None


# --- T6 duplicates / T11 late registration ------------------------------------------------------


def test_t6_twins_pass_after_not_duplicate_decision(world: World) -> None:
    submit(world, service_code="akta-kelahiran")
    twin = claimed(world, service_code="akta-kelahiran", subject_name="Putri  Santoso")
    assert twin.possible_duplicate
    all_valid(world, twin)
    with pytest.raises(ValidationError) as exc:
        services.application_approve(actor=world.verifier, application=twin)
    assert [e.code for e in exc.value.error_list] == ["duplicate_undecided"]
    twin = services.application_decide_duplicate(
        actor=world.verifier, application=twin, is_duplicate=False, note="Kembar, dua surat lahir."
    )
    assert twin.duplicate_decision == DuplicateDecision.NOT_DUPLICATE
    twin = services.application_approve(actor=world.verifier, application=twin)
    assert twin.status == Status.APPROVED


def test_decide_duplicate_on_an_unflagged_application_is_refused(world: World) -> None:
    application = claimed(world)
    assert_refused(
        lambda: services.application_decide_duplicate(
            actor=world.verifier, application=application, is_duplicate=True, note="x"
        ),
        ValidationError,
        application,
    )


def test_t11_late_birth_needs_head_decision_and_fine(world: World) -> None:
    application = claimed(
        world, service_code="akta-kelahiran", event_date=jakarta_date() - timedelta(days=61)
    )
    all_valid(world, application)
    with pytest.raises(ValidationError) as exc:
        services.application_approve(actor=world.verifier, application=application)
    assert [e.code for e in exc.value.error_list] == ["late_not_approved", "fine_unpaid"]
    assert_refused(
        lambda: services.application_decide_late(
            actor=world.verifier, application=application, approve=True
        ),
        PermissionDenied,
        application,
    )
    application = services.application_decide_late(
        actor=world.head, application=application, approve=True, note="Disetujui."
    )
    assert application.late_decision == LateDecision.APPROVED
    application = services.application_record_fine_payment(
        actor=world.operator, application=application, payment_reference="BSU-123"
    )
    assert application.fine_status == FineStatus.PAID
    application = services.application_approve(actor=world.verifier, application=application)
    assert application.status == Status.APPROVED


def test_t11_head_may_waive_the_fine(world: World) -> None:
    application = claimed(
        world, service_code="akta-kelahiran", event_date=jakarta_date() - timedelta(days=90)
    )
    application = services.application_decide_late(
        actor=world.head, application=application, approve=True, waive_fine=True
    )
    assert application.fine_status == FineStatus.WAIVED


def test_refusing_a_late_registration_needs_a_note(world: World) -> None:
    application = claimed(
        world, service_code="akta-kelahiran", event_date=jakarta_date() - timedelta(days=90)
    )
    assert_refused(
        lambda: services.application_decide_late(
            actor=world.head, application=application, approve=False
        ),
        ValidationError,
        application,
    )


def test_ktp_new_needs_the_officer_biometric_check(world: World) -> None:
    application = claimed(world, service_code="ktp-el-baru", biometric_recorded_declared=True)
    all_valid(world, application)
    with pytest.raises(ValidationError) as exc:
        services.application_approve(actor=world.verifier, application=application)
    assert [e.code for e in exc.value.error_list] == ["biometrics_not_checked"]
    application = services.application_approve(
        actor=world.verifier, application=application, biometrics_checked=True
    )
    assert application.status == Status.APPROVED


# --- T15 delivery --------------------------------------------------------------------------------


def _in_process(world: World, **kwargs: Any) -> Application:
    application = approved(world, **kwargs)
    return services.application_record_document_number(
        actor=world.operator, application=application, document_number="1271-0001"
    )


def test_t15_pos_dispatch_only_after_payment_with_tracking_number(world: World) -> None:
    application = _in_process(
        world,
        delivery_method=DeliveryMethod.POS,
        delivery_village_code="12.71.01.1001",
        delivery_address="Jl. Pandu No. 5",
    )
    assert_refused(
        lambda: services.application_dispatch(
            actor=world.operator, application=application, tracking_number="P123"
        ),
        ValidationError,
        application,
    )
    assert_refused(
        lambda: services.application_mark_ready(actor=world.operator, application=application),
        ValidationError,
        application,
    )
    application = services.application_confirm_delivery_payment(
        actor=world.operator, application=application, payment_reference="BSU-9"
    )
    assert application.delivery_payment_status == PaymentStatus.PAID
    application = services.application_dispatch(
        actor=world.operator, application=application, tracking_number="P2611290001"
    )
    assert application.status == Status.READY and application.tracking_number == "P2611290001"
    note = Notification.objects.filter(recipient=world.citizen).order_by("pk").last()
    assert note is not None and "P2611290001" in note.body


def _self_print(world: World) -> tuple[Application, str]:
    application = _in_process(world, delivery_method=DeliveryMethod.SELF_PRINT)
    assert_refused(
        lambda: services.application_mark_ready(actor=world.operator, application=application),
        ValidationError,
        application,
    )
    with pin_delivery() as pins:
        result = services.application_attach_signed_document(
            actor=world.operator, application=application, signed_file=pdf_upload()
        )
    assert result.pin_sent_to_applicant is True
    assert len(pins) == 1 and len(pins[0]) == 6 and pins[0].isdigit()
    access = SelfPrintAccess.objects.get(application=application)
    assert pins[0] not in access.pin_hash
    application = services.application_mark_ready(actor=world.operator, application=application)
    return application, pins[0]


def test_t15_self_print_with_the_right_pin(world: World) -> None:
    application, pin = _self_print(world)
    access = SelfPrintAccess.objects.get(application=application)
    stored = services.self_print_unlock(token=access.token, pin=pin)
    assert stored == application.signed_document
    access.refresh_from_db()
    assert access.download_count == 1
    entries = AuditEntry.objects.filter(action="civil_registration.self_print_unlock")
    assert [e.after["outcome"] for e in entries if e.after] == ["unlocked"]
    assert pin not in str([e.after for e in entries])


def test_t15_wrong_pins_lock_the_link(world: World) -> None:
    application, pin = _self_print(world)
    access = SelfPrintAccess.objects.get(application=application)
    wrong = "000000" if pin != "000000" else "111111"
    for _attempt in range(4):
        with pytest.raises(services.SelfPrintDenied) as exc:
            services.self_print_unlock(token=access.token, pin=wrong)
        assert exc.value.code == "wrong_pin"
    with pytest.raises(services.SelfPrintDenied) as exc:
        services.self_print_unlock(token=access.token, pin=wrong)
    assert exc.value.code == "locked"
    # Even the right PIN is refused while locked.
    with pytest.raises(services.SelfPrintDenied) as exc:
        services.self_print_unlock(token=access.token, pin=pin)
    assert exc.value.code == "locked"
    access.refresh_from_db()
    assert access.locked_until is not None and access.download_count == 0
    later = access.locked_until + timedelta(seconds=1)
    assert services.self_print_unlock(token=access.token, pin=pin, now=later)


def test_t15_expired_link_and_unknown_token(world: World) -> None:
    application, pin = _self_print(world)
    access = SelfPrintAccess.objects.get(application=application)
    with pytest.raises(services.SelfPrintDenied) as exc:
        services.self_print_unlock(
            token=access.token, pin=pin, now=access.expires_at + timedelta(seconds=1)
        )
    assert exc.value.code == "expired"
    with pytest.raises(Http404):
        services.self_print_unlock(token="bukan-token", pin=pin)


def test_signed_document_must_be_a_pdf(world: World) -> None:
    application = _in_process(world)
    assert_refused(
        lambda: services.application_attach_signed_document(
            actor=world.operator, application=application, signed_file=jpeg_upload()
        ),
        ValidationError,
        application,
    )


def test_t12_no_notification_mentions_a_fee_for_the_document(world: World) -> None:
    _self_print(world)
    texts = " ".join(n.title + n.body for n in Notification.objects.all()).lower()
    assert "biaya" not in texts and "rp" not in texts.split()
