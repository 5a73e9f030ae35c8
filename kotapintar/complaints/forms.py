"""Forms of the citizen and public complaint pages.

Forms only parse and check the shape of input (types, lengths, choices) so the citizen sees the
reason at the field; the rules themselves (point in the city, text rules, answers, photos,
idempotency) are applied by ``complaints.services.complaint_submit``, which stores nothing on
any error.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxLengthValidator
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from kotapintar.complaints.models import (
    Category,
    CategoryQuestion,
    Privacy,
    QuestionType,
    Status,
)
from kotapintar.complaints.widgets import FastSelect
from kotapintar.core.reference_numbers import normalize_reference
from kotapintar.core.uploads import IMAGE, validate_upload
from kotapintar.regions.models import District, Village

#: Prefix of the form fields that carry the answers to a category's questions.
ANSWER_PREFIX = "q_"
TITLE_MAX_LENGTH = 120
ADDRESS_MAX_LENGTH = 300
ANSWER_TEXT_MAX_LENGTH = 2000
INFO_MAX_LENGTH = 4000
RATING_COMMENT_MAX_LENGTH = 1000
#: Single-choice questions with at most this many options are radio buttons, else a select.
RADIO_MAX_OPTIONS = 5


def new_idempotency_key() -> str:
    """A fresh key for one rendering of the report form (a retry re-sends the same one)."""
    return uuid.uuid4().hex


# --- Photos ------------------------------------------------------------------------------------


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to ``max_photos`` images, each checked by content like ``SecureFileField``."""

    widget = MultiplePhotoInput

    def __init__(self, *, max_photos: int = 3, **kwargs: Any) -> None:
        self.max_photos = max_photos
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs["accept"] = "image/jpeg,image/png,.jpg,.jpeg,.png"
        return attrs

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_photos:
            raise ValidationError(
                ngettext_lazy(
                    "You can attach at most %(limit)s photo.",
                    "You can attach at most %(limit)s photos.",
                    "limit",
                ),
                code="too_many_photos",
                params={"limit": self.max_photos},
            )
        cleaned: list[UploadedFile] = []
        for uploaded in files:
            single = super().clean(uploaded, initial)
            validate_upload(single, allowed_kinds=frozenset({IMAGE}))
            cleaned.append(single)
        return cleaned


# --- The report form ---------------------------------------------------------------------------


def category_choices(categories: Iterable[Category]) -> list[tuple[str, Any]]:
    """``<optgroup>`` per category group, in the groups' order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for category in categories:
        groups.setdefault(category.group.name, []).append((category.code, category.name))
    choices: list[tuple[str, Any]] = [("", _("Choose a category"))]
    choices.extend(groups.items())
    return choices


def village_choices(villages: Iterable[Village]) -> list[tuple[str, Any]]:
    """``<optgroup>`` per kecamatan so the list works without JavaScript."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for village in villages:
        groups.setdefault(village.district.name, []).append((village.code, village.name))
    choices: list[tuple[str, Any]] = [("", _("Choose a kelurahan/desa"))]
    choices.extend(groups.items())
    return choices


def district_choices(
    districts: Iterable[District], *, empty_label: Any = None
) -> list[tuple[str, Any]]:
    return [("", empty_label or _("All kecamatan"))] + [(d.code, d.name) for d in districts]


def htmx_village_attrs() -> dict[str, Any]:
    """A kecamatan ``<select>`` that reloads the kelurahan options (the regions endpoint)."""
    return {
        "hx-get": reverse_lazy("regions:village-options"),
        "hx-trigger": "change",
        "hx-target": "#id_kelurahan",
        "hx-swap": "innerHTML",
    }


def answer_field(question: CategoryQuestion) -> forms.Field:
    """The form field for one category question (an Open311 attribute).

    ``field.can_block`` tells the page whether an answer may stop the submission: only those
    questions reload the question block (an emergency message), so answers typed elsewhere are
    never replaced by a reload that was still on its way.
    """
    field = _answer_field(question)
    field.can_block = any(option.blocks_submission for option in question.options.all())  # type: ignore[attr-defined]
    return field


def _answer_field(question: CategoryQuestion) -> forms.Field:
    common: dict[str, Any] = {
        "label": question.prompt,
        "help_text": question.description,
        "required": question.required,
    }
    options: list[tuple[str, Any]] = [(o.key, o.name) for o in question.options.all()]
    if question.datatype == QuestionType.NUMBER:
        return forms.DecimalField(max_digits=18, decimal_places=6, **common)
    if question.datatype == QuestionType.DATETIME:
        return forms.DateTimeField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
            **common,
        )
    if question.datatype == QuestionType.TEXT:
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3}), max_length=ANSWER_TEXT_MAX_LENGTH, **common
        )
    if question.datatype == QuestionType.SINGLE:
        widget = forms.RadioSelect if len(options) <= RADIO_MAX_OPTIONS else forms.Select
        if widget is forms.Select:
            options = [("", _("Choose…")), *options]
        return forms.ChoiceField(choices=options, widget=widget, **common)
    if question.datatype == QuestionType.MULTI:
        return forms.MultipleChoiceField(
            choices=options, widget=forms.CheckboxSelectMultiple, **common
        )
    return forms.CharField(max_length=300, **common)


class ReportForm(forms.Form):
    """The citizen's report. ``category`` picks which question fields exist."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    # Set by the nearby-duplicates step: the citizen saw the nearby reports and still reports.
    nearby_seen = forms.BooleanField(widget=forms.HiddenInput, required=False)
    # The category whose questions the page showed (rendered inside the question block).
    questions_for = forms.CharField(widget=forms.HiddenInput, required=False, max_length=60)
    category = forms.ChoiceField(label=_("Category"), widget=FastSelect)
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_("A short summary, e.g. “Large pothole in front of the market”."),
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What is wrong, since when, and anything that helps find it. "
            "Do not write your NIK or phone number here."
        ),
    )
    privacy = forms.ChoiceField(
        label=_("Who may see this report?"),
        choices=Privacy.choices,
        initial=Privacy.PUBLIC,
        widget=forms.RadioSelect,
    )
    latitude = forms.FloatField(
        label=_("Latitude"), widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    address = forms.CharField(
        label=_("Address or landmark"),
        max_length=ADDRESS_MAX_LENGTH,
        required=False,
        help_text=_("e.g. Jl. Gatot Subroto near the mosque"),
    )
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False, widget=FastSelect)
    kelurahan = forms.ChoiceField(
        widget=FastSelect,
        label=_("Kelurahan/desa"),
        required=False,
        help_text=_("Leave empty to take it from the map point."),
    )

    def __init__(
        self,
        *args: Any,
        categories: Sequence[Category],
        category: Category | None,
        districts: Iterable[District] = (),
        villages: Iterable[Village] = (),
        description_max_length: int = 4000,
        max_photos: int = 3,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.categories = {c.code: c for c in categories}
        self.selected_category = category
        self.blocking_messages: list[str] = []
        cast(forms.ChoiceField, self.fields["category"]).choices = category_choices(categories)
        # With htmx the question block follows the category; without, the form shows the new
        # category's questions after the next submit.
        self.fields["category"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("complaints:report_questions"),
                "hx-trigger": "change",
                "hx-target": "#category-questions",
                "hx-swap": "outerHTML",
                "hx-include": "this",
            }
        )
        self.fields["kecamatan"].widget.attrs.update(htmx_village_attrs())
        cast(forms.CharField, self.fields["description"]).max_length = description_max_length
        self.fields["description"].validators.append(MaxLengthValidator(description_max_length))
        self.fields["description"].widget.attrs["maxlength"] = str(description_max_length)
        cast(forms.ChoiceField, self.fields["kecamatan"]).choices = district_choices(
            districts, empty_label=_("Choose a kecamatan")
        )
        cast(forms.ChoiceField, self.fields["kelurahan"]).choices = village_choices(villages)
        self.fields["photos"] = PhotosField(
            label=_("Photos"),
            max_photos=max_photos,
            help_text=ngettext_lazy(
                "Up to %(limit)s photo (JPEG or PNG).",
                "Up to %(limit)s photos (JPEG or PNG).",
                max_photos,
            )
            % {"limit": max_photos},
        )
        self.questions: list[CategoryQuestion] = list(category.questions.all()) if category else []
        for question in self.questions:
            self.fields[ANSWER_PREFIX + question.code] = answer_field(question)

    @property
    def answer_fields(self) -> list[forms.BoundField]:
        return [self[ANSWER_PREFIX + q.code] for q in self.questions]

    def clean_category(self) -> Category:
        code = self.cleaned_data["category"]
        category = self.categories.get(code)
        if category is None:
            raise ValidationError(_("Choose a category from the list."), code="invalid_category")
        return category

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        category = cleaned.get("category")
        shown_for = cleaned.get("questions_for", "")
        if category is not None and self.questions and shown_for != category.code:
            # Changed without JavaScript: the questions shown belonged to another category.
            self.add_error(
                "category",
                ValidationError(
                    _("Answer the questions of the new category, then send again."),
                    code="category_changed",
                ),
            )
        self._check_blocking_answers(cleaned)
        village = cleaned.get("kelurahan")
        district = cleaned.get("kecamatan")
        if village and district and not village.startswith(district + "."):
            self.add_error(
                "kelurahan",
                ValidationError(
                    _("This kelurahan is not in the chosen kecamatan."), code="village_mismatch"
                ),
            )
        return cleaned

    def _check_blocking_answers(self, cleaned: dict[str, Any]) -> None:
        # The service rejects these too (code "blocked"); here the message sits at the question.
        for question in self.questions:
            name = ANSWER_PREFIX + question.code
            chosen = cleaned.get(name)
            keys = set(chosen) if isinstance(chosen, list) else {chosen}
            for option in question.options.all():
                if option.blocks_submission and option.key in keys:
                    message = option.blocking_message or str(
                        _("This report cannot be sent here. Call the emergency number 112.")
                    )
                    self.blocking_messages.append(message)
                    self.add_error(name, ValidationError(message, code="blocked"))

    def answers(self) -> dict[str, str | list[str]]:
        """The answers as the service takes them: option keys, numbers and dates as text."""
        answers: dict[str, str | list[str]] = {}
        for question in self.questions:
            value = self.cleaned_data.get(ANSWER_PREFIX + question.code)
            if value is None or value in ("", []):
                continue
            if isinstance(value, list):
                answers[question.code] = [str(v) for v in value]
            elif isinstance(value, datetime):
                answers[question.code] = value.isoformat()
            else:
                answers[question.code] = str(value)
        return answers


class CategoryChoiceForm(forms.Form):
    """Step one without JavaScript: pick the category, then the form shows its questions."""

    kategori = forms.ChoiceField(label=_("What is the problem about?"))

    def __init__(self, *args: Any, categories: Sequence[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kategori"]).choices = category_choices(categories)


# --- Public list -------------------------------------------------------------------------------

STATUS_OPEN = "open"
STATUS_CLOSED = "closed"


def status_filter_choices() -> list[tuple[Any, Any]]:
    specific = [(value, label) for value, label in Status.choices if value != Status.REJECTED]
    return [
        ("", _("All")),
        (STATUS_OPEN, _("Open")),
        (STATUS_CLOSED, _("Finished")),
        (_("Status"), specific),
    ]


class PublicFilterForm(forms.Form):
    """Filters of the public list and map (GET). Invalid values are ignored, not errors."""

    kategori = forms.ChoiceField(label=_("Category"), required=False, widget=FastSelect)
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False, widget=FastSelect)
    status = forms.ChoiceField(label=_("Status"), required=False, widget=FastSelect)
    dari = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sampai = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self,
        *args: Any,
        categories: Sequence[Category],
        districts: Iterable[District],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = category_choices(categories)
        choices[0] = ("", _("All categories"))
        cast(forms.ChoiceField, self.fields["kategori"]).choices = choices
        cast(forms.ChoiceField, self.fields["kecamatan"]).choices = district_choices(districts)
        cast(forms.ChoiceField, self.fields["status"]).choices = status_filter_choices()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from: date | None = cleaned.get("dari")
        date_to: date | None = cleaned.get("sampai")
        if date_from and date_to and date_from > date_to:
            self.add_error(
                "sampai",
                ValidationError(
                    _("The end date must not be before the start date."), code="date_order"
                ),
            )
        return cleaned

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for ``complaints_public``; fields with errors are left out."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        errors = self.errors if self.is_bound else {}
        filters: dict[str, Any] = {}
        if data.get("kategori") and "kategori" not in errors:
            filters["category_codes"] = [data["kategori"]]
        if data.get("kecamatan") and "kecamatan" not in errors:
            filters["district_code"] = data["kecamatan"]
        if data.get("status") and "status" not in errors:
            filters["status"] = data["status"]
        if data.get("dari") and "dari" not in errors:
            filters["date_from"] = data["dari"]
        if data.get("sampai") and "sampai" not in errors:
            filters["date_to"] = data["sampai"]
        return filters


# --- Report page actions -----------------------------------------------------------------------


class AddInfoForm(forms.Form):
    text = forms.CharField(
        label=_("Additional information"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=INFO_MAX_LENGTH,
    )

    def __init__(self, *args: Any, max_photos: int = 3, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photos"] = PhotosField(label=_("Photos"), max_photos=max_photos)


class ConfirmFixedForm(forms.Form):
    fixed = forms.TypedChoiceField(
        label=_("Has the problem been fixed?"),
        choices=[("ya", _("Yes, it is fixed")), ("tidak", _("No, it is not fixed"))],
        coerce=lambda value: value == "ya",
        widget=forms.RadioSelect,
    )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How well was your report handled?"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 = very poor, 5 = very good"),
    )
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=RATING_COMMENT_MAX_LENGTH,
        required=False,
    )


class TrackForm(forms.Form):
    nomor = forms.CharField(
        label=_("Reference number"),
        max_length=40,
        help_text=_("e.g. ADU-7K3M-Q9XA"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )

    def clean_nomor(self) -> str:
        reference = normalize_reference(self.cleaned_data["nomor"], prefix="ADU")
        if reference is None:
            raise ValidationError(
                _("This is not a complaint reference number (e.g. ADU-7K3M-Q9XA)."),
                code="invalid_reference",
            )
        return reference


class AreaSubscribeForm(forms.Form):
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), widget=FastSelect)
    kelurahan = forms.ChoiceField(
        widget=FastSelect,
        label=_("Kelurahan/desa"),
        required=False,
        help_text=_("Leave empty to follow the whole kecamatan."),
    )

    def __init__(
        self,
        *args: Any,
        districts: Iterable[District],
        villages: Iterable[Village],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.districts = {d.code: d for d in districts}
        self.villages = {v.code: v for v in villages}
        cast(forms.ChoiceField, self.fields["kecamatan"]).choices = district_choices(
            self.districts.values(), empty_label=_("Choose a kecamatan")
        )
        self.fields["kecamatan"].widget.attrs.update(htmx_village_attrs())
        cast(forms.ChoiceField, self.fields["kelurahan"]).choices = village_choices(
            self.villages.values()
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        district = self.districts.get(cleaned.get("kecamatan") or "")
        village = self.villages.get(cleaned.get("kelurahan") or "")
        cleaned["district"] = district
        cleaned["village"] = village
        if district is not None and village is not None and village.district_id != district.code:
            self.add_error(
                "kelurahan",
                ValidationError(
                    _("This kelurahan is not in the chosen kecamatan."), code="village_mismatch"
                ),
            )
        return cleaned
