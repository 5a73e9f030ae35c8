"""The civil registration journey of issue 4's "Done when", in a real browser.

A parent on a phone-sized screen (360 x 740) applies for an akta kelahiran for a newborn with
uploads and chooses to print it at home; the verifier (desktop) claims the case and rejects the
KK photo as a photo of a photocopy; the parent sees the reason and replaces it in the same
application; the verifier continues the resubmitted case, approves, records the SIAK document
number and attaches the signed PDF (the self-print PIN goes to the parent by e-mail, not to the
officer); the parent downloads the PDF with the PIN; the QR verification page confirms the
document is active, with masked data only. No NIK in clear on any citizen page, title or URL.
Screenshots go to ``/tmp/kp-shots/``.
"""

from __future__ import annotations

import re
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from PIL import Image, ImageDraw

from kotapintar.civil_registration.models import (
    Application,
    DocumentStatus,
    RejectionReason,
    SelfPrintAccess,
    Status,
)
from kotapintar.civil_registration.rules import jakarta_date
from kotapintar.civil_registration.tests.factories import (
    KK,
    MOTHER_NIK,
    disdukcapil_world,
    pdf_upload,
    seed_services,
)
from kotapintar.testing.factories import DEFAULT_PASSWORD

SHOTS = Path(tempfile.gettempdir()) / "kp-shots"
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
REFERENCE = re.compile(r"DKP-[0-9A-Z]{4}-[0-9A-Z]{4}")
SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")
DOCUMENT_NUMBER = "1271-LU-29112026-0042"
RETURN_NOTE = "Foto KK harus dari dokumen asli, bukan fotokopi."


def _jpeg(path: Path, colour: str) -> Path:
    image = Image.new("RGB", (400, 280), "#f4f1e8")
    ImageDraw.Draw(image).rectangle((20, 20, 380, 260), outline=colour, width=6)
    image.save(path, "JPEG", quality=85)
    return path


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def _wait_htmx_idle(page: Any) -> None:
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')"
    )


def _log_in(page: Any, *, email: str, next_url: str) -> None:
    page.goto(next_url)
    page.wait_for_url("**/akun/masuk/**")
    page.fill("#id_username", email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: url.endswith(next_url))


def _assert_no_clear_nik(page: Any) -> None:
    assert not SIXTEEN_DIGITS.search(page.content())
    assert not SIXTEEN_DIGITS.search(page.url)
    assert not SIXTEEN_DIGITS.search(page.title())


def _no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px screen"


def _staff_action(page: Any, action: str, *, detaches: bool = True, **fields: str) -> None:
    panel = page.locator(f"#aksi-{action}")
    panel.locator("summary").click()
    for name, value in fields.items():
        field = panel.locator(f"[name='{action}-{name}']")
        if field.get_attribute("type") == "file":
            field.set_input_files(value)
        elif field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_response(lambda r: r.request.method == "GET" and "/aksi/" not in r.url):
        panel.locator("button[type=submit]").click()
    if detaches:
        panel.wait_for(state="detached")
    _wait_htmx_idle(page)


def _check_document(page: Any, doc_pk: Any, *, valid: bool, reason: str = "") -> None:
    item = page.locator(f"#dok-{doc_pk}")
    item.locator(
        f"input[name='verify_document-result'][value='{'valid' if valid else 'invalid'}']"
    ).check()
    if reason:
        item.locator("select[name='verify_document-reason']").select_option(reason)
    with page.expect_response(lambda r: r.request.method == "GET" and "/aksi/" not in r.url):
        item.locator("form.verify-form button[type=submit]").click()
    _wait_htmx_idle(page)
    page.locator(f"#dok-{doc_pk}").wait_for()


@pytest.fixture
def adminduk(db: None, settings: Any, tmp_path: Path) -> Any:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    seed_services()
    return disdukcapil_world()


def test_parent_applies_verifier_returns_parent_fixes_officer_issues_parent_prints(
    adminduk: Any, new_context: Any, tmp_path: Path, immediate_tasks: None
) -> None:
    world = adminduk
    birth_date = jakarta_date() - timedelta(days=12)

    # 1. The parent applies on a phone.
    phone = new_context(**PHONE).new_page()
    _log_in(phone, email=world.citizen.email, next_url="/adminduk/saya/")
    phone.locator("a[href='/adminduk/']").first.click()
    phone.wait_for_url("**/adminduk/")
    assert "Gratis — tidak dipungut biaya (UU 24/2013 Pasal 79A)" in phone.content()
    phone.locator("a[href='/adminduk/layanan/akta-kelahiran/']").click()
    phone.wait_for_url("**/adminduk/layanan/akta-kelahiran/")
    assert "SPTJM kebenaran data kelahiran" in phone.content()
    _no_horizontal_scroll(phone)
    phone.locator("a[href='/adminduk/ajukan/akta-kelahiran/']").click()
    phone.wait_for_url("**/adminduk/ajukan/akta-kelahiran/")
    phone.select_option("#id_relationship", "child")
    phone.fill("#id_subject_name", "Putri Ma'ruf Siregar")
    phone.check("#id_subject_has_no_nik")
    phone.fill("#id_subject_kk", KK)
    with phone.expect_response(lambda r: "/keterlambatan/" in r.url):
        phone.fill("#id_event_date", birth_date.isoformat())
        phone.locator("#id_event_date").dispatch_event("change")
    _wait_htmx_idle(phone)
    assert "Tepat waktu (12 hari setelah peristiwa)" in phone.locator("#lateness").inner_text()
    phone.fill("#id_f_birth_place", "Medan")
    phone.select_option("#id_f_sex", "P")
    phone.fill("#id_f_mother_name", "Siti Aminah")
    phone.fill("#id_f_mother_nik", MOTHER_NIK)
    phone.fill("#id_f_mother_birth_date", "1990-03-25")
    phone.fill("#id_f_father_name", "Muh. Ma'ruf")
    phone.set_input_files(
        "#id_doc_surat_keterangan_kelahiran", str(_jpeg(tmp_path / "lahir.jpg", "#225"))
    )
    phone.set_input_files("#id_doc_dokumen_perkawinan", str(_jpeg(tmp_path / "nikah.jpg", "#522")))
    phone.set_input_files("#id_doc_kk", str(_jpeg(tmp_path / "kk-fotokopi.jpg", "#888")))
    phone.check("input[name='delivery_method'][value='self_print']")
    phone.select_option("#id_unit", str(world.desk.pk))
    phone.check("#id_truth_declared")
    _no_horizontal_scroll(phone)
    _shot(phone, "cr-01-apply-360.png")
    with phone.expect_navigation():
        phone.locator("form.adminduk-form button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/adminduk/saya/[0-9a-f-]{36}/terkirim/$"))
    reference = phone.locator(".reference-big").inner_text().strip()
    assert REFERENCE.fullmatch(reference)
    _assert_no_clear_nik(phone)
    _shot(phone, "cr-02-confirmation-360.png")
    application = Application.objects.get(reference=reference)
    assert application.applicant == world.citizen
    assert application.subject_has_no_nik and application.relationship == "child"
    assert application.documents.count() == 3
    assert application.unit == world.desk

    # 2. The verifier claims the case and rejects the KK photo (a photocopy).
    desk = new_context(**DESKTOP).new_page()
    _log_in(desk, email=world.verifier.email, next_url="/adminduk/kelola/")
    desk.locator(f"a[href='/adminduk/kelola/{application.pk}/']").click()
    desk.wait_for_url(f"**/adminduk/kelola/{application.pk}/")
    _staff_action(desk, "claim")
    application.refresh_from_db()
    assert application.status == Status.IN_VERIFICATION
    assert application.assigned_officer == world.verifier
    photocopy = RejectionReason.objects.get(code="foto-fotokopi")
    for doc in application.documents.select_related("requirement"):
        if doc.requirement.code == "kk":
            _check_document(desk, doc.pk, valid=False, reason=str(photocopy.pk))
        else:
            _check_document(desk, doc.pk, valid=True)
    kk_doc = application.documents.get(requirement__code="kk")
    assert kk_doc.status == DocumentStatus.INVALID
    assert kk_doc.rejection_reason == photocopy
    _staff_action(desk, "return", note=RETURN_NOTE)
    application.refresh_from_db()
    assert application.status == Status.RETURNED

    # 3. The parent sees the reason and replaces the KK photo in the same application.
    phone.goto(f"/adminduk/saya/{application.pk}/")
    html = phone.content()
    assert photocopy.label in html
    assert RETURN_NOTE in html
    _assert_no_clear_nik(phone)
    _no_horizontal_scroll(phone)
    _shot(phone, "cr-03-returned-360.png")
    phone.set_input_files("#id_doc_kk", str(_jpeg(tmp_path / "kk-asli.jpg", "#050")))
    with phone.expect_navigation():
        phone.locator("form[action$='/perbaiki/'] button[type=submit]").click()
    phone.wait_for_url(f"**/adminduk/saya/{application.pk}/")
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.round == 2
    assert Application.objects.filter(applicant=world.citizen).count() == 1
    kk_doc.refresh_from_db()
    assert kk_doc.is_superseded and kk_doc.superseded_by is not None

    # 4. The verifier checks the new file, approves, records the number, attaches the PDF.
    desk.goto(f"/adminduk/kelola/{application.pk}/")
    # Back in the queue as "diajukan" and still assigned to the verifier, who takes it up again.
    assert application.assigned_officer == world.verifier
    assert "Lanjutkan verifikasi" in desk.locator("#aksi-claim").inner_text()
    _staff_action(desk, "claim")
    application.refresh_from_db()
    assert application.status == Status.IN_VERIFICATION
    _check_document(desk, kk_doc.superseded_by.pk, valid=True)
    _staff_action(desk, "approve")
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    _staff_action(desk, "record_document_number", document_number=DOCUMENT_NUMBER)
    signed = tmp_path / "akta-ttd.pdf"
    signed.write_bytes(pdf_upload().read())
    detail_url = f"/adminduk/kelola/{application.pk}/"
    with desk.expect_response(
        lambda r: r.url.endswith(detail_url) and r.request.method == "GET"
    ) as followed:
        _staff_action(desk, "attach_signed_document", detaches=False, signed_file=str(signed))
    assert "PIN dikirim ke pemohon." in followed.value.text()
    # The message is on the officer's screen too, although htmx swapped only the case panel.
    assert "PIN dikirim ke pemohon." in desk.locator("#messages").inner_text()
    # The PIN went to the parent by e-mail (task after commit), never to the officer's page.
    pin_mails = [m for m in mail.outbox if "PIN: " in str(m.body)]
    assert len(pin_mails) == 1 and pin_mails[0].to == [world.citizen.email]
    pin_match = re.search(r"PIN: (\d{6})", str(pin_mails[0].body))
    assert pin_match is not None
    pin = pin_match.group(1)
    assert pin not in followed.value.text()
    _staff_action(desk, "mark_ready")
    application.refresh_from_db()
    assert application.status == Status.READY
    assert application.siak_document_number == DOCUMENT_NUMBER

    # 5. The parent prints at home with the PIN.
    phone.goto(f"/adminduk/saya/{application.pk}/")
    timeline = phone.locator(".timeline").inner_text()
    assert "putaran 2" in timeline
    _shot(phone, "cr-04-ready-360.png")
    phone.locator("a[href^='/adminduk/cetak/']").click()
    phone.wait_for_url("**/adminduk/cetak/**")
    _no_horizontal_scroll(phone)
    phone.fill("#id_pin", "000000" if pin != "000000" else "111111")
    phone.locator("form.adminduk-form button[type=submit]").click()
    assert "PIN tidak benar." in phone.content()
    phone.fill("#id_pin", pin)
    with phone.expect_download() as download_info:
        phone.locator("form.adminduk-form button[type=submit]").click()
    downloaded = Path(download_info.value.path())
    assert downloaded.read_bytes().startswith(b"%PDF")
    assert download_info.value.suggested_filename == f"{reference}.pdf"
    assert SelfPrintAccess.objects.get(application=application).download_count == 1

    # 6. The QR code of the document opens the verification page: active, masked data only.
    application.refresh_from_db()
    checker = new_context(**PHONE).new_page()
    checker.goto(f"/adminduk/verifikasi/{application.verification_token}/")
    html = checker.content()
    assert "Dokumen aktif" in html
    assert DOCUMENT_NUMBER in html
    assert "P**** M***** S******" in html
    assert "Putri" not in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    _assert_no_clear_nik(checker)
    _shot(checker, "cr-05-verification-360.png")
