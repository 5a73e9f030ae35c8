"""The application receipt (tanda terima) as a PDF: WeasyPrint from a template, a segno QR code
that opens the public verification page. Masked NIK only; no document fee (documents are free by
law, UU 24/2013 Pasal 79A): the only amounts are the Pos fee and a late-registration fine."""

from __future__ import annotations

import io

import segno
from django.template.loader import render_to_string
from django.utils import timezone

from kotapintar.civil_registration.models import Application
from kotapintar.core.personal_data import mask_identity_number


def _rupiah(amount: int) -> str:
    return f"Rp{int(amount):,}".replace(",", ".")


def qr_svg(url: str) -> str:
    """An inline SVG QR code for ``url`` (no external request, no CDN)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False)
    return buffer.getvalue().decode("utf-8")


def receipt_html(*, application: Application, verify_url: str) -> str:
    return render_to_string(
        "civil_registration/citizen/receipt_pdf.html",
        {
            "application": application,
            "masked_nik": mask_identity_number(application.subject_nik)
            if application.subject_nik
            else "",
            "qr": qr_svg(verify_url) if verify_url else "",
            "verify_url": verify_url,
            "submitted_at": timezone.localtime(application.submitted_at),
            "pos_fee_label": _rupiah(application.delivery_fee_rupiah)
            if application.delivery_fee_rupiah
            else "",
            "fine_label": _rupiah(application.fine_rupiah) if application.fine_rupiah else "",
        },
    )


def receipt_pdf(*, application: Application, verify_url: str) -> bytes:
    from weasyprint import HTML

    html = receipt_html(application=application, verify_url=verify_url)
    return bytes(HTML(string=html).write_pdf())
