"""Reads of agencies (OPD) and their service units."""

from __future__ import annotations

from django.db.models import QuerySet

from kotapintar.agencies.models import Agency, ServiceUnit


def agency_list_public() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).order_by("name")


def unit_list_for_agency(*, agency: Agency) -> QuerySet[ServiceUnit]:
    return ServiceUnit.objects.filter(agency=agency, is_active=True).select_related("district")
