"""Rules of the module that are pure functions of their inputs (and of the service data).

- names: single names, long names, apostrophes and full stops are fine; control characters
  and markup are refused (T4);
- NIK/KK: ``core.personal_data`` rejects impossible numbers and returns warnings that only the
  officer sees (T1, T2);
- form fields: a service's ``form_fields`` (data) validated field by field;
- late registration: days since the event in Asia/Jakarta dates against the service's legal
  deadline (data); a future event date is refused (T11);
- possible duplicate births: same mother's NIK, same child name (normalised), birth dates within
  the policy's window -> "kemungkinan ganda", never a rejection (T6).

Messages are field-level, in the user's language (Indonesian by default), and never contain the
submitted NIK.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotapintar.civil_registration.models import DocumentService, EventKind, FieldType
from kotapintar.core.personal_data import (
    identity_blind_index,
    parse_kk,
    parse_nik,
)

JAKARTA = ZoneInfo("Asia/Jakarta")
NAME_MAX_LENGTH = 150
TEXT_MAX_LENGTH = 300
TEXTAREA_MAX_LENGTH = 2000
_NAME_PUNCTUATION = frozenset(" .'’`-,")
_SPACES = re.compile(r"\s+")


def jakarta_date(at: datetime | None = None) -> date:
    """The calendar date in Asia/Jakarta at ``at`` (default: now)."""
    return timezone.localtime(at or timezone.now(), JAKARTA).date()


# --- Names and free text ------------------------------------------------------------------------


def clean_person_name(value: object, *, field_name: str = "subject_name") -> str:
    """A person's name as typed (spaces collapsed), or ``ValidationError`` keyed by the field.

    Letters of any script, spaces, full stops, apostrophes, hyphens and commas are allowed, so
    "Sukarno", "Muh. Ma'ruf" and names far longer than 32 characters pass. Digits, control
    characters and markup (``<``, ``>``, ``&``, quotes) are refused.
    """
    text = value if isinstance(value, str) else ""
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        raise _field_error(field_name, _("The name contains characters that are not allowed."))
    text = _SPACES.sub(" ", text).strip()
    if not text:
        raise _field_error(field_name, _("Enter the name."), code="required")
    if len(text) > NAME_MAX_LENGTH:
        raise _field_error(
            field_name,
            _("The name is too long: at most %(limit)s characters.") % {"limit": NAME_MAX_LENGTH},
            code="too_long",
        )
    for ch in text:
        if ch in _NAME_PUNCTUATION:
            continue
        if unicodedata.category(ch)[0] in ("L", "M"):
            continue
        raise _field_error(
            field_name,
            _("A name may contain letters, spaces, full stops, apostrophes and hyphens only."),
        )
    if not any(unicodedata.category(ch)[0] == "L" for ch in text):
        raise _field_error(field_name, _("Enter the name."), code="required")
    return text


def name_key(value: str) -> str:
    """A comparison key for names: case, accents, punctuation and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    letters = [
        ch.lower() if unicodedata.category(ch)[0] == "L" else " "
        for ch in decomposed
        if unicodedata.category(ch)[0] != "M"
    ]
    return " ".join("".join(letters).split())[:NAME_MAX_LENGTH]


def clean_text(value: object, *, field_name: str, max_length: int, multiline: bool) -> str:
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    allowed = {"\n", "\t"} if multiline else {"\t"}
    if any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in allowed for ch in text):
        raise _field_error(field_name, _("The text contains characters that are not allowed."))
    if len(text) > max_length:
        raise _field_error(
            field_name,
            _("The text is too long: at most %(limit)s characters.") % {"limit": max_length},
            code="too_long",
        )
    return text


def _field_error(field_name: str, message: Any, *, code: str = "invalid") -> ValidationError:
    return ValidationError({field_name: [ValidationError(message, code=code)]})


# --- NIK / KK -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedNumber:
    value: str
    hash: str
    warnings: tuple[dict[str, str], ...]


def clean_nik(
    raw: object, *, field_name: str, stated_birth_date: date | None = None
) -> CheckedNumber:
    """A valid NIK (normalised) with its blind index and officer-only warnings."""
    try:
        info = parse_nik(raw if isinstance(raw, str) else "", stated_birth_date=stated_birth_date)
    except ValidationError as exc:
        raise ValidationError({field_name: [exc]}) from None
    return CheckedNumber(
        value=info.value,
        hash=identity_blind_index(info.value),
        warnings=tuple({"field": field_name, "code": code} for code in info.warning_codes),
    )


def clean_kk(raw: object, *, field_name: str) -> CheckedNumber:
    try:
        info = parse_kk(raw if isinstance(raw, str) else "")
    except ValidationError as exc:
        raise ValidationError({field_name: [exc]}) from None
    return CheckedNumber(
        value=info.value,
        hash=identity_blind_index(info.value),
        warnings=tuple({"field": field_name, "code": code} for code in info.warning_codes),
    )


# --- Form fields (data) ---------------------------------------------------------------------

_FIELD_TYPES = frozenset(FieldType.values)


def validate_form_fields_definition(definition: object) -> list[dict[str, Any]]:
    """Check a service's ``form_fields`` (admin or seed data); raise ``ValueError`` if broken."""
    if not isinstance(definition, list):
        raise ValueError("form_fields must be a list")
    seen: set[str] = set()
    for item in definition:
        if not isinstance(item, dict):
            raise ValueError("each form field must be an object")
        key, kind = item.get("key"), item.get("type")
        if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9_]{0,59}", key):
            raise ValueError(f"bad form field key: {key!r}")
        if key in seen:
            raise ValueError(f"duplicate form field key: {key}")
        seen.add(key)
        if kind not in _FIELD_TYPES:
            raise ValueError(f"bad form field type for {key}: {kind!r}")
        if not isinstance(item.get("label"), str) or not item["label"]:
            raise ValueError(f"form field {key} needs a label")
        if kind == FieldType.CHOICE:
            choices = item.get("choices")
            if not isinstance(choices, list) or not choices:
                raise ValueError(f"choice field {key} needs choices")
            for choice in choices:
                if not (isinstance(choice, list) and len(choice) == 2):
                    raise ValueError(f"choice of {key} must be [value, label]")
    return definition


@dataclass
class CleanForm:
    data: dict[str, Any] = field(default_factory=dict)
    warnings: list[dict[str, str]] = field(default_factory=list)
    #: Blind indexes of NIK fields, by key (e.g. ``mother_nik``), for duplicate checks.
    nik_hashes: dict[str, str] = field(default_factory=dict)


def clean_form_data(service: DocumentService, raw: dict[str, Any] | None) -> CleanForm:
    """Validate answers against ``service.form_fields``; unknown keys are dropped.

    Raises one ``ValidationError`` with every field's error (keys ``form.<key>``).
    """
    raw = raw or {}
    result = CleanForm()
    errors: dict[str, list[ValidationError]] = {}
    definition = validate_form_fields_definition(service.form_fields)
    for spec in definition:
        key, kind, required = spec["key"], spec["type"], bool(spec.get("required"))
        field_name = f"form.{key}"
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                errors[field_name] = [ValidationError(_("This field is required."), "required")]
            continue
        try:
            if kind == FieldType.NAME:
                result.data[key] = clean_person_name(value, field_name=field_name)
            elif kind == FieldType.DATE:
                result.data[key] = clean_date(value, field_name=field_name).isoformat()
            elif kind == FieldType.NIK:
                checked = clean_nik(value, field_name=field_name)
                result.data[key] = checked.value
                result.nik_hashes[key] = checked.hash
                result.warnings.extend(checked.warnings)
            elif kind == FieldType.KK:
                checked = clean_kk(value, field_name=field_name)
                result.data[key] = checked.value
                result.warnings.extend(checked.warnings)
            elif kind == FieldType.CHOICE:
                allowed = {str(c[0]) for c in spec.get("choices", [])}
                if str(value) not in allowed:
                    raise _field_error(field_name, _("Choose one of the offered options."))
                result.data[key] = str(value)
            else:
                multiline = kind == FieldType.TEXTAREA
                result.data[key] = clean_text(
                    value,
                    field_name=field_name,
                    max_length=TEXTAREA_MAX_LENGTH if multiline else TEXT_MAX_LENGTH,
                    multiline=multiline,
                )
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    return result


def clean_date(value: object, *, field_name: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise _field_error(field_name, _("Enter a valid date.")) from None


# --- Late registration and fines ---------------------------------------------------------------


@dataclass(frozen=True)
class Lateness:
    days_since_event: int | None
    is_late: bool
    fine_rupiah: int


def lateness(service: DocumentService, *, event_date: date | None, today: date) -> Lateness:
    """Days since the event and whether that is past the service's legal deadline.

    Days are counted between Asia/Jakarta calendar dates: a birth on 1 January reported on
    2 March (60 days later) is on time; on 3 March (61 days) it is late. The fine is the
    service's ``late_fine_rupiah`` (data), only when late.
    """
    if event_date is None:
        return Lateness(days_since_event=None, is_late=False, fine_rupiah=0)
    days = (today - event_date).days
    deadline = service.legal_deadline_days
    late = deadline is not None and days > deadline
    fine = (service.late_fine_rupiah or 0) if late else 0
    return Lateness(days_since_event=days, is_late=late, fine_rupiah=fine)


def clean_event_date(
    service: DocumentService, value: object, *, today: date, field_name: str = "event_date"
) -> date | None:
    """The event date a service needs (required when it records an event); never in the future."""
    if service.event_kind == EventKind.NONE:
        if value in (None, ""):
            return None
    elif value in (None, ""):
        raise _field_error(field_name, _("Enter the date of the event."), code="required")
    event_date = clean_date(value, field_name=field_name)
    if event_date > today:
        raise _field_error(
            field_name, _("The date of the event cannot be in the future."), code="future_date"
        )
    return event_date


def parent_birth_warnings(*, event_date: date | None, form: CleanForm) -> list[dict[str, str]]:
    """A child born before (or on) the mother's own birth date: a warning for the officer."""
    mother_birth = form.data.get("mother_birth_date")
    if event_date is None or not mother_birth:
        return []
    if date.fromisoformat(mother_birth) >= event_date:
        return [{"field": "form.mother_birth_date", "code": "birth_before_parent_birth"}]
    return []


def duplicate_window(event_date: date, window_days: int) -> tuple[date, date]:
    return event_date - timedelta(days=window_days), event_date + timedelta(days=window_days)


#: Officer-facing explanations of warning codes (core NIK warnings and this module's own).
WARNING_LABELS: dict[str, Any] = {
    "nik_region_unknown": _("Region code not in the current Kemendagri table; check in SIAK."),
    "nik_region_renumbered": _("Province code renumbered in 2022; check the region in SIAK."),
    "nik_region_outside_city": _("NIK issued outside the city (e.g. a newcomer)."),
    "nik_birth_date_mismatch": _("Birth date in the NIK differs from the stated date."),
    "nik_sex_mismatch": _("Sex in the NIK differs from the stated sex."),
    "nik_serial_zero": _("NIK serial number 0000; check the NIK."),
    "kk_region_unknown": _("KK region code not in the current table; check in SIAK."),
    "kk_region_renumbered": _("KK province code renumbered in 2022."),
    "kk_region_outside_city": _("KK issued outside the city."),
    "birth_before_parent_birth": _("The birth date is before the mother's birth date."),
}
