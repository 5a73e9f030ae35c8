"""The audit log in the admin: city administrators read it, nobody changes it."""

from __future__ import annotations

import pytest
from django.test import Client

from kotapintar.core.audit import audit_record
from kotapintar.core.models.audit import AuditEntry
from kotapintar.testing.factories import CityAdminFactory, OfficerFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/core/auditentry/"


@pytest.fixture
def entry() -> AuditEntry:
    return audit_record(actor=None, action="x.y", object_type="x.y", object_id="7", summary="s")


def test_city_admin_can_list_and_view_entries(client: Client, entry: AuditEntry) -> None:
    client.force_login(CityAdminFactory())
    assert client.get(CHANGELIST).status_code == 200
    response = client.get(f"{CHANGELIST}{entry.pk}/change/")
    assert response.status_code == 200
    assert b'name="_save"' not in response.content  # read-only: no save button


def test_nobody_can_add_change_or_delete_entries(client: Client, entry: AuditEntry) -> None:
    client.force_login(CityAdminFactory())
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{entry.pk}/change/", {"summary": "x"}).status_code == 403
    assert client.post(f"{CHANGELIST}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).summary == "s"


def test_officers_cannot_see_the_audit_log_even_as_staff(client: Client, entry: AuditEntry) -> None:
    officer = OfficerFactory(is_staff=True)
    client.force_login(officer)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(f"{CHANGELIST}{entry.pk}/change/").status_code == 403
    assert b"auditentry" not in client.get("/admin/").content
