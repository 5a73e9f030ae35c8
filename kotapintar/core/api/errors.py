"""One error shape for the whole API::

{"error": {"code": "validation_error", "message": "...", "fields": {"email": ["..."]}}}

``code`` is stable and meant for programs; ``message`` is translated and meant for people;
``fields`` appears only on validation errors and maps a field path (``items.0.name`` for nested
data, ``non_field_errors`` never appears: those become the message) to its messages.

Status codes:

* 400 ``validation_error`` - from serializers and from services raising Django's
  ``ValidationError``; also ``parse_error`` for a malformed body.
* 401 ``not_authenticated`` / ``authentication_failed`` - no or wrong credentials, with a
  ``WWW-Authenticate: Token`` header. DRF would answer 403 here because the first configured
  authenticator (sessions) has no challenge; clients need to tell "log in" from "not allowed".
* 403 ``permission_denied`` - authenticated but not allowed (also Django's ``PermissionDenied``).
* 404 ``not_found`` - never echoes the path or the lookup: it may carry personal data.
* 405 ``method_not_allowed``, 406, 415 as DRF raises them.
* 429 ``throttled`` with a ``Retry-After`` header (seconds).
* 500 ``server_error`` - logged with the traceback, answered in the same shape.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.http import Http404, JsonResponse
from django.utils.functional import Promise
from django.utils.log import log_response
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

_NON_FIELD_KEYS = frozenset({NON_FIELD_ERRORS, api_settings.NON_FIELD_ERRORS_KEY})


def error_body(code: str, message: str) -> dict[str, Any]:
    """The API's error shape without field errors."""
    return {"error": {"code": code, "message": message}}


def error_json_response(code: str, message: str, *, status: int) -> JsonResponse:
    """The API's error shape for answers given outside DRF views (middleware, URL resolver)."""
    return JsonResponse(error_body(code, message), status=status)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    api_exc = _as_api_exception(exc)
    if api_exc is None:
        return _server_error(exc, context)
    response = drf_exception_handler(api_exc, context)
    assert response is not None  # DRF handles every APIException
    payload: dict[str, Any] = {"code": _code(api_exc), "message": _message(api_exc)}
    if isinstance(api_exc, exceptions.ValidationError):
        payload["fields"] = _fields(api_exc.detail)
    response.data = {"error": payload}
    return response


def _as_api_exception(exc: Exception) -> exceptions.APIException | None:
    """Maps Django's exceptions to DRF's; ``None`` for anything unexpected (a 500)."""
    if isinstance(exc, Http404):
        # Http404's own text ("No Complaint matches the given query.") is never shown.
        return exceptions.NotFound(_("Not found."))
    if isinstance(exc, PermissionDenied):
        # A service may explain the refusal; without a message DRF's default text is used.
        given = exc.args[0] if exc.args and isinstance(exc.args[0], str | Promise) else None
        return exceptions.PermissionDenied(str(given) if given is not None else None)
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError; keep its field mapping and codes.
        return exceptions.ValidationError(get_error_detail(exc))
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        exc.status_code = status.HTTP_401_UNAUTHORIZED
        exc.auth_header = "Token"  # type: ignore[union-attr]
        return exc
    if isinstance(exc, exceptions.APIException):
        return exc
    return None


def _code(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "validation_error"
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def _message(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        non_field = _non_field_messages(exc.detail)
        return non_field[0] if non_field else _("The submitted data is not valid.")
    if isinstance(exc, exceptions.Throttled):
        wait: float | None = getattr(exc, "wait", None)  # not in the type stubs
        if wait is None:
            return _("Too many requests. Please try again later.")
        # Unit symbol instead of ngettext: the seconds count needs no plural forms.
        seconds = max(1, math.ceil(wait))
        return _("Too many requests. Please wait %(seconds)d s before trying again.") % {
            "seconds": seconds
        }
    return str(exc.detail)


def _non_field_messages(detail: Any) -> list[str]:
    if isinstance(detail, list):
        return [str(m) for m in detail if not isinstance(m, Mapping | list)]
    if isinstance(detail, Mapping):
        return [str(m) for key in _NON_FIELD_KEYS for m in detail.get(key, [])]
    return [str(detail)]


def _fields(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flattens nested serializer errors to ``{"address.street": [...], "items.0.qty": [...]}``."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        items: list[tuple[str, Any]] = [
            (str(key), value)
            for key, value in detail.items()
            if not (key in _NON_FIELD_KEYS and not prefix)
        ]
    elif isinstance(detail, list) and any(isinstance(v, Mapping | list) for v in detail):
        # A list of child errors (many=True): one entry per item, empty ones skipped.
        items = [(str(index), value) for index, value in enumerate(detail) if value]
    else:
        if prefix:
            messages = detail if isinstance(detail, list) else [detail]
            fields[prefix] = [str(m) for m in messages]
        return fields
    for key, value in items:
        fields.update(_fields(value, f"{prefix}.{key}" if prefix else key))
    return fields


def _server_error(exc: Exception, context: dict[str, Any]) -> Response:
    """Unexpected exception: same shape for the client, full traceback for the operators."""
    request = context.get("request")
    django_request = getattr(request, "_request", request)
    set_rollback()
    response = Response(
        error_body("server_error", _("Something went wrong on our side.")),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
    # Same record Django writes for an unhandled exception (django.request, ERROR, traceback);
    # it also marks the response as logged so Django does not log it a second time.
    log_response(
        "Internal Server Error: %s",
        getattr(django_request, "path", "-"),
        response=response,
        request=django_request,
        exception=exc,
    )
    # Lets the test client re-raise the exception and error reporters see it, as for any view.
    if sys.exc_info()[1] is exc:
        got_request_exception.send(sender=None, request=django_request)
    return response
