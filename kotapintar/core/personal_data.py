"""NIK and KK numbers: parsing, layered validation, masking and blind indexes.

The rules follow the civil-registration reference (§3): a NIK is ``PP KK CC DDMMYY SSSS`` with
no check digit. Validation is layered:

1. normalise (strip spaces, dots and dashes);
2. reject unless exactly 16 ASCII digits (and reject a temporary NIK starting with ``0``);
3. reject an impossible birth date (day, or day - 40 for women; month 1-12; a real calendar
   date in 19yy or 20yy, so 29/02/00 is valid because 2000 was a leap year);
4. warn, never reject, on an unknown region prefix, a prefix outside the deployment city, a
   birth date or sex different from the stated ones, and serial ``0000``;
5. the officer, working against SIAK, is the final authority.

Region codes are Kemendagri codes (12.71 = Kota Medan) looked up in our own region tables,
never python-stdnum's BPS-based table (which calls 1271 "Sibolga").

Error messages never contain the submitted value.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kotapintar.core import crypto

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

IDENTITY_NUMBER_LENGTH = 16
# Spaces (also non-breaking ones), dots and the dashes people paste from documents.
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212]")
_SIXTEEN_ASCII_DIGITS = re.compile(r"[0-9]{16}")
_ASCII_DIGITS = re.compile(r"[0-9]*")
# Province codes renumbered in 2022 (new Papuan provinces): an old NIK starting with 91 or 94
# may decode to the wrong province in the current table.
_RENUMBERED_PROVINCES = frozenset({"91", "94"})
Sex = Literal["L", "P"]
_SEX_ALIASES: dict[str, Sex] = {"L": "L", "M": "L", "P": "P", "F": "P", "W": "P"}


@dataclass(frozen=True)
class NikWarning:
    """Something an officer should check; never a reason to reject the number."""

    code: str
    message: StrOrPromise


@dataclass(frozen=True)
class NikInfo:
    value: str
    province_code: str  # "12"
    regency_code: str  # "12.71"
    district_code: str  # "12.71.01"
    sex: Sex
    birth_day: int  # 1-31, the +40 for women already removed
    birth_month: int
    birth_year_2: int  # last two digits; the century is ambiguous
    serial: str
    warnings: tuple[NikWarning, ...] = ()

    @property
    def masked(self) -> str:
        return mask_identity_number(self.value)

    @property
    def nik_prefix(self) -> str:
        return self.value[:6]

    @property
    def warning_codes(self) -> tuple[str, ...]:
        return tuple(w.code for w in self.warnings)


@dataclass(frozen=True)
class KkInfo:
    """A KK (family card) number. It changes over time: never use it as a durable key."""

    value: str
    province_code: str
    regency_code: str
    district_code: str
    warnings: tuple[NikWarning, ...] = ()

    @property
    def masked(self) -> str:
        return mask_identity_number(self.value)

    @property
    def warning_codes(self) -> tuple[str, ...]:
        return tuple(w.code for w in self.warnings)


# --- Normalising and masking ------------------------------------------------------------------


def normalize_identity_number(raw: str) -> str:
    """``"12.71.01.170885.0001"`` or ``"1271 0117 0885 0001"`` -> ``"1271011708850001"``."""
    return _SEPARATORS.sub("", raw or "")


def mask_identity_number(value: str) -> str:
    """``1271011708850001`` -> ``1271********0001`` (DESIGN §5); short values fully masked."""
    normalized = normalize_identity_number(str(value or ""))
    if len(normalized) < 12:
        return "*" * len(normalized)
    return normalized[:4] + "*" * (len(normalized) - 8) + normalized[-4:]


def mask_phone(value: str) -> str:
    """``081234565678`` -> ``0812****5678``; ``+6281234565678`` -> ``+62812****5678``."""
    text = re.sub(r"[\s.\-()]", "", str(value or ""))
    plus = text.startswith("+")
    digits = text[1:] if plus else text
    if len(digits) < 8:
        return "*" * len(text)
    # Keep the operator prefix (0812 / 62812) and the last four digits.
    keep = 5 if digits.startswith("62") else 4
    keep = min(keep, len(digits) - 6)
    return ("+" if plus else "") + digits[:keep] + "*" * (len(digits) - keep - 4) + digits[-4:]


def identity_blind_index(value: str) -> str:
    """Keyed hash of the normalised NIK/KK, for equality lookups (``nik_hash`` columns)."""
    return crypto.blind_index(normalize_identity_number(value))


# --- Parsing ------------------------------------------------------------------------------------


def _format(message: StrOrPromise, **params: Any) -> str:
    return str(message) % params


# Translated and formatted when displayed (in the reader's language), not when parsed.
_lazy_message = lazy(_format, str)


def _check_digits(value: str, *, kind: Literal["nik", "kk"]) -> None:
    if not _ASCII_DIGITS.fullmatch(value):
        if kind == "nik":
            message = _("A NIK contains digits only. Check for a letter O instead of a zero.")
        else:
            message = _("A KK number contains digits only. Check for a letter O instead of a zero.")
        raise ValidationError(message, code=f"{kind}_not_digits")
    if not _SIXTEEN_ASCII_DIGITS.fullmatch(value):
        if kind == "nik":
            message = _("A NIK has exactly 16 digits.")
        else:
            message = _("A KK number has exactly 16 digits.")
        raise ValidationError(message, code=f"{kind}_length")


def _is_real_date(day: int, month: int, year_2: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    # The century is unknown: the date is possible if it exists in 19yy or in 20yy.
    return any(day <= calendar.monthrange(century + year_2, month)[1] for century in (1900, 2000))


def _region_codes(value: str) -> tuple[str, str, str]:
    return value[0:2], f"{value[0:2]}.{value[2:4]}", f"{value[0:2]}.{value[2:4]}.{value[4:6]}"


def _region_warnings(value: str, *, kind: Literal["nik", "kk"]) -> list[NikWarning]:
    # Imported here: regions depends on core, not the other way round.
    from kotapintar.regions.selectors import district_by_nik_prefix

    province_code, regency_code, district_code = _region_codes(value)
    warnings: list[NikWarning] = []
    if district_by_nik_prefix(value[:6]) is None:
        warnings.append(
            NikWarning(
                f"{kind}_region_unknown",
                _lazy_message(
                    _(
                        "Region code %(code)s is not in the current Kemendagri code table. "
                        "It may be an older code; check the number against SIAK."
                    ),
                    code=district_code,
                ),
            )
        )
    elif province_code in _RENUMBERED_PROVINCES:
        warnings.append(
            NikWarning(
                f"{kind}_region_renumbered",
                _lazy_message(
                    _(
                        "Province code %(code)s was renumbered in 2022; a number issued "
                        "earlier may name a different region than the current table shows."
                    ),
                    code=province_code,
                ),
            )
        )
    if regency_code != settings.KOTAPINTAR_REGION_CODE:
        warnings.append(
            NikWarning(
                f"{kind}_region_outside_city",
                _lazy_message(
                    _("The number was issued outside the city (region code %(code)s)."),
                    code=regency_code,
                ),
            )
        )
    return warnings


def _normalize_sex(stated_sex: str) -> Sex:
    sex = _SEX_ALIASES.get(stated_sex.strip().upper()[:1])
    if sex is None:
        raise ValueError("stated_sex must be 'L' or 'P'.")
    return sex


def parse_nik(
    raw: str, *, stated_birth_date: date | None = None, stated_sex: str | None = None
) -> NikInfo:
    """Parse and validate a NIK; raise ``ValidationError`` (with a ``code``) when impossible.

    ``stated_birth_date``/``stated_sex`` (``"L"``/``"P"``) are what the person declared; a
    difference is a warning only, because a NIK never changes when a birth date is corrected.
    """
    value = normalize_identity_number(raw)
    _check_digits(value, kind="nik")
    if value.startswith("0"):
        raise ValidationError(
            _(
                "A NIK starting with 0 is a temporary number. Enter the NIK printed on the "
                "KTP-el or the family card (KK)."
            ),
            code="nik_temporary",
        )
    coded_day, month, year_2 = int(value[6:8]), int(value[8:10]), int(value[10:12])
    sex: Sex = "P" if coded_day > 40 else "L"
    day = coded_day - 40 if sex == "P" else coded_day
    if not _is_real_date(day, month, year_2):
        raise ValidationError(
            _("The birth date in the NIK (digits 7 to 12) is not a valid date."),
            code="nik_bad_date",
        )
    serial = value[12:16]

    warnings = _region_warnings(value, kind="nik")
    if stated_birth_date is not None and (day, month, year_2) != (
        stated_birth_date.day,
        stated_birth_date.month,
        stated_birth_date.year % 100,
    ):
        warnings.append(
            NikWarning(
                "nik_birth_date_mismatch",
                _(
                    "The birth date in the NIK differs from the stated birth date. This is "
                    "legitimate after a corrected birth date; check against SIAK."
                ),
            )
        )
    if stated_sex and _normalize_sex(stated_sex) != sex:
        warnings.append(
            NikWarning(
                "nik_sex_mismatch",
                _("The sex encoded in the NIK differs from the stated sex; check against SIAK."),
            )
        )
    if serial == "0000":
        warnings.append(
            NikWarning(
                "nik_serial_zero",
                _("The NIK's serial number is 0000, which SIAK does not issue; check the NIK."),
            )
        )
    province_code, regency_code, district_code = _region_codes(value)
    return NikInfo(
        value=value,
        province_code=province_code,
        regency_code=regency_code,
        district_code=district_code,
        sex=sex,
        birth_day=day,
        birth_month=month,
        birth_year_2=year_2,
        serial=serial,
        warnings=tuple(warnings),
    )


def parse_kk(raw: str) -> KkInfo:
    """Parse a KK number: 16 digits; the region prefix is only ever a warning."""
    value = normalize_identity_number(raw)
    _check_digits(value, kind="kk")
    province_code, regency_code, district_code = _region_codes(value)
    return KkInfo(
        value=value,
        province_code=province_code,
        regency_code=regency_code,
        district_code=district_code,
        warnings=tuple(_region_warnings(value, kind="kk")),
    )


# --- Form and serializer fields ----------------------------------------------------------------


class NikFormField(forms.CharField):
    """A NIK input. ``clean`` returns the normalised NIK.

    After ``form.is_valid()`` the view reads the parse result from the form's own copy of the
    field (Django deep-copies fields per form instance)::

        info = form.fields["nik"].nik_info        # NikInfo | None
        warnings = form.fields["nik"].nik_warnings  # tuple[NikWarning, ...]

    or with :func:`form_nik_warnings`. Warnings are for officers only; never block a citizen on
    them. Birth date/sex mismatches need the other fields: call ``parse_nik(nik,
    stated_birth_date=..., stated_sex=...)`` in the form's ``clean()``.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("NIK"))
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)
        self.nik_info: NikInfo | None = None
        self.nik_warnings: tuple[NikWarning, ...] = ()

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        # Room for separators ("12.71.01.170885.0001"); numeric keypad on phones.
        attrs.update({"maxlength": "24", "inputmode": "numeric", "autocomplete": "off"})
        return attrs

    def to_python(self, value: Any) -> str:
        return normalize_identity_number(super().to_python(value) or "")

    def validate(self, value: Any) -> None:
        super().validate(value)
        self.nik_info = None
        self.nik_warnings = ()
        if value in self.empty_values:
            return
        info = parse_nik(value)
        self.nik_info = info
        self.nik_warnings = info.warnings


def form_nik_warnings(form: forms.BaseForm, field_name: str = "nik") -> tuple[NikWarning, ...]:
    """Warnings found while cleaning ``form[field_name]`` (empty before validation)."""
    field = form.fields.get(field_name)
    return field.nik_warnings if isinstance(field, NikFormField) else ()


class NikSerializerField(serializers.CharField):
    """DRF field: accepts a NIK with separators, returns it normalised.

    Output is masked unless ``masked_output=False`` (for the assigned officer's view only).
    Warnings of the last validation are on ``serializer.fields[name].nik_warnings``.
    """

    def __init__(self, *, masked_output: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 24)
        super().__init__(**kwargs)
        self.masked_output = masked_output
        self.nik_info: NikInfo | None = None
        self.nik_warnings: tuple[NikWarning, ...] = ()

    def to_internal_value(self, data: Any) -> str:
        value = normalize_identity_number(str(super().to_internal_value(data)))
        try:
            info = parse_nik(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages[0], code=exc.code) from None
        self.nik_info = info
        self.nik_warnings = info.warnings
        return info.value

    def to_representation(self, value: Any) -> str:
        text = super().to_representation(value)
        return mask_identity_number(text) if self.masked_output else text
