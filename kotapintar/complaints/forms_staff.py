"""Forms of the officers' workspace: queue/export/dashboard filters and one form per action.

Forms only parse input; the rules (who may do what, required reasons, after photos) live in
``complaints.services``, whose ``ValidationError`` messages are shown on the form.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kotapintar.accounts.models import User
from kotapintar.accounts.roles import Role
from kotapintar.agencies.models import Agency
from kotapintar.complaints import selectors
from kotapintar.complaints.models import (
    OPEN_STATUSES,
    Category,
    Complaint,
    ComplaintPhoto,
    Privacy,
    RejectionReason,
    ResponseTemplate,
    Status,
)
from kotapintar.complaints.widgets import (
    FastDateInput,
    FastLabelsMixin,
    FastSelect,
    FastTextarea,
    FastTextInput,
)
from kotapintar.regions.models import District
from kotapintar.regions.selectors import city_districts

WIB = ZoneInfo("Asia/Jakarta")

#: Longest free-text an officer may type in one action (a note, a reason, a response).
TEXT_MAX = 4000
REASON_MAX = 300


def _model_field(form: forms.Form, name: str) -> forms.ModelChoiceField[Any]:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


def _options_from(field: forms.ModelChoiceField[Any], objects: Iterable[Any]) -> None:
    """Render the field's options from ``objects`` (memoised lists) instead of querying its
    queryset on every page; the queryset still validates the submitted value. The options are
    the ones ``ModelChoiceIterator`` would give for the same objects."""
    choices: list[tuple[Any, Any]] = [] if field.empty_label is None else [("", field.empty_label)]
    choices += [(field.prepare_value(obj), field.label_from_instance(obj)) for obj in objects]
    field.widget.choices = choices


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


# --- Filters -----------------------------------------------------------------------------------


class QueueTab:
    TRIAGE = "triage"  # coordinator: received and verified reports awaiting a decision
    VALIDATION = "validasi"  # coordinator: resolved reports awaiting closing
    MINE = "saya"  # officer: assigned to me
    UNASSIGNED = "belum"  # officer: nobody assigned yet
    ALL = "semua"


#: Tabs of open work, ordered by urgency; the others list everything, newest first (an order
#: the database serves from an index, also over hundreds of thousands of reports).
WORK_TABS = frozenset({QueueTab.TRIAGE, QueueTab.VALIDATION, QueueTab.MINE, QueueTab.UNASSIGNED})

STATUS_OPEN = "open"


class ComplaintFilterForm(FastLabelsMixin, forms.Form):
    """Filters shared by the queue and the export (so that both list the same reports)."""

    status = forms.ChoiceField(label=_("Status"), required=False, widget=FastSelect)
    category = forms.ModelChoiceField(
        widget=FastSelect,
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("All categories"),
    )
    kecamatan = forms.ModelChoiceField(
        widget=FastSelect,
        label=_("Kecamatan"),
        queryset=District.objects.none(),
        required=False,
        empty_label=_("All kecamatan"),
    )
    agency = forms.ModelChoiceField(
        widget=FastSelect,
        label=_("Agency"),
        queryset=Agency.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("All agencies"),
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    date_from = forms.DateField(
        label=_("Submitted from"), required=False, widget=FastDateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Submitted until"), required=False, widget=FastDateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        widget=FastSelect,
        label=_("Sort by"),
        required=False,
        choices=[
            ("due", _("Due date (emergency and overdue first)")),
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
        ],
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "status").choices = [
            ("", _("All statuses")),
            (STATUS_OPEN, _("Open (not yet resolved)")),
            *Status.choices,
        ]
        _model_field(self, "category").queryset = Category.objects.select_related("group").order_by(
            "group__order", "order", "name"
        )
        _options_from(_model_field(self, "category"), selectors.categories_for_filters())
        _model_field(self, "kecamatan").queryset = city_districts()
        _options_from(_model_field(self, "kecamatan"), selectors.city_places().districts)
        if actor.role in (Role.COORDINATOR, Role.CITY_ADMIN, Role.ANALYST):
            _model_field(self, "agency").queryset = Agency.objects.filter(is_active=True).order_by(
                "name"
            )
            _options_from(_model_field(self, "agency"), selectors.agencies_active_list())
        else:
            # Agency staff see their own agency's reports only; the filter would be noise.
            del self.fields["agency"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(
                _("The start date must not be after the end date."), code="date_range"
            )
        return data

    def apply(self, qs: QuerySet[Complaint], *, now: datetime) -> QuerySet[Complaint]:
        """``qs`` narrowed by the valid filters (invalid input filters nothing)."""
        from kotapintar.core.sla import overdue_q

        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status")
        if status == STATUS_OPEN:
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif status:
            qs = qs.filter(status=status)
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        if data.get("kecamatan"):
            qs = qs.filter(district=data["kecamatan"])
        if data.get("agency"):
            qs = qs.filter(agency=data["agency"])
        if data.get("overdue"):
            qs = qs.filter(overdue_q(now))
        if data.get("date_from"):
            qs = qs.filter(submitted_at__gte=wib_day_start(data["date_from"]))
        if data.get("date_to"):
            qs = qs.filter(submitted_at__lt=wib_day_start(data["date_to"] + timedelta(days=1)))
        return qs


class QueueForm(ComplaintFilterForm):
    tab = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        _choice_field(self, "tab").choices = [(tab, label) for tab, label in queue_tabs(actor)]

    def selected_tab(self, actor: User) -> str:
        tabs = [tab for tab, _label in queue_tabs(actor)]
        tab = self.cleaned_data.get("tab") if self.is_valid() else ""
        return tab if tab in tabs else tabs[0]


def queue_tabs(actor: User) -> list[tuple[str, Any]]:
    """The tabs of the queue for ``actor``; the first is the default."""
    if actor.role in (Role.COORDINATOR, Role.CITY_ADMIN):
        return [
            (QueueTab.TRIAGE, _("Triage")),
            (QueueTab.VALIDATION, _("Awaiting closing")),
            (QueueTab.ALL, _("All reports")),
        ]
    if actor.role in (Role.OFFICER, Role.AGENCY_HEAD):
        return [
            (QueueTab.ALL, _("All of my agency")),
            (QueueTab.MINE, _("Assigned to me")),
            (QueueTab.UNASSIGNED, _("Unassigned")),
        ]
    return [(QueueTab.ALL, _("All reports"))]


def apply_tab(qs: QuerySet[Complaint], *, tab: str, actor: User) -> QuerySet[Complaint]:
    if tab == QueueTab.TRIAGE:
        return qs.filter(status__in=[Status.RECEIVED, Status.VERIFIED])
    if tab == QueueTab.VALIDATION:
        return qs.filter(status=Status.RESOLVED)
    if tab == QueueTab.MINE:
        return qs.filter(assigned_to=actor, status__in=OPEN_STATUSES)
    if tab == QueueTab.UNASSIGNED:
        return qs.filter(assigned_to__isnull=True, status__in=OPEN_STATUSES)
    return qs


def active_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).order_by("name")


def wib_day_start(day: date) -> datetime:
    """Midnight of ``day`` in Asia/Jakarta (dates typed by officers are local dates)."""
    return datetime.combine(day, time.min, tzinfo=WIB)


class DashboardForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("Whole city"),
    )
    date_from = forms.DateField(
        label=_("Submitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Submitted until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        if dashboard_chooses_agency(actor):
            _model_field(self, "agency").queryset = Agency.objects.filter(is_active=True).order_by(
                "name"
            )
        else:
            del self.fields["agency"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(
                _("The start date must not be after the end date."), code="date_range"
            )
        return data

    def selected_agency(self) -> Agency | None:
        if not dashboard_chooses_agency(self.actor):
            return self.actor.agency
        return self.cleaned_data.get("agency") if self.is_valid() else None


def dashboard_chooses_agency(actor: User) -> bool:
    """Coordinators, analysts and city admins pick an agency or the whole city."""
    return actor.role in (Role.COORDINATOR, Role.ANALYST, Role.CITY_ADMIN)


# --- Actions -----------------------------------------------------------------------------------


def _text(label: Any, *, required: bool = True, max_length: int = TEXT_MAX) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        strip=True,
        widget=FastTextarea(attrs={"rows": 3}),
    )


def _reason(required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=_("Reason"), required=required, max_length=REASON_MAX, widget=FastTextInput
    )


class EmptyActionForm(FastLabelsMixin, forms.Form):
    """Actions without input (verify, close)."""

    def __init__(self, *args: Any, complaint: Complaint, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.complaint = complaint
        self.actor = actor


class RejectForm(EmptyActionForm):
    reason = forms.ChoiceField(
        label=_("Reason"), choices=RejectionReason.choices, widget=FastSelect
    )
    # The service requires it for "not our authority" (where to go instead) and "unclear".
    note = _text(_("Explanation for the citizen"), required=False)
    duplicate_of = forms.CharField(
        label=_("Original report (reference number)"),
        required=False,
        max_length=20,
        widget=FastTextInput,
        help_text=_("Only for duplicates, e.g. ADU-7K3M-Q9XA."),
    )

    def clean_duplicate_of(self) -> Complaint | None:
        from kotapintar.complaints.selectors import complaint_get_for_actor

        reference = self.cleaned_data["duplicate_of"].strip().upper()
        if not reference:
            return None
        from django.http import Http404

        try:
            original = complaint_get_for_actor(actor=self.actor, reference=reference)
        except Http404:
            raise forms.ValidationError(
                _("No report with this reference number."), code="unknown_reference"
            ) from None
        if original.pk == self.complaint.pk:
            raise forms.ValidationError(
                _("A report cannot be a duplicate of itself."), code="self_duplicate"
            )
        return original


class AgencyChoiceForm(EmptyActionForm):
    agency = forms.ModelChoiceField(
        widget=FastSelect,
        label=_("Agency"),
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        to_field_name="code",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Options from the memoised list (a report page shows this form for every report).
        _options_from(_model_field(self, "agency"), selectors.agencies_active_list())


class DisposeForm(AgencyChoiceForm):
    note = _text(_("Note for the agency"), required=False)

    def __init__(self, *args: Any, routed_agency: Agency | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if routed_agency is not None:
            self.fields["agency"].initial = routed_agency.code


class TransferForm(AgencyChoiceForm):
    reason = _text(_("Reason"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.complaint.agency_id is not None:
            field = _model_field(self, "agency")
            field.queryset = Agency.objects.filter(is_active=True).exclude(
                pk=self.complaint.agency_id
            )
            _options_from(
                field,
                [a for a in selectors.agencies_active_list() if a.pk != self.complaint.agency_id],
            )


class ReasonForm(EmptyActionForm):
    """Return "bukan wewenang", reject a resolution."""

    reason = _text(_("Reason"))


class OfficerChoiceField(forms.ModelChoiceField[User]):
    widget = FastSelect

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.get_short_name())


class AssignForm(EmptyActionForm):
    officer = OfficerChoiceField(label=_("Officer"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_field(self, "officer").queryset = User.objects.filter(
            agency=self.complaint.agency,
            role__in=[Role.OFFICER, Role.AGENCY_HEAD],
            is_active=True,
        ).order_by("full_name")


class StartForm(EmptyActionForm):
    message = _text(_("First response to the citizen (optional)"), required=False)


class UpdateForm(EmptyActionForm):
    template = forms.ModelChoiceField(
        widget=FastSelect,
        label=_("Response template"),
        queryset=ResponseTemplate.objects.none(),
        required=False,
        empty_label=_("No template"),
        help_text=_("Used when the message is left empty."),
    )
    message = _text(_("Public update"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = _model_field(self, "template")
        field.queryset = response_templates_for(self.complaint)
        #: The templates offered, read once: the options and the page's template texts.
        self.templates: list[ResponseTemplate] = list(field.queryset)
        _options_from(field, self.templates)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        template = data.get("template")
        # Without JavaScript, picking a template and leaving the text empty sends the template.
        if not data.get("message") and template is not None:
            data["message"] = template.body
        if not data.get("message"):
            self.add_error("message", forms.ValidationError(_("Write a message."), "required"))
        return data


def response_templates_for(complaint: Complaint) -> QuerySet[ResponseTemplate]:
    return ResponseTemplate.objects.filter(
        Q(agency__isnull=True) | Q(agency_id=complaint.agency_id), is_active=True
    ).order_by("title")


class RequestInfoForm(EmptyActionForm):
    question = _text(_("Question for the citizen"))


class NoteForm(EmptyActionForm):
    text = _text(_("Internal note (never shown to the citizen)"))


class ResolveForm(EmptyActionForm):
    response = _text(_("Response to the citizen"))
    after_photo = forms.FileField(label=_("After photo"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["after_photo"].widget.attrs["accept"] = "image/jpeg,image/png"
        # The service enforces it too; marking it here tells the officer before submitting.
        self.fields["after_photo"].required = self.complaint.category.requires_after_photo


class HideForm(EmptyActionForm):
    reason = _reason()


class RedactForm(EmptyActionForm):
    field = forms.ChoiceField(
        label=_("Field"),
        choices=[("title", _("Title")), ("description", _("Description"))],
        widget=FastSelect,
    )
    new_text = _text(_("New text"))
    reason = _reason()


class PhotoRedactForm(EmptyActionForm):
    photo = forms.ModelChoiceField(
        widget=FastSelect, label=_("Photo"), queryset=ComplaintPhoto.objects.none()
    )
    reason = _reason()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = _model_field(self, "photo")
        field.queryset = self.complaint.photos.filter(is_redacted=False)
        #: The photos that can be removed, read once (the page hides the form without any).
        self.photos: list[ComplaintPhoto] = list(field.queryset)
        _options_from(field, self.photos)


class PrivacyForm(EmptyActionForm):
    privacy = forms.ChoiceField(label=_("Privacy"), choices=Privacy.choices, widget=FastSelect)
    # Required by the service when the report becomes less private.
    reason = _reason(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["privacy"].initial = self.complaint.privacy


class BanForm(EmptyActionForm):
    reason = _reason()
