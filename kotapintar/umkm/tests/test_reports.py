"""Government buying (reference §5 test 20), coaching and the Dinas dashboard selectors."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from kotapintar.testing.factories import AgencyFactory, AnalystFactory, UserFactory
from kotapintar.umkm.models import EnrolmentStatus, GovernmentPurchase, JourneyStage, Scale
from kotapintar.umkm.selectors import (
    government_purchase_share,
    growth_coached_vs_not,
    naik_kelas,
    programme_reach,
    umkm_counts,
)
from kotapintar.umkm.services import (
    business_figures_record,
    enrolment_add,
    enrolment_update,
    government_purchase_record,
    milestone_record,
    programme_create,
)
from kotapintar.umkm.tests.factories import BusinessFactory, ProgrammeFactory, dinas_officer

pytestmark = pytest.mark.django_db


def grow(officer: Any, business: Any, on: date, turnover: int, employees: int = 5) -> None:
    business_figures_record(
        actor=officer,
        business=business,
        annual_turnover=turnover,
        capital=100_000_000,
        employees=employees,
        effective_date=on,
    )


def test_umk_share_per_opd_and_city(reference_data: Any) -> None:
    officer = dinas_officer()
    dinas_a, dinas_b = AgencyFactory(name="Dinas A"), AgencyFactory(name="Dinas B")
    small = BusinessFactory(history=False)
    grows = BusinessFactory(history=False)
    grow(officer, small, date(2026, 1, 1), 500_000_000)
    grow(officer, grows, date(2026, 1, 1), 10_000_000_000)  # kecil
    grow(officer, grows, date(2026, 6, 1), 60_000_000_000)  # past menengah from 1 June

    def buy(agency: Any, on: date, amount: int, **kw: Any) -> GovernmentPurchase:
        return government_purchase_record(
            actor=officer, agency=agency, purchase_date=on, amount=amount, kind="barang", **kw
        )

    buy(dinas_a, date(2026, 3, 1), 1_000_000, business=small)
    buy(dinas_a, date(2026, 3, 2), 3_000_000, supplier_name="PT Besar")
    buy(dinas_a, date(2026, 5, 31), 2_000_000, business=grows)  # still kecil: counts
    buy(dinas_b, date(2026, 6, 1), 4_000_000, business=grows)  # from the change: not UMK
    buy(dinas_b, date(2026, 7, 1), 1_000_000, supplier_name="Koperasi Pegawai", is_cooperative=True)
    buy(dinas_b, date(2025, 12, 31), 9_999_999, business=small)  # other year

    rows, city = government_purchase_share(actor=officer, year=2026)
    assert [(r.agency_name, r.total, r.umk_total) for r in rows] == [
        ("Dinas A", 6_000_000, 3_000_000),
        ("Dinas B", 5_000_000, 1_000_000),
    ]
    assert rows[0].umk_share_percent == 50.0 and rows[0].meets_target
    assert rows[1].umk_share_percent == 20.0 and not rows[1].meets_target
    assert (city.total, city.umk_total, city.target_percent) == (11_000_000, 4_000_000, 40)
    # Totals equal the underlying records to the rupiah.
    assert city.total == sum(
        GovernmentPurchase.objects.filter(year=2026).values_list("amount", flat=True)
    )
    with pytest.raises(Http404):
        government_purchase_share(actor=UserFactory(), year=2026)
    with pytest.raises(PermissionDenied):
        government_purchase_record(
            actor=UserFactory(),
            agency=dinas_a,
            purchase_date=date(2026, 1, 1),
            amount=1,
            kind="barang",
        )
    with pytest.raises(ValidationError):
        buy(dinas_a, date(2026, 1, 1), 0, business=small)


def test_naik_kelas_is_reproducible_from_history(reference_data: Any) -> None:
    officer = dinas_officer()
    up, flat, later = (BusinessFactory(history=False) for _ in range(3))
    grow(officer, up, date(2025, 1, 1), 1_000_000_000)
    grow(officer, up, date(2026, 3, 1), 3_000_000_000)  # mikro -> kecil inside the period
    grow(officer, flat, date(2025, 1, 1), 1_000_000_000)
    grow(officer, flat, date(2026, 3, 1), 1_500_000_000)
    grow(officer, later, date(2025, 1, 1), 1_000_000_000)
    grow(officer, later, date(2027, 2, 1), 3_000_000_000)  # after the period
    result = naik_kelas(actor=officer, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert [(n.business_id, n.from_scale, n.to_scale, n.on) for n in result] == [
        (up.pk, Scale.MIKRO, Scale.KECIL, date(2026, 3, 1))
    ]
    assert naik_kelas(actor=officer, start=date(2026, 1, 1), end=date(2026, 12, 31)) == result
    analyst = AnalystFactory()
    assert naik_kelas(actor=analyst, start=date(2026, 1, 1), end=date(2026, 12, 31)) == result
    with pytest.raises(Http404):
        naik_kelas(actor=up.owner, start=date(2026, 1, 1), end=date(2026, 12, 31))


def test_coaching_and_growth_of_coached_vs_not(reference_data: Any) -> None:
    officer = dinas_officer()
    programme = programme_create(
        actor=officer,
        name="Pelatihan Pemasaran Digital",
        type="pelatihan",
        start_date=date(2026, 2, 1),
        end_date=date(2026, 2, 3),
        quota=1,
    )
    coached, other = BusinessFactory(history=False), BusinessFactory(history=False)
    grow(officer, coached, date(2026, 1, 1), 100_000_000, employees=2)
    grow(officer, coached, date(2026, 10, 1), 150_000_000, employees=4)
    grow(officer, other, date(2026, 1, 1), 100_000_000, employees=2)
    grow(officer, other, date(2026, 10, 1), 110_000_000, employees=2)
    enrolment = enrolment_add(actor=officer, programme=programme, business=coached)
    with pytest.raises(ValidationError):
        enrolment_add(actor=officer, programme=programme, business=other)  # quota 1
    enrolment_update(
        actor=officer, enrolment=enrolment, status=EnrolmentStatus.COMPLETED, sessions_attended=3
    )
    milestone_record(
        actor=officer,
        business=coached,
        stage=JourneyStage.DIGITAL,
        reached_on=date(2026, 3, 1),
        programme=programme,
    )
    with pytest.raises(PermissionDenied):
        milestone_record(
            actor=coached.owner, business=coached, stage="modal", reached_on=date(2026, 1, 1)
        )

    growth = growth_coached_vs_not(actor=officer, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert growth["coached"].businesses == 1
    assert growth["coached"].turnover_growth_percent == 50.0
    assert growth["coached"].employment_growth_percent == 100.0
    assert growth["not_coached"].turnover_growth_percent == 10.0
    assert growth["not_coached"].employment_growth_percent == 0.0

    reach = programme_reach(actor=officer, year=2026)
    assert [(r["name"], r["enrolled"], r["completed"], r["quota"]) for r in reach] == [
        ("Pelatihan Pemasaran Digital", 1, 1, 1)
    ]
    _ = ProgrammeFactory


def test_counts_by_scale_sector_kecamatan(reference_data: Any) -> None:
    officer = dinas_officer()
    BusinessFactory(scale=Scale.MIKRO)
    BusinessFactory(scale=Scale.MIKRO)
    BusinessFactory(scale=Scale.KECIL, sector="fesyen")
    assert umkm_counts(actor=officer, by="scale") == [
        {"scale": "kecil", "count": 1},
        {"scale": "mikro", "count": 2},
    ]
    assert {r["sector"]: r["count"] for r in umkm_counts(actor=officer, by="sector")} == {
        "fesyen": 1,
        "kuliner": 2,
    }
    assert umkm_counts(actor=officer, by="kecamatan") == [
        {"district__name": "Medan Kota", "count": 3}
    ]
    with pytest.raises(Http404):
        umkm_counts(actor=UserFactory(), by="scale")
