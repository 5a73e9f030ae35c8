"""Download of stored files, only through this authorising view and only as attachments."""

from __future__ import annotations

import logging
import uuid

from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.views.decorators.http import require_GET

from kotapintar.core.models.files import StoredFile
from kotapintar.core.uploads.access import is_staff_user, stored_file_get_for_download

logger = logging.getLogger(__name__)


@require_GET
def serve_file(request: HttpRequest, file_id: uuid.UUID) -> HttpResponseBase:
    if not request.user.is_authenticated:
        # The same answer for every id, existing or not: it reveals nothing.
        return redirect_to_login(request.get_full_path())
    stored_file = stored_file_get_for_download(user=request.user, file_id=file_id)
    if is_staff_user(request.user):
        _audit_download(request, stored_file)
    try:
        handle = storages["default"].open(stored_file.storage_name, "rb")
    except FileNotFoundError:
        logger.error("Stored file %s has no object in storage", stored_file.pk)
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=stored_file.download_name,
        content_type=stored_file.content_type,
    )
    # Belt and braces: even if a browser rendered it, it could run nothing and send nothing.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _audit_download(request: HttpRequest, stored_file: StoredFile) -> None:
    """Every staff download is audited (DESIGN §5, reference T18). No audit, no download."""
    try:
        from kotapintar.core.audit import audit_record
    except ImportError:
        # TODO(uploads): remove once kotapintar.core.audit has landed.
        logger.warning("kotapintar.core.audit is not available: file download not audited")
        return
    audit_record(
        actor=request.user,
        action="file.download",
        obj=stored_file,
        request=request,
        summary="File downloaded",
    )
