"""What the UMKM module plugs into the foundation at start-up: roles, portal entry, file access."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _

from kotapintar.accounts.roles import register_module_role
from kotapintar.core.models.files import StoredFile
from kotapintar.core.uploads.access import register_file_access_policy
from kotapintar.portal.selectors import ServiceEntry, register_service
from kotapintar.umkm import search_cache  # noqa: F401  (drops cached searches on changes)

#: Module role of a Dinas Koperasi & UKM officer: verifies businesses, curates products, runs
#: programmes and reads the reports (granted per user with ``ModuleRoleGrant``).
DINAS_ROLE = "umkm_dinas"

register_module_role(DINAS_ROLE, cast(str, _("UMKM officer (Dinas Koperasi & UKM)")))

register_service(
    ServiceEntry(
        code="umkm",
        title=_("UMKM e-catalogue"),
        description=_(
            "Buy from Medan's micro, small and medium enterprises, or register your own "
            "business and its products."
        ),
        url_name="umkm:catalogue",
        staff_url_name="umkm:dinas_home",
    )
)


def umkm_file_policy(user: Any, stored_file: StoredFile) -> bool:
    """Business documents: the owner and Dinas officers. Photos of public products: anyone
    signed in (the public pages use the thumbnails through the same view)."""
    from kotapintar.umkm.models import (
        Business,
        Certification,
        NibClaim,
        ProductPhoto,
    )
    from kotapintar.umkm.search import public_products
    from kotapintar.umkm.selectors import is_dinas_officer

    file_id = stored_file.pk
    photo_qs = ProductPhoto.objects.filter(file_id=file_id) | ProductPhoto.objects.filter(
        thumbnail_id=file_id
    )
    if photo_qs.filter(product__in=public_products()).exists():
        return True
    if is_dinas_officer(user):
        return (
            photo_qs.exists()
            or Business.objects.filter(nib_document_id=file_id).exists()
            or Certification.objects.filter(document_id=file_id).exists()
            or NibClaim.objects.filter(document_id=file_id).exists()
        )
    return (
        photo_qs.filter(product__business__owner=user).exists()
        or Business.objects.filter(nib_document_id=file_id, owner=user).exists()
        or Certification.objects.filter(document_id=file_id, business__owner=user).exists()
    )


register_file_access_policy(umkm_file_policy)
