"""The Disdukcapil dashboard: exact aggregates on a small fixture, one query per widget, no
personal data, scope per role."""

from __future__ import annotations

import csv
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kotapintar.civil_registration.models import (
    Application,
    DeliveryMethod,
    DocumentService,
    RejectionReason,
    Status,
)
from kotapintar.civil_registration.rules import jakarta_date
from kotapintar.civil_registration.selectors_dashboard import (
    dashboard_scope_agency_id,
    dashboard_stats,
    weighted_percentile,
)
from kotapintar.civil_registration.tests.factories import NIK, World, submit
from kotapintar.core.calendar import JAKARTA
from kotapintar.testing.factories import AgencyFactory, CityAdminFactory, OfficerFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("civil_registration:staff_dashboard")


@pytest.fixture
def fixture(world: World) -> dict[str, Any]:
    cache.clear()
    yesterday = jakarta_date() - timedelta(days=1)
    t0 = datetime.combine(yesterday, time(10, 0), tzinfo=JAKARTA)
    a1 = submit(world)
    a2 = submit(world, subject_nik="1271011708850002", subject_name="Siti Rahma")
    a3 = submit(world, subject_nik="1271011708850003", subject_name="Joko Susilo")
    a4 = submit(world, service_code="kia", subject_nik="1271011708850004")
    a5 = submit(
        world,
        service_code="akta-kelahiran",
        event_date=jakarta_date() - timedelta(days=61),
        unit=world.other_desk,
    )
    a6 = submit(world, service_code="akta-kematian", subject_nik="1271011708850006")
    old = submit(world, service_code="ktp-el-rusak", subject_nik="1271011708850007")
    Application.objects.update(submitted_at=t0)
    Application.objects.filter(pk=old.pk).update(submitted_at=t0 - timedelta(days=40))
    for application, officer, hours in (
        (a1, world.verifier, 2),
        (a2, world.verifier, 4),
        (a3, world.operator, 10),
    ):
        Application.objects.filter(pk=application.pk).update(
            assigned_officer=officer,
            ready_at=t0 + timedelta(hours=hours),
            status=Status.READY,
        )
    Application.objects.filter(pk=a2.pk).update(delivery_method=DeliveryMethod.POS)
    a3.documents.filter(pk__in=a3.documents.order_by("pk").values("pk")[:1]).update(
        rejection_reason=RejectionReason.objects.get(code="foto-fotokopi"), status="invalid"
    )
    Application.objects.filter(pk=a4.pk).update(
        status=Status.REJECTED,
        rejection_reason=RejectionReason.objects.get(code="data-tidak-sesuai"),
        rejection_note="Nama berbeda.",
    )
    Application.objects.filter(pk=a6.pk).update(
        sla_due_at=timezone.now() - timedelta(hours=1), sla_paused_at=None, sla_stopped_at=None
    )
    return {"yesterday": yesterday, "apps": [a1, a2, a3, a4, a5, a6], "old": old}


def _stats(world: World, fixture: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    today = jakarta_date()
    return dashboard_stats(
        agency_id=world.agency.pk,
        date_from=today - timedelta(days=29),
        date_to=today,
        **kwargs,
    )


def test_dashboard_numbers_are_exact(world: World, fixture: dict[str, Any]) -> None:
    stats = _stats(world, fixture)
    assert stats["total"] == 6
    assert stats["by_status"] == {"siap": 3, "ditolak": 1, "diajukan": 2}
    by_service = {row["service_id"]: row for row in stats["by_service"]}
    ktp = by_service[DocumentService.objects.get(code="ktp-el-hilang").pk]
    assert (ktp["applications"], ktp["ready"]) == (3, 3)
    assert (ktp["median_hours"], ktp["p90_hours"]) == (4.0, 8.8)
    others = [row for row in stats["by_service"] if row is not ktp]
    assert sorted(row["applications"] for row in others) == [1, 1, 1]
    assert all(row["median_hours"] is None and row["ready"] == 0 for row in others)

    by_unit = {row["unit_id"]: row for row in stats["by_unit"]}
    desk = by_unit[world.desk.pk]
    assert (desk["applications"], desk["ready"], desk["median_hours"], desk["p90_hours"]) == (
        5,
        3,
        4.0,
        8.8,
    )
    other = by_unit[world.other_desk.pk]
    assert (other["applications"], other["ready"], other["median_hours"]) == (1, 0, None)

    by_officer = {row["assigned_officer_id"]: row for row in stats["by_officer"]}
    assert set(by_officer) == {world.verifier.pk, world.operator.pk}
    verifier = by_officer[world.verifier.pk]
    assert (verifier["applications"], verifier["median_hours"], verifier["p90_hours"]) == (
        2,
        3.0,
        3.8,
    )
    operator = by_officer[world.operator.pk]
    assert (operator["median_hours"], operator["p90_hours"]) == (10.0, 10.0)

    assert stats["timeliness"] == {
        "birth": {"on_time": 0, "late": 1},
        "death": {"on_time": 1, "late": 0},
    }
    assert stats["delivery"] == {"pickup": 5, "pos": 1}
    assert [(r["rejection_reason__code"], r["n"]) for r in stats["document_rejection_reasons"]] == [
        ("foto-fotokopi", 1)
    ]
    assert [
        (r["rejection_reason__code"], r["n"]) for r in stats["application_rejection_reasons"]
    ] == [("data-tidak-sesuai", 1)]
    assert len(stats["daily"]) == 30
    assert stats["daily"][-1]["day"] == jakarta_date()
    assert {row["day"]: row["n"] for row in stats["daily"] if row["n"]} == {fixture["yesterday"]: 6}
    assert stats["overdue_now"] == 1


def test_dashboard_unit_filter_and_period(world: World, fixture: dict[str, Any]) -> None:
    stats = _stats(world, fixture, unit_id=world.other_desk.pk)
    assert stats["total"] == 1 and stats["timeliness"]["birth"] == {"on_time": 0, "late": 1}
    today = jakarta_date()
    wide = dashboard_stats(
        agency_id=world.agency.pk, date_from=today - timedelta(days=60), date_to=today
    )
    assert wide["total"] == 7
    assert sum(row["n"] for row in wide["daily"]) == 6  # the daily chart is the last 30 days


def test_one_query_per_widget(world: World, fixture: dict[str, Any]) -> None:
    with CaptureQueriesContext(connection) as queries:
        _stats(world, fixture)
    assert len(queries) == 11  # ten widgets and the agency's unit ids


def test_weighted_percentile_matches_percentile_cont() -> None:
    assert weighted_percentile({1.0: 1, 2.0: 1, 3.0: 1, 4.0: 1}, 0.5) == 2.5
    assert weighted_percentile({2.0: 1, 4.0: 1, 10.0: 1}, 0.9) == 8.8
    assert weighted_percentile({5.0: 3}, 0.9) == 5.0
    assert weighted_percentile({}, 0.5) is None


def test_dashboard_page_shows_aggregates_without_personal_data(
    world: World, fixture: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(world.dashboard)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<p class="stat" data-stat="total">6</p>' in html
    assert '<p class="stat" data-stat="overdue">1</p>' in html
    assert "Dasbor Disdukcapil" in html
    for application in fixture["apps"]:
        assert application.reference not in html
        assert application.subject_name not in html
    assert NIK not in html and "1271011708850002" not in html
    # The head: the same agency-wide numbers.
    client = Client()
    client.force_login(world.head)
    assert '<p class="stat" data-stat="total">6</p>' in client.get(DASHBOARD).content.decode()


def test_dashboard_period_filter_and_bad_period(world: World, fixture: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world.dashboard)
    today = jakarta_date()
    response = client.get(
        DASHBOARD, {"date_from": (today - timedelta(days=60)).isoformat(), "date_to": today}
    )
    assert '<p class="stat" data-stat="total">7</p>' in response.content.decode()
    response = client.get(DASHBOARD, {"date_from": today.isoformat(), "date_to": "2020-01-01"})
    assert response.status_code == 200
    assert "Tanggal akhir tidak boleh sebelum tanggal awal." in response.content.decode()


def test_dashboard_scope_per_role(world: World) -> None:
    from django.http import Http404

    assert dashboard_scope_agency_id(world.dashboard) == world.agency.pk
    assert dashboard_scope_agency_id(world.head) == world.agency.pk
    assert dashboard_scope_agency_id(CityAdminFactory.create()) is None
    for user in (world.operator, world.verifier, world.citizen, None):
        with pytest.raises(Http404):
            dashboard_scope_agency_id(user)
    stranger = OfficerFactory.create(agency=AgencyFactory.create())
    with pytest.raises(Http404):
        dashboard_scope_agency_id(stranger)


def test_dashboard_csv_export_of_a_lead_time_table(world: World, fixture: dict[str, Any]) -> None:
    url = reverse("civil_registration:staff_dashboard_export")
    world.operator.full_name = "=HYPERLINK(1)"
    world.operator.save(update_fields=["full_name"])
    client = Client()
    client.force_login(world.dashboard)
    response = client.get(url, {"tabel": "petugas"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="adminduk-petugas-')
    lines = response.content.decode().splitlines()
    assert lines[0] == "Nama,Permohonan,Siap,Median waktu penyelesaian (jam),Persentil ke-90 (jam)"
    # Generated names may hold a comma ("…, S.Gz"): compare parsed rows, not raw lines.
    rows = list(csv.reader(lines))
    assert [world.verifier.full_name, "2", "2", "3.0", "3.8"] in rows
    assert "'=HYPERLINK(1),1,1,10.0,10.0" in lines
    assert client.get(url, {"tabel": "nik"}).status_code == 404
    for user in (world.operator, world.citizen):
        other = Client()
        other.force_login(user)
        assert other.get(url, {"tabel": "layanan"}).status_code == 404
