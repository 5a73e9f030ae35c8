"""Secure uploads: content-sniffed allow-list (JPEG, PNG, PDF), size limits, decompression-bomb
guard, images re-encoded without metadata, private random storage names, authorised serving.

Public API (other modules code against these names)::

    store_upload(*, uploaded_file, uploaded_by, allowed_kinds=..., max_bytes=None,
                 min_image_side=0, keep_original=False) -> StoredFile
    validate_upload(uploaded_file, *, allowed_kinds=..., max_bytes=None,
                    min_image_side=0) -> SniffResult
    UploadRejected  (a ValidationError; .code tells why)
    SecureFileField (form field)
    register_file_access_policy(policy)   policy(user, stored_file) -> bool
    stored_file_get_for_download(*, user, file_id) -> StoredFile   (else Http404)
    stored_file_delete(*, stored_file)
    stored_file_orphans_delete(*, older_than, dry_run=False)   (command cleanup_orphan_files)

Download URL: ``reverse("core:file", args=[stored_file.pk])`` -> ``/berkas/<uuid>/``.
"""

from kotapintar.core.uploads.access import (
    register_file_access_policy,
    stored_file_get_for_download,
    unregister_file_access_policy,
    user_can_access_file,
)
from kotapintar.core.uploads.forms import SecureFileField
from kotapintar.core.uploads.services import (
    store_upload,
    stored_file_delete,
    stored_file_orphans_delete,
)
from kotapintar.core.uploads.validation import (
    DEFAULT_ALLOWED_KINDS,
    IMAGE,
    PDF,
    SniffResult,
    UploadRejected,
    validate_upload,
)

__all__ = [
    "DEFAULT_ALLOWED_KINDS",
    "IMAGE",
    "PDF",
    "SecureFileField",
    "SniffResult",
    "UploadRejected",
    "register_file_access_policy",
    "store_upload",
    "stored_file_delete",
    "stored_file_get_for_download",
    "stored_file_orphans_delete",
    "unregister_file_access_policy",
    "user_can_access_file",
    "validate_upload",
]
