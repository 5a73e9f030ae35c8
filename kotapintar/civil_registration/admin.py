"""Admin: the module's configuration (services, requirements, reasons, policy) is editable here.

Applications are read-only and show no personal data: their status changes only through the
services, and officers read them through the audited officer views.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kotapintar.civil_registration.models import (
    Application,
    CivilRegistrationPolicy,
    DocumentService,
    RejectionReason,
    Requirement,
)
from kotapintar.civil_registration.rules import validate_form_fields_definition


@admin.register(CivilRegistrationPolicy)
class CivilRegistrationPolicyAdmin(admin.ModelAdmin[CivilRegistrationPolicy]):
    """One row: no second one, never deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not CivilRegistrationPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RequirementInline(admin.TabularInline[Requirement, DocumentService]):
    model = Requirement
    extra = 0
    fk_name = "service"
    fields = [
        "code",
        "label",
        "help",
        "required",
        "needs_upload",
        "substitute_for",
        "substitute_consequence",
        "order",
    ]


class DocumentServiceForm(forms.ModelForm[DocumentService]):
    class Meta:
        model = DocumentService
        fields = [
            "code",
            "name",
            "group",
            "description",
            "steps",
            "event_kind",
            "legal_deadline_days",
            "late_fine_rupiah",
            "sla_working_days",
            "requires_biometric_recording",
            "subject_has_nik",
            "form_fields",
            "offline_alternative",
            "is_active",
            "order",
        ]

    def clean_form_fields(self) -> Any:
        value = self.cleaned_data["form_fields"]
        try:
            return validate_form_fields_definition(value)
        except ValueError as exc:
            raise forms.ValidationError(
                _("The form fields are not valid: %(error)s"), params={"error": str(exc)}
            ) from exc


@admin.register(DocumentService)
class DocumentServiceAdmin(admin.ModelAdmin[DocumentService]):
    form = DocumentServiceForm
    list_display = [
        "name",
        "code",
        "group",
        "event_kind",
        "legal_deadline_days",
        "late_fine_rupiah",
        "sla_working_days",
        "is_active",
        "order",
    ]
    list_filter = ["group", "event_kind", "is_active"]
    search_fields = ["code", "name"]
    inlines = [RequirementInline]


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin[RejectionReason]):
    list_display = ["label", "code", "requires_note", "is_suspected_forgery", "is_active", "order"]
    list_filter = ["is_active", "is_suspected_forgery"]


_APPLICATION_FIELDS = [
    "reference",
    "service",
    "status",
    "round",
    "unit",
    "assigned_officer",
    "is_late",
    "fine_rupiah",
    "fine_status",
    "delivery_method",
    "delivery_payment_status",
    "siak_document_number",
    "submitted_at",
    "completed_at",
]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin[Application]):
    """Read-only overview without personal data."""

    list_display = ["reference", "service", "status", "unit", "round", "submitted_at"]
    list_filter = ["status", "service", "delivery_method", "is_late", "possible_duplicate"]
    search_fields = ["reference"]
    fields = tuple(_APPLICATION_FIELDS)
    readonly_fields = _APPLICATION_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
