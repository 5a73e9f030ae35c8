from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from kotapintar.agencies.models import Agency


@pytest.fixture
def medan(db: None) -> None:
    call_command("load_reference_data", "--province-only", stdout=StringIO())


@pytest.mark.usefixtures("medan")
def test_agency_list_is_public_and_paginated() -> None:
    Agency.objects.filter(code="dishub").update(is_active=False)
    client = APIClient()

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/agencies/", {"page_size": 100})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 51  # 52 loaded, one inactive
    assert "dishub" not in {a["code"] for a in body["results"]}
    assert len(queries) <= 3  # count + page, no query per row
    disdukcapil = next(a for a in body["results"] if a["code"] == "disdukcapil")
    assert disdukcapil == {
        "code": "disdukcapil",
        "name": "Dinas Kependudukan dan Pencatatan Sipil Kota Medan",
        "short_name": "Disdukcapil",
        "kind": "dinas",
        "district": None,
        "address": "Jl. Iskandar Muda, Medan",
        "phone": "",
        "email": "",
        "website": "",
    }


@pytest.mark.usefixtures("medan")
def test_agency_list_filters_by_kind() -> None:
    response = APIClient().get("/api/v1/agencies/", {"kind": "kecamatan", "page_size": 100})
    body = response.json()
    assert body["count"] == 21
    assert {a["district"] for a in body["results"]} == {f"12.71.{n:02d}" for n in range(1, 22)}
    assert APIClient().get("/api/v1/agencies/", {"kind": "nope"}).json()["count"] == 0
