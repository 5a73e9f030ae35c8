"""Request-wide middleware: request ids for log correlation and early size refusal (413)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from kotapintar.core.api.errors import error_json_response
from kotapintar.core.logging import request_id_var
from kotapintar.core.upload_handlers import (
    VIEW_LIMIT_ATTRIBUTE,
    UploadSizeLimitHandler,
    size_limit_handler,
)
from kotapintar.core.uploads.validation import format_megabytes

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9\-]{8,64}$")


class RequestIdMiddleware:
    """Gives every request an id (or keeps a sane one from the proxy) for structured logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        # Not reset on the way out: Django logs 4xx/5xx responses ("django.request") after
        # the whole middleware chain has returned, and that line must carry the id too. It is
        # cleared when the request finishes (and overwritten by the next request anyway).
        request_id_var.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def _clear_request_id(**kwargs: Any) -> None:
    request_id_var.set("-")


request_finished.connect(_clear_request_id, dispatch_uid="kotapintar_clear_request_id")


class RequestSizeLimitMiddleware:
    """Refuses oversized submissions with 413 before they are buffered.

    1. From the Content-Length header alone, before any of the body is read.
    2. For multipart requests, while the body streams in: ``UploadSizeLimitHandler`` is put in
       front of Django's upload handlers and the body is parsed in ``process_view`` (before
       the CSRF check and the view), so a file that passes the per-file limit is cut off at the
       limit, nothing of it stays on disk, and the view never runs.

    Bodies without Content-Length (chunked) are never read by Django under WSGI (it treats
    them as empty). Under ASGI Django spools the whole body to a temporary file before any
    middleware runs, so the reverse proxy must cap the body size there
    (``client_max_body_size``).
    """

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
        handlers = request.upload_handlers
        if request.content_type == "multipart/form-data" and isinstance(handlers, list):
            handlers.insert(0, UploadSizeLimitHandler(request))
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if request.method != "POST" or request.content_type != "multipart/form-data":
            return None  # Django parses only POST bodies into request.POST/FILES
        handler = size_limit_handler(request)
        if handler is None or hasattr(request, "_files"):
            return None  # already parsed by someone else: store_upload still checks sizes
        view_limit = getattr(view_func, VIEW_LIMIT_ATTRIBUTE, None)
        if view_limit is not None:
            handler.max_file_bytes = min(handler.max_file_bytes, view_limit)
        try:
            request.FILES  # noqa: B018 - parse now, with the limit handler first
        except RequestDataTooBig:
            return request_too_large(request, settings.UPLOAD_MAX_REQUEST_BYTES)
        if handler.exceeded is None:
            return None
        scope, exceeded_limit = handler.exceeded
        # DRF views (``as_view`` sets ``cls``) answer in the API's JSON error shape.
        api = getattr(view_func, "cls", None) is not None
        if scope == "file":
            return file_too_large(request, exceeded_limit, api=api)
        return request_too_large(request, exceeded_limit, api=api)


def request_too_large(request: HttpRequest, limit: int, *, api: bool = False) -> HttpResponse:
    message = _("The submission is too large. The limit per submission is %(limit)s MB.") % {
        "limit": format_megabytes(limit)
    }
    return _too_large_response(request, message, "request_too_large", api=api)


def file_too_large(request: HttpRequest, limit: int, *, api: bool = False) -> HttpResponse:
    message = _("The file is too large. The limit per file is %(limit)s MB.") % {
        "limit": format_megabytes(limit)
    }
    return _too_large_response(request, message, "file_too_large", api=api)


def _too_large_response(
    request: HttpRequest, message: str, code: str, *, api: bool = False
) -> HttpResponse:
    if api or request.path.startswith("/api/") or "json" in request.META.get("HTTP_ACCEPT", ""):
        response: HttpResponse = error_json_response(code, message, status=413)
    else:
        html = render_to_string("413.html", {"message": message}, request=request)
        response = HttpResponse(html, status=413)
    # The body was not (fully) read; tell the client and any keep-alive proxy not to reuse
    # the connection.
    response["Connection"] = "close"
    return response


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Bahasa Indonesia first: pages switch to English only when the visitor chose it.

    Many phones in Medan run an English system language, so a browser's Accept-Language says
    little about what a citizen reads best; the language switch (a cookie, also set from the
    profile at login) decides. API clients ask explicitly, so ``/api/`` keeps Django's usual
    negotiation (cookie, then Accept-Language).
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
