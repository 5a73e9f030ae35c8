import pytest

from kotapintar.accounts.roles import Role
from kotapintar.testing.factories import DEFAULT_PASSWORD, CitizenFactory, OfficerFactory


@pytest.mark.django_db
def test_officer_factory_builds_an_officer_inside_an_agency_unit() -> None:
    officer = OfficerFactory()
    assert officer.role == Role.OFFICER
    assert officer.unit is not None and officer.unit.agency_id == officer.agency_id
    assert officer.check_password(DEFAULT_PASSWORD)


@pytest.mark.django_db
def test_citizen_nik_is_encrypted_at_rest() -> None:
    from django.db import connection

    citizen = CitizenFactory(nik="1271011708850001")
    with connection.cursor() as cursor:
        cursor.execute("SELECT nik FROM accounts_user WHERE id = %s", [citizen.pk])
        stored = cursor.fetchone()[0]
    assert "1271011708850001" not in stored
    citizen.refresh_from_db()
    assert citizen.nik == "1271011708850001"
