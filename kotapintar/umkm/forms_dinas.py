"""Forms of the Dinas workspace: they parse input only; the services decide and validate again."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotapintar.agencies.models import Agency
from kotapintar.umkm import rules
from kotapintar.umkm.models import (
    Business,
    EnrolmentStatus,
    JourneyStage,
    Programme,
    ProgrammeType,
    PurchaseKind,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ReasonForm(forms.Form):
    """Reject a business or delist a product: the reason goes to the owner."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason.")},
    )


class DecisionForm(forms.Form):
    """Accept/approve or reject, with an optional note (required by the service where needed)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    @property
    def approve(self) -> bool:
        return bool(self.cleaned_data.get("decision") == "approve")


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=ProgrammeType.choices)
    start_date = forms.DateField(label=_("Starts"), widget=DateInput())
    end_date = forms.DateField(label=_("Ends"), widget=DateInput())
    quota = forms.IntegerField(
        label=_("Quota"), min_value=0, initial=0, help_text=_("0 = no limit")
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date is before the start date."))
        return data

    @classmethod
    def initial_for(cls, programme: Programme) -> dict[str, Any]:
        return {
            "name": programme.name,
            "type": programme.type,
            "start_date": programme.start_date,
            "end_date": programme.end_date,
            "quota": programme.quota,
            "location": programme.location,
            "description": programme.description,
        }


def _business_by_nib(value: str) -> Business:
    try:
        nib = rules.parse_nib(value)
    except ValidationError as exc:
        raise ValidationError(exc.messages[0], code="invalid") from exc
    business = Business.objects.filter(nib=nib, is_active=True).first()
    if business is None:
        raise ValidationError(_("No active UMKM has this NIB."), code="not_found")
    return business


class EnrolmentAddForm(forms.Form):
    nib = forms.CharField(label=_("NIB of the business"), max_length=30)

    def clean_nib(self) -> Business:
        return _business_by_nib(self.cleaned_data["nib"])


class EnrolmentUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=EnrolmentStatus.choices)
    sessions_attended = forms.IntegerField(
        label=_("Sessions attended"), min_value=0, max_value=1000
    )
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MilestoneForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=JourneyStage.choices)
    reached_on = forms.DateField(label=_("Reached on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.all(), required=False
    )

    def clean_reached_on(self) -> date:
        value: date = self.cleaned_data["reached_on"]
        if value > timezone.localdate():
            raise ValidationError(_("The date is in the future."), code="future")
        return value


class PurchaseForm(forms.Form):
    """One OPD purchase. The amount is whole rupiah written as digits (``1500000``)."""

    agency = forms.ModelChoiceField(
        label=_("Agency (OPD)"), queryset=Agency.objects.filter(is_active=True).order_by("name")
    )
    purchase_date = forms.DateField(label=_("Purchase date"), widget=DateInput())
    amount = forms.CharField(
        label=_("Amount (rupiah)"),
        max_length=30,
        help_text=_("Whole rupiah, digits only, e.g. 1500000."),
    )
    kind = forms.ChoiceField(label=_("Goods or services"), choices=PurchaseKind.choices)
    nib = forms.CharField(
        label=_("NIB of the UMKM supplier"),
        max_length=30,
        required=False,
        help_text=_("Leave empty for a supplier that is not registered here."),
    )
    supplier_name = forms.CharField(label=_("Supplier"), max_length=200, required=False)
    description = forms.CharField(label=_("What was bought"), max_length=300, required=False)
    is_cooperative = forms.BooleanField(
        label=_("The supplier is a cooperative or a small business"), required=False
    )
    is_domestic_product = forms.BooleanField(
        label=_("Domestic product (PDN)"), required=False, initial=True
    )

    def clean_amount(self) -> int:
        raw = self.cleaned_data["amount"].strip()
        if not raw.isdigit() or raw.startswith("0"):
            raise ValidationError(
                _("Write the amount in whole rupiah, digits only (e.g. 1500000)."),
                code="invalid",
            )
        value = int(raw)
        if value > 10**15:
            raise ValidationError(_("The amount is too large."), code="too_large")
        return value

    def clean_purchase_date(self) -> date:
        value: date = self.cleaned_data["purchase_date"]
        if value > timezone.localdate():
            raise ValidationError(_("The date is in the future."), code="future")
        return value

    def clean_nib(self) -> Business | None:
        raw = self.cleaned_data.get("nib", "").strip()
        return _business_by_nib(raw) if raw else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        named = (data.get("supplier_name") or "").strip()
        if not data.get("nib") and not named and "nib" not in self.errors:
            self.add_error("supplier_name", _("Name the supplier or give its NIB."))
        return data


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Budget year"), min_value=2000, max_value=2100)


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=DateInput(), required=False)
    date_to = forms.DateField(label=_("To"), widget=DateInput(), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)


class PurchaseImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Header row: opd, tanggal, jumlah, jenis, nib, penyedia, uraian, koperasi, pdn. "
            "One purchase per row; the whole file is refused if any row is wrong."
        ),
    )
