"""Logging filters: mask personal data and attach the request id to every record."""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar

# Any run of 16 digits, also when written with separators as NIKs often are
# (12.71.01.170885.0001, 1271 0117 0885 0001).
_SIXTEEN_DIGITS = re.compile(r"(?<!\d)(?:\d[\s.\-]?){15}\d(?!\d)")
# Indonesian mobile numbers: 08xx / +628xx / 628xx with 8-12 more digits.
_PHONE = re.compile(r"(?<![\d+])(?:\+?62|0)8\d{7,11}(?!\d)")

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


def mask_text(text: str) -> str:
    """Replace every 16-digit run and phone number in ``text`` by a masked form."""
    text = _SIXTEEN_DIGITS.sub(_mask_digits, text)
    return _PHONE.sub(
        lambda m: m.group(0)[:4] + "*" * (len(m.group(0)) - 6) + m.group(0)[-2:], text
    )


def _mask_digits(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return digits[:4] + "*" * 8 + digits[-4:]


class PersonalDataMaskingFilter(logging.Filter):
    """Masks NIK/KK-like numbers and phone numbers in the final message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the log line
            message = str(record.msg)
        record.msg = mask_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
            record.exc_info = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS and isinstance(value, str):
                setattr(record, key, mask_text(value))
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}
