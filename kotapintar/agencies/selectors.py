"""Reads of agencies (OPD) and their service units."""

from __future__ import annotations

from django.db.models import QuerySet

from kotapintar.agencies.models import Agency, AgencyKind, ServiceUnit, UnitKind
from kotapintar.agencies.services import CIVIL_REGISTRY_AGENCY_CODE


def agency_list_public(*, kind: str | None = None) -> QuerySet[Agency]:
    agencies = Agency.objects.filter(is_active=True).select_related("district").order_by("name")
    if kind:
        agencies = agencies.filter(kind=kind)
    return agencies


def unit_list_for_agency(*, agency: Agency) -> QuerySet[ServiceUnit]:
    return ServiceUnit.objects.filter(agency=agency, is_active=True).select_related("district")


def civil_registry_agency() -> Agency | None:
    """The Disdukcapil of the deployment (code ``disdukcapil`` in the OPD file)."""
    return Agency.objects.filter(code=CIVIL_REGISTRY_AGENCY_CODE, is_active=True).first()


def kecamatan_agency_for(*, district_code: str) -> Agency | None:
    """The kecamatan office serving a kecamatan (``12.71.01``), e.g. to route a complaint."""
    return Agency.objects.filter(
        kind=AgencyKind.KECAMATAN, district_id=district_code, is_active=True
    ).first()


def civil_registry_desk_for(*, district_code: str) -> ServiceUnit | None:
    """Disdukcapil's desk in a kecamatan, where citizens of that kecamatan can be served."""
    return (
        ServiceUnit.objects.filter(
            agency__code=CIVIL_REGISTRY_AGENCY_CODE,
            kind=UnitKind.KECAMATAN_DESK,
            district_id=district_code,
            is_active=True,
        )
        .select_related("agency", "district")
        .first()
    )
