# mypy: disable-error-code="list-item"
# (factory_boy results are typed as the factory; see the override in pyproject.toml)
"""FastSelect renders exactly what Django's Select renders (as HTML, whitespace aside)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test.html import parse_html

from kotapintar.complaints.forms import ReportForm
from kotapintar.complaints.widgets import FastSelect

CHOICES: list[tuple[Any, Any]] = [
    ("", "Pilih kategori"),
    ("Jalan", [("jalan-rusak", "Jalan rusak"), ("lampu", 'Lampu <jalan> & "PJU"')]),
    ("Lingkungan", [("sampah", "Sampah")]),
    ("lain", "Lainnya"),
]


@pytest.mark.parametrize("value", ["", "lampu", "lain", None, "unknown"])
@pytest.mark.parametrize(
    "attrs",
    [
        {},
        {"id": "id_x", "required": True, "disabled": False, "hx-get": '/a?b=1&c="2"'},
    ],
)
def test_fast_select_renders_the_same_html_as_select(value: Any, attrs: dict[str, Any]) -> None:
    slow = forms.Select(choices=CHOICES).render("category", value, attrs=dict(attrs))
    fast = FastSelect(choices=CHOICES).render("category", value, attrs=dict(attrs))
    assert parse_html(fast) == parse_html(slow)


@pytest.mark.django_db
def test_the_report_form_renders_the_same_with_either_widget() -> None:
    from kotapintar.complaints.tests.factories import CategoryFactory
    from kotapintar.testing.factories import DistrictFactory, VillageFactory

    district = DistrictFactory()
    villages = [VillageFactory(district=district) for _ in range(3)]
    category = CategoryFactory()
    form = ReportForm(
        data={"category": category.code, "kelurahan": villages[1].code},
        categories=[category],
        category=category,
        districts=[district],
        villages=villages,
    )
    for name in ("category", "kecamatan", "kelurahan"):
        field = form.fields[name]
        assert isinstance(field.widget, FastSelect)
        fast = str(form[name])
        plain = forms.Select(attrs=field.widget.attrs, choices=field.widget.choices)
        field.widget = plain
        assert parse_html(str(form[name])) == parse_html(fast)
