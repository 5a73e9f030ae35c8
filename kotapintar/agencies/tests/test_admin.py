from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from kotapintar.agencies.models import Agency
from kotapintar.testing.factories import CityAdminFactory


@pytest.mark.django_db
def test_agency_with_its_units_is_editable_in_the_admin(client: Client) -> None:
    call_command("load_reference_data", "--province-only", stdout=StringIO())
    client.force_login(CityAdminFactory())
    disdukcapil = Agency.objects.get(code="disdukcapil")

    assert client.get("/admin/agencies/agency/?q=dinas").status_code == 200
    page = client.get(f"/admin/agencies/agency/{disdukcapil.pk}/change/")

    assert page.status_code == 200
    assert "Loket Disdukcapil Kecamatan Medan Kota" in page.text
