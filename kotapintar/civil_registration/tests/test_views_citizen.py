"""The citizen's adminduk pages: apply (dynamic form, uploads, lateness, delivery, declaration),
idempotency, open-application refusal, confirmation, my applications, detail (timeline, SLA,
handling unit, rejected documents), replace and resubmit in the same application, cancel.

Every bad input: an Indonesian message at the field and nothing stored. Another citizen's
application: 404. No NIK in clear on any page, title or URL.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from kotapintar.civil_registration.models import (
    Application,
    ApplicationDocument,
    DocumentService,
    DocumentStatus,
    RejectionReason,
    Status,
)
from kotapintar.civil_registration.rules import jakarta_date
from kotapintar.civil_registration.services import (
    application_claim,
    application_return,
    document_verify,
)
from kotapintar.civil_registration.tests.factories import (
    KK,
    MOTHER_NIK,
    NIK,
    World,
    jpeg_upload,
    pdf_upload,
    submit,
)
from kotapintar.civil_registration.tests.helpers import side_effects
from kotapintar.testing.permissions import Actors, assert_permission_matrix

pytestmark = pytest.mark.django_db

SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")
BIRTH_URL = "/adminduk/ajukan/akta-kelahiran/"
KTP_URL = "/adminduk/ajukan/ktp-el-hilang/"


def _text(response: Any) -> str:
    return response.content.decode()


def _title(body: str) -> str:
    match = re.search(r"<title>(.*?)</title>", body, re.S)
    return match.group(1) if match else ""


def _assert_no_clear_nik(response: Any) -> None:
    body = _text(response)
    assert not SIXTEEN_DIGITS.search(body), SIXTEEN_DIGITS.search(body)
    assert NIK not in response.request["PATH_INFO"]


def birth_post(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "idempotency_key": "key-birth-1",
        "relationship": "child",
        "subject_name": "Putri Santoso",
        "subject_nik": "",
        "subject_has_no_nik": "on",
        "subject_kk": KK,
        "event_date": (jakarta_date() - timedelta(days=10)).isoformat(),
        "f_birth_place": "Medan",
        "f_sex": "P",
        "f_mother_name": "Siti Aminah",
        "f_mother_nik": MOTHER_NIK,
        "f_mother_birth_date": "1990-03-25",
        "f_father_name": "Budi Santoso",
        "doc_surat_keterangan_kelahiran": jpeg_upload("lahir.jpg"),
        "doc_dokumen_perkawinan": jpeg_upload("nikah.jpg", (10, 20, 30)),
        "doc_kk": jpeg_upload("kk.jpg", (30, 20, 10)),
        "delivery_method": "pickup",
        "unit": str(world.desk.pk),
        "truth_declared": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def ktp_post(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "idempotency_key": "key-ktp-1",
        "relationship": "self",
        "subject_name": "Budi Santoso",
        "subject_nik": NIK,
        "subject_kk": KK,
        "doc_kk": jpeg_upload("kk.jpg"),
        "doc_surat_kehilangan": pdf_upload("polisi.pdf"),
        "delivery_method": "pickup",
        "unit": str(world.desk.pk),
        "truth_declared": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def citizen_client(client: Client, world: World) -> Client:
    client.force_login(world.citizen)
    return client


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [BIRTH_URL, "/adminduk/saya/"])
def test_anonymous_is_sent_to_login(client: Client, world: World, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/") or "login" in response["Location"]


def test_detail_permission_matrix(world: World) -> None:
    application = submit(world)
    actors = Actors.around(citizen=world.citizen, unit=world.desk)
    actors.add("verifier_of_the_unit", world.verifier)
    for suffix in ("", "terkirim/", "tanda-terima.pdf"):
        url = f"/adminduk/saya/{application.pk}/{suffix}"
        assert_permission_matrix(
            Client,
            url,
            "get",
            {
                "anonymous": 302,
                "citizen": 200,
                "other_citizen": 404,
                "officer_other_agency": 404,
                "officer": 404,
                "admin": 404,
                "verifier_of_the_unit": 404,
            },
            actors,
        )


def test_other_citizen_cannot_cancel_or_resubmit(client: Client, world: World) -> None:
    application = submit(world)
    client.force_login(world.other_citizen)
    before = side_effects()
    assert client.post(f"/adminduk/saya/{application.pk}/batalkan/").status_code == 404
    assert client.post(f"/adminduk/saya/{application.pk}/perbaiki/").status_code == 404
    assert side_effects() == before
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_malformed_id_is_404(citizen_client: Client) -> None:
    assert citizen_client.get("/adminduk/saya/not-a-uuid/").status_code == 404


# --- The form --------------------------------------------------------------------------------


def test_apply_page_renders_dynamic_form(citizen_client: Client) -> None:
    response = citizen_client.get(BIRTH_URL)
    assert response.status_code == 200
    body = _text(response)
    assert _title(body).startswith("Ajukan: Akta kelahiran")
    assert 'name="f_mother_nik"' in body
    assert 'name="subject_has_no_nik"' in body
    assert 'name="doc_sptjm_kelahiran"' in body
    assert "pengganti: Surat keterangan kelahiran" in body
    assert "yang perkawinannya belum tercatat" in body
    assert 'name="idempotency_key"' in body
    assert 'type="date" name="event_date"' in body
    assert "/adminduk/layanan/akta-kelahiran/keterlambatan/" in body
    assert "Gratis — tidak dipungut biaya" in body
    assert "Pasar Baru" in body  # the kelurahan pick-list
    assert "Saya menyatakan bahwa data dan dokumen yang saya kirim benar dan asli." in body
    amounts = set(re.findall(r"Rp\d[\d.]*\d", body))
    assert amounts <= {"Rp12.000", "Rp100.000"}


def test_ktp_baru_asks_for_the_biometric_declaration(citizen_client: Client, world: World) -> None:
    body = _text(citizen_client.get("/adminduk/ajukan/ktp-el-baru/"))
    assert 'name="biometric_recorded_declared"' in body
    before = side_effects()
    service = DocumentService.objects.get(code="ktp-el-baru")
    files = {
        f"doc_{r.code}": jpeg_upload(f"{r.code}.jpg")
        for r in service.requirements.all()
        if r.required and r.needs_upload and r.substitute_for_id is None
    }
    response = citizen_client.post(
        "/adminduk/ajukan/ktp-el-baru/", ktp_post(world, doc_surat_kehilangan=None, **files)
    )
    assert response.status_code == 400
    assert "perekaman" in _text(response) or "direkam" in _text(response)
    assert side_effects() == before


# --- Submitting ------------------------------------------------------------------------------


def test_submit_birth_without_nik_and_confirmation(citizen_client: Client, world: World) -> None:
    response = citizen_client.post(BIRTH_URL, birth_post(world))
    assert response.status_code == 302
    application = Application.objects.get()
    assert response["Location"] == f"/adminduk/saya/{application.pk}/terkirim/"
    assert application.subject_has_no_nik is True
    assert application.relationship == "child"
    assert application.unit == world.desk
    assert application.documents.count() == 3
    assert application.verification_token
    done = citizen_client.get(response["Location"])
    assert done.status_code == 200
    body = _text(done)
    assert application.reference in body
    assert "Terima kasih, permohonan Anda sudah terkirim" in body
    assert "Loket Disdukcapil Kecamatan Medan Kota" in body
    assert f"/adminduk/saya/{application.pk}/tanda-terima.pdf" in body
    assert re.findall(r"Rp\d[\d.]*\d", body) == []
    _assert_no_clear_nik(done)


def test_double_submit_makes_one_application(citizen_client: Client, world: World) -> None:
    first = citizen_client.post(KTP_URL, ktp_post(world))
    second = citizen_client.post(KTP_URL, ktp_post(world))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Application.objects.count() == 1
    assert ApplicationDocument.objects.count() == 2


def test_second_open_application_links_to_the_open_one(
    citizen_client: Client, world: World
) -> None:
    open_one = submit(world)  # ktp-el-hilang for NIK
    before = side_effects()
    response = citizen_client.post(KTP_URL, ktp_post(world, idempotency_key="another"))
    assert response.status_code == 409
    body = _text(response)
    assert f"Sudah ada permohonan {open_one.reference}" in body
    assert f'href="/adminduk/saya/{open_one.pk}/"' in body
    assert side_effects() == before
    _assert_no_clear_nik(response)


def test_late_birth_shows_fine(citizen_client: Client, world: World) -> None:
    event = (jakarta_date() - timedelta(days=61)).isoformat()
    response = citizen_client.post(BIRTH_URL, birth_post(world, event_date=event))
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.is_late and application.fine_rupiah == 100000
    body = _text(citizen_client.get(response["Location"]))
    assert "Denda keterlambatan" in body
    assert set(re.findall(r"Rp\d[\d.]*\d", body)) == {"Rp100.000"}
    detail = _text(citizen_client.get(f"/adminduk/saya/{application.pk}/"))
    assert "61 hari setelah peristiwa" in detail


def test_pos_delivery_in_the_city(citizen_client: Client, world: World) -> None:
    response = citizen_client.post(
        KTP_URL,
        ktp_post(
            world,
            delivery_method="pos",
            delivery_village="12.71.01.1001",
            delivery_address="Jl. Sisingamangaraja No. 5",
        ),
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.delivery_fee_rupiah == 12000
    detail = _text(citizen_client.get(f"/adminduk/saya/{application.pk}/"))
    assert "Bayar ongkos kirim Rp12.000 melalui Bank Sumut" in detail
    assert set(re.findall(r"Rp\d[\d.]*\d", detail)) == {"Rp12.000"}


BAD_INPUTS = [
    (
        "nik_15_digits",
        KTP_URL,
        {"subject_nik": "127101170885000"},
        "subject_nik",
        "NIK terdiri dari tepat 16 digit.",
    ),
    (
        "future_event",
        BIRTH_URL,
        {"event_date": "2099-01-01"},
        "event_date",
        "Tanggal peristiwa tidak boleh di masa depan.",
    ),
    ("missing_upload", KTP_URL, {"doc_kk": None}, "doc_kk", "Unggah dokumen ini."),
    (
        "no_declaration",
        KTP_URL,
        {"truth_declared": None},
        "truth_declared",
        "Nyatakan bahwa data yang Anda isi benar.",
    ),
    (
        "pos_without_kelurahan",
        KTP_URL,
        {"delivery_method": "pos", "delivery_address": "Jl. X"},
        "delivery_village",
        "Pilih kecamatan dan kelurahan alamat kirim.",
    ),
    (
        "markup_in_name",
        KTP_URL,
        {"subject_name": "<script>alert(1)</script>"},
        "subject_name",
        None,
    ),
    (
        "html_as_jpg",
        KTP_URL,
        {"doc_kk": None, "doc_kk_html": True},
        "doc_kk",
        None,
    ),
]


@pytest.mark.parametrize(
    ("case", "url", "changes", "field", "message"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_field_message_and_nothing_stored(
    citizen_client: Client,
    world: World,
    private_storage: Any,
    case: str,
    url: str,
    changes: dict[str, Any],
    field: str,
    message: str | None,
) -> None:
    changes = dict(changes)
    if changes.pop("doc_kk_html", False):
        from django.core.files.uploadedfile import SimpleUploadedFile

        changes["doc_kk"] = SimpleUploadedFile(
            "kk.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg"
        )
    data = (birth_post if url == BIRTH_URL else ktp_post)(world, **changes)
    before = side_effects()
    files_before = sorted(p for p in private_storage.rglob("*") if p.is_file())
    response = citizen_client.post(url, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors, form.errors
    if message:
        assert message in form.errors[field]
        assert message in _text(response)
    assert "<script>alert(1)</script>" not in _text(response)
    assert side_effects() == before
    assert sorted(p for p in private_storage.rglob("*") if p.is_file()) == files_before
    _assert_no_clear_nik(response)


# --- My applications and the detail page ------------------------------------------------------


def test_my_applications_lists_only_own(citizen_client: Client, world: World) -> None:
    mine = submit(world)
    theirs = submit(world, applicant=world.other_citizen, subject_nik="1271015708850002")
    response = citizen_client.get("/adminduk/saya/")
    assert response.status_code == 200
    body = _text(response)
    assert mine.reference in body
    assert theirs.reference not in body
    _assert_no_clear_nik(response)


def test_detail_shows_timeline_sla_unit_and_masked_nik(
    citizen_client: Client, world: World
) -> None:
    application = submit(world)
    Application.objects.filter(pk=application.pk).update(
        nik_warnings=[{"field": "subject_nik", "code": "outside_city_secret_marker"}]
    )
    response = citizen_client.get(f"/adminduk/saya/{application.pk}/")
    body = _text(response)
    assert response.status_code == 200
    assert "1271********0001" in body
    assert "Loket Disdukcapil Kecamatan Medan Kota" in body
    assert "Standar waktu layanan" in body
    assert "1 hari kerja" in body
    assert "Diajukan" in body
    assert "outside_city_secret_marker" not in body
    assert application.reference in _title(body)
    _assert_no_clear_nik(response)


def _return_with_invalid_kk(world: World, application: Application) -> ApplicationDocument:
    application_claim(actor=world.verifier, application=application)
    application.refresh_from_db()
    reason = RejectionReason.objects.get(code="foto-fotokopi")
    kk_doc = application.documents.get(requirement__code="kk")
    document_verify(actor=world.verifier, document=kk_doc, valid=False, reason=reason)
    for doc in application.documents.exclude(pk=kk_doc.pk):
        document_verify(actor=world.verifier, document=doc, valid=True)
    application_return(actor=world.verifier, application=application, note="Foto KK asli.")
    return kk_doc


def test_replace_rejected_document_and_resubmit_same_application(
    citizen_client: Client, world: World
) -> None:
    application = submit(world)
    old = _return_with_invalid_kk(world, application)
    detail = _text(citizen_client.get(f"/adminduk/saya/{application.pk}/"))
    assert "Alasan:" in detail and "fotokopi" in detail.lower()
    assert "Foto KK asli." in detail
    assert 'name="doc_kk"' in detail
    # Without the file: an Indonesian message, nothing changes.
    before = side_effects()
    response = citizen_client.post(f"/adminduk/saya/{application.pk}/perbaiki/", {})
    assert response.status_code == 400
    assert "Unggah file baru untuk dokumen ini." in _text(response) or "Unggah" in _text(response)
    assert side_effects() == before
    response = citizen_client.post(
        f"/adminduk/saya/{application.pk}/perbaiki/", {"doc_kk": jpeg_upload("kk2.jpg")}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.round == 2
    assert Application.objects.count() == 1
    old.refresh_from_db()
    assert old.is_superseded and old.superseded_by is not None
    assert old.superseded_by.status == DocumentStatus.PENDING
    detail = _text(citizen_client.get(f"/adminduk/saya/{application.pk}/"))
    assert "Dokumen yang sudah diganti" in detail
    assert "putaran 2" in detail
    assert "Dikembalikan" in detail or "dikembalikan" in detail.lower()


def test_cancel_own_application(citizen_client: Client, world: World) -> None:
    application = submit(world)
    response = citizen_client.post(f"/adminduk/saya/{application.pk}/batalkan/")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.CANCELLED
    # Cancelling again changes nothing and says so.
    before = side_effects()
    response = citizen_client.post(f"/adminduk/saya/{application.pk}/batalkan/", follow=True)
    assert "Permohonan ini tidak dapat dibatalkan lagi." in _text(response)
    assert side_effects() == before


def test_no_nik_in_any_url_of_the_journey(citizen_client: Client, world: World) -> None:
    response = citizen_client.post(KTP_URL, ktp_post(world), follow=True)
    for url, _status in response.redirect_chain:
        assert not SIXTEEN_DIGITS.search(url)
    assert not SIXTEEN_DIGITS.search(_text(response))


def test_anonymous_post_stores_nothing(client: Client, world: World) -> None:
    before = side_effects()
    response = client.post(KTP_URL, ktp_post(world))
    assert response.status_code == 302
    assert "/akun/masuk/" in response["Location"]
    assert side_effects() == before


def test_pos_to_a_kelurahan_outside_the_list_is_refused(
    citizen_client: Client, world: World
) -> None:
    before = side_effects()
    response = citizen_client.post(
        KTP_URL,
        ktp_post(
            world,
            delivery_method="pos",
            delivery_village="12.75.01.1001",  # not a kelurahan of the city
            delivery_address="Jl. Lain",
        ),
    )
    assert response.status_code == 400
    assert "delivery_village" in response.context["form"].errors
    assert side_effects() == before


def test_late_birth_error_page_still_shows_the_lateness(
    citizen_client: Client, world: World
) -> None:
    """The first validation step shows "Terlambat N hari — denda" even without JavaScript."""
    event = (jakarta_date() - timedelta(days=70)).isoformat()
    response = citizen_client.post(
        BIRTH_URL, birth_post(world, event_date=event, truth_declared=None)
    )
    assert response.status_code == 400
    assert "Terlambat 70 hari setelah peristiwa — denda Rp100.000." in _text(response)
    assert Application.objects.count() == 0


def test_names_with_apostrophes_accepted_and_markup_escaped(
    citizen_client: Client, world: World
) -> None:
    response = citizen_client.post(KTP_URL, ktp_post(world, subject_name="Muh. Ma'ruf"))
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.subject_name == "Muh. Ma'ruf"
    body = _text(citizen_client.get(f"/adminduk/saya/{application.pk}/"))
    assert "Muh. Ma&#x27;ruf" in body


def test_rejected_application_shows_the_reason(citizen_client: Client, world: World) -> None:
    from kotapintar.civil_registration.services import application_reject

    application = submit(world)
    application_claim(actor=world.verifier, application=application)
    application.refresh_from_db()
    reason = RejectionReason.objects.get(code="data-tidak-sesuai")
    application_reject(
        actor=world.verifier, application=application, reason=reason, note="Nama tidak sesuai KK."
    )
    body = _text(citizen_client.get(f"/adminduk/saya/{application.pk}/"))
    assert "Alasan penolakan:" in body
    assert reason.label in body
    assert "Nama tidak sesuai KK." in body
    assert "Batalkan permohonan ini" not in body


def test_notification_links_to_the_citizen_detail_page(
    citizen_client: Client, world: World
) -> None:
    from kotapintar.core.models.notifications import Notification

    application = submit(world)
    notification = Notification.objects.filter(recipient=world.citizen).latest("id")
    assert notification.url == f"/adminduk/saya/{application.pk}/"
    assert not SIXTEEN_DIGITS.search(notification.title + notification.body)
