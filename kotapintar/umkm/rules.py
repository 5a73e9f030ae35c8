"""Pure rules of the UMKM module: scale (PP 7/2021), NIB, KBLI, certificate numbers, prices, HTML.

Every parser normalises what people type and raises ``ValidationError`` with a ``code`` and a
clear Indonesian message (English source, translated in the app catalogue). Thresholds and caps
come from data (``ScaleThreshold``, ``UmkmPolicy``) and are passed in by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kotapintar.umkm.models import Scale

# --- Scale (PP 7/2021 Pasal 35) -----------------------------------------------------------------


class ThresholdLike(Protocol):
    scale: str
    max_capital: int
    max_turnover: int


def classify_scale(
    *,
    annual_turnover: int | None,
    capital: int,
    thresholds: Iterable[ThresholdLike],
) -> str:
    """The scale for the given figures; boundaries inclusive, above the last one: not UMKM.

    PP 7/2021: an existing business is classed by its annual sales (``annual_turnover``); a new
    business without a year of sales (``annual_turnover is None``) by its capital excluding land
    and buildings.
    """
    ordered = sorted(thresholds, key=lambda t: t.max_turnover)
    if not ordered:
        raise ValueError("No scale thresholds loaded (run manage.py load_umkm_reference).")
    for threshold in ordered:
        if annual_turnover is not None:
            if annual_turnover <= threshold.max_turnover:
                return threshold.scale
        elif capital <= threshold.max_capital:
            return threshold.scale
    return Scale.NON_UMKM


# --- NIB, KBLI, NIP -----------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s.\-_/]+")


def parse_nib(raw: Any) -> str:
    """``"1234 5678.90123"`` -> ``"1234567890123"``; anything but 13 digits is rejected."""
    text = _SEPARATORS.sub("", str(raw or ""))
    if not text:
        raise ValidationError(_("Enter the NIB."), code="nib_required")
    if not text.isascii() or not text.isdigit():
        raise ValidationError(_("An NIB contains digits only."), code="nib_not_digits")
    if len(text) != 13:
        raise ValidationError(
            _("An NIB has exactly 13 digits (you entered %(count)d)."),
            code="nib_length",
            params={"count": len(text)},
        )
    return text


def parse_kbli(raw: Any) -> str:
    text = _SEPARATORS.sub("", str(raw or ""))
    if len(text) != 5 or not text.isascii() or not text.isdigit():
        raise ValidationError(_("A KBLI code has exactly 5 digits."), code="kbli_format")
    return text


def parse_nip(raw: Any) -> str:
    """A civil servant's NIP: 18 digits (birth date, appointment month, sex, serial)."""
    text = _SEPARATORS.sub("", str(raw or ""))
    if len(text) != 18 or not text.isascii() or not text.isdigit():
        raise ValidationError(_("A NIP has exactly 18 digits."), code="nip_format")
    birth_month, appointment_month, sex = int(text[4:6]), int(text[12:14]), text[14]
    if not (1 <= birth_month <= 12 and 1 <= appointment_month <= 12) or sex not in "12":
        raise ValidationError(_("This is not a valid NIP."), code="nip_invalid")
    return text


# --- Prices -------------------------------------------------------------------------------------

_DIGITS = re.compile(r"[0-9]+")


def parse_price(raw: Any, *, cap: int) -> int:
    """A price in whole rupiah, ``1 <= price <= cap``.

    Accepts an ``int`` or a string of digits only. Rejects negative, zero, decimals
    (``1500.50``), thousands separators and currency (``Rp1.500``), exponents (``1e12``) and
    anything above ``cap``.
    """
    if isinstance(raw, bool):
        raise ValidationError(_("Enter the price as a whole number of rupiah."), code="price_type")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if raw != raw or not raw.is_integer():
            raise ValidationError(
                _("Rupiah prices have no decimals: enter a whole number, e.g. 1500."),
                code="price_decimal",
            )
        value = int(raw)
    else:
        text = str(raw if raw is not None else "").strip()
        if not text:
            raise ValidationError(_("Enter the price."), code="price_required")
        if text.startswith("-"):
            raise ValidationError(_("The price must be more than Rp0."), code="price_negative")
        if re.match(r"(?i)^rp", text):
            raise ValidationError(
                _("Write the price without “Rp” and without dots, e.g. 1500 for Rp1.500."),
                code="price_format",
            )
        if re.fullmatch(r"[0-9]+[.,][0-9]{1,2}", text) and not re.fullmatch(
            r"[0-9]{1,3}[.][0-9]{3}", text
        ):
            raise ValidationError(
                _("Rupiah prices have no decimals: enter a whole number, e.g. 1500."),
                code="price_decimal",
            )
        if not _DIGITS.fullmatch(text):
            raise ValidationError(
                _("Write the price in digits only, without dots or letters, e.g. 1500."),
                code="price_format",
            )
        if len(text) > 18:
            raise ValidationError(
                _("The price may be at most %(cap)s."),
                code="price_over_cap",
                params={"cap": format_rupiah(cap)},
            )
        value = int(text)
    if value < 0:
        raise ValidationError(_("The price must be more than Rp0."), code="price_negative")
    if value == 0:
        raise ValidationError(_("The price must be more than Rp0."), code="price_zero")
    if value > cap:
        raise ValidationError(
            _("The price may be at most %(cap)s."),
            code="price_over_cap",
            params={"cap": format_rupiah(cap)},
        )
    return value


def format_rupiah(amount: int | None) -> str:
    """``1500`` -> ``"Rp1.500"``; ``-1500`` -> ``"-Rp1.500"``."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(int(amount)):,}".replace(",", ".")


# --- Certificates (reference §2.3) --------------------------------------------------------------

HALAL = "halal"
PIRT = "pirt"
BPOM_MD = "bpom_md"
BPOM_ML = "bpom_ml"
SNI = "sni"

PIRT_PACKAGING = {
    "1": "kaca",
    "2": "plastik",
    "3": "karton/kertas",
    "4": "kaleng",
    "5": "aluminium foil",
    "6": "lainnya",
    "7": "komposit",
    "8": "ganda",
}


@dataclass(frozen=True)
class CertificateInfo:
    type_code: str
    number: str
    details: dict[str, Any] = field(default_factory=dict)
    expires_on: date | None = None

    def is_expired(self, *, today: date) -> bool:
        return self.expires_on is not None and self.expires_on < today


def _compact(raw: Any) -> str:
    return re.sub(r"\s+", " ", str(raw or "")).strip().upper()


def parse_certificate(type_code: str, raw: Any, *, pirt_allowed: bool = True) -> CertificateInfo:
    """Normalise and check a certificate number of ``type_code`` (halal, pirt, bpom_md, ...).

    ``pirt_allowed`` is the product category's flag: a P-IRT on a category that a home
    industry may not produce (e.g. frozen meat) is rejected.
    """
    text = _compact(raw)
    if not text:
        raise ValidationError(_("Enter the certificate number."), code="certificate_required")
    if type_code == HALAL:
        return _parse_halal(text)
    if type_code == PIRT:
        if not pirt_allowed:
            raise ValidationError(
                _(
                    "A P-IRT is not valid for this kind of product (e.g. frozen meat); "
                    "it needs a BPOM MD registration."
                ),
                code="pirt_not_allowed",
            )
        return _parse_pirt(text)
    if type_code in (BPOM_MD, BPOM_ML):
        return _parse_bpom(type_code, text)
    if type_code == SNI:
        return _parse_sni(text)
    raise ValidationError(_("Unknown certificate type."), code="certificate_type")


def _parse_halal(text: str) -> CertificateInfo:
    compact = text.replace(" ", "").replace("-", "")
    if compact.startswith("SH"):
        raise ValidationError(
            _(
                "This is a halal registration number (SH…), not the certificate. Enter the "
                "certificate number from BPJPH, which starts with “ID”."
            ),
            code="halal_registration_number",
        )
    if compact.startswith("KH") or "KH" in compact[:6]:
        raise ValidationError(
            _(
                "This looks like a decree number (KH…), not the certificate. Enter the "
                "certificate number, which starts with “ID”."
            ),
            code="halal_decree_number",
        )
    if not re.fullmatch(r"ID[0-9]{8,20}", compact):
        raise ValidationError(
            _("A halal certificate number starts with “ID” followed by digits."),
            code="halal_format",
        )
    return CertificateInfo(type_code=HALAL, number=compact)


def _parse_pirt(text: str) -> CertificateInfo:
    body = re.sub(r"^P[\s-]*IRT\s*(NO\.?|NOMOR)?\s*:?", "", text).strip()
    digits = re.sub(r"[\s.\-]", "", body)
    if not digits.isascii() or not digits.isdigit() or len(digits) != 15:
        raise ValidationError(
            _("A P-IRT number has 15 digits, e.g. P-IRT No. 2063271010123-24."),
            code="pirt_format",
        )
    packaging = digits[0]
    if packaging not in PIRT_PACKAGING:
        raise ValidationError(
            _("The first P-IRT digit (packaging type) must be 1 to 8."), code="pirt_packaging"
        )
    expiry_year = 2000 + int(digits[13:15])
    details = {
        "packaging": packaging,
        "packaging_name": PIRT_PACKAGING[packaging],
        "food_type": digits[1:3],
        "district": digits[3:7],
        "product_serial": digits[7:9],
        "producer_serial": digits[9:13],
        "expiry_year": expiry_year,
    }
    return CertificateInfo(
        type_code=PIRT,
        number=f"{digits[:13]}-{digits[13:]}",
        details=details,
        expires_on=date(expiry_year, 12, 31),
    )


def _parse_bpom(type_code: str, text: str) -> CertificateInfo:
    prefix = "MD" if type_code == BPOM_MD else "ML"
    match = re.fullmatch(r"(?:BPOM\s*(?:RI)?\s*)?(MD|ML)\s*([0-9][0-9\s]*)", text)
    if match is None or match.group(1) != prefix:
        raise ValidationError(
            _("A BPOM number starts with %(prefix)s followed by 12 or 15 digits."),
            code="bpom_format",
            params={"prefix": prefix},
        )
    digits = match.group(2).replace(" ", "")
    if len(digits) not in (12, 15):
        raise ValidationError(
            _("A BPOM number starts with %(prefix)s followed by 12 or 15 digits."),
            code="bpom_format",
            params={"prefix": prefix},
        )
    return CertificateInfo(
        type_code=type_code,
        number=f"{prefix} {digits}",
        details={"digits": len(digits)},
    )


def _parse_sni(text: str) -> CertificateInfo:
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9 .:/\-]{2,39}", text):
        raise ValidationError(
            _("Enter the SNI certificate number as printed (letters, digits, . : / -)."),
            code="sni_format",
        )
    return CertificateInfo(type_code=SNI, number=text)


# --- Product descriptions -----------------------------------------------------------------------

ALLOWED_TAGS = frozenset({"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "a"})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def clean_description(raw: str | None) -> str:
    """Allow-listed HTML (nh3): scripts, event handlers, ``javascript:`` links and SVG removed;
    links get ``rel="noopener noreferrer"``. Plain text stays plain text (escaped when shown)."""
    text = (raw or "").strip()
    if not text:
        return ""
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def description_plain_text(html: str) -> str:
    """The words of a cleaned description (for the search index and exports)."""
    return re.sub(r"\s+", " ", nh3.clean(html or "", tags=set())).strip()
