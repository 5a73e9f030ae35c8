"""Per-file size limit enforced while the multipart body streams in.

``RequestSizeLimitMiddleware`` puts ``UploadSizeLimitHandler`` in front of Django's own
handlers for every multipart request and parses the body before the view runs (so no view,
form or DRF parser ever sees a request whose file was cut off). When a file passes the limit
the handler stops the upload at once: the partial file is closed (Django's temporary file is
deleted), the rest of the body is not read, and the middleware answers 413 stating the limit.
No settings change is needed; do not also list the handler in ``FILE_UPLOAD_HANDLERS``.

A view that wants a smaller limit than ``settings.UPLOAD_MAX_FILE_BYTES`` says so with
``@limit_upload_size(max_file_bytes=...)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

ViewT = TypeVar("ViewT", bound=Callable[..., Any])

#: Attribute on a view function read by the middleware before it parses the body.
VIEW_LIMIT_ATTRIBUTE = "upload_max_file_bytes"


class UploadSizeLimitHandler(FileUploadHandler):
    """Counts the bytes of each file (and of all files) as they arrive; stops past a limit.

    The declared sizes (Content-Length, a part's own length) are used only to refuse early;
    the count of bytes actually received is what is enforced.
    """

    def __init__(
        self,
        request: HttpRequest | None = None,
        *,
        max_file_bytes: int | None = None,
        max_request_bytes: int | None = None,
    ) -> None:
        super().__init__(request)
        self.max_file_bytes: int = max_file_bytes or settings.UPLOAD_MAX_FILE_BYTES
        self.max_request_bytes: int = max_request_bytes or settings.UPLOAD_MAX_REQUEST_BYTES
        self.received_total = 0
        #: Set when the upload was stopped: ("file" | "request", the limit in bytes).
        self.exceeded: tuple[str, int] | None = None

    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, bytes] | None = None,
    ) -> None:
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        if content_length is not None and content_length > self.max_file_bytes:
            self._stop("file", self.max_file_bytes)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.max_file_bytes:
            self._stop("file", self.max_file_bytes)
        self.received_total += len(raw_data)
        if self.received_total > self.max_request_bytes:
            self._stop("request", self.max_request_bytes)
        return raw_data  # pass the chunk on to Django's handlers

    def file_complete(self, file_size: int) -> UploadedFile | None:
        return None  # Django's handlers build the file object

    def _stop(self, scope: str, limit: int) -> None:
        self.exceeded = (scope, limit)
        # connection_reset: Django closes the files received so far (deleting temporary
        # files) and does not read the rest of the body.
        raise StopUpload(connection_reset=True)


def limit_upload_size(*, max_file_bytes: int) -> Callable[[ViewT], ViewT]:
    """Give one view a smaller per-file streaming limit than the site-wide one."""

    def decorator(view: ViewT) -> ViewT:
        setattr(view, VIEW_LIMIT_ATTRIBUTE, max_file_bytes)
        return view

    return decorator


def size_limit_handler(request: HttpRequest) -> UploadSizeLimitHandler | None:
    for handler in request.upload_handlers:
        if isinstance(handler, UploadSizeLimitHandler):
            return handler
    return None
