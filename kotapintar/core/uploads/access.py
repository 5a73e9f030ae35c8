"""Who may download a stored file (selectors).

The uploader may always fetch their own file. Everyone else needs a policy registered by the
module that links the file: ``register_file_access_policy(policy)`` with
``policy(user, stored_file) -> bool``, typically from ``AppConfig.ready``; the module knows
whether the user is the assigned officer of the application the file belongs to, and so on.
Anyone not allowed gets a 404, never a 403 that would confirm that the file exists.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404

from kotapintar.core.models.files import StoredFile

logger = logging.getLogger(__name__)

FileAccessPolicy = Callable[[Any, StoredFile], bool]

_policies: list[FileAccessPolicy] = []


def register_file_access_policy(policy: FileAccessPolicy) -> FileAccessPolicy:
    """Add a policy (idempotent). Returns it, so it can be used as a decorator."""
    if policy not in _policies:
        _policies.append(policy)
    return policy


def unregister_file_access_policy(policy: FileAccessPolicy) -> None:
    """Remove a policy (for tests)."""
    if policy in _policies:
        _policies.remove(policy)


def user_can_access_file(*, user: Any, stored_file: StoredFile) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if stored_file.uploaded_by_id is not None and stored_file.uploaded_by_id == user.pk:
        return True
    for policy in list(_policies):
        try:
            if policy(user, stored_file):
                return True
        except Exception:
            # A broken policy denies (and is logged) instead of breaking every download.
            logger.exception("File access policy %r failed", policy)
    return False


def is_staff_user(user: Any) -> bool:
    """Staff downloads are audited: any non-citizen role, or Django staff."""
    return bool(getattr(user, "is_staff", False)) or not getattr(user, "is_citizen", True)


def stored_file_get_for_download(*, user: Any, file_id: uuid.UUID | str) -> StoredFile:
    """The file if ``user`` may download it, else ``Http404`` (also for unknown ids)."""
    try:
        stored_file = StoredFile.objects.get(pk=file_id)
    except (StoredFile.DoesNotExist, ValidationError, ValueError, TypeError):
        # Unknown or malformed id: the same answer as "not yours".
        raise Http404 from None
    if not user_can_access_file(user=user, stored_file=stored_file):
        raise Http404
    return stored_file
