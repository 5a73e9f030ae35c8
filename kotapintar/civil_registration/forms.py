"""Forms of the citizen's civil registration pages.

Forms only parse the shape of the input (types, lengths, choices, file content) so the citizen
sees the reason at the field. The rules (NIK/KK checks, names, event date, lateness, required
uploads and substitutes, delivery, one open application, idempotency) are applied by
``civil_registration.services.application_submit``, which stores nothing on any error; its errors
are put back at the matching field by ``add_service_errors``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kotapintar.agencies.models import ServiceUnit
from kotapintar.civil_registration.models import (
    CivilRegistrationPolicy,
    DeliveryMethod,
    DocumentService,
    EventKind,
    FieldType,
    Relationship,
    Requirement,
)
from kotapintar.core.uploads import IMAGE, PDF, SecureFileField
from kotapintar.regions.models import Village

FORM_PREFIX = "f_"
DOC_PREFIX = "doc_"
DOCUMENT_KINDS = frozenset({IMAGE, PDF})
TEXT_MAX = 300
TEXTAREA_MAX = 2000
NAME_MAX = 150


def new_idempotency_key() -> str:
    """A fresh key for one rendering of the form (a retry re-sends the same one)."""
    return uuid.uuid4().hex


def village_choices(villages: Iterable[Village]) -> list[tuple[str, Any]]:
    """``<optgroup>`` per kecamatan: the pick-list works without JavaScript."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for village in villages:
        groups.setdefault(village.district.name, []).append((village.code, village.name))
    choices: list[tuple[str, Any]] = [("", _("Choose the kecamatan and kelurahan"))]
    choices.extend(groups.items())
    return choices


class NumberNoEchoInput(forms.TextInput):
    """A NIK/KK box that never writes the number back into the page (T17): after an error the
    citizen types it again, so no page ever carries a NIK in clear."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        return None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _dynamic_field(spec: dict[str, Any]) -> forms.Field:
    kind = spec.get("type")
    common: dict[str, Any] = {
        "label": spec.get("label") or spec["key"],
        "required": bool(spec.get("required")),
        "help_text": spec.get("help", ""),
    }
    if kind == FieldType.CHOICE:
        choices = [("", _("Choose"))] + [(str(c[0]), str(c[1])) for c in spec.get("choices", [])]
        return forms.ChoiceField(choices=choices, **common)
    if kind == FieldType.DATE:
        return forms.DateField(widget=DateInput(), **common)
    if kind == FieldType.TEXTAREA:
        return forms.CharField(max_length=TEXTAREA_MAX, widget=forms.Textarea, **common)
    if kind in (FieldType.NIK, FieldType.KK):
        return forms.CharField(max_length=40, widget=NumberNoEchoInput(), **common)
    max_length = NAME_MAX if kind == FieldType.NAME else TEXT_MAX
    return forms.CharField(max_length=max_length, **common)


class ApplicationForm(forms.Form):
    """The application form of one service, built from its data (fields, requirements)."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80, required=False)
    relationship = forms.ChoiceField(
        label=_("Who is the document for?"), choices=Relationship.choices
    )
    subject_name = forms.CharField(label=_("Full name of the person concerned"), max_length=150)
    subject_nik = forms.CharField(
        label=_("NIK of the person concerned"),
        max_length=40,
        required=False,
        help_text=_("16 digits, as on the KK or KTP-el."),
        widget=NumberNoEchoInput(),
    )
    subject_kk = forms.CharField(
        label=_("KK number"),
        max_length=40,
        required=False,
        widget=NumberNoEchoInput(),
    )
    delivery_method = forms.ChoiceField(
        label=_("How do you want to receive the document?"),
        widget=forms.RadioSelect,
    )
    unit = forms.ModelChoiceField(
        label=_("Office that handles your application (and where you collect it)"),
        queryset=ServiceUnit.objects.none(),
        empty_label=None,
    )
    delivery_village = forms.ChoiceField(
        label=_("Kecamatan and kelurahan of the delivery address"), required=False
    )
    delivery_address = forms.CharField(
        label=_("Delivery address (street, house number)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    truth_declared = forms.BooleanField(
        label=_("I declare that the data and documents I submit are true and original."),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        service: DocumentService,
        requirements: list[Requirement],
        units: Iterable[ServiceUnit],
        villages: Iterable[Village],
        policy: CivilRegistrationPolicy,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.service = service
        self.requirements = [r for r in requirements if r.needs_upload]
        units = list(units)
        self.fields["unit"].queryset = ServiceUnit.objects.filter(pk__in=[u.pk for u in units])  # type: ignore[attr-defined]
        self.fields["unit"].label_from_instance = lambda u: u.name  # type: ignore[attr-defined]
        self.fields["delivery_village"].choices = village_choices(villages)  # type: ignore[attr-defined]
        offered = [(DeliveryMethod.PICKUP.value, DeliveryMethod.PICKUP.label)]
        if policy.kiosk_enabled:
            offered.append((DeliveryMethod.KIOSK.value, DeliveryMethod.KIOSK.label))
        if policy.pos_delivery_enabled:
            offered.append((DeliveryMethod.POS.value, DeliveryMethod.POS.label))
        if policy.self_print_enabled:
            offered.append((DeliveryMethod.SELF_PRINT.value, DeliveryMethod.SELF_PRINT.label))
        self.fields["delivery_method"].choices = offered  # type: ignore[attr-defined]
        self.fields["delivery_method"].initial = DeliveryMethod.PICKUP
        self.fields["idempotency_key"].initial = new_idempotency_key()
        if not service.subject_has_nik:
            self.fields["subject_has_no_nik"] = forms.BooleanField(
                label=_("The person has no NIK yet (e.g. a newborn)"), required=False
            )
        if service.event_kind != EventKind.NONE:
            self.fields["event_date"] = forms.DateField(
                label=_("Date of the event"),
                widget=DateInput(),
                required=False,
                help_text=_("The date of the birth, death, marriage, ruling or move."),
            )
        for spec in service.form_fields or []:
            if isinstance(spec, dict) and spec.get("key"):
                self.fields[FORM_PREFIX + str(spec["key"])] = _dynamic_field(spec)
        for req in self.requirements:
            label = req.label
            self.fields[DOC_PREFIX + req.code] = SecureFileField(
                label=label,
                required=False,
                allowed_kinds=DOCUMENT_KINDS,
                max_bytes=policy.max_upload_bytes,
                help_text=req.help,
            )
        if service.requires_biometric_recording:
            self.fields["biometric_recorded_declared"] = forms.BooleanField(
                label=_(
                    "I declare that my biometrics (photo, fingerprints, iris) were already "
                    "recorded (perekaman) at a Disdukcapil office."
                ),
                required=False,
            )
        # The declaration last, just above the button.
        self.order_fields([n for n in self.fields if n != "truth_declared"] + ["truth_declared"])

    # Groups for the template.
    def identity_fields(self) -> list[forms.BoundField]:
        names = ["relationship", "subject_name", "subject_nik", "subject_has_no_nik", "subject_kk"]
        return [self[n] for n in names if n in self.fields]

    def event_fields(self) -> list[forms.BoundField]:
        names = ["event_date"] + [n for n in self.fields if n.startswith(FORM_PREFIX)]
        return [self[n] for n in names if n in self.fields]

    def document_rows(self) -> list[tuple[Requirement, forms.BoundField]]:
        return [(r, self[DOC_PREFIX + r.code]) for r in self.requirements]

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned input as keyword arguments of ``application_submit``."""
        data = self.cleaned_data
        form_data: dict[str, Any] = {}
        for name, value in data.items():
            if name.startswith(FORM_PREFIX) and value not in (None, ""):
                form_data[name[len(FORM_PREFIX) :]] = (
                    value.isoformat() if hasattr(value, "isoformat") else value
                )
        documents = {
            name[len(DOC_PREFIX) :]: value
            for name, value in data.items()
            if name.startswith(DOC_PREFIX) and value
        }
        method = data["delivery_method"]
        return {
            "service": self.service,
            "relationship": data["relationship"],
            "subject_name": data["subject_name"],
            "subject_nik": data.get("subject_nik", ""),
            "subject_has_no_nik": bool(data.get("subject_has_no_nik")),
            "subject_kk": data.get("subject_kk", ""),
            "event_date": data.get("event_date"),
            "form_data": form_data,
            "documents": documents,
            "delivery_method": method,
            "delivery_village_code": data.get("delivery_village") or None,
            "delivery_address": data.get("delivery_address", "")
            if method == DeliveryMethod.POS
            else "",
            "unit": data["unit"],
            "biometric_recorded_declared": bool(data.get("biometric_recorded_declared")),
            "truth_declared": bool(data.get("truth_declared")),
            "idempotency_key": data.get("idempotency_key", ""),
        }


def service_error_field(key: str) -> str | None:
    """The form field a service error key belongs to (``form.x`` -> ``f_x`` ...)."""
    if key.startswith("form."):
        return FORM_PREFIX + key[len("form.") :]
    if key.startswith("documents."):
        return DOC_PREFIX + key[len("documents.") :]
    if key == "__all__":
        return None
    return key


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put each of the service's errors at its field; unknown keys above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.error_dict.items():
        field = service_error_field(key)
        if field is not None and field not in form.fields:
            field = None
        for error in errors:
            form.add_error(field, error)


class ResubmitForm(forms.Form):
    """New files for the documents the officer found not valid (same application, next round)."""

    def __init__(
        self,
        *args: Any,
        requirements: list[Requirement],
        policy: CivilRegistrationPolicy,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.requirements = requirements
        for req in requirements:
            self.fields[DOC_PREFIX + req.code] = SecureFileField(
                label=req.label,
                required=False,
                allowed_kinds=DOCUMENT_KINDS,
                max_bytes=policy.max_upload_bytes,
            )

    def documents(self) -> dict[str, Any]:
        return {
            name[len(DOC_PREFIX) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(DOC_PREFIX) and value
        }


class PinForm(forms.Form):
    pin = forms.CharField(
        label=_("PIN"),
        max_length=12,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
