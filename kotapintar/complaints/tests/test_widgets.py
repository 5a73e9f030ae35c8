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


@pytest.mark.parametrize("value", ["", None, 'Jalan <berlubang> & "dalam"', 'a"b'])
@pytest.mark.parametrize("attrs", [{}, {"id": "id_x", "rows": 3, "required": True, "x": False}])
def test_fast_textarea_and_text_input_render_as_django(value: Any, attrs: dict[str, Any]) -> None:
    from kotapintar.complaints.widgets import FastTextarea, FastTextInput

    for fast_class, plain_class in (
        (FastTextarea, forms.Textarea),
        (FastTextInput, forms.TextInput),
    ):
        fast = fast_class(attrs=dict(attrs)).render("message", value)
        slow = plain_class(attrs=dict(attrs)).render("message", value)
        assert fast == slow


@pytest.mark.parametrize("value", ["", None, "2026-11-29"])
def test_fast_date_input_renders_as_django(value: Any) -> None:
    from datetime import date

    from kotapintar.complaints.widgets import FastDateInput

    for given in (value, date(2026, 11, 29)):
        fast = FastDateInput(attrs={"type": "date"}).render("date_from", given, {"id": "id_d"})
        slow = forms.DateInput(attrs={"type": "date"}).render("date_from", given, {"id": "id_d"})
        assert fast == slow


def _plain_widget(widget: forms.Widget) -> forms.Widget:
    """Django's own widget class that ``widget`` (a fast one) stands in for."""
    from kotapintar.complaints import widgets as w

    plain: dict[type, type[forms.Widget]] = {
        w.FastSelect: forms.Select,
        w.FastTextarea: forms.Textarea,
        w.FastTextInput: forms.TextInput,
        w.FastDateInput: forms.DateInput,
    }
    for fast_class, plain_class in plain.items():
        if type(widget) is fast_class:
            copy = plain_class(attrs=widget.attrs)
            copy.input_type = getattr(widget, "input_type", getattr(copy, "input_type", None))
            if isinstance(widget, forms.Select):
                copy.choices = widget.choices
            if isinstance(widget, forms.DateInput):
                copy.format = widget.format
            return copy
    return widget


@pytest.mark.django_db
def test_the_staff_action_and_filter_forms_render_as_with_django_widgets_and_labels() -> None:
    """Every field and label of the officers' report page and queue filters is the same HTML
    as with Django's widgets and label template (bound with input and errors, and unbound)."""
    from kotapintar.complaints import forms_staff as f
    from kotapintar.complaints.models import Status
    from kotapintar.complaints.tests.factories import (
        ComplaintFactory,
        ComplaintPhotoFactory,
        jpeg_upload,
    )
    from kotapintar.complaints.views_staff import ACTIONS
    from kotapintar.core.uploads import store_upload
    from kotapintar.testing.factories import AgencyFactory, CoordinatorFactory

    agency = AgencyFactory()
    AgencyFactory(name='Dinas <"Uji"> & Co')
    complaint = ComplaintFactory(status=Status.DISPOSED, agency=agency)
    ComplaintPhotoFactory(
        complaint=complaint,
        file=store_upload(
            uploaded_file=jpeg_upload(), uploaded_by=None, allowed_kinds=frozenset({"image"})
        ),
    )
    actor = CoordinatorFactory()
    data = {"reason": 'x <b>"y"</b>', "note": "a & b", "privacy": "anonim", "text": "<i>n</i>"}
    for action, spec in ACTIONS.items():
        for bound in (False, True):
            kwargs: dict[str, Any] = {"complaint": complaint, "actor": actor, "prefix": action}
            args = ({f"{action}-{k}": v for k, v in data.items()},) if bound else ()
            form = spec.form_class(*args, **kwargs)
            if bound:
                form.is_valid()
            for name in form.fields:
                fast_widget, fast_label = str(form[name]), str(form[name].label_tag())
                field = form.fields[name]
                field.widget = _plain_widget(field.widget)
                plain_label = forms.Form.render(
                    form, form.template_name_label, _label_context(form, name)
                )
                assert parse_html(str(form[name])) == parse_html(fast_widget), (action, name)
                assert fast_label == plain_label, (action, name)
    queue = f.QueueForm({"status": "open", "date_from": "2026-11-01"}, actor=actor)
    queue.is_valid()
    for name in queue.fields:
        fast_widget, fast_label = str(queue[name]), str(queue[name].label_tag())
        queue.fields[name].widget = _plain_widget(queue.fields[name].widget)
        plain_label = forms.Form.render(
            queue, queue.template_name_label, _label_context(queue, name)
        )
        assert parse_html(str(queue[name])) == parse_html(fast_widget), name
        assert fast_label == plain_label, name


def _label_context(form: forms.Form, name: str) -> dict[str, Any]:
    """The context ``BoundField.label_tag`` hands to the label template (captured)."""
    captured: dict[str, Any] = {}

    class Capture(type(form)):  # type: ignore[misc]
        def render(
            self, template_name: Any = None, context: Any = None, renderer: Any = None
        ) -> Any:
            captured.update(context or {})
            return ""

    form.__class__, original = Capture, form.__class__
    try:
        form[name].label_tag()
    finally:
        form.__class__ = original
    return captured
