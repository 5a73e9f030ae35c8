"""The receipt PDF: parses, carries the reference, the masked NIK only, no document fee, and a QR
code that opens the public verification page."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from pypdf import PdfReader

from kotapintar.civil_registration.models import DocumentService
from kotapintar.civil_registration.pdf import qr_svg, receipt_html
from kotapintar.civil_registration.rules import jakarta_date
from kotapintar.civil_registration.services_citizen import application_submit_online
from kotapintar.civil_registration.tests.factories import (
    BIRTH_FORM,
    NIK,
    World,
    required_uploads,
)

pytestmark = pytest.mark.django_db


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"[ \t]*\n[ \t]*", "\n", text)


def test_receipt_pdf_masked_nik_reference_no_fee(client: Client, world: World) -> None:
    service = DocumentService.objects.get(code="ktp-el-hilang")
    application = application_submit_online(
        applicant=world.citizen,
        service=service,
        subject_name="Muh. Ma'ruf",
        subject_nik=NIK,
        documents=required_uploads(service),
        unit=world.desk,
        truth_declared=True,
        delivery_method="pos",
        delivery_village_code="12.71.01.1001",
        delivery_address="Jl. Sisingamangaraja No. 5",
    )
    client.force_login(world.citizen)
    response = client.get(f"/adminduk/saya/{application.pk}/tanda-terima.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="tanda-terima-{application.reference}.pdf"'
    )
    text = _pdf_text(response.content)
    assert application.reference in text
    assert "1271********0001" in text
    assert NIK not in text
    assert not re.search(r"(?<!\d)\d{16}(?!\d)", text.replace(" ", ""))
    assert "Muh. Ma'ruf" in text
    assert "Tanda terima permohonan" in text
    assert "Gratis" in text
    assert set(re.findall(r"Rp\d[\d.]*\d", text)) == {"Rp12.000"}
    assert f"/adminduk/verifikasi/{application.verification_token}/" in text.replace("\n", "")


def test_receipt_pdf_shows_the_fine_of_a_late_birth(client: Client, world: World) -> None:
    service = DocumentService.objects.get(code="akta-kelahiran")
    application = application_submit_online(
        applicant=world.citizen,
        service=service,
        subject_name="Putri Santoso",
        subject_has_no_nik=True,
        event_date=jakarta_date() - timedelta(days=75),
        form_data=dict(BIRTH_FORM),
        documents=required_uploads(service),
        unit=world.desk,
        truth_declared=True,
    )
    client.force_login(world.citizen)
    text = _pdf_text(client.get(f"/adminduk/saya/{application.pk}/tanda-terima.pdf").content)
    assert set(re.findall(r"Rp\d[\d.]*\d", text)) == {"Rp100.000"}
    assert "Denda keterlambatan" in " ".join(text.split())
    assert "NIK" not in text.split("Gratis")[0].replace("NIK ibu", "")


def test_qr_points_to_the_verification_url(world: World) -> None:
    svg = qr_svg("https://kotapintar.example/adminduk/verifikasi/abc/")
    assert svg.startswith("<svg")
    service = DocumentService.objects.get(code="ktp-el-hilang")
    application = application_submit_online(
        applicant=world.citizen,
        service=service,
        subject_name="Budi",
        subject_nik=NIK,
        documents=required_uploads(service),
        unit=world.desk,
        truth_declared=True,
    )
    html = receipt_html(application=application, verify_url="https://x.example/v/")
    assert "<svg" in html
    assert NIK not in html
