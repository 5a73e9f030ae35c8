"""Writes: store an accepted upload, delete a stored file, sweep orphaned objects.

Transactions and storage. Objects are written to storage *before* the ``StoredFile`` row, inside
the caller's transaction. If ``store_upload`` itself fails, it deletes what it wrote. If the
caller's transaction rolls back later, the row disappears but the object stays: Django has no
rollback hook. Those objects are *orphans* (no row names them) and
``stored_file_orphans_delete`` — the ``cleanup_orphan_files`` management command, run daily —
removes them once they are older than a grace period (so that objects of transactions still
in flight are never touched). The same sweep cleans up after a crash between the write and
the commit. An orphan is never reachable: downloads go through a row.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kotapintar.core.models.files import StoredFile, StoredFileKind
from kotapintar.core.uploads.images import encode_image
from kotapintar.core.uploads.validation import (
    DEFAULT_ALLOWED_KINDS,
    PDF,
    clean_original_name,
    inspect_upload,
)

if TYPE_CHECKING:
    from kotapintar.accounts.models import User

logger = logging.getLogger(__name__)

#: Storage prefixes owned by this module (the orphan sweep only looks here).
UPLOAD_PREFIX = "uploads"
ORIGINAL_PREFIX = "originals"
_SWEEP_BATCH = 500


def _storage() -> Storage:
    # Looked up per call so that ``override_settings(STORAGES=...)`` takes effect.
    return storages["default"]


def _random_name(prefix: str, token: str, extension: str) -> str:
    # Random and unguessable; the month only keeps directories small.
    return f"{prefix}/{timezone.now():%Y/%m}/{token}{extension}"


@transaction.atomic
def store_upload(
    *,
    uploaded_file: UploadedFile,
    uploaded_by: User | None,
    allowed_kinds: frozenset[str] = DEFAULT_ALLOWED_KINDS,
    max_bytes: int | None = None,
    min_image_side: int = 0,
    keep_original: bool = False,
) -> StoredFile:
    """Validate, sanitise and privately store an upload.

    Images are re-encoded (JPEG stays JPEG at quality 85, PNG stays PNG) with the EXIF
    orientation applied, all metadata (EXIF, GPS, ICC, comments) removed and the longest side
    capped at ``settings.UPLOAD_IMAGE_MAX_SIDE``. PDFs are stored as received once they pass
    the active-content check. ``keep_original`` also keeps the untouched bytes as a second
    private object (evidence, e.g. a suspected forgery).

    Raises ``UploadRejected`` (a ``ValidationError``) and stores nothing when the file is not
    accepted.
    """
    inspection = inspect_upload(
        uploaded_file,
        allowed_kinds=allowed_kinds,
        max_bytes=max_bytes,
        min_image_side=min_image_side,
    )
    sniffed = inspection.result
    if inspection.image is not None:
        try:
            stored_bytes, width, height = encode_image(inspection.image, sniffed.format)
        finally:
            inspection.image.close()
    else:
        stored_bytes, width, height = inspection.data, None, None

    storage = _storage()
    token = secrets.token_urlsafe(24)
    written: list[str] = []
    try:
        storage_name = storage.save(
            _random_name(UPLOAD_PREFIX, token, sniffed.extension), ContentFile(stored_bytes)
        )
        written.append(storage_name)
        original_storage_name = ""
        if keep_original:
            if sniffed.kind == PDF:
                original_storage_name = storage_name  # stored as received
            else:
                original_storage_name = storage.save(
                    _random_name(ORIGINAL_PREFIX, token, sniffed.extension),
                    ContentFile(inspection.data),
                )
                written.append(original_storage_name)
        stored = StoredFile.objects.create(
            storage_name=storage_name,
            original_name=clean_original_name(uploaded_file.name),
            content_type=sniffed.content_type,
            kind=StoredFileKind(sniffed.kind),
            size=len(stored_bytes),
            sha256=hashlib.sha256(stored_bytes).hexdigest(),
            width=width,
            height=height,
            page_count=sniffed.page_count,
            original_sha256=sniffed.sha256,
            original_size=sniffed.size,
            original_storage_name=original_storage_name,
            uploaded_by=uploaded_by,
        )
    except BaseException:
        for name in written:
            _delete_quietly(storage, name)
        raise
    return stored


@transaction.atomic
def stored_file_delete(*, stored_file: StoredFile) -> None:
    """Delete the row now and its objects once the transaction has committed.

    Fails (``ProtectedError``) while another record still protects the file.
    """
    names = {stored_file.storage_name, stored_file.original_storage_name} - {""}
    stored_file.delete()
    storage = _storage()

    def _delete_objects() -> None:
        for name in names:
            _delete_quietly(storage, name)

    transaction.on_commit(_delete_objects)


def stored_file_orphans_delete(
    *, older_than: timedelta = timedelta(hours=24), dry_run: bool = False
) -> list[str]:
    """Delete stored objects that no ``StoredFile`` row names and that are older than
    ``older_than``. Returns the storage names found (and deleted unless ``dry_run``)."""
    storage = _storage()
    cutoff = timezone.now() - older_than
    candidates: list[str] = []
    for prefix in (UPLOAD_PREFIX, ORIGINAL_PREFIX):
        for name in _walk(storage, prefix):
            try:
                modified = storage.get_modified_time(name)
            except (OSError, NotImplementedError):
                continue
            if modified <= cutoff:
                candidates.append(name)
    orphans: list[str] = []
    for start in range(0, len(candidates), _SWEEP_BATCH):
        batch = candidates[start : start + _SWEEP_BATCH]
        referenced: set[str] = set()
        rows = StoredFile.objects.filter(
            Q(storage_name__in=batch) | Q(original_storage_name__in=batch)
        ).values_list("storage_name", "original_storage_name")
        for storage_name, original_storage_name in rows:
            referenced.update((storage_name, original_storage_name))
        orphans.extend(name for name in batch if name not in referenced)
    if not dry_run:
        for name in orphans:
            _delete_quietly(storage, name)
    if orphans:
        logger.info(
            "Orphaned upload objects %s: %d", "found" if dry_run else "deleted", len(orphans)
        )
    return orphans


def _walk(storage: Storage, directory: str) -> Iterator[str]:
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for file_name in files:
        yield f"{directory}/{file_name}"
    for sub in directories:
        yield from _walk(storage, f"{directory}/{sub}")


def _delete_quietly(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # cleanup must not hide the original error; the sweep retries later
        logger.exception("Could not delete a stored upload object")
