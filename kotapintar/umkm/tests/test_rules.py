"""Reference §5 tests 1, 4, 5, 6, 8 at the rule level (Indonesian messages)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from kotapintar.umkm import rules
from kotapintar.umkm.models import Scale, ScaleThreshold

pytestmark = pytest.mark.django_db

CAP = 1_000_000_000


def _messages(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


# --- 1. NIB format ------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["12345", "12345678901234", "12345678901A3", ""])
def test_nib_rejects_short_long_and_letters(raw: str) -> None:
    with pytest.raises(ValidationError):
        rules.parse_nib(raw)


def test_nib_message_is_indonesian() -> None:
    with pytest.raises(ValidationError) as exc:
        rules.parse_nib("12345")
    assert _messages(exc) == "NIB terdiri dari tepat 13 digit (Anda memasukkan 5)."


@pytest.mark.parametrize("raw", ["1234 5678 90123", "1234.5678.90123", " 1234567890123 "])
def test_nib_with_spaces_and_dots_is_normalised(raw: str) -> None:
    assert rules.parse_nib(raw) == "1234567890123"


# --- 4. Scale -----------------------------------------------------------------------------------


def test_scale_boundaries_are_inclusive(reference_data: object) -> None:
    thresholds = list(ScaleThreshold.objects.all())

    def by_turnover(value: int) -> str:
        return rules.classify_scale(annual_turnover=value, capital=0, thresholds=thresholds)

    assert by_turnover(2_000_000_000) == Scale.MIKRO
    assert by_turnover(2_000_000_001) == Scale.KECIL
    assert by_turnover(15_000_000_000) == Scale.KECIL
    assert by_turnover(15_000_000_001) == Scale.MENENGAH
    assert by_turnover(50_000_000_000) == Scale.MENENGAH
    assert by_turnover(50_000_000_001) == Scale.NON_UMKM


def test_new_business_is_classed_by_capital(reference_data: object) -> None:
    thresholds = list(ScaleThreshold.objects.all())
    assert (
        rules.classify_scale(annual_turnover=None, capital=1_000_000_000, thresholds=thresholds)
        == Scale.MIKRO
    )
    assert (
        rules.classify_scale(annual_turnover=None, capital=1_000_000_001, thresholds=thresholds)
        == Scale.KECIL
    )
    assert (
        rules.classify_scale(annual_turnover=None, capital=10_000_000_001, thresholds=thresholds)
        == Scale.NON_UMKM
    )


# --- 5. Prices ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-1000", "Harga harus lebih dari Rp0."),
        (-1000, "Harga harus lebih dari Rp0."),
        ("0", "Harga harus lebih dari Rp0."),
        (0, "Harga harus lebih dari Rp0."),
        ("1500.50", "Harga rupiah tanpa desimal: masukkan bilangan bulat, misalnya 1500."),
        (1500.5, "Harga rupiah tanpa desimal: masukkan bilangan bulat, misalnya 1500."),
        ("Rp1.500", "Tulis harga tanpa “Rp” dan tanpa titik, misalnya 1500 untuk Rp1.500."),
        ("1.500", "Tulis harga hanya dengan angka, tanpa titik atau huruf, misalnya 1500."),
        ("1e12", "Tulis harga hanya dengan angka, tanpa titik atau huruf, misalnya 1500."),
        ("1" * 25, "Harga paling tinggi Rp1.000.000.000."),
        (CAP + 1, "Harga paling tinggi Rp1.000.000.000."),
    ],
)
def test_bad_prices_are_rejected(raw: object, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        rules.parse_price(raw, cap=CAP)
    assert _messages(exc) == message


@pytest.mark.parametrize("raw", ["1500", 1500, " 1500 "])
def test_good_price_accepted(raw: object) -> None:
    assert rules.parse_price(raw, cap=CAP) == 1500


def test_rupiah_format() -> None:
    assert rules.format_rupiah(1500) == "Rp1.500"
    assert rules.format_rupiah(12_000) == "Rp12.000"
    assert rules.format_rupiah(1_500_000) == "Rp1.500.000"
    assert rules.format_rupiah(0) == "Rp0"


# --- 6. Descriptions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<script>alert(1)</script>", ""),
        ("<img src=x onerror=alert(1)>", ""),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ("<svg onload=alert(1)></svg>", ""),
        ("<p><b>Bika</b></p>", "<p><b>Bika</b></p>"),
        (
            '<a href="https://medan.go.id">situs</a>',
            '<a href="https://medan.go.id" rel="noopener noreferrer">situs</a>',
        ),
    ],
)
def test_description_allow_list(raw: str, expected: str) -> None:
    assert rules.clean_description(raw) == expected


# --- 8. Certificates ----------------------------------------------------------------------------


def test_pirt_parses_coded_fields_and_expiry() -> None:
    info = rules.parse_certificate("pirt", "P-IRT No. 2063271010123-24")
    assert info.number == "2063271010123-24"
    assert info.details["packaging"] == "2"
    assert info.details["food_type"] == "06"
    assert info.details["district"] == "3271"
    assert info.details["expiry_year"] == 2024
    assert info.expires_on == date(2024, 12, 31)
    assert info.is_expired(today=date(2026, 11, 29))


def test_pirt_on_frozen_meat_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        rules.parse_certificate("pirt", "P-IRT No. 2063271010123-29", pirt_allowed=False)
    assert exc.value.code == "pirt_not_allowed"
    assert "P-IRT tidak berlaku" in _messages(exc)


@pytest.mark.parametrize("raw", ["MD 224510107115", "MD 240935001200027", "md224510107115"])
def test_bpom_md_parses(raw: str) -> None:
    assert rules.parse_certificate("bpom_md", raw).number.startswith("MD ")


@pytest.mark.parametrize("raw", ["MD 12345", "ML 224510107115", "MD 1234567890123"])
def test_bpom_md_rejects(raw: str) -> None:
    with pytest.raises(ValidationError):
        rules.parse_certificate("bpom_md", raw)


def test_halal_must_start_with_id() -> None:
    assert rules.parse_certificate("halal", "ID12110000123450622").number == "ID12110000123450622"
    with pytest.raises(ValidationError) as exc:
        rules.parse_certificate("halal", "SH2021-1-123456")
    assert exc.value.code == "halal_registration_number"
    assert "ID" in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        rules.parse_certificate("halal", "KH 123/2021")
    assert exc.value.code == "halal_decree_number"
    with pytest.raises(ValidationError):
        rules.parse_certificate("halal", "12110000123450622")


def test_nip_format() -> None:
    assert rules.parse_nip("19850817 201001 1 001") == "198508172010011001"
    with pytest.raises(ValidationError):
        rules.parse_nip("12345")
