"""Reads for the public and citizen pages: the offline alternatives and the QR verification of a
receipt or an issued document (masked data only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotapintar.agencies.models import ServiceUnit, UnitKind
from kotapintar.agencies.selectors import civil_registry_agency
from kotapintar.civil_registration.models import (
    Application,
    DocumentService,
    SelfPrintAccess,
    ServiceGroup,
)
from kotapintar.civil_registration.selectors import mask_name, service_list_active
from kotapintar.core.personal_data import mask_identity_number


def offline_units() -> list[ServiceUnit]:
    """The Disdukcapil head office first, then the kecamatan desks (address and hours)."""
    agency = civil_registry_agency()
    if agency is None:
        return []
    units = ServiceUnit.objects.filter(agency=agency, is_active=True).select_related("district")
    return sorted(units, key=lambda u: (u.kind != UnitKind.HEAD_OFFICE, u.name))


@dataclass(frozen=True)
class ServiceGroupList:
    code: str
    label: str
    services: list[DocumentService]


#: Headings of the public list ("Civil registration" alone names the whole module).
GROUP_HEADINGS = {
    ServiceGroup.RESIDENT_REGISTRATION: _("Resident registration"),
    ServiceGroup.CIVIL_REGISTRATION: _("Registration of civil events"),
}


def services_grouped() -> list[ServiceGroupList]:
    services = list(service_list_active())
    return [
        ServiceGroupList(
            code=str(value),
            label=str(GROUP_HEADINGS.get(ServiceGroup(value), label)),
            services=[s for s in services if s.group == value],
        )
        for value, label in ServiceGroup.choices
        if any(s.group == value for s in services)
    ]


@dataclass(frozen=True)
class PublicCheck:
    """What the QR page shows: never a NIK in clear, never a document fee."""

    application_id: str
    reference: str
    document_type: str
    masked_name: str
    masked_nik: str
    status_label: str
    submitted_on: date
    issued: bool
    active: bool
    document_number: str
    issued_on: date | None


def verification_public(*, token: str) -> PublicCheck:
    """The receipt or issued document for a QR token; unknown or malformed tokens: ``Http404``."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        raise Http404
    application = (
        Application.objects.select_related("service").filter(verification_token=token).first()
    )
    if application is None:
        raise Http404
    issued_at = application.issued_at
    return PublicCheck(
        application_id=str(application.pk),
        reference=application.reference,
        document_type=application.service.name,
        masked_name=mask_name(application.subject_name),
        masked_nik=mask_identity_number(application.subject_nik) if application.subject_nik else "",
        status_label=str(application.get_status_display()),
        submitted_on=timezone.localtime(application.submitted_at).date(),
        issued=issued_at is not None,
        active=issued_at is not None and not application.document_revoked,
        document_number=application.siak_document_number if issued_at else "",
        issued_on=timezone.localtime(issued_at).date() if issued_at else None,
    )


def self_print_access_get(*, token: str) -> SelfPrintAccess:
    """The self-print link for ``token`` (with its application); unknown or revoked: 404."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        raise Http404
    access = (
        SelfPrintAccess.objects.select_related("application__service")
        .filter(token=token, application__signed_document__isnull=False)
        .first()
    )
    if access is None or access.application.document_revoked:
        raise Http404
    return access
