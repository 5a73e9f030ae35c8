"""The officers' workspace (/adminduk/kelola/): permissions, masking, audit of reads, actions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kotapintar.accounts.models import User
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
    Status,
)
from kotapintar.civil_registration.rules import jakarta_date
from kotapintar.civil_registration.tests.factories import (
    NIK,
    World,
    grant,
    pdf_upload,
    submit,
)
from kotapintar.civil_registration.tests.helpers import pin_delivery, side_effects
from kotapintar.core.models.audit import AuditEntry
from kotapintar.testing.factories import CityAdminFactory
from kotapintar.testing.permissions import Actors, assert_permission_matrix

pytestmark = pytest.mark.django_db

QUEUE = reverse("civil_registration:staff_queue")
OVERDUE = reverse("civil_registration:staff_overdue")


def fresh(user: User) -> User:
    """A new object: module roles are cached per user object."""
    return User.objects.get(pk=user.pk)


def detail_url(application: Application) -> str:
    return reverse("civil_registration:staff_detail", args=[application.pk])


def action_url(application: Application, action: str) -> str:
    return reverse("civil_registration:staff_action", args=[application.pk, action])


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def actors(world: World, *, assigned: User | None = None) -> Actors:
    users: dict[str, User | None] = {
        "anonymous": None,
        "citizen": world.citizen,
        "other_unit_officer": world.other_unit_verifier,
        "unit_officer": world.operator,
        "head": world.head,
        "dashboard": world.dashboard,
        "admin": CityAdminFactory.create(),
    }
    if assigned is not None:
        users["assigned_officer"] = assigned
    return Actors(users=users)


def claimed(world: World, **kwargs: Any) -> Application:
    application = submit(world, **kwargs)
    return services.application_claim(actor=fresh(world.verifier), application=application)


def post(user: User, url: str, data: dict[str, Any] | None = None) -> Any:
    return client_for(user).post(url, data or {})


def state(application: Application) -> dict[str, Any]:
    application.refresh_from_db()
    return {
        "status": application.status,
        "assigned": application.assigned_officer_id,
        "docs": sorted(
            (str(d.pk), d.status, d.rejection_reason_id, d.is_evidence)
            for d in application.documents.all()
        ),
        "duplicate": application.duplicate_decision,
        "late": application.late_decision,
        "fine": application.fine_status,
        "number": application.siak_document_number,
        "tracking": application.tracking_number,
        "payment": application.delivery_payment_status,
        # A refused form is shown again; for the assigned officer that page is an (audited)
        # read of personal data, which is not a change.
        "effects": {
            **side_effects(),
            "audit": AuditEntry.objects.exclude(action="personal_data.read").count(),
        },
    }


# --- Permission matrix --------------------------------------------------------------------------


def test_queue_overdue_and_dashboard_permission_matrix(world: World) -> None:
    submit(world)
    people = actors(world)
    common = {"anonymous": 302, "citizen": 404, "other_unit_officer": 200, "unit_officer": 200}
    assert_permission_matrix(
        Client, QUEUE, "get", {**common, "head": 200, "dashboard": 302, "admin": 302}, people
    )
    assert_permission_matrix(
        Client, OVERDUE, "get", {**common, "head": 200, "dashboard": 404, "admin": 404}, people
    )
    assert_permission_matrix(
        Client,
        reverse("civil_registration:staff_dashboard"),
        "get",
        {
            "anonymous": 302,
            "citizen": 404,
            "other_unit_officer": 404,
            "unit_officer": 404,
            "head": 200,
            "dashboard": 200,
            "admin": 200,
        },
        people,
    )


def test_detail_permission_matrix_masks_until_assigned_and_audits_unmasked_reads(
    world: World,
) -> None:
    application = claimed(world)
    people = actors(world, assigned=world.verifier)
    before = AuditEntry.objects.filter(action="personal_data.read").count()
    responses = assert_permission_matrix(
        Client,
        detail_url(application),
        "get",
        {
            "anonymous": 302,
            "citizen": 404,
            "other_unit_officer": 404,
            "unit_officer": 200,
            "head": 200,
            "dashboard": 404,
            "admin": 404,
            "assigned_officer": 200,
        },
        people,
    )
    for name in ("unit_officer", "head"):
        html = responses[name].content.decode()
        assert NIK not in html and "Budi Santoso" not in html
        assert "1271********0001" in html and "B*** S******" in html
        assert "Data pribadi disembunyikan" in html
    html = responses["assigned_officer"].content.decode()
    assert NIK in html and "Budi Santoso" in html
    assert NIK not in detail_url(application)
    reads = AuditEntry.objects.filter(action="personal_data.read").order_by("pk")
    assert reads.count() == before + 1
    entry = reads.last()
    assert entry is not None
    assert entry.actor_id == world.verifier.pk and entry.object_id == str(application.pk)


def test_unknown_or_malformed_ids_are_404(world: World) -> None:
    client = client_for(world.operator)
    assert client.get("/adminduk/kelola/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/adminduk/kelola/bukan-uuid/").status_code == 404


def test_claim_action_permission_matrix_denied_actors_change_nothing(world: World) -> None:
    application = submit(world)
    url = action_url(application, "claim")
    people = actors(world)
    people.users.pop("unit_officer")
    before = state(application)
    assert_permission_matrix(
        Client,
        url,
        "post",
        {
            "anonymous": 302,
            "citizen": 404,
            "other_unit_officer": 404,
            "head": 403,  # the head assigns; claiming is for operators and verifiers
            "dashboard": 404,
            "admin": 404,
        },
        people,
    )
    assert state(application) == before
    response = post(world.operator, url)
    assert response.status_code == 303 and response["Location"] == detail_url(application)
    application.refresh_from_db()
    assert application.status == Status.IN_VERIFICATION
    assert application.assigned_officer_id == world.operator.pk
    assert AuditEntry.objects.filter(
        action="civil_registration.claim", object_id=str(application.pk)
    ).exists()


def test_get_on_an_action_url_is_refused(world: World) -> None:
    application = submit(world)
    assert client_for(world.operator).get(action_url(application, "claim")).status_code == 405


def test_unknown_action_is_404(world: World) -> None:
    application = submit(world)
    assert post(world.operator, action_url(application, "hapus")).status_code == 404


# --- Queue ---------------------------------------------------------------------------------------


NAMES = ["Andi", "Bima", "Citra", "Dewi", "Eka", "Fajar", "Gita", "Hadi", "Indah", "Joko"]


def _many(world: World, count: int, start: int = 1) -> list[Application]:
    return [
        submit(
            world,
            subject_nik=f"1271011708850{n:03d}",
            subject_name=f"Warga {NAMES[n % len(NAMES)]}",
        )
        for n in range(start, start + count)
    ]


def test_queue_lists_the_unit_masked_sorted_by_due_date(world: World) -> None:
    first, second, third = _many(world, 3)
    now = timezone.now()
    Application.objects.filter(pk=first.pk).update(sla_due_at=now + timedelta(days=3))
    Application.objects.filter(pk=second.pk).update(sla_due_at=now - timedelta(days=1))
    Application.objects.filter(pk=third.pk).update(sla_due_at=now + timedelta(days=1))
    services.application_claim(actor=fresh(world.operator), application=third)
    html = client_for(world.operator).get(QUEUE).content.decode()
    refs = [second.reference, third.reference, first.reference]
    positions = [html.index(ref) for ref in refs]
    assert positions == sorted(positions)
    assert "Warga Bima" not in html and "W**** B***" in html
    for n in range(1, 4):
        assert f"1271011708850{n:03d}" not in html
    assert "Terlambat" in html  # the overdue row is tagged
    assert html.count('action="/adminduk/kelola/') == 2  # claim buttons: unassigned rows only
    other = client_for(world.other_unit_verifier).get(QUEUE).content.decode()
    assert first.reference not in other and "0 permohonan" in other


def test_queue_filters(world: World) -> None:
    mine, unassigned, late = (
        submit(world),
        submit(world, service_code="kia", subject_nik="1271011708850002"),
        submit(
            world,
            service_code="akta-kelahiran",
            event_date=jakarta_date() - timedelta(days=61),
        ),
    )
    services.application_claim(actor=fresh(world.operator), application=mine)
    Application.objects.filter(pk=unassigned.pk).update(
        sla_due_at=timezone.now() - timedelta(hours=1)
    )
    client = client_for(world.operator)

    def refs(query: str) -> set[str]:
        html = client.get(QUEUE + "?" + query).content.decode()
        return {a.reference for a in (mine, unassigned, late) if a.reference in html}

    assert refs("") == {mine.reference, unassigned.reference, late.reference}
    assert refs("mine=on") == {mine.reference}
    assert refs("unassigned=on") == {unassigned.reference, late.reference}
    assert refs("overdue=on") == {unassigned.reference}
    assert refs("late=on") == {late.reference}
    assert refs("service=kia") == {unassigned.reference}
    assert refs("status=diverifikasi") == {mine.reference}
    assert refs("status=selesai") == set()
    assert refs("possible_duplicate=on") == set()


def test_queue_query_count_is_constant(world: World) -> None:
    _many(world, 2)
    client = client_for(world.operator)
    client.get(QUEUE)  # warm caches (session, regions)
    with CaptureQueriesContext(connection) as small:
        assert client.get(QUEUE).status_code == 200
    more = _many(world, 6, start=10)
    for application in more[:3]:
        services.application_claim(actor=fresh(world.verifier), application=application)
    with CaptureQueriesContext(connection) as large:
        assert client.get(QUEUE).status_code == 200
    assert len(large) == len(small)


def test_queue_is_paginated(world: World) -> None:
    from kotapintar.civil_registration import views_staff

    _many(world, 3)
    original = views_staff.PAGE_SIZE
    views_staff.PAGE_SIZE = 2
    try:
        client = client_for(world.operator)
        first = client.get(QUEUE).content.decode()
        second = client.get(QUEUE + "?page=2").content.decode()
    finally:
        views_staff.PAGE_SIZE = original
    assert "Halaman 1 dari 2" in first and "Halaman 2 dari 2" in second


# --- Case page -----------------------------------------------------------------------------------


def test_t3_officer_sees_medan_region_and_warnings_only_when_assigned(world: World) -> None:
    application = claimed(world, subject_nik="1271011708850000")  # serial 0000 -> warning
    html = client_for(world.verifier).get(detail_url(application)).content.decode()
    assert "Kota Medan / Medan Kota" in html and "Sibolga" not in html
    assert 'data-code="nik_serial_zero"' in html
    masked = client_for(world.operator).get(detail_url(application)).content.decode()
    assert "Kota Medan / Medan Kota" not in masked


def test_t2_nik_outside_the_city_is_a_warning_for_the_officer(world: World) -> None:
    application = claimed(world, subject_nik="3171011708850001")
    html = client_for(world.verifier).get(detail_url(application)).content.decode()
    assert 'data-code="nik_region_outside_city"' in html
    assert 'data-code="nik_region_unknown"' in html


def test_documents_preview_and_download_are_audited_for_the_assigned_officer(
    world: World,
) -> None:
    application = claimed(world)
    document = application.documents.first()
    assert document is not None
    file_url = reverse("core:file", args=[document.file_id])
    html = client_for(world.verifier).get(detail_url(application)).content.decode()
    assert f'src="{file_url}"' in html  # inline preview of the image
    downloads = AuditEntry.objects.filter(action="file.download")
    before = downloads.count()
    assert client_for(world.operator).get(file_url).status_code == 404
    assert downloads.count() == before
    response = client_for(world.verifier).get(file_url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert downloads.count() == before + 1
    entry = downloads.order_by("pk").last()
    assert entry is not None and entry.actor_id == world.verifier.pk
    assert entry.object_id == str(document.file_id)


def test_detail_shows_approval_blockers_and_tte_reminder(world: World) -> None:
    application = claimed(world)
    html = client_for(world.verifier).get(detail_url(application)).content.decode()
    assert "Persetujuan terhalang" in html
    assert "Semua dokumen harus sudah diperiksa dan valid." in html
    assert "Dokumen TTE: periksa kode QR-nya" in html


# --- Actions -------------------------------------------------------------------------------------


def _verify(
    world: World, application: Application, document: ApplicationDocument, **data: Any
) -> Any:
    payload = {"verify_document-document": str(document.pk), **data}
    return post(world.verifier, action_url(application, "verify_document"), payload)


def test_verify_document_valid_and_forgery_needs_reason_and_keeps_evidence(world: World) -> None:
    application = claimed(world)
    valid_doc, forged = list(application.documents.order_by("requirement__order"))
    response = _verify(world, application, valid_doc, **{"verify_document-result": "valid"})
    assert response.status_code == 303
    valid_doc.refresh_from_db()
    assert (
        valid_doc.status == DocumentStatus.VALID and valid_doc.verified_by_id == world.verifier.pk
    )

    forgery = RejectionReason.objects.get(code="diduga-palsu")
    before = state(application)
    response = _verify(
        world,
        application,
        forged,
        **{"verify_document-result": "invalid", "verify_document-reason": str(forgery.pk)},
    )
    assert response.status_code == 200
    assert "Alasan ini memerlukan penjelasan tertulis." in response.content.decode()
    assert state(application) == before

    sha = forged.sha256
    response = _verify(
        world,
        application,
        forged,
        **{
            "verify_document-result": "invalid",
            "verify_document-reason": str(forgery.pk),
            "verify_document-note": "Nomor seri tidak cocok dengan format Dukcapil.",
        },
    )
    assert response.status_code == 303
    forged.refresh_from_db()
    assert forged.status == DocumentStatus.INVALID and forged.is_evidence and forged.sha256 == sha
    audit = (
        AuditEntry.objects.filter(action="civil_registration.document_verify").order_by("pk").last()
    )
    assert audit is not None and audit.after is not None
    assert audit.after["evidence_sha256"] == sha


def test_verify_by_an_unassigned_officer_is_refused_and_changes_nothing(world: World) -> None:
    application = claimed(world)
    document = application.documents.first()
    assert document is not None
    before = state(application)
    response = post(
        world.operator,
        action_url(application, "verify_document"),
        {"verify_document-document": str(document.pk), "verify_document-result": "valid"},
    )
    assert response.status_code == 403
    response = post(
        world.other_unit_verifier,
        action_url(application, "verify_document"),
        {"verify_document-document": str(document.pk), "verify_document-result": "valid"},
    )
    assert response.status_code == 404
    assert state(application) == before


def test_return_to_the_citizen_with_a_message(world: World) -> None:
    application = claimed(world)
    before = state(application)
    assert post(world.operator, action_url(application, "return"), {}).status_code == 403
    response = post(world.verifier, action_url(application, "return"), {})
    assert response.status_code == 200  # nothing marked, no message: refused with a reason
    assert state(application) == before
    response = post(
        world.verifier, action_url(application, "return"), {"return-note": "Foto KK buram."}
    )
    assert response.status_code == 303
    application.refresh_from_db()
    assert application.status == Status.RETURNED and application.sla_paused_at is not None


def test_assign_by_the_head_and_not_by_an_operator(world: World) -> None:
    application = submit(world)
    before = state(application)
    response = post(
        world.operator, action_url(application, "assign"), {"assign-officer": world.verifier.pk}
    )
    assert response.status_code == 403
    response = post(
        world.head,
        action_url(application, "assign"),
        {"assign-officer": world.other_unit_verifier.pk},  # not of this unit: not offered
    )
    assert response.status_code == 200
    assert state(application) == before
    response = post(
        world.head, action_url(application, "assign"), {"assign-officer": world.verifier.pk}
    )
    assert response.status_code == 303
    application.refresh_from_db()
    assert application.assigned_officer_id == world.verifier.pk
    assert application.status == Status.IN_VERIFICATION


def _all_valid(world: World, application: Application) -> None:
    for document in application.documents.filter(is_superseded=False):
        services.document_verify(actor=fresh(world.verifier), document=document, valid=True)


def test_pickup_journey_approve_number_signed_pdf_ready_complete(world: World) -> None:
    application = claimed(world)
    before = state(application)
    assert post(world.verifier, action_url(application, "approve")).status_code == 200
    assert state(application) == before  # blockers: documents not checked
    _all_valid(world, application)
    assert post(world.operator, action_url(application, "approve")).status_code == 403
    assert post(world.verifier, action_url(application, "approve")).status_code == 303
    application.refresh_from_db()
    assert application.status == Status.APPROVED

    before = state(application)
    response = post(
        world.operator,
        action_url(application, "record_document_number"),
        {"record_document_number-document_number": ""},
    )
    assert response.status_code == 200 and state(application) == before
    response = post(
        world.operator,
        action_url(application, "record_document_number"),
        {"record_document_number-document_number": "1271-LU-29112026-0001"},
    )
    assert response.status_code == 303
    application.refresh_from_db()
    assert application.status == Status.IN_PROCESS
    assert application.siak_document_number == "1271-LU-29112026-0001"

    client = client_for(world.operator)
    response = client.post(
        action_url(application, "attach_signed_document"),
        {"attach_signed_document-signed_file": pdf_upload("akta.pdf")},
    )
    assert response.status_code == 303
    application.refresh_from_db()
    assert application.signed_document_id is not None and application.issued_at is not None

    assert post(world.operator, action_url(application, "dispatch")).status_code == 403
    assert post(world.operator, action_url(application, "mark_ready")).status_code == 303
    application.refresh_from_db()
    assert application.status == Status.READY
    assert post(world.operator, action_url(application, "complete")).status_code == 303
    application.refresh_from_db()
    assert application.status == Status.COMPLETED
    assert post(world.operator, action_url(application, "complete")).status_code == 403


def test_signed_pdf_must_be_a_pdf(world: World, settings: Any) -> None:
    from kotapintar.civil_registration.tests.factories import jpeg_upload

    application = claimed(world)
    _all_valid(world, application)
    services.application_approve(actor=fresh(world.verifier), application=application)
    services.application_record_document_number(
        actor=fresh(world.operator), application=application, document_number="1271-0001"
    )
    before = state(application)
    response = client_for(world.operator).post(
        action_url(application, "attach_signed_document"),
        {"attach_signed_document-signed_file": jpeg_upload("akta.pdf")},
    )
    assert response.status_code == 200
    assert state(application) == before


def test_self_print_pin_goes_to_the_applicant_not_the_officer(world: World) -> None:
    application = claimed(world, delivery_method=DeliveryMethod.SELF_PRINT)
    _all_valid(world, application)
    services.application_approve(actor=fresh(world.verifier), application=application)
    services.application_record_document_number(
        actor=fresh(world.operator), application=application, document_number="1271-0001"
    )
    client = client_for(world.operator)
    with pin_delivery() as pins:
        response = client.post(
            action_url(application, "attach_signed_document"),
            {"attach_signed_document-signed_file": pdf_upload()},
            follow=True,
        )
    html = response.content.decode()
    assert "PIN dikirim ke pemohon." in html
    assert len(pins) == 1 and pins[0] not in html
    again = client.get(detail_url(application)).content.decode()
    assert "PIN dikirim ke pemohon." not in again and pins[0] not in again


def test_pos_payment_then_dispatch_with_tracking_number(world: World) -> None:
    application = claimed(
        world,
        delivery_method=DeliveryMethod.POS,
        delivery_village_code="12.71.01.1001",
        delivery_address="Jl. Pandu No. 5",
    )
    _all_valid(world, application)
    services.application_approve(actor=fresh(world.verifier), application=application)
    services.application_record_document_number(
        actor=fresh(world.operator), application=application, document_number="1271-0001"
    )
    html = client_for(world.verifier).get(detail_url(application)).content.decode()
    assert "Rp12.000" in html and "Jl. Pandu No. 5" in html
    before = state(application)
    response = post(
        world.operator, action_url(application, "dispatch"), {"dispatch-tracking_number": "P1"}
    )
    assert response.status_code == 200
    assert "Ongkos kirim belum dibayar." in response.content.decode()
    assert state(application) == before
    assert post(world.operator, action_url(application, "mark_ready")).status_code == 403
    response = post(
        world.operator,
        action_url(application, "confirm_delivery_payment"),
        {"confirm_delivery_payment-payment_reference": "BSU-9"},
    )
    assert response.status_code == 303
    application.refresh_from_db()
    assert application.delivery_payment_status == PaymentStatus.PAID
    response = post(
        world.operator,
        action_url(application, "dispatch"),
        {"dispatch-tracking_number": "P2611290001"},
    )
    assert response.status_code == 303
    application.refresh_from_db()
    assert application.status == Status.READY and application.tracking_number == "P2611290001"


def test_final_reject_needs_reason_and_explanation(world: World) -> None:
    application = claimed(world)
    reason = RejectionReason.objects.get(code="data-tidak-sesuai")
    before = state(application)
    response = post(world.verifier, action_url(application, "reject"), {"reject-reason": reason.pk})
    assert response.status_code == 200 and state(application) == before
    assert (
        post(
            world.operator,
            action_url(application, "reject"),
            {"reject-reason": reason.pk, "reject-note": "x"},
        ).status_code
        == 403
    )
    assert state(application) == before
    response = post(
        world.verifier,
        action_url(application, "reject"),
        {"reject-reason": reason.pk, "reject-note": "Nama berbeda dengan KK."},
    )
    assert response.status_code == 303
    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert application.rejection_note == "Nama berbeda dengan KK."


def test_t11_late_birth_is_decided_by_the_head_and_the_fine_recorded(world: World) -> None:
    application = claimed(
        world, service_code="akta-kelahiran", event_date=jakarta_date() - timedelta(days=61)
    )
    html = client_for(world.verifier).get(detail_url(application)).content.decode()
    assert "Rp100.000" in html and "Pencatatan terlambat" in html
    before = state(application)
    data = {"decide_late-decision": "approve", "decide_late-note": "Lengkap."}
    assert post(world.verifier, action_url(application, "decide_late"), data).status_code == 403
    assert state(application) == before
    response = post(world.head, action_url(application, "decide_late"), data)
    assert response.status_code == 303
    application.refresh_from_db()
    assert application.late_decision == LateDecision.APPROVED
    response = post(
        world.verifier,
        action_url(application, "record_fine_payment"),
        {"record_fine_payment-payment_reference": "BSU-123"},
    )
    assert response.status_code == 303
    application.refresh_from_db()
    assert application.fine_status == FineStatus.PAID


def test_t6_possible_duplicate_panel_and_not_duplicate_decision(world: World) -> None:
    first = submit(world, service_code="akta-kelahiran")
    twin = claimed(world, service_code="akta-kelahiran")
    assert twin.possible_duplicate
    html = client_for(world.verifier).get(detail_url(twin)).content.decode()
    panel = html[html.index('id="ganda"') :]
    assert first.reference in panel and "P**** S******" in panel  # the other case: masked
    before = state(twin)
    response = post(
        world.verifier,
        action_url(twin, "decide_duplicate"),
        {"decide_duplicate-decision": "not_duplicate"},
    )
    assert response.status_code == 200 and state(twin) == before  # the note is required
    response = post(
        world.verifier,
        action_url(twin, "decide_duplicate"),
        {"decide_duplicate-decision": "not_duplicate", "decide_duplicate-note": "Kembar."},
    )
    assert response.status_code == 303
    twin.refresh_from_db()
    assert twin.duplicate_decision == DuplicateDecision.NOT_DUPLICATE
    assert twin.duplicate_note == "Kembar."


def test_htmx_action_redirects_to_the_detail(world: World) -> None:
    application = submit(world)
    response = client_for(world.operator).post(
        action_url(application, "claim"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 303 and response["Location"] == detail_url(application)


# --- Overdue lists -------------------------------------------------------------------------------


def test_overdue_lists_per_unit_and_officer(world: World) -> None:
    late_mine, late_free, on_time = _many(world, 3)
    services.application_claim(actor=fresh(world.operator), application=late_mine)
    past = timezone.now() - timedelta(days=2)
    Application.objects.filter(pk__in=[late_mine.pk, late_free.pk]).update(sla_due_at=past)
    html = client_for(world.operator).get(OVERDUE).content.decode()
    assert late_mine.reference in html and late_free.reference in html
    assert on_time.reference not in html
    assert "Loket Disdukcapil Kecamatan Medan Kota</td><td>2</td>" in html
    assert f"{world.operator.full_name}</td><td>1</td>" in html
    assert "Belum ditugaskan</td><td>1</td>" in html
    assert "1271011708850001" not in html and "Warga Bima" not in html
    other = client_for(world.other_unit_verifier).get(OVERDUE).content.decode()
    assert late_mine.reference not in other


def test_head_sees_every_unit_of_the_agency(world: World) -> None:
    application = submit(world)
    other_head = grant(fresh(world.head))
    html = client_for(other_head).get(QUEUE).content.decode()
    assert application.reference in html


def test_queue_and_overdue_lists_never_decrypt_personal_data(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kotapintar.core import crypto

    applications = _many(world, 2)
    Application.objects.filter(pk=applications[0].pk).update(
        sla_due_at=timezone.now() - timedelta(days=1)
    )
    calls: list[str] = []
    original = crypto.decrypt

    def spy(token: str) -> str:
        calls.append("decrypt")
        return original(token)

    monkeypatch.setattr(crypto, "decrypt", spy)
    client = client_for(world.operator)
    assert client.get(QUEUE).status_code == 200
    assert client.get(OVERDUE).status_code == 200
    assert client.get(QUEUE + "?status=all").status_code == 200
    assert calls == []
    # Control: the assigned officer's case page does decrypt.
    services.application_claim(actor=fresh(world.operator), application=applications[1])
    assert client.get(detail_url(applications[1])).status_code == 200
    assert calls


def test_a_long_queue_count_is_reused_for_a_minute(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.cache import cache

    from kotapintar.civil_registration import views_staff

    cache.clear()
    monkeypatch.setattr(views_staff, "QUEUE_COUNT_CACHE_THRESHOLD", 2)
    _many(world, 2)
    client = client_for(world.operator)
    assert "2 permohonan" in client.get(QUEUE).content.decode()
    _many(world, 1, start=5)
    assert "2 permohonan" in client.get(QUEUE).content.decode()
    assert "3 permohonan" in client.get(QUEUE + "?service=ktp-el-hilang").content.decode()


def test_a_second_claim_is_told_the_case_is_taken_and_changes_nothing(world: World) -> None:
    application = submit(world)
    assert post(world.verifier, action_url(application, "claim")).status_code == 303
    before = state(application)
    client = client_for(world.operator)
    response = client.post(action_url(application, "claim"), follow=True)
    assert response.redirect_chain == [(QUEUE, 303)]
    assert "Permohonan ini sudah diambil petugas lain." in response.content.decode()
    assert state(application) == before
    assert before["assigned"] == world.verifier.pk
