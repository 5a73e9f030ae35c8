"""Seed data: Medan's categories load idempotently and every category routes everywhere."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from kotapintar.agencies.services import reference_data_load
from kotapintar.complaints.models import (
    Category,
    CategoryGroup,
    CategoryQuestion,
    QuestionOption,
    ResponseTemplate,
    RoutingRule,
)
from kotapintar.complaints.services import complaint_route
from kotapintar.complaints.tests.factories import ComplaintFactory
from kotapintar.regions.selectors import city_districts

pytestmark = pytest.mark.django_db


@pytest.fixture
def medan() -> None:
    reference_data_load(regency_code="12.71")


def _counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (
            CategoryGroup,
            Category,
            CategoryQuestion,
            QuestionOption,
            RoutingRule,
            ResponseTemplate,
        )
    )


def test_loading_twice_keeps_the_counts(medan: None) -> None:
    out = StringIO()
    call_command("load_complaint_categories", stdout=out)
    first = _counts()
    call_command("load_complaint_categories", stdout=StringIO())
    assert _counts() == first
    assert first[1] == 21  # 19 categories + Lainnya + Darurat
    assert "categories=21" in out.getvalue()


def test_reloading_keeps_the_administrators_changes_unless_asked_to_update(
    medan: None,
) -> None:
    call_command("load_complaint_categories", stdout=StringIO())
    pothole = Category.objects.get(code="jalan-rusak")
    days_in_file = pothole.resolution_working_days
    Category.objects.filter(pk=pothole.pk).update(resolution_working_days=days_in_file + 4)

    call_command("load_complaint_categories", stdout=StringIO())
    assert Category.objects.get(pk=pothole.pk).resolution_working_days == days_in_file + 4

    call_command("load_complaint_categories", "--update", stdout=StringIO())
    assert Category.objects.get(pk=pothole.pk).resolution_working_days == days_in_file


def test_emergency_category_blocks_when_someone_is_in_danger(medan: None) -> None:
    call_command("load_complaint_categories", stdout=StringIO())
    darurat = Category.objects.get(code="darurat")
    assert darurat.is_emergency is True
    assert darurat.priority == "darurat"
    option = QuestionOption.objects.get(question__category=darurat, key="ya")
    assert option.question.prompt == "Apakah ada orang dalam bahaya saat ini?"
    assert option.blocks_submission is True
    assert option.blocking_message == "Segera hubungi 112 (darurat) atau 110 (polisi)."


def test_sla_targets_use_the_local_tiers(medan: None) -> None:
    call_command("load_complaint_categories", stdout=StringIO())
    tiers = set(Category.objects.values_list("resolution_working_days", flat=True))
    assert tiers <= {2, 5, 14, 60}
    assert Category.objects.filter(is_active=True).count() <= 22


def test_every_category_routes_somewhere_in_each_of_the_21_kecamatan(medan: None) -> None:
    call_command("load_complaint_categories", stdout=StringIO())
    districts = list(city_districts())
    assert len(districts) == 21
    expected = {
        "jalan-rusak": "sdabmbk",
        "sampah": "dlh",
        "lampu-jalan": "perkimcktr",
        "banjir": "bpbd",
        "ketertiban-umum": "satpolpp",
        "lalu-lintas": "dishub",
        "layanan-kesehatan": "dinkes",
        "layanan-sekolah": "disdik",
        "layanan-adminduk": "disdukcapil",
    }
    for category in Category.objects.all():
        for district in districts:
            complaint = ComplaintFactory.build(category=category, district=district)
            agency = complaint_route(complaint)
            # The memoised route (the officers' page) agrees with the database's everywhere.
            assert complaint_route(complaint, memoised=True) == agency
            assert agency is not None, (category.code, district.code)
            if category.code in expected:
                assert agency.code == expected[category.code]
            if category.code == "lainnya":
                assert agency.code == f"kecamatan-{district.code.replace('.', '')}"


def test_loading_without_agencies_fails_clearly() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="load_reference_data"):
        call_command("load_complaint_categories", stdout=StringIO())
    assert Category.objects.count() == 0
