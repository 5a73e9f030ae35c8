"""The ``core:file`` access policy for staff: complaint photos through the domain selectors.

Register with ``register_file_access_policy(complaint_photo_staff_policy)`` (from
``registration.py``). Staff may download a complaint photo when the complaint is visible to them
(``selectors.complaints_for_actor``) and the photo is among those ``selectors.complaint_photos``
shows them (so rahasia photos stay hidden from agency officers, reference §5.12, and photos
removed by a moderator from everyone). The rules live in the selectors only.
"""

from __future__ import annotations

from typing import Any

from kotapintar.complaints.models import ComplaintPhoto
from kotapintar.core.models.files import StoredFile


def complaint_photo_staff_policy(user: Any, stored_file: StoredFile) -> bool:
    """Staff who can see the complaint and this photo of it."""
    if not (getattr(user, "is_agency_staff", False) or getattr(user, "is_city_wide", False)):
        return False
    from kotapintar.complaints import selectors

    photo = ComplaintPhoto.objects.filter(file=stored_file).only("pk", "complaint_id").first()
    if photo is None:
        return False
    complaint = selectors.complaints_for_actor(actor=user).filter(pk=photo.complaint_id).first()
    if complaint is None:
        return False
    return any(
        p.pk == photo.pk for p in selectors.complaint_photos(complaint=complaint, actor=user)
    )
