"""Logging filters: mask personal data and attach the request id to every record.

This module is loaded while logging is configured (before the apps are ready): it must import
nothing from Django models or other Kota Pintar modules.
"""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar
from typing import Any

# Any run of 15 or more digits, also written with single separators as NIKs often are
# (12.71.01.170885.0001, 1271 0117 0885 0001). Longer than 16 on purpose: a mistyped NIK with
# an extra digit still contains the real one.
_LONG_DIGIT_RUN = re.compile(r"(?<!\d)\d(?:[ .\-]?\d){14,}(?!\d)")
# Indonesian mobile numbers: 08xx / +628xx / 628xx with 7-11 more digits, separators allowed.
_PHONE = re.compile(r"(?<![\d+])(?:\+?62|0)[ .\-]?8(?:[ .\-]?\d){7,11}(?!\d)")
# "Authorization: Bearer abc", "'HTTP_AUTHORIZATION': 'Token abc'", "authorization=Basic abc".
_AUTHORIZATION = re.compile(
    r"(?i)((?:proxy[-_])?(?:http_)?authorization['\"]?\s*[:=]\s*['\"]?)"
    r"(?:(bearer|token|basic|digest)\s+)?[^\s'\",;}]+"
)
# Header-like keys whose values are credentials, in dicts passed as ``extra``.
_SECRET_KEYS = re.compile(r"(?i)^(?:http_)?(?:proxy[-_])?(?:authorization|cookie|x[-_]api[-_]key)$")
REDACTED = "[redacted]"

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


def mask_text(text: str) -> str:
    """Mask every 15+-digit run, phone number and Authorization value in ``text``."""
    text = _LONG_DIGIT_RUN.sub(_mask_digits, text)
    text = _PHONE.sub(_mask_phone, text)
    return _AUTHORIZATION.sub(_redact_authorization, text)


def _mask_digits(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = re.sub(r"[^\d+]", "", text)
    return digits[:4] + "*" * (len(digits) - 6) + digits[-2:]


def _redact_authorization(match: re.Match[str]) -> str:
    scheme = f"{match.group(2)} " if match.group(2) else ""
    return f"{match.group(1)}{scheme}{REDACTED}"


def mask_value(value: Any, *, _depth: int = 0) -> Any:
    """Mask strings inside ``value`` (dicts, lists, tuples); other objects only if needed."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        return mask_text(str(value)) if abs(value) >= 10**14 else value
    if _depth > 8:
        return "…"
    if isinstance(value, dict):
        return {
            k: REDACTED
            if isinstance(k, str) and _SECRET_KEYS.match(k)
            else mask_value(v, _depth=_depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, tuple):
        return tuple(mask_value(v, _depth=_depth + 1) for v in value)
    if isinstance(value, list | set | frozenset):
        return [mask_value(v, _depth=_depth + 1) for v in value]
    # Other objects (a request, a model instance) stay themselves unless their text form would
    # leak something; handlers such as Django's AdminEmailHandler need the real request.
    try:
        text = str(value)
    except Exception:
        return "<unprintable>"
    masked = mask_text(text)
    return value if masked == text else masked


class PersonalDataMaskingFilter(logging.Filter):
    """Masks NIK/KK-like numbers, phone numbers and credentials in the whole record.

    Covers the formatted message, the exception and stack text and every ``extra`` field.
    """

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
            # Formatters would re-render the traceback from exc_info, unmasked.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        for key, value in list(vars(record).items()):
            if key in _STANDARD_ATTRS:
                continue
            if _SECRET_KEYS.match(key):
                setattr(record, key, REDACTED)
            else:
                setattr(record, key, mask_value(value))
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}
