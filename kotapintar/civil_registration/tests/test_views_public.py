"""Public adminduk pages: service list, service page, outage notice (T22), lateness preview, QR
verification (masked, audited, noindex) and self-print (PIN, lockout, expiry)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kotapintar.civil_registration.models import CivilRegistrationPolicy, SelfPrintAccess
from kotapintar.civil_registration.rules import jakarta_date
from kotapintar.civil_registration.selectors import civil_registration_policy
from kotapintar.civil_registration.services import (
    application_approve,
    application_attach_signed_document,
    application_claim,
    application_mark_ready,
    application_record_document_number,
)
from kotapintar.civil_registration.services_citizen import application_submit_online
from kotapintar.civil_registration.tests.factories import (
    NIK,
    World,
    pdf_upload,
    required_uploads,
    submit,
)
from kotapintar.civil_registration.tests.helpers import pin_delivery
from kotapintar.core.models.audit import AuditEntry

pytestmark = pytest.mark.django_db

SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")


def _text(response: Any) -> str:
    return response.content.decode()


def test_home_lists_services_grouped_with_free_notice(client: Client, world: World) -> None:
    response = client.get("/adminduk/")
    assert response.status_code == 200
    body = _text(response)
    assert "Pendaftaran penduduk" in body
    assert "Pencatatan sipil" in body
    assert "Akta kelahiran" in body
    assert "Gratis — tidak dipungut biaya (UU 24/2013 Pasal 79A)" in body
    assert reverse("civil_registration:service_detail", args=["akta-kelahiran"]) in body
    assert "tidak tersedia" not in body


def test_portal_entry_links_to_adminduk(client: Client, world: World) -> None:
    assert reverse("civil_registration:home") == "/adminduk/"
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert 'href="/adminduk/"' in _text(response)


def test_service_page_shows_requirements_substitutes_deadline_fine(
    client: Client, world: World
) -> None:
    world.hq.address = "Jl. Iskandar Muda No. 270"
    world.hq.opening_hours = "Senin-Jumat 08.00-16.00"
    world.hq.save()
    response = client.get("/adminduk/layanan/akta-kelahiran/")
    assert response.status_code == 200
    body = _text(response)
    assert "<title>Akta kelahiran" in body
    assert "Surat keterangan kelahiran" in body
    assert "SPTJM kebenaran data kelahiran" in body
    assert "yang perkawinannya belum tercatat" in body
    assert "1 hari kerja" in body
    assert "Laporkan paling lambat 60 hari setelah peristiwa." in body
    assert "denda administratif Rp100.000" in body
    assert "Gratis — tidak dipungut biaya" in body
    assert "Rp12.000" in body
    assert "Jl. Iskandar Muda No. 270" in body
    assert "Senin-Jumat 08.00-16.00" in body
    assert "Loket Disdukcapil Kecamatan Medan Kota" in body
    assert 'href="/adminduk/ajukan/akta-kelahiran/"' in body


def test_amounts_on_public_pages_are_only_pos_fee_and_fine(client: Client, world: World) -> None:
    """T12: documents are free; the only amounts shown are the Pos fee and the fine."""
    for code in ("akta-kelahiran", "ktp-el-hilang", "akta-kematian"):
        body = _text(client.get(f"/adminduk/layanan/{code}/"))
        amounts = set(re.findall(r"Rp\d[\d.]*\d", body))
        assert amounts <= {"Rp12.000", "Rp100.000"}, (code, amounts)
        assert "biaya dokumen" not in body.lower()
        assert "biaya penerbitan" not in body.lower()


def test_unknown_service_is_404(client: Client, world: World) -> None:
    assert client.get("/adminduk/layanan/tidak-ada/").status_code == 404


def test_outage_switch_shows_notice_and_offline_alternatives_not_the_form(
    client: Client, world: World
) -> None:
    policy = civil_registration_policy()
    policy.online_service_available = False
    policy.save()
    body = _text(client.get("/adminduk/"))
    assert "Permohonan daring sedang tidak tersedia." in body
    assert policy.outage_notice in body
    assert "Loket Disdukcapil Kecamatan Medan Kota" in body
    detail = _text(client.get("/adminduk/layanan/akta-kelahiran/"))
    assert "Permohonan daring sedang tidak tersedia." in detail
    assert "/adminduk/ajukan/akta-kelahiran/" not in detail
    client.force_login(world.citizen)
    response = client.get("/adminduk/ajukan/akta-kelahiran/")
    assert response.status_code == 503
    assert "Permohonan daring sedang tidak tersedia." in _text(response)
    assert 'enctype="multipart/form-data"' not in _text(response)


def test_outage_switch_refuses_submission_in_the_service(world: World) -> None:
    CivilRegistrationPolicy.objects.update(online_service_available=False)
    from kotapintar.civil_registration.models import Application, DocumentService
    from kotapintar.civil_registration.services_citizen import OnlineServiceClosed

    service = DocumentService.objects.get(code="ktp-el-hilang")
    with pytest.raises(OnlineServiceClosed):
        application_submit_online(
            applicant=world.citizen,
            service=service,
            subject_name="Budi",
            subject_nik=NIK,
            documents=required_uploads(service),
            unit=world.desk,
            truth_declared=True,
        )
    assert Application.objects.count() == 0


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (61, "Terlambat 61 hari setelah peristiwa — denda Rp100.000."),
        (60, "Tepat waktu (60 hari setelah peristiwa); batas 60 hari."),
    ],
)
def test_lateness_preview(client: Client, world: World, days: int, expected: str) -> None:
    event = (jakarta_date() - timedelta(days=days)).isoformat()
    response = client.get("/adminduk/layanan/akta-kelahiran/keterlambatan/", {"event_date": event})
    assert response.status_code == 200
    assert expected in _text(response)


def test_lateness_preview_future_date(client: Client, world: World) -> None:
    event = (jakarta_date() + timedelta(days=1)).isoformat()
    body = _text(
        client.get("/adminduk/layanan/akta-kelahiran/keterlambatan/", {"event_date": event})
    )
    assert "Tanggal peristiwa tidak boleh di masa depan." in body


# --- QR verification -----------------------------------------------------------------------------


def _issued(world: World, *, delivery_method: str = "self_print") -> tuple[Any, str]:
    application = submit(world, delivery_method=delivery_method)
    application_claim(actor=world.verifier, application=application)
    application.refresh_from_db()
    for doc in application.documents.all():
        from kotapintar.civil_registration.services import document_verify

        document_verify(actor=world.verifier, document=doc, valid=True)
    application_approve(actor=world.verifier, application=application)
    application_record_document_number(
        actor=world.verifier, application=application, document_number="1271-LU-29112026-0001"
    )
    with pin_delivery() as pins:
        application_attach_signed_document(
            actor=world.verifier, application=application, signed_file=pdf_upload()
        )
    application.refresh_from_db()
    return application, pins[0] if pins else ""


def test_verification_page_active_document_masked_and_audited(client: Client, world: World) -> None:
    application, _pin = _issued(world)
    before = AuditEntry.objects.filter(action="civil_registration.verification_view").count()
    response = client.get(f"/adminduk/verifikasi/{application.verification_token}/")
    assert response.status_code == 200
    body = _text(response)
    assert "Dokumen aktif" in body
    assert "1271********0001" in body
    assert "B*** S******" in body
    assert "1271-LU-29112026-0001" in body
    assert not SIXTEEN_DIGITS.search(body)
    assert "Budi Santoso" not in body
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    after = AuditEntry.objects.filter(action="civil_registration.verification_view")
    assert after.count() == before + 1
    assert after.latest("id").after == {"outcome": "active"}


def test_verification_page_unknown_token_is_red_not_found(client: Client, world: World) -> None:
    response = client.get("/adminduk/verifikasi/" + "x" * 32 + "/")
    assert response.status_code == 404
    body = _text(response)
    assert "Tidak ditemukan" in body
    assert "verify-bad" in body
    assert AuditEntry.objects.filter(
        action="civil_registration.verification_view", after={"outcome": "not_found"}
    ).exists()


def test_verification_of_a_receipt_before_issue(client: Client, world: World) -> None:
    service_code = "ktp-el-hilang"
    from kotapintar.civil_registration.models import DocumentService

    service = DocumentService.objects.get(code=service_code)
    application = application_submit_online(
        applicant=world.citizen,
        service=service,
        subject_name="Budi Santoso",
        subject_nik=NIK,
        documents=required_uploads(service),
        unit=world.desk,
        truth_declared=True,
    )
    assert application.verification_token
    body = _text(client.get(f"/adminduk/verifikasi/{application.verification_token}/"))
    assert "Tanda terima permohonan sah" in body
    assert application.reference in body
    assert "1271********0001" in body
    assert not SIXTEEN_DIGITS.search(body)


# --- Self-print ----------------------------------------------------------------------------------


def _ready_self_print(world: World) -> tuple[Any, str, str]:
    application, pin = _issued(world)
    application_mark_ready(actor=world.verifier, application=application)
    token = SelfPrintAccess.objects.get(application=application).token
    return application, pin, token


def test_self_print_right_pin_downloads_attachment(client: Client, world: World) -> None:
    application, pin, token = _ready_self_print(world)
    page = client.get(f"/adminduk/cetak/{token}/")
    assert page.status_code == 200
    assert "Masukkan PIN" in _text(page)
    response = client.post(f"/adminduk/cetak/{token}/", {"pin": pin})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    access = SelfPrintAccess.objects.get(application=application)
    assert access.download_count == 1


def test_self_print_wrong_pin_then_lockout(client: Client, world: World) -> None:
    _application, pin, token = _ready_self_print(world)
    wrong = "000000" if pin != "000000" else "111111"
    response = client.post(f"/adminduk/cetak/{token}/", {"pin": wrong})
    assert response.status_code == 400
    assert "PIN tidak benar." in _text(response)
    for _ in range(4):
        response = client.post(f"/adminduk/cetak/{token}/", {"pin": wrong})
    assert response.status_code == 403
    assert "Terlalu banyak salah PIN. Coba lagi setelah 30 menit." in _text(response)
    # Locked: even the right PIN is refused now.
    response = client.post(f"/adminduk/cetak/{token}/", {"pin": pin})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


def test_self_print_expired_link(client: Client, world: World) -> None:
    application, pin, token = _ready_self_print(world)
    SelfPrintAccess.objects.filter(application=application).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.post(f"/adminduk/cetak/{token}/", {"pin": pin})
    assert response.status_code == 403
    assert "Tautan ini sudah kedaluwarsa. Mintalah tautan baru ke Disdukcapil." in _text(response)


def test_self_print_unknown_token_is_404(client: Client, world: World) -> None:
    assert client.get("/adminduk/cetak/" + "y" * 40 + "/").status_code == 404


def test_verification_of_a_revoked_document_is_red(client: Client, world: World) -> None:
    application, _pin = _issued(world)
    type(application).objects.filter(pk=application.pk).update(document_revoked=True)
    body = _text(client.get(f"/adminduk/verifikasi/{application.verification_token}/"))
    assert "Dokumen tidak berlaku lagi" in body
    assert "verify-bad" in body
    assert "Dokumen aktif" not in body
