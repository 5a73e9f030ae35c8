from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from kotapintar.civil_registration.models import DocumentService, EventKind
from kotapintar.civil_registration.rules import (
    clean_event_date,
    clean_form_data,
    clean_nik,
    clean_person_name,
    jakarta_date,
    lateness,
    name_key,
)
from kotapintar.testing.factories import DistrictFactory

BIRTH = DocumentService(
    code="akta-kelahiran",
    event_kind=EventKind.BIRTH,
    legal_deadline_days=60,
    late_fine_rupiah=100000,
)
DEATH = DocumentService(code="akta-kematian", event_kind=EventKind.DEATH, legal_deadline_days=30)


def _messages(exc: pytest.ExceptionInfo[ValidationError], field: str) -> list[str]:
    return [str(m) for m in exc.value.message_dict[field]]


@pytest.mark.parametrize(
    "name",
    [
        "Sukarno",
        "Muh. Ma'ruf",
        "Raden Ajeng Kartini Soerjo Adi Ningrat Djojo Adhiningrat",
        "Ni Luh",
    ],
)
def test_legitimate_names_are_accepted(name: str) -> None:
    assert clean_person_name(name) == name


def test_spaces_are_collapsed() -> None:
    assert clean_person_name("  Siti   Aminah ") == "Siti Aminah"


@pytest.mark.parametrize(
    "name", ["<script>alert(1)</script>", "Budi\x00", "Budi\u202e", "Budi <b>", "R2D2", "  "]
)
def test_markup_control_characters_and_digits_are_refused(name: str) -> None:
    with pytest.raises(ValidationError) as exc:
        clean_person_name(name)
    assert "subject_name" in exc.value.message_dict


def test_name_error_is_in_indonesian() -> None:
    with pytest.raises(ValidationError) as exc:
        clean_person_name("<b>Budi</b>")
    assert _messages(exc, "subject_name") == [
        "Nama hanya boleh berisi huruf, spasi, titik, apostrof, dan tanda hubung."
    ]


def test_name_key_ignores_case_accents_and_punctuation() -> None:
    assert name_key("Muh. Ma'ruf") == name_key("MUH MA RUF") == "muh ma ruf"
    assert name_key("Désirée") == "desiree"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("127101170885000", "nik_length"),
        ("12710117088500011", "nik_length"),
        ("12710117O8850001", "nik_not_digits"),
        ("1271010008850001", "nik_bad_date"),
        ("1271013208850001", "nik_bad_date"),
        ("1271017208850001", "nik_bad_date"),
        ("1271011713850001", "nik_bad_date"),
        ("1271013002850001", "nik_bad_date"),
    ],
)
def test_t1_impossible_niks_are_refused_at_field_level(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        clean_nik(raw, field_name="subject_nik")
    errors = exc.value.error_dict["subject_nik"]
    assert [e.code for e in errors] == [code]
    assert raw not in str(exc.value)


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["12.71.01.170885.0001", "1271 0117 0885 0001"])
def test_t1_separators_are_normalised(raw: str) -> None:
    DistrictFactory()
    checked = clean_nik(raw, field_name="subject_nik")
    assert checked.value == "1271011708850001"
    assert checked.warnings == ()


@pytest.mark.django_db
def test_t2_oddities_are_warnings_not_rejections() -> None:
    DistrictFactory()
    outside = clean_nik("3171011708850001", field_name="subject_nik")
    assert {w["code"] for w in outside.warnings} == {
        "nik_region_unknown",
        "nik_region_outside_city",
    }
    papua = clean_nik("9105011708850001", field_name="subject_nik")
    assert "nik_region_outside_city" in {w["code"] for w in papua.warnings}
    serial = clean_nik("1271011708850000", field_name="subject_nik")
    assert [w["code"] for w in serial.warnings] == ["nik_serial_zero"]
    mismatch = clean_nik(
        "1271011708850001", field_name="subject_nik", stated_birth_date=date(1985, 8, 18)
    )
    assert [w["code"] for w in mismatch.warnings] == ["nik_birth_date_mismatch"]


def test_t11_birth_60_days_is_on_time_61_is_late_with_the_fine() -> None:
    today = date(2026, 11, 29)
    on_time = lateness(BIRTH, event_date=date(2026, 9, 30), today=today)
    assert (on_time.days_since_event, on_time.is_late, on_time.fine_rupiah) == (60, False, 0)
    late = lateness(BIRTH, event_date=date(2026, 9, 29), today=today)
    assert (late.days_since_event, late.is_late, late.fine_rupiah) == (61, True, 100000)


def test_death_deadline_is_30_days_without_a_fine() -> None:
    today = date(2026, 11, 29)
    assert not lateness(DEATH, event_date=date(2026, 10, 30), today=today).is_late
    late = lateness(DEATH, event_date=date(2026, 10, 29), today=today)
    assert (late.is_late, late.fine_rupiah) == (True, 0)


def test_days_are_counted_in_jakarta_dates() -> None:
    # 20:00 UTC on 28 Nov is already 29 Nov in Medan (UTC+7).
    assert jakarta_date(datetime(2026, 11, 28, 20, 0, tzinfo=ZoneInfo("UTC"))) == date(2026, 11, 29)


def test_future_event_date_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        clean_event_date(BIRTH, "2026-11-30", today=date(2026, 11, 29))
    assert exc.value.error_dict["event_date"][0].code == "future_date"
    assert clean_event_date(BIRTH, "2026-11-29", today=date(2026, 11, 29)) == date(2026, 11, 29)


def test_event_date_required_for_an_event_service() -> None:
    with pytest.raises(ValidationError) as exc:
        clean_event_date(BIRTH, "", today=date(2026, 11, 29))
    assert exc.value.error_dict["event_date"][0].code == "required"


@pytest.mark.django_db
def test_form_fields_validated_by_type_and_unknown_keys_dropped() -> None:
    DistrictFactory()
    service = DocumentService(
        code="x",
        form_fields=[
            {"key": "mother_name", "label": "Nama ibu", "type": "name", "required": True},
            {"key": "mother_nik", "label": "NIK ibu", "type": "nik", "required": True},
            {
                "key": "sex",
                "label": "JK",
                "type": "choice",
                "required": True,
                "choices": [["L", "Laki-laki"], ["P", "Perempuan"]],
            },
            {"key": "note", "label": "Catatan", "type": "textarea", "required": False},
        ],
    )
    form = clean_form_data(
        service,
        {"mother_name": "Siti", "mother_nik": "1271 0165 0390 0003", "sex": "P", "evil": "x"},
    )
    assert form.data == {"mother_name": "Siti", "mother_nik": "1271016503900003", "sex": "P"}
    assert set(form.nik_hashes) == {"mother_nik"}
    with pytest.raises(ValidationError) as exc:
        clean_form_data(service, {"mother_name": "<i>", "mother_nik": "123", "sex": "X"})
    assert set(exc.value.message_dict) == {"form.mother_name", "form.mother_nik", "form.sex"}
