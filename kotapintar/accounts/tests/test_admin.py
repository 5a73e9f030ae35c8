from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from kotapintar.accounts.models import User
from kotapintar.accounts.roles import Role
from kotapintar.testing.factories import (
    CitizenFactory,
    CityAdminFactory,
    OfficerFactory,
    ServiceUnitFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_kp(client: Client) -> Client:
    client.force_login(CityAdminFactory())
    return client


def test_admin_creates_an_officer_through_the_service(
    admin_client_kp: Client, committed: Any, audit_calls: list[dict[str, Any]]
) -> None:
    unit = ServiceUnitFactory()

    with committed():
        response = admin_client_kp.post(
            reverse("admin:accounts_user_add"),
            {
                "email": "Petugas@Pemko.contoh.id",
                "full_name": "Petugas Loket",
                "role": Role.OFFICER,
                "agency": unit.agency_id,
                "unit": unit.pk,
            },
        )

    assert response.status_code == 302
    officer = User.objects.get(email="petugas@pemko.contoh.id")
    assert (officer.role, officer.agency_id, officer.unit_id) == (
        Role.OFFICER,
        unit.agency_id,
        unit.pk,
    )
    assert not officer.has_usable_password()
    assert [m.to for m in mail.outbox] == [["petugas@pemko.contoh.id"]]
    assert [c["action"] for c in audit_calls] == ["accounts.officer_created"]


def test_admin_refuses_a_unit_outside_the_agency(admin_client_kp: Client) -> None:
    unit = ServiceUnitFactory()
    other = ServiceUnitFactory()

    response = admin_client_kp.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "petugas@pemko.contoh.id",
            "full_name": "Petugas",
            "role": Role.OFFICER,
            "agency": unit.agency_id,
            "unit": other.pk,
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("unit", "unit_not_in_agency")
    assert not User.objects.filter(email="petugas@pemko.contoh.id").exists()


def test_admin_list_shows_nik_and_phone_masked(admin_client_kp: Client) -> None:
    CitizenFactory(nik="1271011708850001", phone="+6281234567890")

    html = admin_client_kp.get(reverse("admin:accounts_user_changelist")).content.decode()

    assert "1271********0001" in html
    assert "+62812****7890" in html
    assert "1271011708850001" not in html
    assert "81234567890" not in html


def test_admin_change_form_never_shows_nik_in_clear(admin_client_kp: Client) -> None:
    citizen = CitizenFactory(nik="1271011708850001")

    html = admin_client_kp.get(
        reverse("admin:accounts_user_change", args=[citizen.pk])
    ).content.decode()

    assert "1271********0001" in html
    assert "1271011708850001" not in html


def test_admin_role_change_goes_through_user_set_role(
    admin_client_kp: Client, audit_calls: list[dict[str, Any]]
) -> None:
    officer = OfficerFactory()
    change_url = reverse("admin:accounts_user_change", args=[officer.pk])
    form = admin_client_kp.get(change_url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None and name != "password"
    }
    data.update(
        {
            "role": Role.COORDINATOR,
            "agency": officer.agency_id,
            "unit": officer.unit_id,
            "groups": [],
            "user_permissions": [],
            "module_roles-TOTAL_FORMS": "0",
            "module_roles-INITIAL_FORMS": "0",
        }
    )
    data = {k: v for k, v in data.items() if not isinstance(v, bool) or v}

    response = admin_client_kp.post(change_url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    officer.refresh_from_db()
    assert officer.role == Role.COORDINATOR
    assert [c["action"] for c in audit_calls] == ["accounts.role_changed"]
