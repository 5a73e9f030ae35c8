from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from kotapintar.accounts.models import User
from kotapintar.accounts.roles import Role
from kotapintar.accounts.services import (
    officer_create,
    user_register_citizen,
    user_set_role,
    user_update_profile,
)
from kotapintar.testing.factories import (
    AgencyFactory,
    CitizenFactory,
    CityAdminFactory,
    OfficerFactory,
    ServiceUnitFactory,
)

pytestmark = pytest.mark.django_db


def _codes(exc: ValidationError) -> dict[str, list[str | None]]:
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}


def test_officer_create_refuses_a_unit_of_another_agency(audit_calls: list[dict[str, Any]]) -> None:
    agency = AgencyFactory()
    foreign_unit = ServiceUnitFactory()

    with pytest.raises(ValidationError) as excinfo:
        officer_create(
            email="x@pemko.contoh.id",
            full_name="X",
            role=Role.OFFICER,
            agency=agency,
            unit=foreign_unit,
            created_by=CityAdminFactory(),
        )

    assert _codes(excinfo.value) == {"unit": ["unit_not_in_agency"]}
    assert not User.objects.filter(email="x@pemko.contoh.id").exists()
    assert audit_calls == []


@pytest.mark.parametrize("role", [Role.OFFICER, Role.COORDINATOR, Role.AGENCY_HEAD])
def test_agency_staff_roles_require_an_agency(role: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        officer_create(
            email="x@pemko.contoh.id",
            full_name="X",
            role=role,
            agency=None,
            created_by=CityAdminFactory(),
        )

    assert _codes(excinfo.value) == {"agency": ["agency_required"]}


def test_officer_create_refuses_the_citizen_role_and_existing_addresses() -> None:
    admin = CityAdminFactory()
    CitizenFactory(email="ada@contoh.id")
    with pytest.raises(ValidationError) as citizen_role:
        officer_create(
            email="x@contoh.id", full_name="X", role=Role.CITIZEN, agency=None, created_by=admin
        )
    with pytest.raises(ValidationError) as taken:
        officer_create(
            email="ADA@contoh.id", full_name="X", role=Role.ANALYST, agency=None, created_by=admin
        )

    assert _codes(citizen_role.value) == {"role": ["invalid_role"]}
    assert _codes(taken.value) == {"email": ["email_taken"]}
    assert User.objects.count() == 2


def test_city_admin_created_by_officer_create_gets_admin_access(committed: Any) -> None:
    with committed():
        admin = officer_create(
            email="kominfo@pemko.contoh.id",
            full_name="Admin Kominfo",
            role=Role.CITY_ADMIN,
            agency=None,
            created_by=CityAdminFactory(),
        )

    assert admin.is_staff is True
    assert [m.to for m in mail.outbox] == [["kominfo@pemko.contoh.id"]]


def test_user_set_role_moves_an_officer_and_audits_it(audit_calls: list[dict[str, Any]]) -> None:
    officer = OfficerFactory()
    new_unit = ServiceUnitFactory()
    actor = CityAdminFactory()

    user_set_role(
        user=officer, role=Role.COORDINATOR, agency=new_unit.agency, unit=new_unit, actor=actor
    )

    officer.refresh_from_db()
    assert (officer.role, officer.agency_id, officer.unit_id) == (
        Role.COORDINATOR,
        new_unit.agency_id,
        new_unit.pk,
    )
    assert officer.is_staff is False
    assert len(audit_calls) == 1
    assert audit_calls[0]["action"] == "accounts.role_changed"
    assert audit_calls[0]["actor"] == actor
    assert audit_calls[0]["after"]["role"] == Role.COORDINATOR


def test_user_set_role_refused_changes_nothing(audit_calls: list[dict[str, Any]]) -> None:
    officer = OfficerFactory()
    before = (officer.role, officer.agency_id, officer.unit_id)

    with pytest.raises(ValidationError):
        user_set_role(user=officer, role=Role.OFFICER, agency=None, actor=CityAdminFactory())

    officer.refresh_from_db()
    assert (officer.role, officer.agency_id, officer.unit_id) == before
    assert audit_calls == []


def test_demoting_to_citizen_requires_removing_the_agency() -> None:
    officer = OfficerFactory()

    with pytest.raises(ValidationError) as excinfo:
        user_set_role(
            user=officer, role=Role.CITIZEN, agency=officer.agency, actor=CityAdminFactory()
        )

    assert _codes(excinfo.value) == {"agency": ["citizen_with_agency"]}
    user_set_role(user=officer, role=Role.CITIZEN, agency=None, unit=None, actor=CityAdminFactory())
    officer.refresh_from_db()
    assert (officer.role, officer.agency_id, officer.unit_id) == (Role.CITIZEN, None, None)


def test_register_citizen_returns_none_for_an_existing_address() -> None:
    CitizenFactory(email="ada@contoh.id")

    assert (
        user_register_citizen(
            email="Ada@Contoh.id", full_name="X", password="pasar-ikan-Medan-2024"
        )
        is None
    )
    assert User.objects.count() == 1


def test_update_profile_without_changes_writes_no_audit(audit_calls: list[dict[str, Any]]) -> None:
    user = CitizenFactory(full_name="Ani")

    user_update_profile(user=user, full_name="Ani", phone=None, nik=None)

    assert audit_calls == []


def test_update_profile_refuses_an_unnormalised_nik() -> None:
    user = CitizenFactory(full_name="Ani")

    with pytest.raises(ValidationError):
        user_update_profile(user=user, full_name="Ani", nik="1271-0117")

    user.refresh_from_db()
    assert user.nik == ""
