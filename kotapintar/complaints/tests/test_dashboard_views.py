"""The agency dashboard page: who sees which agency, readable numbers, totals equal the export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kotapintar.complaints.models import Status
from kotapintar.complaints.tests.factories import CategoryFactory, ComplaintFactory
from kotapintar.testing.factories import (
    AgencyFactory,
    AnalystFactory,
    CoordinatorFactory,
    OfficerFactory,
)
from kotapintar.testing.permissions import Actors, assert_permission_matrix

pytestmark = pytest.mark.django_db

DASHBOARD_URL = "/pengaduan/kelola/dasbor/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_dashboard_is_for_staff_only() -> None:
    agency = AgencyFactory()
    actors = Actors.around(agency=agency)
    actors.add("coordinator", CoordinatorFactory()).add("analyst", AnalystFactory())
    assert_permission_matrix(
        Client,
        DASHBOARD_URL,
        "get",
        {
            "anonymous": 302,
            "citizen": 404,
            "other_citizen": 404,
            "officer_other_agency": 200,
            "officer": 200,
            "admin": 200,
            "coordinator": 200,
            "analyst": 200,
        },
        actors,
    )


def test_agency_staff_see_their_own_agency_whatever_they_ask_for() -> None:
    officer = OfficerFactory()
    other = AgencyFactory()
    ComplaintFactory(status=Status.DISPOSED, agency=officer.agency)
    ComplaintFactory(status=Status.DISPOSED, agency=other)
    ComplaintFactory(status=Status.DISPOSED, agency=other)
    response = _client(officer).get(DASHBOARD_URL, {"agency": other.code})
    assert response.status_code == 200
    assert response.context["agency"] == officer.agency
    assert response.context["stats"]["total"] == 1
    assert "agency" not in response.context["form"].fields


def test_coordinator_chooses_an_agency_or_the_whole_city() -> None:
    agency = AgencyFactory()
    ComplaintFactory(status=Status.DISPOSED, agency=agency)
    ComplaintFactory(status=Status.DISPOSED)
    ComplaintFactory(status=Status.RECEIVED)
    client = _client(CoordinatorFactory())
    city = client.get(DASHBOARD_URL)
    assert city.context["agency"] is None
    assert city.context["stats"]["total"] == 3
    one = client.get(DASHBOARD_URL, {"agency": agency.code})
    assert one.context["agency"] == agency
    assert one.context["stats"]["total"] == 1


def test_numbers_are_in_tables_readable_without_javascript() -> None:
    category = CategoryFactory(name="Jalan rusak")
    for _ in range(3):
        ComplaintFactory(status=Status.IN_PROGRESS, category=category)
    body = _client(AnalystFactory()).get(DASHBOARD_URL).content.decode()
    assert '<p class="stat" id="stat-total">3</p>' in body
    assert "<td>Jalan rusak</td><td>3</td>" in body
    assert 'id="table-status"' in body
    assert 'id="table-backlog"' in body
    assert "vendor/chartjs-4.6.1/chart.umd.min.js" in body


def test_reversed_date_range_is_an_error_not_a_crash() -> None:
    today = timezone.localdate()
    response = _client(CoordinatorFactory()).get(
        DASHBOARD_URL, {"date_from": today, "date_to": today - timedelta(days=5)}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["__all__"]


def test_dashboard_total_equals_the_export_rows_for_the_same_filters() -> None:
    agency = AgencyFactory()
    now = timezone.now()
    for status in (Status.DISPOSED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED):
        ComplaintFactory(status=status, agency=agency, submitted_at=now - timedelta(days=2))
    ComplaintFactory(status=Status.DISPOSED, agency=agency, submitted_at=now - timedelta(days=200))
    ComplaintFactory(status=Status.DISPOSED, agency=agency, from_banned_reporter=True)
    ComplaintFactory(status=Status.DISPOSED)  # another agency
    client = _client(CoordinatorFactory())
    response = client.get(DASHBOARD_URL, {"agency": agency.code})
    stats = response.context["stats"]
    assert stats["total"] == 4
    export_url = reverse("complaints:staff_export", args=["csv"])
    export = client.get(f"{export_url}?{response.context['export_query']}")
    body = b"".join(export.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))[1:]
    assert len(rows) == stats["total"]


def test_dashboard_query_count_is_bounded(django_assert_max_num_queries) -> None:
    agency = AgencyFactory()
    for _ in range(10):
        ComplaintFactory(status=Status.RESOLVED, agency=agency, category=CategoryFactory())
    client = _client(CoordinatorFactory())
    client.get(DASHBOARD_URL)
    with django_assert_max_num_queries(12):
        client.get(DASHBOARD_URL, {"agency": agency.code})
