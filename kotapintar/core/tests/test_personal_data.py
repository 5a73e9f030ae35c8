"""NIK/KK value type: the 17 inputs of civil-registration.md §3.3 and acceptance tests T1-T3.

All NIKs here are made up. Region lookups use District rows created with the factories.
"""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import override_settings
from django.utils.translation import override
from rest_framework import serializers

from kotapintar.core.personal_data import (
    NikFormField,
    NikInfo,
    NikSerializerField,
    form_nik_warnings,
    identity_blind_index,
    mask_identity_number,
    mask_phone,
    normalize_identity_number,
    parse_kk,
    parse_nik,
)
from kotapintar.testing.factories import DistrictFactory, ProvinceFactory, RegencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def regions() -> None:
    """Medan Kota, plus the two Papuan kecamatan of the §3.3 table, as in idn-area-data."""
    DistrictFactory(code="12.71.01", name="Medan Kota")
    papua = ProvinceFactory(code="91", name="Papua")
    yapen = RegencyFactory(code="91.05", province=papua, name="Kabupaten Kepulauan Yapen")
    DistrictFactory(code="91.05.01", regency=yapen, name="Yapen Selatan")
    pbd = ProvinceFactory(code="96", name="Papua Barat Daya")
    sorong = RegencyFactory(code="96.01", province=pbd, name="Kabupaten Sorong")
    DistrictFactory(code="96.01.01", regency=sorong, name="Makbon")


# --- The §3.3 table: 17 inputs ---------------------------------------------------------------

# (input, expected error code or None, expected warning codes)
SECTION_3_3 = [
    ("1271011708850001", None, ()),
    ("1271015708850002", None, ()),
    ("1271010008850001", "nik_bad_date", ()),
    ("1271013208850001", "nik_bad_date", ()),
    ("1271017208850001", "nik_bad_date", ()),
    ("1271013002850001", "nik_bad_date", ()),
    ("1271011713850001", "nik_bad_date", ()),
    ("1271991708850001", None, ("nik_region_unknown",)),
    ("1299011708850001", None, ("nik_region_unknown", "nik_region_outside_city")),
    ("9601011708850001", None, ("nik_region_outside_city",)),
    ("9105011708850001", None, ("nik_region_renumbered", "nik_region_outside_city")),
    ("1271016902000001", None, ()),
    ("9971011708850001", None, ("nik_region_unknown", "nik_region_outside_city")),
    ("1271011708850000", None, ("nik_serial_zero",)),
    ("12.71.01.170885.0001", None, ()),
    ("12710117O8850001", "nik_not_digits", ()),
    ("127101170885000", "nik_length", ()),
]


@pytest.mark.parametrize(("raw", "error", "warnings"), SECTION_3_3, ids=[r[0] for r in SECTION_3_3])
def test_section_3_3_inputs_are_rejected_or_warned_as_the_layered_rule_says(
    raw: str, error: str | None, warnings: tuple[str, ...]
) -> None:
    if error:
        with pytest.raises(ValidationError) as excinfo:
            parse_nik(raw)
        assert excinfo.value.code == error
    else:
        info = parse_nik(raw)
        assert info.warning_codes == warnings
        assert info.value == normalize_identity_number(raw)


def test_province_99_is_never_rejected_only_warned() -> None:
    # §3.3 lists 99 as invalid in both libraries; our rule: unknown region is a warning only.
    info = parse_nik("9971011708850001")
    assert info.province_code == "99"
    assert "nik_region_unknown" in info.warning_codes


def test_man_and_woman_are_decoded_with_the_plus_40_rule() -> None:
    man = parse_nik("1271011708850001")
    woman = parse_nik("1271015708850002")
    assert man == NikInfo(
        value="1271011708850001",
        province_code="12",
        regency_code="12.71",
        district_code="12.71.01",
        sex="L",
        birth_day=17,
        birth_month=8,
        birth_year_2=85,
        serial="0001",
        warnings=(),
    )
    assert (woman.sex, woman.birth_day, woman.birth_month, woman.serial) == ("P", 17, 8, "0002")


def test_29_february_is_valid_only_when_a_century_makes_it_a_leap_year() -> None:
    assert parse_nik("1271016902000001").birth_day == 29  # 2000 was a leap year
    assert parse_nik("1271012902840001").birth_month == 2  # 1984
    with pytest.raises(ValidationError) as excinfo:
        parse_nik("1271012902850001")  # neither 1985 nor 2085
    assert excinfo.value.code == "nik_bad_date"


# --- T1: format ------------------------------------------------------------------------------

T1_REJECTED = [
    ("127101170885000", "nik_length"),
    ("12710117088500011", "nik_length"),
    ("12710117O8850001", "nik_not_digits"),
    ("1271010008850001", "nik_bad_date"),
    ("1271013208850001", "nik_bad_date"),
    ("1271017208850001", "nik_bad_date"),
    ("1271014008850001", "nik_bad_date"),
    ("1271011713850001", "nik_bad_date"),
    ("1271011700850001", "nik_bad_date"),
    ("1271013002850001", "nik_bad_date"),
    ("0271011708850001", "nik_temporary"),
    ("", "nik_length"),
    ("１２７１０１１７０８８５０００１", "nik_not_digits"),  # full-width digits are not ASCII
]


@pytest.mark.parametrize(("raw", "code"), T1_REJECTED)
def test_t1_impossible_niks_are_rejected_with_a_code_and_a_message_without_the_input(
    raw: str, code: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_nik(raw)
    assert excinfo.value.code == code
    for language in ("en", "id"):
        with override(language):
            message = excinfo.value.messages[0]
        assert message
        if raw:
            assert normalize_identity_number(raw)[:6] not in message


@pytest.mark.parametrize(
    "raw",
    ["12.71.01.170885.0001", "1271 0117 0885 0001", "1271-0117-0885-0001", " 1271011708850001 "],
)
def test_t1_separators_are_normalised_and_accepted(raw: str) -> None:
    assert parse_nik(raw).value == "1271011708850001"


def test_t1_nothing_is_rejected_for_a_check_digit() -> None:
    # Every serial passes: there is no check digit to fail (§3.1).
    for serial in ("0001", "0002", "4711", "9999"):
        assert parse_nik(f"127101170885{serial}").serial == serial


def test_error_message_is_indonesian_and_english_on_request() -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_nik("127101170885000")
    assert excinfo.value.messages == ["NIK terdiri dari tepat 16 digit."]
    with override("en"):
        assert excinfo.value.messages == ["A NIK has exactly 16 digits."]


# --- T2: legitimate oddities are warnings only ----------------------------------------------


def test_t2_a_corrected_birth_date_is_accepted_with_a_warning() -> None:
    info = parse_nik("1271011708850001", stated_birth_date=date(1985, 8, 18))
    assert info.value == "1271011708850001"
    assert info.warning_codes == ("nik_birth_date_mismatch",)


def test_t2_a_matching_birth_date_and_sex_give_no_warning() -> None:
    info = parse_nik("1271015708850002", stated_birth_date=date(1985, 8, 17), stated_sex="P")
    assert info.warnings == ()


def test_t2_a_stated_sex_different_from_the_nik_is_a_warning() -> None:
    assert parse_nik("1271011708850001", stated_sex="P").warning_codes == ("nik_sex_mismatch",)
    assert parse_nik("1271011708850001", stated_sex="l").warnings == ()


def test_t2_a_newcomer_from_outside_the_city_is_accepted_with_a_warning() -> None:
    info = parse_nik("9601011708850001")
    assert info.warning_codes == ("nik_region_outside_city",)
    with override("en"):
        assert str(info.warnings[0].message) == (
            "The number was issued outside the city (region code 96.01)."
        )


def test_t2_an_old_papua_prefix_and_a_missing_prefix_are_accepted_with_warnings() -> None:
    assert parse_nik("9105011708850001").warning_codes == (
        "nik_region_renumbered",
        "nik_region_outside_city",
    )
    assert parse_nik("1271991708850001").warning_codes == ("nik_region_unknown",)


@override_settings(KOTAPINTAR_REGION_CODE="96.01")
def test_the_deployment_region_comes_from_settings() -> None:
    assert parse_nik("9601011708850001").warnings == ()
    assert parse_nik("1271011708850001").warning_codes == ("nik_region_outside_city",)


# --- T3: region decoding ---------------------------------------------------------------------


def test_t3_1271_decodes_as_kota_medan_never_sibolga() -> None:
    from kotapintar.regions.selectors import district_by_nik_prefix

    RegencyFactory(code="12.73", name="Kota Sibolga")
    info = parse_nik("1271011708850001")
    assert (info.regency_code, info.district_code) == ("12.71", "12.71.01")
    district = district_by_nik_prefix(info.nik_prefix)
    assert district is not None
    assert (district.regency.name, district.name) == ("Kota Medan", "Medan Kota")


# --- KK ---------------------------------------------------------------------------------------


def test_kk_is_16_digits_and_its_region_is_only_a_warning() -> None:
    kk = parse_kk("1271 0105 0120 0003")
    assert (kk.value, kk.regency_code, kk.warnings) == ("1271010501200003", "12.71", ())
    assert parse_kk("1299010501200003").warning_codes == (
        "kk_region_unknown",
        "kk_region_outside_city",
    )
    # The date part of a KK is a recording date: not validated.
    assert parse_kk("1271019999990003").value == "1271019999990003"


@pytest.mark.parametrize(
    ("raw", "code"), [("127101050120000", "kk_length"), ("12710105012O0003", "kk_not_digits")]
)
def test_kk_with_wrong_length_or_letters_is_rejected(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_kk(raw)
    assert excinfo.value.code == code


# --- Masking and blind index -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("1271011708850001", "1271********0001"),
        ("12.71.01.170885.0001", "1271********0001"),
        ("1271********0001", "1271********0001"),
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_identity_numbers_are_masked_keeping_four_digits_at_each_end(
    value: str, masked: str
) -> None:
    assert mask_identity_number(value) == masked


def test_nik_info_masked_property() -> None:
    assert parse_nik("1271011708850001").masked == "1271********0001"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("081234565678", "0812****5678"),
        ("0812-3456-5678", "0812****5678"),
        ("+6281234565678", "+62812****5678"),
        ("0812****5678", "0812****5678"),
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_phone_numbers_are_masked(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


def test_blind_index_ignores_separators_and_differs_per_number() -> None:
    assert identity_blind_index("12.71.01.170885.0001") == identity_blind_index("1271011708850001")
    assert identity_blind_index("1271011708850001") != identity_blind_index("1271015708850002")
    assert len(identity_blind_index("1271011708850001")) == 64
    assert "1271011708850001" not in identity_blind_index("1271011708850001")


# --- Form field, serializer field, template filters -------------------------------------------


class NikForm(forms.Form):
    nik = NikFormField()


def test_form_field_returns_the_normalised_nik_and_keeps_the_warnings() -> None:
    form = NikForm(data={"nik": "1271 9917 0885 0001"})
    assert form.is_valid()
    assert form.cleaned_data["nik"] == "1271991708850001"
    assert form_nik_warnings(form) == form.fields["nik"].nik_warnings
    assert [w.code for w in form_nik_warnings(form)] == ["nik_region_unknown"]
    # Each form has its own copy of the field: another form starts clean.
    assert form_nik_warnings(NikForm(data={"nik": "1271011708850001"})) == ()


def test_form_field_error_does_not_echo_the_input() -> None:
    form = NikForm(data={"nik": "1271013002850001"})
    assert not form.is_valid()
    assert form.errors.as_data()["nik"][0].code == "nik_bad_date"
    assert "1271013002850001" not in str(form.errors)
    assert "13002" not in str(form.errors)


def test_form_field_is_required_by_default_and_optional_when_asked() -> None:
    assert not NikForm(data={"nik": ""}).is_valid()

    class OptionalNikForm(forms.Form):
        nik = NikFormField(required=False)

    form = OptionalNikForm(data={"nik": "  "})
    assert form.is_valid()
    assert form.cleaned_data["nik"] == ""


class NikSerializer(serializers.Serializer):
    nik = NikSerializerField()


def test_serializer_field_normalises_validates_and_masks_output() -> None:
    serializer = NikSerializer(data={"nik": "12.71.01.170885.0000"})
    assert serializer.is_valid()
    assert serializer.validated_data["nik"] == "1271011708850000"
    assert [w.code for w in serializer.fields["nik"].nik_warnings] == ["nik_serial_zero"]
    assert NikSerializer({"nik": "1271011708850001"}).data == {"nik": "1271********0001"}


def test_serializer_field_rejects_with_the_code_and_without_the_input() -> None:
    serializer = NikSerializer(data={"nik": "1271017208850001"})
    assert not serializer.is_valid()
    assert serializer.errors["nik"][0].code == "nik_bad_date"
    assert "1271017208850001" not in str(serializer.errors)


def test_template_filters_show_personal_data_masked() -> None:
    template = Template(
        "{% load personal_data %}{{ nik|mask_nik }} {{ phone|mask_phone }}|{{ no|mask_nik }}"
    )
    rendered = template.render(
        Context({"nik": "1271011708850001", "phone": "081234565678", "no": ""})
    )
    assert rendered == "1271********0001 0812****5678|"
