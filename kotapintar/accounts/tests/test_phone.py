import pytest
from django.core.exceptions import ValidationError

from kotapintar.accounts.phone import normalize_indonesian_mobile


@pytest.mark.parametrize(
    "raw",
    ["081234567890", "0812-3456-7890", "+62 812 3456 7890", "6281234567890", "81234567890"],
)
def test_indonesian_mobile_numbers_are_stored_in_one_e164_form(raw: str) -> None:
    assert normalize_indonesian_mobile(raw) == "+6281234567890"


@pytest.mark.parametrize(
    "raw", ["0212345678", "08123", "+1 202 555 0100", "08123456789012345", "abc"]
)
def test_non_mobile_numbers_are_rejected_without_echoing_them(raw: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_indonesian_mobile(raw)
    assert excinfo.value.code == "invalid_phone"
    assert raw not in " ".join(str(m) for m in excinfo.value.messages)
