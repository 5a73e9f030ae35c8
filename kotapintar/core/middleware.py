"""Request-wide middleware: request ids for log correlation and early request-size refusal."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from kotapintar.core.logging import request_id_var

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9\-]{8,64}$")


class RequestIdMiddleware:
    """Gives every request an id (or keeps a sane one from the proxy) for structured logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestSizeLimitMiddleware:
    """Answers 413 from the Content-Length header alone, before any of the body is read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.UPLOAD_MAX_REQUEST_BYTES
        if length > limit:
            return request_too_large(request, limit)
        return self.get_response(request)


def request_too_large(request: HttpRequest, limit: int) -> HttpResponse:
    message = _("The submission is too large. The limit per submission is %(limit)s MB.") % {
        "limit": limit // (1024 * 1024)
    }
    if request.path.startswith("/api/") or "json" in request.META.get("HTTP_ACCEPT", ""):
        import json

        body = json.dumps({"error": {"code": "request_too_large", "message": message}})
        response = HttpResponse(body, status=413, content_type="application/json")
    else:
        html = render_to_string("413.html", {"message": message}, request=request)
        response = HttpResponse(html, status=413)
    # The body was not read; tell the client (and any keep-alive proxy) not to reuse the socket.
    response["Connection"] = "close"
    return response
