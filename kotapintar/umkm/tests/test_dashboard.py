"""The Dinas dashboard: counts by scale/sector/kecamatan, "naik kelas" and coached-vs-not growth
reproduced from the recorded history (a fixture whose answers are computed by hand below), the
SQL versions agreeing with the core selectors, caching and a constant number of queries."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kotapintar.testing.factories import DistrictFactory
from kotapintar.umkm.models import (
    Enrolment,
    EnrolmentStatus,
    OrderStatus,
    Scale,
    Sector,
)
from kotapintar.umkm.selectors import growth_coached_vs_not, naik_kelas
from kotapintar.umkm.selectors_dashboard import (
    dashboard_stats,
    growth_summary,
    naik_kelas_summary,
)
from kotapintar.umkm.services import business_figures_record
from kotapintar.umkm.tests.factories import (
    BusinessFactory,
    OrderFactory,
    ProgrammeFactory,
    dinas_officer,
)

pytestmark = pytest.mark.django_db

START, END = date(2026, 1, 1), date(2026, 6, 30)
M = 1_000_000_000  # one miliar


@pytest.fixture
def history(reference_data: Any) -> dict[str, Any]:
    """Eight businesses; the comments give the hand-computed answer for 1 Jan – 30 Jun 2026."""
    officer = dinas_officer()
    district = DistrictFactory.create(name="Medan Kota")

    def business(name: str, **kw: Any) -> Any:
        return BusinessFactory.create(name=name, history=False, district=district, **kw)

    def rec(b: Any, on: date, turnover: int, employees: int) -> None:
        business_figures_record(
            actor=officer,
            business=b,
            annual_turnover=turnover,
            capital=100_000_000,
            employees=employees,
            effective_date=on,
        )

    a = business("A")  # mikro -> kecil on 1 Mar: NAIK (mikro -> kecil)
    rec(a, date(2025, 6, 1), 1 * M, 3)
    rec(a, date(2026, 3, 1), 5 * M, 6)
    b = business("B", sector=Sector.FASHION)  # kecil -> mikro: down, not counted
    rec(b, date(2025, 6, 1), 5 * M, 4)
    rec(b, date(2026, 2, 1), 1 * M, 2)
    c = business("C")  # mikro -> menengah -> kecil: NAIK (mikro -> kecil, last scale counts)
    rec(c, date(2025, 6, 1), 1 * M, 2)
    rec(c, date(2026, 2, 1), 20 * M, 6)
    rec(c, date(2026, 5, 1), 10 * M, 8)
    d = business("D", scale=Scale.KECIL)  # first recorded inside the period as kecil: no move
    rec(d, date(2026, 2, 1), 5 * M, 4)
    e = business("E")  # moves up after the period: not counted
    rec(e, date(2025, 6, 1), 1 * M, 1)
    rec(e, date(2026, 8, 1), 5 * M, 3)
    f = business("F")  # kecil -> menengah on 1 Apr: NAIK
    rec(f, date(2025, 1, 1), 5 * M, 10)
    rec(f, date(2026, 4, 1), 20 * M, 25)
    g = business("G")  # menengah -> not UMKM on the last day (inclusive): NAIK
    rec(g, date(2025, 6, 1), 20 * M, 50)
    rec(g, date(2026, 6, 30), 60 * M, 80)
    h = business("H")  # mikro -> kecil on the first day (inclusive): NAIK
    rec(h, date(2025, 1, 1), 1 * M, 2)
    rec(h, date(2026, 1, 1), 3 * M, 5)

    inside = ProgrammeFactory.create(start_date=date(2026, 2, 1), end_date=date(2026, 2, 3))
    before = ProgrammeFactory.create(start_date=date(2025, 10, 1), end_date=date(2025, 10, 2))
    Enrolment.objects.create(programme=inside, business=a, status=EnrolmentStatus.COMPLETED)
    Enrolment.objects.create(programme=inside, business=f, status=EnrolmentStatus.ATTENDED)
    Enrolment.objects.create(programme=inside, business=g, status=EnrolmentStatus.WITHDRAWN)
    Enrolment.objects.create(programme=before, business=b, status=EnrolmentStatus.COMPLETED)
    return {"officer": officer, "a": a, "f": f, "inside": inside}


def test_naik_kelas_matches_the_hand_computed_answer(history: dict[str, Any]) -> None:
    summary = naik_kelas_summary(actor=history["officer"], start=START, end=END)
    assert summary.total == 5  # A, C, F, G, H
    assert summary.transitions == [
        (Scale.MIKRO, Scale.KECIL, 3),  # A, C, H
        (Scale.KECIL, Scale.MENENGAH, 1),  # F
        (Scale.MENENGAH, Scale.NON_UMKM, 1),  # G
    ]


def test_naik_kelas_in_sql_agrees_with_the_core_history_rule(history: dict[str, Any]) -> None:
    officer = history["officer"]
    for start, end in [(START, END), (date(2026, 3, 1), date(2026, 12, 31)), (END, END)]:
        core = naik_kelas(actor=officer, start=start, end=end)
        sql = naik_kelas_summary(actor=officer, start=start, end=end)
        assert sql.total == len(core)
        pairs: dict[tuple[str, str], int] = {}
        for item in core:
            pairs[(item.from_scale, item.to_scale)] = (
                pairs.get((item.from_scale, item.to_scale), 0) + 1
            )
        assert {(a, b): n for a, b, n in sql.transitions} == pairs


def test_growth_of_coached_and_not_coached_matches_the_hand_computed_answer(
    history: dict[str, Any],
) -> None:
    groups = growth_summary(actor=history["officer"], start=START, end=END)
    coached, other = groups["coached"], groups["not_coached"]
    # Coached: A and F (G withdrew; B's programme started before the period; D has no history
    # at the start).
    assert (coached.businesses, coached.turnover_start, coached.turnover_end) == (2, 6 * M, 25 * M)
    assert (coached.employees_start, coached.employees_end) == (13, 31)
    assert coached.turnover_growth_percent == 316.67
    assert coached.employment_growth_percent == 138.46
    # Not coached: B, C, E, G, H.
    assert (other.businesses, other.turnover_start, other.turnover_end) == (5, 30 * M, 75 * M)
    assert (other.employees_start, other.employees_end) == (62, 96)
    assert other.turnover_growth_percent == 150.0
    assert other.employment_growth_percent == 54.84
    assert groups == growth_coached_vs_not(actor=history["officer"], start=START, end=END)


def test_dashboard_page_shows_the_figures(history: dict[str, Any], client: Client) -> None:
    order = OrderFactory.create(status=OrderStatus.COMPLETED, total=1_234_500)
    OrderFactory.create(business=order.business, status=OrderStatus.SUBMITTED, total=10)
    client.force_login(history["officer"])
    response = client.get(
        reverse("umkm:dinas_dashboard"),
        {"date_from": START.isoformat(), "date_to": "2026-12-31"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="stat-naik-kelas">6<' in body  # E moves up in August too
    assert 'id="stat-total">9<' in body  # eight + the one seller of both orders
    assert "Medan Kota" in body
    assert 'id="completed-value">Rp1.234.500<' in body
    stats = response.context["stats"]
    assert dict(stats["by_scale"])["Kecil"] >= 4
    assert stats["programmes"][0]["name"] == history["inside"].name
    assert stats["programmes"][0]["enrolled"] == 2  # the withdrawn one is not reached


def test_bad_period_falls_back_to_the_default(history: dict[str, Any], client: Client) -> None:
    client.force_login(history["officer"])
    response = client.get(
        reverse("umkm:dinas_dashboard"), {"date_from": "2026-12-31", "date_to": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "Tanggal selesai sebelum tanggal mulai." in response.content.decode()


def test_dashboard_is_cached_and_its_query_count_does_not_grow(
    history: dict[str, Any],
) -> None:
    officer = history["officer"]
    with CaptureQueriesContext(connection) as first:
        dashboard_stats(actor=officer, start=START, end=END)
    with CaptureQueriesContext(connection) as cached:
        again = dashboard_stats(actor=officer, start=START, end=END)
    assert again["naik_kelas_total"] == 5
    assert len(cached) <= 1  # the role check only
    for n in range(20):
        b = BusinessFactory.create(history=False)
        business_figures_record(
            actor=officer,
            business=b,
            annual_turnover=(n + 1) * M,
            capital=0,
            employees=n,
            effective_date=date(2025, 12, 1),
        )
    with CaptureQueriesContext(connection) as bigger:
        dashboard_stats(actor=officer, start=START, end=date(2026, 6, 29))
    assert len(bigger) == len(first)
