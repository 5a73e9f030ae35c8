"""Writes of the civil registration module: seeding, submission and every workflow step.

Every service is keyword-only and atomic. A workflow step locks the row, checks
``workflow.TRANSITIONS`` and ``workflow.ACTION_ROLES`` plus the officer's unit, changes the row,
writes a timeline event and an audit entry, and notifies the citizen (in-app now, e-mail/SMS
after commit). Bad input raises ``ValidationError`` (field-level, Indonesian by default, never
echoing a NIK); an actor who may not act raises ``PermissionDenied``; a refused call changes
nothing (no row, no event, no audit, no notification).

Documents are free of charge (UU 24/2013 Art. 79A): the only money here is the optional Pos
delivery fee and a late-registration fine.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotapintar.accounts.models import User
from kotapintar.agencies.models import ServiceUnit
from kotapintar.agencies.selectors import civil_registry_agency, civil_registry_desk_for
from kotapintar.agencies.services import HEAD_OFFICE_UNIT_CODE
from kotapintar.civil_registration import rules, workflow
from kotapintar.civil_registration.models import (
    OPEN_STATUSES,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationEventKind,
    CivilRegistrationPolicy,
    DeliveryMethod,
    DocumentService,
    DocumentStatus,
    DuplicateDecision,
    EventKind,
    FineStatus,
    LateDecision,
    PaymentStatus,
    RejectionReason,
    Relationship,
    Requirement,
    SelfPrintAccess,
    Status,
)
from kotapintar.civil_registration.selectors import (
    civil_registration_policy,
    is_case_officer,
    module_roles_of,
    officer_in_scope,
)
from kotapintar.core.audit import audit_record
from kotapintar.core.models.files import StoredFile
from kotapintar.core.notifications import notify
from kotapintar.core.reference_numbers import create_with_reference
from kotapintar.core.seed import seed_row
from kotapintar.core.sla import sla_pause, sla_resume, sla_start, sla_stop
from kotapintar.core.uploads import IMAGE, PDF, store_upload, validate_upload
from kotapintar.regions.models import Village

SERVICES_FILE = Path(__file__).resolve().parent / "data" / "services.json"
REFERENCE_PREFIX = "DKP"
IDEMPOTENCY_KEY_MAX_LENGTH = 80
NOTE_MAX_LENGTH = 2000
DOCUMENT_KINDS = frozenset({IMAGE, PDF})
PIN_LENGTH = 6
NOTIFICATION_KIND = "civil_registration.status"


# --- Seed data ----------------------------------------------------------------------------------


@dataclass
class SeedResult:
    services: int = 0
    requirements: int = 0
    reasons: int = 0


@transaction.atomic
def civil_registration_seed_load(
    *, path: Path = SERVICES_FILE, update_existing: bool = False
) -> SeedResult:
    """Create the services, requirements, rejection reasons and the policy of the JSON file.

    Rows are matched by code. Rows that exist keep what the administrators changed unless
    ``update_existing`` (the command's ``--update``); rows not in the file are left alone (an
    administrator may have added them). Running it twice changes nothing the second time.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    result = SeedResult()
    policy = CivilRegistrationPolicy.objects.order_by("pk").first()
    if policy is None or update_existing:
        policy = policy or CivilRegistrationPolicy()
        for key, value in (data.get("policy") or {}).items():
            if not hasattr(CivilRegistrationPolicy, key):
                raise ValueError(f"unknown policy setting: {key}")
            setattr(policy, key, value)
        policy.save()

    for order, item in enumerate(data["services"]):
        rules.validate_form_fields_definition(item.get("form_fields", []))
        service, _created = seed_row(
            DocumentService,
            update_existing=update_existing,
            code=item["code"],
            defaults={
                "name": item["name"],
                "group": item["group"],
                "description": item.get("description", ""),
                "steps": item.get("steps", ""),
                "event_kind": item.get("event_kind", EventKind.NONE),
                "legal_deadline_days": item.get("legal_deadline_days"),
                "late_fine_rupiah": item.get("late_fine_rupiah"),
                "sla_working_days": item.get("sla_working_days", 1),
                "requires_biometric_recording": item.get("requires_biometric_recording", False),
                "subject_has_nik": item.get("subject_has_nik", True),
                "form_fields": item.get("form_fields", []),
                "offline_alternative": item.get("offline_alternative", ""),
                "order": item.get("order", order),
            },
        )
        result.services += 1
        by_code: dict[str, Requirement] = {}
        new_codes: set[str] = set()
        for req_order, req in enumerate(item.get("requirements", [])):
            requirement, created = seed_row(
                Requirement,
                update_existing=update_existing,
                service=service,
                code=req["code"],
                defaults={
                    "label": req["label"],
                    "help": req.get("help", ""),
                    "required": req.get("required", True),
                    "needs_upload": req.get("needs_upload", True),
                    "substitute_consequence": req.get("substitute_consequence", ""),
                    "order": (req_order + 1) * 10,
                },
            )
            by_code[req["code"]] = requirement
            if created:
                new_codes.add(req["code"])
            result.requirements += 1
        for req in item.get("requirements", []):
            if req["code"] not in new_codes and not update_existing:
                continue
            target = req.get("substitute_for")
            requirement = by_code[req["code"]]
            substitute_for = by_code[target] if target else None
            if target and substitute_for is None:
                raise ValueError(f"{service.code}: unknown substitute target {target}")
            if requirement.substitute_for_id != (substitute_for.pk if substitute_for else None):
                requirement.substitute_for = substitute_for
                requirement.save(update_fields=["substitute_for"])

    for order, item in enumerate(data.get("rejection_reasons", [])):
        seed_row(
            RejectionReason,
            update_existing=update_existing,
            code=item["code"],
            defaults={
                "label": item["label"],
                "requires_note": item.get("requires_note", False),
                "is_suspected_forgery": item.get("is_suspected_forgery", False),
                "order": item.get("order", order),
            },
        )
        result.reasons += 1
    return result


# --- Errors -------------------------------------------------------------------------------------


class OpenApplicationExists(ValidationError):
    """A second open application of the same service for the same person (T6)."""

    def __init__(self, application: Application) -> None:
        super().__init__(
            {
                "subject_nik": [
                    ValidationError(
                        _(
                            "There is already an open application %(reference)s of this service "
                            "for this person. Follow that application instead."
                        ),
                        code="open_application_exists",
                        params={"reference": application.reference},
                    )
                ]
            }
        )
        self.application = application


def _field_error(field: str, message: Any, code: str = "invalid", **params: Any) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code, params=params or None)]})


# --- Helpers ------------------------------------------------------------------------------------


def _check_action(action: str, *, actor: User, application: Application) -> str:
    """The status ``action`` leads to, or raise (``ValidationError`` / ``PermissionDenied``)."""
    allowed = workflow.ACTION_ROLES[action]
    if workflow.APPLICANT in allowed:
        if not (
            actor.is_authenticated and actor.is_active and actor.pk == application.applicant_id
        ):
            raise PermissionDenied(_("Only the applicant may do this."))
    else:
        if not is_case_officer(actor) or not (module_roles_of(actor) & allowed):
            raise PermissionDenied(_("Your role may not do this."))
        if not officer_in_scope(actor, application):
            raise PermissionDenied(_("This application belongs to another unit."))
        if action in workflow.ASSIGNED_ONLY and application.assigned_officer_id != actor.pk:
            raise PermissionDenied(
                _("Only the officer the application is assigned to may do this.")
            )
    target = workflow.next_status(application.status, action)
    if target is None:
        raise ValidationError(
            _("This step is not possible while the application is %(status)s."),
            code="invalid_transition",
            params={"status": application.get_status_display()},
        )
    return target


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def _clean_note(value: object, *, field: str = "note", required: bool = False) -> str:
    text = rules.clean_text(value, field_name=field, max_length=NOTE_MAX_LENGTH, multiline=True)
    if required and not text:
        raise _field_error(field, _("Write an explanation."), code="required")
    return text


def _event(
    application: Application,
    *,
    kind: str,
    actor: User | None,
    at: datetime,
    from_status: str = "",
    to_status: str = "",
    message: str = "",
    is_public: bool = True,
) -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        message=message,
        is_public=is_public,
        round=application.round,
        actor=actor,
        created_at=at,
    )


def _audit(
    *,
    actor: User | None,
    action: str,
    application: Application,
    request: HttpRequest | None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    audit_record(
        actor=actor,
        action=f"civil_registration.{action}",
        obj=application,
        before=before,
        after=after,
        request=request,
        summary=f"Application {application.reference}: {action}",
    )


_STATUS_MESSAGES: dict[str, Any] = {
    Status.SUBMITTED: _("Your application %(reference)s has been received."),
    Status.IN_VERIFICATION: _("An officer is checking your application %(reference)s."),
    Status.RETURNED: _(
        "Your application %(reference)s needs corrections. Open it to see what to fix."
    ),
    Status.APPROVED: _("Your application %(reference)s has been approved."),
    Status.IN_PROCESS: _("Your document for %(reference)s is being issued."),
    Status.READY: _("Your document for %(reference)s is ready."),
    Status.COMPLETED: _("Your application %(reference)s is completed."),
    Status.REJECTED: _("Your application %(reference)s was rejected. Open it to see the reason."),
    Status.CANCELLED: _("Your application %(reference)s was cancelled."),
}


def _notify_status(application: Application, extra: Any = "") -> None:
    """Tell the applicant about a public status change (never a NIK, never a document fee)."""
    body = _STATUS_MESSAGES[application.status] % {"reference": application.reference}
    if extra:
        body = f"{body}\n{extra}"
    notify(
        recipient=application.applicant,
        kind=NOTIFICATION_KIND,
        title=_("Application %(reference)s: %(status)s")
        % {"reference": application.reference, "status": application.get_status_display()},
        body=body,
        url=_application_url(application),
    )


def _application_url(application: Application) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("civil_registration:application_detail", args=[application.pk])
    except NoReverseMatch:
        return ""


def _transition(
    application: Application,
    *,
    actor: User,
    to_status: str,
    at: datetime,
    action: str,
    request: HttpRequest | None,
    message: str = "",
    after: dict[str, Any] | None = None,
    fields: list[str],
    notify_extra: Any = "",
) -> Application:
    """Save a status change with its event, audit entry and notification."""
    from_status = application.status
    application.status = to_status
    application.save(update_fields=[*fields, "status", "updated_at"])
    _event(
        application,
        kind=ApplicationEventKind.STATUS,
        actor=actor,
        at=at,
        from_status=from_status,
        to_status=to_status,
        message=message,
    )
    _audit(
        actor=actor,
        action=action,
        application=application,
        request=request,
        before={"status": from_status},
        after={"status": to_status, **(after or {})},
    )
    if from_status != to_status:
        _notify_status(application, notify_extra)
    return application


def _record_step(
    application: Application,
    *,
    actor: User,
    action: str,
    request: HttpRequest | None,
    at: datetime,
    fields: list[str],
    event_kind: str,
    message: str = "",
    is_public: bool = True,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Application:
    """Save a step that keeps the status (assignment, decisions, payments, signed document) with
    its event and audit entry; no notification."""
    application.save(update_fields=[*fields, "updated_at"])
    _event(application, kind=event_kind, actor=actor, at=at, message=message, is_public=is_public)
    _audit(
        actor=actor,
        action=action,
        application=application,
        request=request,
        before=before,
        after=after,
    )
    return application


def _clean_required_line(value: object, *, field: str, missing: Any) -> str:
    """A one-line reference typed by an officer (payment, SIAK or tracking number)."""
    text = rules.clean_text(value, field_name=field, max_length=60, multiline=False)
    if not text:
        raise _field_error(field, missing, "required")
    return text


# --- Submission ---------------------------------------------------------------------------------


def _unit_for(*, unit: ServiceUnit | None, district_code: str | None) -> ServiceUnit:
    agency = civil_registry_agency()
    if agency is None:
        raise ValidationError(_("The civil registration office is not configured."), "no_agency")
    if unit is not None:
        if unit.agency_id != agency.pk or not unit.is_active:
            raise _field_error("unit", _("Choose one of the offered service desks."))
        return unit
    if district_code:
        desk = civil_registry_desk_for(district_code=district_code)
        if desk is not None:
            return desk
    head = ServiceUnit.objects.filter(
        agency=agency, code=HEAD_OFFICE_UNIT_CODE, is_active=True
    ).first()
    if head is None:
        raise ValidationError(_("The civil registration office is not configured."), "no_unit")
    return head


def _clean_delivery(
    *,
    method: str,
    village_code: str | None,
    address: str,
    policy: CivilRegistrationPolicy,
) -> tuple[Village | None, str, int, str]:
    """(village, address, fee, payment status) for the chosen delivery, or ``ValidationError``."""
    if method not in DeliveryMethod.values:
        raise _field_error("delivery_method", _("Choose how you want to receive the document."))
    offered = {
        DeliveryMethod.PICKUP: True,
        DeliveryMethod.KIOSK: policy.kiosk_enabled,
        DeliveryMethod.POS: policy.pos_delivery_enabled,
        DeliveryMethod.SELF_PRINT: policy.self_print_enabled,
    }
    if not offered[DeliveryMethod(method)]:
        raise _field_error("delivery_method", _("This delivery option is not offered."))
    if method != DeliveryMethod.POS:
        return None, "", 0, PaymentStatus.NOT_NEEDED
    village = (
        Village.objects.select_related("district").filter(code=village_code or "").first()
        if village_code
        else None
    )
    if village is None:
        raise _field_error(
            "delivery_village", _("Choose the kecamatan and kelurahan of the delivery address.")
        )
    if village.district.regency_id != settings.KOTAPINTAR_REGION_CODE:
        raise _field_error(
            "delivery_village",
            _("Delivery by Pos is only possible to an address inside the city."),
            code="outside_city",
        )
    clean_address = rules.clean_text(
        address, field_name="delivery_address", max_length=300, multiline=True
    )
    if not clean_address:
        raise _field_error("delivery_address", _("Enter the delivery address."), code="required")
    return village, clean_address, policy.pos_delivery_fee_rupiah, PaymentStatus.UNPAID


def _validate_files(files: Mapping[str, UploadedFile], policy: CivilRegistrationPolicy) -> None:
    total = 0
    for code, uploaded in files.items():
        try:
            validate_upload(
                uploaded, allowed_kinds=DOCUMENT_KINDS, max_bytes=policy.max_upload_bytes
            )
        except ValidationError as exc:
            raise ValidationError({f"documents.{code}": [exc]}) from None
        total += uploaded.size or 0
    if total > policy.max_total_upload_bytes:
        raise _field_error(
            "documents",
            _("The files together are too large: at most %(limit)s MB per application."),
            code="total_too_large",
            limit=policy.max_total_upload_bytes // (1024 * 1024),
        )


def _check_requirements(
    service: DocumentService, codes: set[str], requirements: list[Requirement]
) -> None:
    """Every required upload is present, or one of its substitutes is."""
    known = {r.code for r in requirements}
    unknown = codes - known
    if unknown:
        raise _field_error("documents", _("A file was given for an unknown requirement."))
    errors: dict[str, list[ValidationError]] = {}
    for req in requirements:
        if not req.required or not req.needs_upload or req.substitute_for_id is not None:
            continue
        substitutes = {r.code for r in requirements if r.substitute_for_id == req.pk}
        if req.code not in codes and not (substitutes & codes):
            errors[f"documents.{req.code}"] = [
                ValidationError(_("Upload this document."), code="required")
            ]
    if errors:
        raise ValidationError(errors)


def _store_documents(
    application: Application,
    files: Mapping[str, UploadedFile],
    requirements: dict[str, Requirement],
    *,
    by: User,
) -> list[ApplicationDocument]:
    created = []
    for code, uploaded in files.items():
        uploaded.seek(0)
        stored = store_upload(
            uploaded_file=uploaded,
            uploaded_by=by,
            allowed_kinds=DOCUMENT_KINDS,
            max_bytes=civil_registration_policy().max_upload_bytes,
            # The untouched bytes are kept: a document may later be flagged as a forgery.
            keep_original=True,
        )
        created.append(
            ApplicationDocument.objects.create(
                application=application,
                requirement=requirements[code],
                file=stored,
                round=application.round,
                sha256=stored.original_sha256,
            )
        )
    return created


@transaction.atomic
def application_submit(
    *,
    applicant: User,
    service: DocumentService,
    subject_name: str,
    relationship: str = Relationship.SELF,
    subject_nik: str = "",
    subject_has_no_nik: bool = False,
    subject_kk: str = "",
    event_date: Any = None,
    form_data: Mapping[str, Any] | None = None,
    documents: Mapping[str, UploadedFile] | None = None,
    delivery_method: str = DeliveryMethod.PICKUP,
    delivery_village_code: str | None = None,
    delivery_address: str = "",
    unit: ServiceUnit | None = None,
    district_code: str | None = None,
    biometric_recorded_declared: bool = False,
    truth_declared: bool = False,
    idempotency_key: str = "",
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> Application:
    """Accept a citizen's application or raise ``ValidationError`` having stored nothing.

    The same (applicant, ``idempotency_key``) returns the first application (T5). A second open
    application of the same service for the same NIK raises ``OpenApplicationExists`` carrying
    the open one (T6). ``documents`` maps requirement codes to uploads.
    """
    if not (applicant.is_authenticated and applicant.is_active):
        raise PermissionDenied(_("Log in to apply."))
    key = (idempotency_key or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise ValidationError(_("The submission key is too long."), "invalid_idempotency_key")
    if key:
        existing = Application.objects.filter(applicant=applicant, idempotency_key=key).first()
        if existing is not None:
            return existing

    now = now or timezone.now()
    today = rules.jakarta_date(now)
    policy = civil_registration_policy()
    service = DocumentService.objects.filter(pk=service.pk, is_active=True).first()  # type: ignore[assignment]
    if service is None:
        raise _field_error("service", _("Choose one of the offered services."))
    errors: dict[str, list[ValidationError]] = {}

    def collect(func: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for k, v in exc.error_dict.items():
                    errors.setdefault(k, []).extend(v)
            else:
                errors.setdefault("__all__", []).extend(exc.error_list)
            return None

    if not truth_declared:
        errors["truth_declared"] = [
            ValidationError(_("Confirm that the data you entered is true."), code="required")
        ]
    if service.requires_biometric_recording and not biometric_recorded_declared:
        errors["biometric_recorded_declared"] = [
            ValidationError(
                _(
                    "This document can only be applied for online after your biometrics "
                    "(photo, fingerprints, iris) were recorded at a Disdukcapil office."
                ),
                code="biometrics_required",
            )
        ]
    if relationship not in Relationship.values:
        errors["relationship"] = [ValidationError(_("Choose the relationship."), "invalid")]
    name = collect(rules.clean_person_name, subject_name, field_name="subject_name")
    clean_event = collect(rules.clean_event_date, service, event_date, today=today)
    form = collect(rules.clean_form_data, service, dict(form_data or {}))
    nik = None
    if subject_has_no_nik:
        if service.subject_has_nik:
            errors["subject_nik"] = [ValidationError(_("Enter the NIK."), code="required")]
    else:
        nik = collect(rules.clean_nik, subject_nik, field_name="subject_nik")
    kk = collect(rules.clean_kk, subject_kk, field_name="subject_kk") if subject_kk else None
    delivery = collect(
        _clean_delivery,
        method=delivery_method,
        village_code=delivery_village_code,
        address=delivery_address,
        policy=policy,
    )
    chosen_unit = collect(_unit_for, unit=unit, district_code=district_code)
    files = dict(documents or {})
    requirements = list(service.requirements.all())
    collect(_check_requirements, service, set(files), requirements)
    if not errors:
        collect(_validate_files, files, policy)
    if errors:
        raise ValidationError(errors)
    assert form is not None and delivery is not None and chosen_unit is not None

    warnings: list[dict[str, str]] = []
    if nik is not None:
        warnings.extend(nik.warnings)
        open_one = Application.objects.filter(
            service=service, subject_nik_hash=nik.hash, status__in=OPEN_STATUSES
        ).first()
        if open_one is not None:
            raise OpenApplicationExists(open_one)
    if kk is not None:
        warnings.extend(kk.warnings)
    warnings.extend(form.warnings)
    warnings.extend(rules.parent_birth_warnings(event_date=clean_event, form=form))
    late = rules.lateness(service, event_date=clean_event, today=today)
    village, address, fee, payment = delivery
    mother_hash = form.nik_hashes.get("mother_nik", "")
    key_name = rules.name_key(name)
    duplicate = None
    if service.event_kind == EventKind.BIRTH and mother_hash and clean_event is not None:
        low, high = rules.duplicate_window(clean_event, policy.duplicate_birth_window_days)
        duplicate = (
            Application.objects.filter(
                service__event_kind=EventKind.BIRTH,
                mother_nik_hash=mother_hash,
                subject_name_key=key_name,
                event_date__range=(low, high),
            )
            .exclude(status__in=[Status.CANCELLED])
            .order_by("submitted_at")
            .first()
        )

    def create(reference: str) -> Application:
        application = Application(
            reference=reference,
            service=service,
            applicant=applicant,
            relationship=relationship,
            subject_name=name,
            subject_nik=nik.value if nik else "",
            subject_nik_hash=nik.hash if nik else "",
            subject_has_no_nik=nik is None,
            subject_kk=kk.value if kk else "",
            subject_kk_hash=kk.hash if kk else "",
            mother_nik_hash=mother_hash,
            subject_name_key=key_name,
            event_date=clean_event,
            is_late=late.is_late,
            days_since_event=late.days_since_event,
            fine_rupiah=late.fine_rupiah,
            fine_status=FineStatus.UNPAID if late.fine_rupiah else FineStatus.NONE,
            nik_warnings=warnings,
            biometric_recorded_declared=bool(biometric_recorded_declared),
            truth_declared=True,
            possible_duplicate=duplicate is not None,
            possible_duplicate_of=duplicate,
            status=Status.SUBMITTED,
            unit=chosen_unit,
            delivery_method=delivery_method,
            delivery_village=village,
            delivery_address=address,
            delivery_fee_rupiah=fee,
            delivery_payment_status=payment,
            idempotency_key=key,
            submitted_at=now,
        )
        application.form_data = form.data
        sla_start(application, at=now, working_days=service.sla_working_days)
        application.save()
        return application

    try:
        with transaction.atomic():
            application = create_with_reference(Application, "reference", REFERENCE_PREFIX, create)
    except IntegrityError:
        # A concurrent double submit (same key) or a concurrent open application (same NIK).
        if key:
            existing = Application.objects.filter(applicant=applicant, idempotency_key=key).first()
            if existing is not None:
                return existing
        if nik is not None:
            open_one = Application.objects.filter(
                service=service, subject_nik_hash=nik.hash, status__in=OPEN_STATUSES
            ).first()
            if open_one is not None:
                raise OpenApplicationExists(open_one) from None
        raise
    _store_documents(application, files, {r.code: r for r in requirements}, by=applicant)
    _event(
        application,
        kind=ApplicationEventKind.STATUS,
        actor=applicant,
        at=now,
        to_status=Status.SUBMITTED,
    )
    if application.possible_duplicate:
        _event(
            application,
            kind=ApplicationEventKind.NOTE,
            actor=None,
            at=now,
            message="Kemungkinan ganda: periksa permohonan serupa.",
            is_public=False,
        )
    _audit(
        actor=applicant,
        action="submit",
        application=application,
        request=request,
        after={
            "service": service.code,
            "unit": chosen_unit.code,
            "is_late": late.is_late,
            "possible_duplicate": application.possible_duplicate,
            "delivery_method": delivery_method,
        },
    )
    _notify_status(application)
    return application


# --- Officer steps ------------------------------------------------------------------------------


@transaction.atomic
def application_claim(
    *, actor: User, application: Application, request: HttpRequest | None = None
) -> Application:
    """An officer takes a submitted application to verify it (it is assigned to them).

    A resubmitted application comes back to "diajukan" still assigned to its verifier: that
    officer claims it again ("Lanjutkan verifikasi"); any other officer is refused (a head
    reassigns it with ``application_assign``).
    """
    application = _lock(application)
    target = _check_action("claim", actor=actor, application=application)
    if application.assigned_officer_id not in (None, actor.pk):
        raise PermissionDenied(_("This application is assigned to another officer."))
    now = timezone.now()
    application.assigned_officer = actor
    application.claimed_at = now
    return _transition(
        application,
        actor=actor,
        to_status=target,
        at=now,
        action="claim",
        request=request,
        after={"assigned_officer": actor.pk},
        fields=["assigned_officer", "claimed_at"],
    )


@transaction.atomic
def application_assign(
    *,
    actor: User,
    application: Application,
    officer: User,
    request: HttpRequest | None = None,
) -> Application:
    """A verifier or the head assigns the application to an officer of its unit."""
    application = _lock(application)
    target = _check_action("assign", actor=actor, application=application)
    if not officer_in_scope(officer, application) or not (
        module_roles_of(officer) & {workflow.OPERATOR, workflow.VERIFIER}
    ):
        raise _field_error("officer", _("Choose an officer of this unit."))
    now = timezone.now()
    before = application.assigned_officer_id
    application.assigned_officer = officer
    application.claimed_at = application.claimed_at or now
    if target == application.status:
        return _record_step(
            application,
            actor=actor,
            action="assign",
            request=request,
            at=now,
            fields=["assigned_officer", "claimed_at"],
            event_kind=ApplicationEventKind.ASSIGNED,
            is_public=False,
            before={"assigned_officer": before},
            after={"assigned_officer": officer.pk},
        )
    return _transition(
        application,
        actor=actor,
        to_status=target,
        at=now,
        action="assign",
        request=request,
        after={"assigned_officer": officer.pk},
        fields=["assigned_officer", "claimed_at"],
    )


@transaction.atomic
def document_verify(
    *,
    actor: User,
    document: ApplicationDocument,
    valid: bool,
    reason: RejectionReason | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> ApplicationDocument:
    """Mark a current document valid or invalid (with a standard reason).

    A "suspected forgery" reason needs a written note and keeps the file (and the original
    bytes and their SHA-256, stored at upload) as evidence: it is never deleted or replaced
    away.
    """
    application = _lock(document.application)
    _check_action("verify_document", actor=actor, application=application)
    document = ApplicationDocument.objects.select_for_update().get(pk=document.pk)
    if document.application_id != application.pk or document.is_superseded:
        raise ValidationError(_("This file has been replaced."), code="superseded")
    clean_note = _clean_note(note)
    if valid:
        reason = None
        status = DocumentStatus.VALID
    else:
        if reason is None or not reason.is_active:
            raise _field_error("reason", _("Choose a reason."), code="required")
        if reason.requires_note and not clean_note:
            raise _field_error("note", _("This reason needs a written explanation."), "required")
        status = DocumentStatus.INVALID
    now = timezone.now()
    before = document.status
    document.status = status
    document.rejection_reason = reason
    document.rejection_note = clean_note if not valid else ""
    document.verified_by = actor
    document.verified_at = now
    if reason is not None and reason.is_suspected_forgery:
        document.is_evidence = True
    document.save(
        update_fields=[
            "status",
            "rejection_reason",
            "rejection_note",
            "verified_by",
            "verified_at",
            "is_evidence",
        ]
    )
    _event(
        application,
        kind=ApplicationEventKind.DOCUMENT,
        actor=actor,
        at=now,
        message=f"{document.requirement.label}: {document.get_status_display()}",
        is_public=False,
    )
    _audit(
        actor=actor,
        action="document_verify",
        application=application,
        request=request,
        before={"document": str(document.pk), "status": before},
        after={
            "document": str(document.pk),
            "status": status,
            "reason": reason.code if reason else "",
            "evidence_sha256": document.sha256 if document.is_evidence else "",
        },
    )
    return document


@transaction.atomic
def application_return(
    *,
    actor: User,
    application: Application,
    note: str = "",
    request: HttpRequest | None = None,
) -> Application:
    """Send the application back to the citizen to correct; the SLA clock pauses (T13)."""
    application = _lock(application)
    target = _check_action("return", actor=actor, application=application)
    clean_note = _clean_note(note)
    invalid = list(
        application.documents.filter(
            is_superseded=False, status=DocumentStatus.INVALID
        ).select_related("requirement", "rejection_reason")
    )
    if not invalid and not clean_note:
        raise _field_error(
            "note", _("Mark the documents to correct or write what to fix."), "required"
        )
    now = timezone.now()
    application.return_note = clean_note
    application.returned_at = now
    fields = ["return_note", "returned_at", *sla_pause(application, at=now)]
    lines = [
        f"- {d.requirement.label}: {d.rejection_reason.label if d.rejection_reason else ''}"
        + (f" ({d.rejection_note})" if d.rejection_note else "")
        for d in invalid
    ]
    message = "\n".join([*([clean_note] if clean_note else []), *lines])
    return _transition(
        application,
        actor=actor,
        to_status=target,
        at=now,
        action="return",
        request=request,
        message=message,
        after={"invalid_documents": [str(d.pk) for d in invalid]},
        fields=fields,
        notify_extra=message,
    )


@transaction.atomic
def application_resubmit(
    *,
    actor: User,
    application: Application,
    documents: Mapping[str, UploadedFile] | None = None,
    form_data: Mapping[str, Any] | None = None,
    subject_name: str | None = None,
    request: HttpRequest | None = None,
) -> Application:
    """The citizen replaces the invalid files (and may correct fields) in the same application.

    Replaced files are kept (``superseded_by``); the round goes up; the SLA clock resumes.
    """
    application = _lock(application)
    target = _check_action("resubmit", actor=actor, application=application)
    policy = civil_registration_policy()
    files = dict(documents or {})
    requirements = {r.code: r for r in application.service.requirements.all()}
    invalid = {
        d.requirement.code: d
        for d in application.documents.filter(is_superseded=False).select_related("requirement")
        if d.status == DocumentStatus.INVALID
    }
    current = {
        d.requirement.code
        for d in application.documents.filter(is_superseded=False).select_related("requirement")
    }
    errors: dict[str, list[ValidationError]] = {}
    for code in files:
        if code not in requirements:
            errors["documents"] = [
                ValidationError(_("A file was given for an unknown requirement."))
            ]
    for code in invalid:
        if code not in files:
            errors[f"documents.{code}"] = [
                ValidationError(_("Upload a new file for this document."), code="required")
            ]
    form = None
    name = application.subject_name
    if subject_name is not None:
        try:
            name = rules.clean_person_name(subject_name, field_name="subject_name")
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if form_data is not None:
        merged = {**application.form_data, **dict(form_data)}
        try:
            form = rules.clean_form_data(application.service, merged)
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if not errors:
        try:
            _check_requirements(
                application.service, current | set(files), list(requirements.values())
            )
            _validate_files(files, policy)
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    application.round += 1
    old_by_code = {
        d.requirement.code: d
        for d in application.documents.filter(
            is_superseded=False, requirement__code__in=list(files)
        ).select_related("requirement")
    }
    for old in old_by_code.values():
        old.is_superseded = True
        old.save(update_fields=["is_superseded"])
    new_docs = _store_documents(application, files, requirements, by=actor)
    for doc in new_docs:
        replaced = old_by_code.get(doc.requirement.code)
        if replaced is not None:
            replaced.superseded_by = doc
            replaced.save(update_fields=["superseded_by"])
    fields = ["round", "subject_name", *sla_resume(application, at=now)]
    application.subject_name = name
    application.subject_name_key = rules.name_key(name)
    fields.append("subject_name_key")
    if form is not None:
        application.form_data = form.data
        fields.append("form_data_encrypted")
    return _transition(
        application,
        actor=actor,
        to_status=target,
        at=now,
        action="resubmit",
        request=request,
        after={"round": application.round, "replaced": sorted(files)},
        fields=fields,
    )


@transaction.atomic
def application_decide_duplicate(
    *,
    actor: User,
    application: Application,
    is_duplicate: bool,
    note: str = "",
    request: HttpRequest | None = None,
) -> Application:
    """The verifier decides a "kemungkinan ganda" flag; twins pass with "not a duplicate"."""
    application = _lock(application)
    _check_action("decide_duplicate", actor=actor, application=application)
    if not application.possible_duplicate:
        raise ValidationError(
            _("This application is not flagged as a possible duplicate."), code="not_flagged"
        )
    clean_note = _clean_note(note, required=True)
    before = application.duplicate_decision
    application.duplicate_decision = (
        DuplicateDecision.DUPLICATE if is_duplicate else DuplicateDecision.NOT_DUPLICATE
    )
    application.duplicate_note = clean_note
    return _record_step(
        application,
        actor=actor,
        action="decide_duplicate",
        request=request,
        at=timezone.now(),
        fields=["duplicate_decision", "duplicate_note"],
        event_kind=ApplicationEventKind.DECISION,
        message=f"Ganda: {application.get_duplicate_decision_display()}",
        is_public=False,
        before={"duplicate_decision": before},
        after={"duplicate_decision": application.duplicate_decision},
    )


@transaction.atomic
def application_decide_late(
    *,
    actor: User,
    application: Application,
    approve: bool,
    note: str = "",
    waive_fine: bool = False,
    request: HttpRequest | None = None,
) -> Application:
    """The head of Disdukcapil decides a late registration (and may waive the fine)."""
    application = _lock(application)
    _check_action("decide_late", actor=actor, application=application)
    if not application.is_late:
        raise ValidationError(_("This application is not a late registration."), code="not_late")
    clean_note = _clean_note(note, required=not approve)
    now = timezone.now()
    application.late_decision = LateDecision.APPROVED if approve else LateDecision.REFUSED
    application.late_decision_note = clean_note
    application.late_decided_by = actor
    application.late_decided_at = now
    fields = ["late_decision", "late_decision_note", "late_decided_by", "late_decided_at"]
    if approve and waive_fine and application.fine_status == FineStatus.UNPAID:
        application.fine_status = FineStatus.WAIVED
        fields.append("fine_status")
    return _record_step(
        application,
        actor=actor,
        action="decide_late",
        request=request,
        at=now,
        fields=fields,
        event_kind=ApplicationEventKind.DECISION,
        message=f"Keputusan keterlambatan: {application.get_late_decision_display()}",
        is_public=False,
        after={"late_decision": application.late_decision, "fine_status": application.fine_status},
    )


@transaction.atomic
def application_record_fine_payment(
    *,
    actor: User,
    application: Application,
    payment_reference: str,
    request: HttpRequest | None = None,
) -> Application:
    """Record that the late-registration fine was paid (e.g. at Bank Sumut)."""
    application = _lock(application)
    _check_action("record_fine_payment", actor=actor, application=application)
    if application.fine_status != FineStatus.UNPAID:
        raise ValidationError(_("There is no unpaid fine."), code="no_unpaid_fine")
    ref = _clean_required_line(
        payment_reference, field="payment_reference", missing=_("Enter the payment reference.")
    )
    application.fine_status = FineStatus.PAID
    return _record_step(
        application,
        actor=actor,
        action="record_fine_payment",
        request=request,
        at=timezone.now(),
        fields=["fine_status"],
        event_kind=ApplicationEventKind.PAYMENT,
        message=str(_("Late registration fine paid.")),
        after={"fine_status": FineStatus.PAID, "payment_reference": ref},
    )


def approval_blockers(application: Application) -> list[str]:
    """Codes of what still prevents approval (empty when it may be approved)."""
    blockers = []
    requirements = list(application.service.requirements.all())
    docs = list(application.documents.filter(is_superseded=False))
    by_req = {d.requirement_id: d for d in docs}
    if any(d.status != DocumentStatus.VALID for d in docs):
        blockers.append("documents_not_valid")
    for req in requirements:
        if not req.required or not req.needs_upload or req.substitute_for_id is not None:
            continue
        subs = [r.pk for r in requirements if r.substitute_for_id == req.pk]
        if req.pk not in by_req and not any(s in by_req for s in subs):
            blockers.append("documents_missing")
            break
    if application.possible_duplicate and (
        application.duplicate_decision != DuplicateDecision.NOT_DUPLICATE
    ):
        blockers.append("duplicate_undecided")
    if application.is_late:
        if application.late_decision != LateDecision.APPROVED:
            blockers.append("late_not_approved")
        if application.fine_status == FineStatus.UNPAID:
            blockers.append("fine_unpaid")
    return blockers


_BLOCKER_MESSAGES: dict[str, Any] = {
    "documents_not_valid": _("Every document must be checked and valid."),
    "documents_missing": _("A required document is missing."),
    "duplicate_undecided": _("Decide first whether this is a duplicate."),
    "late_not_approved": _("A late registration needs the head's approval."),
    "fine_unpaid": _("The late registration fine is not paid or waived."),
    "biometrics_not_checked": _("Confirm that the biometrics were recorded."),
}


@transaction.atomic
def application_approve(
    *,
    actor: User,
    application: Application,
    biometrics_checked: bool = False,
    request: HttpRequest | None = None,
) -> Application:
    """Approve: all documents valid, duplicate decided, late case approved and fine settled."""
    application = _lock(application)
    target = _check_action("approve", actor=actor, application=application)
    blockers = approval_blockers(application)
    if application.service.requires_biometric_recording and not biometrics_checked:
        blockers.append("biometrics_not_checked")
    if blockers:
        raise ValidationError([ValidationError(_BLOCKER_MESSAGES[b], code=b) for b in blockers])
    now = timezone.now()
    application.approved_at = now
    return _transition(
        application,
        actor=actor,
        to_status=target,
        at=now,
        action="approve",
        request=request,
        fields=["approved_at"],
    )


@transaction.atomic
def application_reject(
    *,
    actor: User,
    application: Application,
    reason: RejectionReason,
    note: str,
    request: HttpRequest | None = None,
) -> Application:
    """Final rejection with a reason and an explanation for the citizen; the clock stops."""
    application = _lock(application)
    target = _check_action("reject", actor=actor, application=application)
    if reason is None or not reason.is_active:
        raise _field_error("reason", _("Choose a reason."), "required")
    clean_note = _clean_note(note, required=True)
    now = timezone.now()
    application.rejection_reason = reason
    application.rejection_note = clean_note
    application.closed_at = now
    fields = ["rejection_reason", "rejection_note", "closed_at", *sla_stop(application, at=now)]
    explanation = f"{reason.label}: {clean_note}"
    return _transition(
        application,
        actor=actor,
        to_status=target,
        at=now,
        action="reject",
        request=request,
        message=explanation,
        after={"reason": reason.code},
        fields=fields,
        notify_extra=explanation,
    )


@transaction.atomic
def application_record_document_number(
    *,
    actor: User,
    application: Application,
    document_number: str,
    request: HttpRequest | None = None,
) -> Application:
    """Record the number SIAK gave the document (data keyed into SIAK by the officer)."""
    application = _lock(application)
    target = _check_action("record_document_number", actor=actor, application=application)
    number = _clean_required_line(
        document_number, field="document_number", missing=_("Enter the document number.")
    )
    application.siak_document_number = number
    return _transition(
        application,
        actor=actor,
        to_status=target,
        at=timezone.now(),
        action="record_document_number",
        request=request,
        after={"document_number": number},
        fields=["siak_document_number"],
    )


@dataclass(frozen=True)
class SignedDocumentResult:
    application: Application
    #: True when a self-print link and PIN go to the applicant (e-mail/SMS, after commit).
    #: The PIN itself is never returned to the officer.
    pin_sent_to_applicant: bool = False


@transaction.atomic
def application_attach_signed_document(
    *,
    actor: User,
    application: Application,
    signed_file: UploadedFile,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> SignedDocumentResult:
    """Attach the TTE-signed PDF; issues the verification token and, for self-print, a PIN."""
    application = _lock(application)
    _check_action("attach_signed_document", actor=actor, application=application)
    if not application.siak_document_number:
        raise ValidationError(_("Record the document number first."), code="no_number")
    policy = civil_registration_policy()
    try:
        validate_upload(
            signed_file, allowed_kinds=frozenset({PDF}), max_bytes=policy.max_upload_bytes
        )
    except ValidationError as exc:
        raise ValidationError({"signed_file": [exc]}) from None
    signed_file.seek(0)
    stored = store_upload(
        uploaded_file=signed_file,
        uploaded_by=actor,
        allowed_kinds=frozenset({PDF}),
        max_bytes=policy.max_upload_bytes,
    )
    now = now or timezone.now()
    application.signed_document = stored
    application.verification_token = application.verification_token or secrets.token_urlsafe(24)
    application.issued_at = now
    self_print = application.delivery_method == DeliveryMethod.SELF_PRINT
    _record_step(
        application,
        actor=actor,
        action="attach_signed_document",
        request=request,
        at=now,
        fields=["signed_document", "verification_token", "issued_at"],
        event_kind=ApplicationEventKind.NOTE,
        message="Dokumen bertanda tangan elektronik dilampirkan.",
        is_public=False,
        after={"file": str(stored.pk), "sha256": stored.sha256, "self_print": self_print},
    )
    if self_print:
        # No usable PIN yet: the PIN is made when it is sent to the applicant
        # (self_print_pin_deliver, after commit), so it is never shown to the officer nor
        # stored in clear anywhere (task queue, notification rows, logs).
        SelfPrintAccess.objects.update_or_create(
            application=application,
            defaults={
                "token": secrets.token_urlsafe(32),
                "pin_hash": make_password(None),
                "expires_at": now + timedelta(days=policy.self_print_link_days),
                "failed_attempts": 0,
                "locked_until": None,
            },
        )
        _schedule_pin_delivery(application)
    return SignedDocumentResult(application=application, pin_sent_to_applicant=self_print)


@transaction.atomic
def application_confirm_delivery_payment(
    *,
    actor: User,
    application: Application,
    payment_reference: str,
    request: HttpRequest | None = None,
) -> Application:
    """Confirm that the Pos delivery fee was paid (Bank Sumut)."""
    application = _lock(application)
    _check_action("confirm_delivery_payment", actor=actor, application=application)
    if application.delivery_payment_status != PaymentStatus.UNPAID:
        raise ValidationError(_("There is no unpaid delivery fee."), code="no_unpaid_fee")
    ref = _clean_required_line(
        payment_reference, field="payment_reference", missing=_("Enter the payment reference.")
    )
    application.delivery_payment_status = PaymentStatus.PAID
    return _record_step(
        application,
        actor=actor,
        action="confirm_delivery_payment",
        request=request,
        at=timezone.now(),
        fields=["delivery_payment_status"],
        event_kind=ApplicationEventKind.PAYMENT,
        message=str(_("Pos delivery fee paid.")),
        after={"delivery_payment_status": PaymentStatus.PAID, "payment_reference": ref},
    )


@transaction.atomic
def application_dispatch(
    *,
    actor: User,
    application: Application,
    tracking_number: str,
    request: HttpRequest | None = None,
) -> Application:
    """Hand a Pos delivery to Pos Indonesia: only after payment, with the tracking number."""
    application = _lock(application)
    target = _check_action("dispatch", actor=actor, application=application)
    if application.delivery_method != DeliveryMethod.POS:
        raise ValidationError(_("This application is not delivered by Pos."), code="not_pos")
    if application.delivery_payment_status != PaymentStatus.PAID:
        raise ValidationError(_("The delivery fee has not been paid yet."), code="fee_unpaid")
    number = _clean_required_line(
        tracking_number, field="tracking_number", missing=_("Enter the tracking number.")
    )
    now = timezone.now()
    application.tracking_number = number
    application.dispatched_at = now
    application.ready_at = now
    fields = ["tracking_number", "dispatched_at", "ready_at", *sla_stop(application, at=now)]
    sent = str(_("Sent by Pos, tracking number %(number)s.")) % {"number": number}
    return _transition(
        application,
        actor=actor,
        to_status=target,
        at=now,
        action="dispatch",
        request=request,
        after={"tracking_number": number},
        fields=fields,
        message=sent,
        notify_extra=sent,
    )


@transaction.atomic
def application_mark_ready(
    *, actor: User, application: Application, request: HttpRequest | None = None
) -> Application:
    """The document is ready at the counter or kiosk, or (self-print) downloadable with the PIN."""
    application = _lock(application)
    target = _check_action("mark_ready", actor=actor, application=application)
    if application.delivery_method == DeliveryMethod.POS:
        raise ValidationError(
            _("Pos deliveries become ready when dispatched."), code="use_dispatch"
        )
    if application.delivery_method == DeliveryMethod.SELF_PRINT and (
        application.signed_document_id is None
        or not SelfPrintAccess.objects.filter(application=application).exists()
    ):
        raise ValidationError(_("Attach the signed document first."), code="no_signed_document")
    now = timezone.now()
    application.ready_at = now
    fields = ["ready_at", *sla_stop(application, at=now)]
    return _transition(
        application,
        actor=actor,
        to_status=target,
        at=now,
        action="mark_ready",
        request=request,
        fields=fields,
    )


@transaction.atomic
def application_complete(
    *, actor: User, application: Application, request: HttpRequest | None = None
) -> Application:
    """Collected, delivered or printed: the application is completed."""
    application = _lock(application)
    target = _check_action("complete", actor=actor, application=application)
    now = timezone.now()
    application.completed_at = now
    application.closed_at = now
    return _transition(
        application,
        actor=actor,
        to_status=target,
        at=now,
        action="complete",
        request=request,
        fields=["completed_at", "closed_at"],
    )


@transaction.atomic
def application_cancel(
    *, actor: User, application: Application, request: HttpRequest | None = None
) -> Application:
    """The citizen withdraws the application while it is not yet approved."""
    application = _lock(application)
    target = _check_action("cancel", actor=actor, application=application)
    now = timezone.now()
    application.closed_at = now
    fields = ["closed_at", *sla_stop(application, at=now)]
    return _transition(
        application,
        actor=actor,
        to_status=target,
        at=now,
        action="cancel",
        request=request,
        fields=fields,
    )


# --- Self-print ---------------------------------------------------------------------------------


class SelfPrintDenied(ValidationError):
    """Wrong PIN, locked or expired; ``code`` says which."""


def self_print_unlock(
    *,
    token: str,
    pin: str,
    actor: User | None = None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> StoredFile:
    """The signed PDF for the right token + PIN; wrong PINs count towards a lockout.

    Unknown tokens raise ``Http404``; an expired link, a locked link or a wrong PIN raise
    ``SelfPrintDenied`` (after the attempt counter and the audit entry are committed). Every
    attempt is audited; the PIN never is.
    """
    outcome, stored, minutes = _self_print_attempt(
        token=token, pin=pin, actor=actor, request=request, now=now or timezone.now()
    )
    if stored is not None:
        return stored
    if outcome == "expired":
        raise SelfPrintDenied(
            _("This link has expired. Ask Disdukcapil for a new one."), code="expired"
        )
    if outcome in ("locked", "locked_now"):
        raise SelfPrintDenied(
            _("Too many wrong PINs. Try again after %(minutes)s minutes."),
            code="locked",
            params={"minutes": minutes},
        )
    raise SelfPrintDenied(_("The PIN is not correct."), code="wrong_pin")


@transaction.atomic
def _self_print_attempt(
    *,
    token: str,
    pin: str,
    actor: User | None,
    request: HttpRequest | None,
    now: datetime,
) -> tuple[str, StoredFile | None, int]:
    from django.http import Http404

    access = (
        SelfPrintAccess.objects.select_for_update(of=("self",))
        .select_related("application__signed_document")
        .filter(token=token if isinstance(token, str) else "")
        .first()
    )
    if access is None or not token:
        raise Http404
    application = access.application
    if application.signed_document is None or application.document_revoked:
        raise Http404
    policy = civil_registration_policy()
    minutes = policy.self_print_lockout_minutes

    def audit(outcome: str) -> None:
        audit_record(
            actor=actor,
            action="civil_registration.self_print_unlock",
            obj=application,
            after={"outcome": outcome, "failed_attempts": access.failed_attempts},
            request=request,
            summary=f"Self-print unlock: {outcome}",
        )

    if access.expires_at <= now:
        audit("expired")
        return "expired", None, minutes
    if access.locked_until is not None and access.locked_until > now:
        audit("locked")
        return "locked", None, minutes
    if not isinstance(pin, str) or not check_password(pin.strip(), access.pin_hash):
        access.failed_attempts += 1
        outcome = "wrong_pin"
        if access.failed_attempts >= policy.self_print_max_pin_attempts:
            access.locked_until = now + timedelta(minutes=minutes)
            outcome = "locked_now"
        access.save(update_fields=["failed_attempts", "locked_until"])
        audit(outcome)
        return outcome, None, minutes
    access.failed_attempts = 0
    access.locked_until = None
    access.last_download_at = now
    access.download_count += 1
    access.save(
        update_fields=["failed_attempts", "locked_until", "last_download_at", "download_count"]
    )
    audit("unlocked")
    return "unlocked", application.signed_document, minutes


# --- Self-print PIN delivery -----------------------------------------------------------------

#: "Kirim ulang PIN": at most this many new PINs per application and window.
PIN_RESEND_LIMIT = 3
PIN_RESEND_WINDOW_SECONDS = 60 * 60
PIN_NOTIFICATION_KIND = "civil_registration.self_print_pin"


def _schedule_pin_delivery(application: Application) -> None:
    """Enqueue the PIN e-mail/SMS after commit; the task gets only the application id."""
    from functools import partial

    from kotapintar.civil_registration.tasks import self_print_pin_send_task

    transaction.on_commit(
        partial(self_print_pin_send_task.enqueue, application_id=str(application.pk))
    )


@transaction.atomic
def self_print_pin_deliver(*, application_id: Any, now: datetime | None = None) -> list[str]:
    """Make a new self-print PIN and send it with the link to the applicant (run by the task).

    The PIN exists in clear only in this function and in the outgoing e-mail/SMS: its hash
    replaces the previous one (the old PIN stops working), and the in-app notification only
    says where it was sent. E-mail goes to the account address; SMS to the account phone when
    there is one. A failed e-mail rolls the new PIN back (the old one keeps working) and fails
    the task visibly; a failed SMS after a sent e-mail is logged (class name only). Returns the
    channels used; nothing is sent for an expired, revoked or missing link.
    """
    import logging

    from django.core.mail import send_mail
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext

    from kotapintar.core.messaging import ConsoleGateway, get_gateway
    from kotapintar.core.notifications import NotificationChannel

    logger = logging.getLogger(__name__)
    now = now or timezone.now()
    access = (
        SelfPrintAccess.objects.select_for_update(of=("self",))
        .select_related("application__applicant")
        .filter(application_id=application_id)
        .first()
    )
    if access is None:
        return []
    application = access.application
    applicant = application.applicant
    if (
        application.signed_document_id is None
        or application.document_revoked
        or access.expires_at <= now
        or not applicant.is_active
    ):
        return []
    phone = (applicant.phone or "").strip()
    if not applicant.email and not phone:
        logger.warning("Self-print PIN for application %s: no address", application.pk)
        return []
    pin = "".join(secrets.choice("0123456789") for _ in range(PIN_LENGTH))
    access.pin_hash = make_password(pin)
    access.save(update_fields=["pin_hash"])
    link = settings.SITE_URL.rstrip("/") + reverse(
        "civil_registration:self_print", args=[access.token]
    )
    language = applicant.preferred_language or settings.LANGUAGE_CODE
    params = {
        "reference": application.reference,
        "link": link,
        "pin": pin,
        "date": timezone.localtime(access.expires_at).strftime("%d-%m-%Y"),
    }
    sent: list[str] = []
    with translation.override(language):
        subject = gettext("Your document %(reference)s: print link and PIN") % params
        email_body = (
            gettext(
                "Your signed document for application %(reference)s can be printed at home.\n\n"
                "Link: %(link)s\nPIN: %(pin)s\n\n"
                "The link is valid until %(date)s. Keep the PIN to yourself: Disdukcapil "
                "officers never ask for it. If you did not expect this message, ignore it."
            )
            % params
        )
        sms_text = (
            gettext("Adminduk %(reference)s: print link %(link)s PIN %(pin)s (do not share).")
            % params
        )
    if applicant.email:
        send_mail(
            subject=subject,
            message=email_body,
            from_email=None,
            recipient_list=[applicant.email],
            fail_silently=False,
        )
        sent.append(NotificationChannel.EMAIL)
    if phone:
        try:
            gateway = get_gateway()
            if isinstance(gateway, ConsoleGateway):  # development: it logs the text
                sms_text = sms_text.replace(pin, "*" * PIN_LENGTH)
            gateway.send(phone, sms_text)
        except Exception as exc:
            if not sent:
                raise
            logger.warning(
                "Self-print PIN for application %s: SMS failed (%s)",
                application.pk,
                type(exc).__name__,
            )
        else:
            sent.append(NotificationChannel.SMS)
    with translation.override(language):
        where = (
            gettext("The PIN was sent to your e-mail and by SMS to your phone.")
            if len(sent) == 2
            else gettext("The PIN was sent to your e-mail.")
            if sent == [NotificationChannel.EMAIL]
            else gettext("The PIN was sent by SMS to your phone.")
        )
    notify(
        recipient=applicant,
        kind=PIN_NOTIFICATION_KIND,
        title=_("Application %(reference)s: print link ready")
        % {"reference": application.reference},
        body=where,
        url=_application_url(application),
        channels=(NotificationChannel.IN_APP,),
    )
    return [str(channel) for channel in sent]


@transaction.atomic
def self_print_pin_resend(
    *,
    actor: User,
    application: Application,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> None:
    """ "Kirim ulang PIN": the applicant asks for a new PIN (the old one stops working).

    Only the applicant, only for a self-print document whose link is still valid, at most
    ``PIN_RESEND_LIMIT`` times per hour; audited, with a public timeline event. The new PIN is
    made and sent by the task after commit. Refused calls change nothing.
    """
    from kotapintar.accounts.ratelimit import rate_limit_hit

    application = _lock(application)
    if application.applicant_id != actor.pk:
        raise PermissionDenied
    now = now or timezone.now()
    access = SelfPrintAccess.objects.filter(application=application).first()
    if (
        application.delivery_method != DeliveryMethod.SELF_PRINT
        or access is None
        or application.signed_document_id is None
        or application.document_revoked
        or application.status not in (Status.READY, Status.COMPLETED)
    ):
        raise ValidationError(
            _("There is no print link for this application."), code="no_self_print"
        )
    if access.expires_at <= now:
        raise ValidationError(
            _("This link has expired. Ask Disdukcapil for a new one."), code="expired"
        )
    if rate_limit_hit(
        scope="civil_registration_pin_resend",
        key=str(application.pk),
        limit=PIN_RESEND_LIMIT,
        window_seconds=PIN_RESEND_WINDOW_SECONDS,
    ):
        raise ValidationError(
            _("A new PIN was already sent several times. Try again in an hour."),
            code="rate_limited",
        )
    _event(
        application,
        kind=ApplicationEventKind.NOTE,
        actor=actor,
        at=now,
        message="PIN cetak mandiri baru dikirim ke pemohon.",
        is_public=True,
    )
    _audit(
        actor=actor,
        action="self_print_pin_resend",
        application=application,
        request=request,
        after={"self_print": True},
    )
    _schedule_pin_delivery(application)
