"""Forms of the officers' workspace: queue and dashboard filters, one small form per action.

Forms only parse input; the rules (who may act, required reasons, upload checks, approval
blockers) live in ``civil_registration.services``, whose messages are shown on the form.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kotapintar.accounts.models import User
from kotapintar.agencies.models import ServiceUnit
from kotapintar.civil_registration.models import (
    Application,
    ApplicationDocument,
    DocumentService,
    RejectionReason,
    Status,
)
from kotapintar.civil_registration.selectors import rejection_reasons_active
from kotapintar.civil_registration.selectors_staff import assignable_officers

TEXT_MAX = 2000
SHORT_MAX = 60
STATUS_OPEN = "open"
STATUS_ALL = "all"


def _textarea(label: Any, *, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- Filters -------------------------------------------------------------------------------------


class QueueForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=DocumentService.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("All services"),
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    unassigned = forms.BooleanField(label=_("Not assigned yet"), required=False)
    late = forms.BooleanField(label=_("Late registrations"), required=False)
    possible_duplicate = forms.BooleanField(label=_("Possible duplicates"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [
            (STATUS_OPEN, _("Open (being handled)")),
            (STATUS_ALL, _("All statuses")),
            *Status.choices,
        ]

    def statuses(self) -> str | list[str] | None:
        value = (self.cleaned_data.get("status") if self.is_bound else "") or STATUS_OPEN
        if value == STATUS_ALL:
            return None
        if value == STATUS_OPEN:
            return [
                Status.SUBMITTED,
                Status.IN_VERIFICATION,
                Status.RETURNED,
                Status.APPROVED,
                Status.IN_PROCESS,
                Status.READY,
            ]
        return str(value)


class DashboardForm(forms.Form):
    date_from = forms.DateField(
        label=_("Submitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Submitted until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=ServiceUnit.objects.none(),
        required=False,
        empty_label=_("All units"),
    )

    def __init__(self, *args: Any, agency_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = ServiceUnit.objects.filter(is_active=True)
        if agency_id is not None:
            units = units.filter(agency_id=agency_id)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = units.order_by("name")
        unit.label_from_instance = lambda obj: obj.name  # type: ignore[method-assign]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: date | None = data.get("date_from")
        end: date | None = data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return data


# --- Actions -------------------------------------------------------------------------------------


class EmptyActionForm(forms.Form):
    """Actions without input (claim, mark ready, complete)."""

    def __init__(self, *args: Any, application: Application, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.application = application
        self.actor = actor


class AssignForm(EmptyActionForm):
    officer = forms.ModelChoiceField(label=_("Officer"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        officer = self.fields["officer"]
        assert isinstance(officer, forms.ModelChoiceField)
        officer.queryset = assignable_officers(application=self.application)
        officer.label_from_instance = lambda obj: obj.full_name or obj.email  # type: ignore[method-assign]


class VerifyDocumentForm(EmptyActionForm):
    document = forms.ModelChoiceField(
        label=_("Document"), queryset=ApplicationDocument.objects.none(), widget=forms.HiddenInput
    )
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[("valid", _("Valid")), ("invalid", _("Not valid"))],
        widget=forms.RadioSelect,
    )
    reason = forms.ModelChoiceField(
        label=_("Reason"),
        queryset=RejectionReason.objects.none(),
        required=False,
        empty_label=_("Choose a reason (if not valid)"),
    )
    note = _textarea(
        _("Explanation"),
        required=False,
        help_text=_("Needed for 'diduga palsu' and some other reasons."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        document = self.fields["document"]
        assert isinstance(document, forms.ModelChoiceField)
        document.queryset = ApplicationDocument.objects.filter(
            application=self.application, is_superseded=False
        )
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ModelChoiceField)
        reason.queryset = rejection_reasons_active()

    @property
    def is_valid_result(self) -> bool:
        return self.cleaned_data["result"] == "valid"


class DuplicateDecisionForm(EmptyActionForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("not_duplicate", _("Not a duplicate (e.g. twins)")),
            ("duplicate", _("Duplicate")),
        ],
        widget=forms.RadioSelect,
    )
    note = _textarea(_("Reason for the decision"))


class LateDecisionForm(EmptyActionForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve the late registration")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    waive_fine = forms.BooleanField(label=_("Waive the fine"), required=False)
    note = _textarea(_("Note"), required=False, help_text=_("Required when refusing."))


class PaymentForm(EmptyActionForm):
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=SHORT_MAX)


class ReturnForm(EmptyActionForm):
    note = _textarea(
        _("Message to the citizen"),
        required=False,
        help_text=_("The documents marked not valid are listed automatically."),
    )


class ApproveForm(EmptyActionForm):
    biometrics_checked = forms.BooleanField(
        label=_("Biometrics were recorded (checked in SIAK)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.application.service.requires_biometric_recording:
            del self.fields["biometrics_checked"]


class RejectForm(EmptyActionForm):
    reason = forms.ModelChoiceField(label=_("Reason"), queryset=RejectionReason.objects.none())
    note = _textarea(_("Explanation for the citizen"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ModelChoiceField)
        reason.queryset = rejection_reasons_active()


class DocumentNumberForm(EmptyActionForm):
    document_number = forms.CharField(label=_("Document number (SIAK)"), max_length=SHORT_MAX)


class SignedDocumentForm(EmptyActionForm):
    signed_file = forms.FileField(
        label=_("Signed PDF (TTE)"), help_text=_("PDF only, as signed in SIAK.")
    )


class TrackingForm(EmptyActionForm):
    tracking_number = forms.CharField(label=_("Pos tracking number"), max_length=SHORT_MAX)
