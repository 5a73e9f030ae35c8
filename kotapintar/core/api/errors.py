"""One error shape for the whole API::

{"error": {"code": "validation_error", "message": "...", "fields": {"email": ["..."]}}}
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    payload: dict[str, Any] = {"code": _code(exc), "message": _message(exc)}
    if isinstance(exc, exceptions.ValidationError):
        payload["fields"] = _fields(exc.detail)
    response.data = {"error": payload}
    return response


def _code(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "validation_error"
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else "error"


def _message(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict) and "non_field_errors" in detail:
            return str(detail["non_field_errors"][0])
        if isinstance(detail, list) and detail:
            return str(detail[0])
        return _("The submitted data is not valid.")
    if exc.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        return _("Too many requests. Please try again later.")
    return str(exc.detail)


def _fields(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            key: [str(m) for m in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
            if key != "non_field_errors"
        }
    return {}
