"""Forms of the citizen pages: shapes and choices (the rules themselves are the services')."""

from __future__ import annotations

import pytest

from kotapintar.complaints.forms import (
    PublicFilterForm,
    ReportForm,
    TrackForm,
    category_choices,
)
from kotapintar.complaints.models import QuestionType
from kotapintar.complaints.tests.factories import (
    CategoryFactory,
    CategoryGroupFactory,
    CategoryQuestionFactory,
    QuestionOptionFactory,
)

pytestmark = pytest.mark.django_db


def test_categories_are_grouped_in_optgroups_in_group_order() -> None:
    roads = CategoryGroupFactory.create(name="Jalan", order=1)
    water = CategoryGroupFactory.create(name="Air", order=2)
    a = CategoryFactory.create(group=roads, name="Jalan rusak")
    b = CategoryFactory.create(group=water, name="Banjir")
    choices = category_choices([a, b])
    assert choices[1:] == [("Jalan", [(a.code, "Jalan rusak")]), ("Air", [(b.code, "Banjir")])]


def test_question_fields_follow_the_datatypes() -> None:
    category = CategoryFactory.create()
    single = CategoryQuestionFactory.create(category=category, datatype=QuestionType.SINGLE)
    QuestionOptionFactory.create(question=single, key="a")
    multi = CategoryQuestionFactory.create(category=category, datatype=QuestionType.MULTI)
    QuestionOptionFactory.create(question=multi, key="b")
    number = CategoryQuestionFactory.create(category=category, datatype=QuestionType.NUMBER)
    form = ReportForm(
        data={
            f"q_{single.code}": "a",
            f"q_{multi.code}": ["b"],
            f"q_{number.code}": "abc",
        },
        categories=[category],
        category=category,
    )
    form.is_valid()
    assert form.answers() == {single.code: "a", multi.code: ["b"]}
    assert "q_" + number.code in form.errors


def test_track_form_normalises_what_the_citizen_typed() -> None:
    form = TrackForm(data={"nomor": "adu 7k3m q9xa"})
    assert form.is_valid()
    assert form.cleaned_data["nomor"] == "ADU-7K3M-Q9XA"


def test_filter_form_ignores_invalid_values_and_keeps_the_valid_ones() -> None:
    category = CategoryFactory.create(code="jalan")
    form = PublicFilterForm(
        data={
            "kategori": "jalan",
            "status": "bukan-status",
            "dari": "2026-02-10",
            "sampai": "2026-02-01",
        },
        categories=[category],
        districts=[],
    )
    form.is_valid()
    assert form.filters() == {"category_codes": ["jalan"], "date_from": form.cleaned_data["dari"]}
    assert form.errors.as_data()["sampai"][0].code == "date_order"
