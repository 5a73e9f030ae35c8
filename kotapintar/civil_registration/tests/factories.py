"""Test helpers for civil registration (shared by every engineer working on this module).

``disdukcapil_world()`` builds Medan's Disdukcapil with its head office and the Medan Kota desk,
officers with their module roles (operator, verifier, head, dashboard) and an officer of another
unit; ``seed_services()`` loads ``data/services.json``; ``submit(...)`` files a complete
application through the real service. Test NIKs are synthetic (reference §3.3).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kotapintar.accounts.models import ModuleRoleGrant, User
from kotapintar.agencies.models import Agency, AgencyKind, ServiceUnit, UnitKind
from kotapintar.civil_registration import workflow
from kotapintar.civil_registration.models import Application, DocumentService
from kotapintar.civil_registration.rules import jakarta_date
from kotapintar.civil_registration.services import (
    application_submit,
    civil_registration_seed_load,
)
from kotapintar.core.demo.samples import tiny_pdf
from kotapintar.testing.factories import (
    AgencyHeadFactory,
    CitizenFactory,
    DistrictFactory,
    OfficerFactory,
    VillageFactory,
)

#: Synthetic NIKs (Medan Kota, 17-08-1985): a man, and a woman (day + 40).
NIK = "1271011708850001"
NIK_WOMAN = "1271015708850002"
MOTHER_NIK = "1271016503900003"
KK = "1271010101200001"


@dataclass
class World:
    agency: Agency
    hq: ServiceUnit
    desk: ServiceUnit
    other_desk: ServiceUnit
    operator: User
    verifier: User
    head: User
    dashboard: User
    other_unit_verifier: User
    citizen: User
    other_citizen: User


def grant(user: User, *codes: str) -> User:
    for code in codes:
        ModuleRoleGrant.objects.get_or_create(user=user, code=code)
    return user


def disdukcapil_world() -> World:
    district = DistrictFactory()  # 12.71.01 Medan Kota
    other_district = DistrictFactory(code="12.71.02", name="Medan Area")
    VillageFactory()  # 12.71.01.1001 Pasar Baru
    agency, _created = Agency.objects.get_or_create(
        code="disdukcapil",
        defaults={
            "name": "Dinas Kependudukan dan Pencatatan Sipil Kota Medan",
            "short_name": "Disdukcapil",
            "kind": AgencyKind.DINAS,
        },
    )
    hq, _created = ServiceUnit.objects.get_or_create(
        agency=agency,
        code="kantor",
        defaults={"name": "Kantor Disdukcapil", "kind": UnitKind.HEAD_OFFICE},
    )
    desk, _created = ServiceUnit.objects.get_or_create(
        agency=agency,
        code="loket-127101",
        defaults={
            "name": "Loket Disdukcapil Kecamatan Medan Kota",
            "kind": UnitKind.KECAMATAN_DESK,
            "district": district,
        },
    )
    other_desk, _created = ServiceUnit.objects.get_or_create(
        agency=agency,
        code="loket-127102",
        defaults={
            "name": "Loket Disdukcapil Kecamatan Medan Area",
            "kind": UnitKind.KECAMATAN_DESK,
            "district": other_district,
        },
    )
    return World(
        agency=agency,
        hq=hq,
        desk=desk,
        other_desk=other_desk,
        operator=grant(OfficerFactory(agency=agency, unit=desk), workflow.OPERATOR),
        verifier=grant(OfficerFactory(agency=agency, unit=desk), workflow.VERIFIER),
        head=grant(AgencyHeadFactory(agency=agency), workflow.HEAD),
        dashboard=grant(OfficerFactory(agency=agency, unit=hq), workflow.DASHBOARD),
        other_unit_verifier=grant(
            OfficerFactory(agency=agency, unit=other_desk), workflow.VERIFIER
        ),
        citizen=CitizenFactory(),
        other_citizen=CitizenFactory(),
    )


def seed_services() -> None:
    civil_registration_seed_load()


def jpeg_upload(
    name: str = "kk.jpg", color: tuple[int, int, int] = (120, 90, 60)
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), color).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def pdf_upload(name: str = "akta.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_pdf(), content_type="application/pdf")


def required_uploads(service: DocumentService) -> dict[str, SimpleUploadedFile]:
    """One file for every required (non-substitute) requirement of ``service``."""
    return {
        r.code: jpeg_upload(f"{r.code}.jpg")
        for r in service.requirements.all()
        if r.required and r.needs_upload and r.substitute_for_id is None
    }


BIRTH_FORM = {
    "birth_place": "Medan",
    "sex": "P",
    "mother_name": "Siti Aminah",
    "mother_nik": MOTHER_NIK,
    "mother_birth_date": "1990-03-25",
    "father_name": "Budi Santoso",
}


def submit(world: World, service_code: str = "ktp-el-hilang", **overrides: Any) -> Application:
    """A complete application by ``world.citizen`` to the Medan Kota desk."""
    service = DocumentService.objects.get(code=service_code)
    values: dict[str, Any] = {
        "applicant": world.citizen,
        "service": service,
        "subject_name": "Budi Santoso",
        "subject_nik": NIK,
        "subject_kk": KK,
        "documents": required_uploads(service),
        "unit": world.desk,
        "truth_declared": True,
    }
    if service.event_kind == "birth":
        values.update(
            subject_name="Putri Santoso",
            subject_nik="",
            subject_has_no_nik=True,
            event_date=jakarta_date() - timedelta(days=10),
            form_data=dict(BIRTH_FORM),
        )
    elif service.event_kind != "none":
        values["event_date"] = jakarta_date() - timedelta(days=5)
        values["form_data"] = _default_form(service)
    elif service.form_fields:
        values["form_data"] = _default_form(service)
    values.update(overrides)
    return application_submit(**values)


def _default_form(service: DocumentService) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for spec in service.form_fields:
        if not spec.get("required"):
            continue
        kind = spec["type"]
        if kind == "nik":
            data[spec["key"]] = NIK_WOMAN
        elif kind == "kk":
            data[spec["key"]] = KK
        elif kind == "date":
            data[spec["key"]] = date(1990, 1, 1).isoformat()
        elif kind == "choice":
            data[spec["key"]] = spec["choices"][0][0]
        elif kind == "name":
            data[spec["key"]] = "Siti Aminah"
        else:
            data[spec["key"]] = "Jl. Contoh No. 1"
    return data
