"""Complaint photos on the public pages, and the ``core:file`` access policy.

Who sees which photo is decided in one place, ``selectors.complaint_photos``; the policy
registered here (``selectors.photo_file_visible``) lets ``core:file`` serve exactly those.
Anonymous visitors cannot use ``core:file`` (it asks them to log in), so the public photos of a
publicly visible report are served by ``complaints:public_photo`` after
``complaint_public_photo_get`` found them.
"""

from __future__ import annotations

import uuid

from django.http import Http404

from kotapintar.complaints.models import Complaint, ComplaintPhoto
from kotapintar.complaints.selectors import complaint_photos, photo_file_visible
from kotapintar.core.uploads import register_file_access_policy


def complaint_public_photo_get(*, complaint: Complaint, file_id: uuid.UUID) -> ComplaintPhoto:
    """A photo anyone may see of a publicly visible report, else ``Http404``."""
    if not complaint.is_publicly_visible:
        raise Http404
    for photo in complaint_photos(complaint=complaint, actor=None):
        if photo.file_id == file_id:
            return photo
    raise Http404


def is_public_photo(complaint: Complaint, photo: ComplaintPhoto) -> bool:
    """Whether ``photo`` is among those an anonymous visitor sees (then served publicly)."""
    return complaint.is_publicly_visible and any(
        p.pk == photo.pk for p in complaint_photos(complaint=complaint, actor=None)
    )


# Importing this module (registration.py does, from AppConfig.ready) registers the policy;
# registering is idempotent.
register_file_access_policy(photo_file_visible)
