"""Indonesian mobile phone numbers: validation and one canonical stored form."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Separators people type: spaces, dashes, dots, brackets.
_SEPARATORS = re.compile(r"[\s\-.()]")
# Subscriber part after the country/trunk prefix: 8xx followed by 7-11 digits (10-13 digits
# in the familiar 08... form), which covers every Indonesian mobile operator's ranges.
_SUBSCRIBER = re.compile(r"^8\d{7,11}$")


def normalize_indonesian_mobile(value: str) -> str:
    """Return the number as ``+628…`` (E.164) or raise ``ValidationError`` (code ``invalid_phone``).

    Accepts ``0812-3456-7890``, ``+62 812 3456 7890``, ``62812…`` and ``812…``. One stored
    form keeps comparisons and SMS/WhatsApp gateways simple. The error message never echoes
    the number (DESIGN §5).
    """
    digits = _SEPARATORS.sub("", value.strip())
    if digits.startswith("+62"):
        digits = digits[3:]
    elif digits.startswith("62"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = digits[1:]
    if not _SUBSCRIBER.match(digits):
        raise ValidationError(
            _("Enter an Indonesian mobile number, for example 0812 3456 7890."),
            code="invalid_phone",
        )
    return "+62" + digits


class IndonesianMobileField(forms.CharField):
    """Optional-by-default form field returning the normalised ``+628…`` number or ``""``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.input_type = "tel"
        self.widget.attrs.setdefault("autocomplete", "tel")
        self.widget.attrs.setdefault("inputmode", "tel")

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if value in self.empty_values:
            return ""
        return normalize_indonesian_mobile(str(value))
