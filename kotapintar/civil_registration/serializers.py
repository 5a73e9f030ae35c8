"""Serializers of the civil registration API (``api.py``): output shapes and input checks.

Input serializers only check the *shape* of a request; every rule (NIK/KK, names, event dates,
form fields, uploads, delivery) is enforced by the services, which raise field-level errors that
the API's error handler turns into the project's error shape. Output never carries a document
fee (documents are free by law): the only amounts are the Pos delivery fee and a late fine.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kotapintar.civil_registration.models import (
    Application,
    ApplicationDocument,
    DeliveryMethod,
    DocumentService,
    Relationship,
    Requirement,
    Status,
)
from kotapintar.civil_registration.selectors import OfficerView, mask_name
from kotapintar.core.sla import SlaState, sla_state

# --- Services (public) ---------------------------------------------------------------------------


class ServiceRequirementSerializer(serializers.Serializer):
    code = serializers.CharField()
    # Named like attributes of DRF's Field, hence the ignores.
    label = serializers.CharField()  # type: ignore[assignment]
    help = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]
    needs_upload = serializers.BooleanField()
    substitute_for = serializers.SerializerMethodField(
        help_text="Code of the requirement this one may replace (e.g. the SPTJM), or null."
    )
    substitute_consequence = serializers.CharField()

    def get_substitute_for(self, obj: Requirement) -> str | None:
        substitute = obj.substitute_for
        return substitute.code if substitute is not None else None


class DocumentServiceListSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    group = serializers.CharField()
    description = serializers.CharField()
    event_kind = serializers.CharField()
    sla_working_days = serializers.IntegerField(help_text="Service time standard.")
    requires_biometric_recording = serializers.BooleanField()
    free_of_charge = serializers.SerializerMethodField(
        help_text="Always true: population documents are free (UU 24/2013 Art. 79A)."
    )

    def get_free_of_charge(self, obj: DocumentService) -> bool:
        return True


class DocumentServiceDetailSerializer(DocumentServiceListSerializer):
    steps = serializers.CharField()
    legal_deadline_days = serializers.IntegerField(allow_null=True)
    late_fine_rupiah = serializers.IntegerField(
        allow_null=True, help_text="Fine for a late registration (integer rupiah), if any."
    )
    subject_has_nik = serializers.BooleanField()
    form_fields = serializers.JSONField()
    offline_alternative = serializers.CharField()
    requirements = serializers.SerializerMethodField()

    @extend_schema_field(ServiceRequirementSerializer(many=True))
    def get_requirements(self, obj: DocumentService) -> list[dict[str, Any]]:
        requirements = sorted(obj.requirements.all(), key=lambda r: (r.order, r.pk))
        by_id = {r.pk: r for r in requirements}
        for r in requirements:  # the substitute's target is in the same (prefetched) list
            if r.substitute_for_id is not None and r.substitute_for_id in by_id:
                r.substitute_for = by_id[r.substitute_for_id]
        return list(ServiceRequirementSerializer(requirements, many=True).data)


# --- Applications (citizen) --------------------------------------------------------------------


class CivilRegistrationRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ApplicationSlaSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField(allow_null=True)
    is_overdue = serializers.BooleanField()
    is_paused = serializers.BooleanField(help_text="Paused while waiting for the citizen.")
    remaining_working_days = serializers.IntegerField()


class ApplicationListSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    service = CivilRegistrationRefSerializer()
    status = serializers.CharField()
    status_label = serializers.SerializerMethodField()
    round = serializers.IntegerField()
    subject_name = serializers.CharField()
    relationship = serializers.CharField()
    delivery_method = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_status_label(self, obj: Application) -> str:
        return str(Status(obj.status).label)


class ApplicationEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    message = serializers.CharField()
    round = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class ApplicationDocumentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    requirement = serializers.CharField(source="requirement.code")
    requirement_label = serializers.CharField(source="requirement.label")
    round = serializers.IntegerField()
    status = serializers.CharField()
    rejection_reason = serializers.SerializerMethodField()
    rejection_note = serializers.CharField()
    is_superseded = serializers.BooleanField()
    file_name = serializers.CharField(source="file.download_name")
    file_size = serializers.IntegerField(source="file.size")

    def get_rejection_reason(self, obj: ApplicationDocument) -> str | None:
        reason = obj.rejection_reason
        return reason.label if reason is not None else None


class ApplicationDetailSerializer(ApplicationListSerializer):
    """The citizen's own application (their own data: NIK masked all the same)."""

    subject_nik = serializers.SerializerMethodField(help_text="Masked: 1271********0001.")
    event_date = serializers.DateField(allow_null=True)
    is_late = serializers.BooleanField()
    fine_rupiah = serializers.IntegerField(help_text="Late registration fine (integer rupiah).")
    fine_status = serializers.CharField()
    delivery_fee_rupiah = serializers.IntegerField(help_text="Pos delivery fee (integer rupiah).")
    delivery_payment_status = serializers.CharField()
    tracking_number = serializers.CharField()
    return_note = serializers.CharField(help_text="What to correct (when returned).")
    rejection_reason = serializers.SerializerMethodField()
    rejection_note = serializers.CharField()
    siak_document_number = serializers.CharField()
    unit = CivilRegistrationRefSerializer()
    sla = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    def get_subject_nik(self, obj: Application) -> str:
        from kotapintar.core.personal_data import mask_identity_number

        return mask_identity_number(obj.subject_nik) if obj.subject_nik else ""

    def get_rejection_reason(self, obj: Application) -> str | None:
        reason = obj.rejection_reason
        return reason.label if reason is not None else None

    @extend_schema_field(ApplicationSlaSerializer)
    def get_sla(self, obj: Application) -> dict[str, Any]:
        return _sla(sla_state(obj, now=timezone.now()))

    @extend_schema_field(ApplicationEventSerializer(many=True))
    def get_timeline(self, obj: Application) -> list[dict[str, Any]]:
        return list(ApplicationEventSerializer(self.context.get("timeline", []), many=True).data)

    @extend_schema_field(ApplicationDocumentSerializer(many=True))
    def get_documents(self, obj: Application) -> list[dict[str, Any]]:
        return list(
            ApplicationDocumentSerializer(self.context.get("documents", []), many=True).data
        )


def _sla(state: SlaState) -> dict[str, Any]:
    return {
        "due_at": serializers.DateTimeField().to_representation(state.due_at)
        if state.due_at
        else None,
        "is_overdue": state.is_overdue,
        "is_paused": state.is_paused,
        "remaining_working_days": state.remaining_working_days,
    }


class FormDataField(serializers.JSONField):
    """An object; in a multipart request a JSON text."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else {}
            except ValueError:
                raise serializers.ValidationError(
                    _("Send the form answers as a JSON object."), code="invalid"
                ) from None
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                _("Send the form answers as a JSON object."), code="invalid"
            )
        return data


class ApplicationSubmitSerializer(serializers.Serializer):
    """Multipart: files go in fields named ``documents.<requirement code>``."""

    service = serializers.SlugField(help_text="Service code, e.g. akta-kelahiran.")
    subject_name = serializers.CharField(trim_whitespace=False, allow_blank=True)
    relationship = serializers.ChoiceField(choices=Relationship.choices, default=Relationship.SELF)
    subject_nik = serializers.CharField(required=False, allow_blank=True, default="")
    subject_has_no_nik = serializers.BooleanField(required=False, default=False)
    subject_kk = serializers.CharField(required=False, allow_blank=True, default="")
    event_date = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="YYYY-MM-DD (civil events)."
    )
    form_data = FormDataField(required=False, default=dict)
    delivery_method = serializers.ChoiceField(
        choices=DeliveryMethod.choices, default=DeliveryMethod.PICKUP
    )
    delivery_village = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Kelurahan code (Pos)."
    )
    delivery_address = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False
    )
    district = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Kecamatan code of the desk to handle it; empty: the Disdukcapil office.",
    )
    biometric_recorded_declared = serializers.BooleanField(required=False, default=False)
    truth_declared = serializers.BooleanField(required=False, default=False)
    idempotency_key = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Or the Idempotency-Key header: the same key again returns the first one.",
    )


class ApplicationResubmitSerializer(serializers.Serializer):
    """Multipart: replacement files in ``documents.<requirement code>``."""

    subject_name = serializers.CharField(required=False, trim_whitespace=False)
    form_data = FormDataField(required=False)


class ApplicationQueueItemSerializer(serializers.Serializer):
    """A queue row: never personal data (the name is masked, no NIK)."""

    id = serializers.UUIDField()
    reference = serializers.CharField()
    service = CivilRegistrationRefSerializer()
    unit = CivilRegistrationRefSerializer()
    status = serializers.CharField()
    round = serializers.IntegerField()
    subject_name = serializers.SerializerMethodField(help_text="Masked: S*** B*******.")
    assigned_officer = serializers.SerializerMethodField()
    is_late = serializers.BooleanField()
    possible_duplicate = serializers.BooleanField()
    delivery_method = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(source="sla_due_at", allow_null=True)

    def get_subject_name(self, obj: Application) -> str:
        return mask_name(obj.subject_name)

    def get_assigned_officer(self, obj: Application) -> str | None:
        officer = obj.assigned_officer
        return officer.full_name if officer is not None else None


class ApplicationCaseSerializer(serializers.Serializer):
    """The officer's case page: unmasked only for the assigned officer (audited)."""

    personal_data_visible = serializers.BooleanField()
    subject_name = serializers.CharField()
    subject_nik = serializers.CharField()
    subject_kk = serializers.CharField()
    form_data = serializers.JSONField()
    delivery_address = serializers.CharField()
    nik_warnings = serializers.JSONField()
    application = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    @extend_schema_field(ApplicationQueueItemSerializer)
    def get_application(self, obj: OfficerView) -> dict[str, Any]:
        return dict(ApplicationQueueItemSerializer(obj.application).data)

    @extend_schema_field(ApplicationDocumentSerializer(many=True))
    def get_documents(self, obj: OfficerView) -> list[dict[str, Any]]:
        return list(ApplicationDocumentSerializer(obj.documents, many=True).data)

    @extend_schema_field(ApplicationEventSerializer(many=True))
    def get_timeline(self, obj: OfficerView) -> list[dict[str, Any]]:
        return list(ApplicationEventSerializer(self.context.get("timeline", []), many=True).data)


class ApplicationDocumentVerifySerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    reason = serializers.SlugField(
        required=False, allow_blank=True, default="", help_text="Rejection reason code."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class QueueFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    service = serializers.SlugField(required=False)
    overdue = serializers.BooleanField(required=False, default=False)
    mine = serializers.BooleanField(required=False, default=False)
    unassigned = serializers.BooleanField(required=False, default=False)
