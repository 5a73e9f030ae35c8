"""Civil registration (adminduk / pencatatan sipil): an online front office like Medan's SIBISA.

Citizens apply for population documents; Disdukcapil officers verify and process them and record
the number SIAK gave the document; the finished document is collected, delivered by Pos or
printed at home. SIAK stays the register: this module never pretends to be it.

Configuration that differs per city is data here, editable in the admin and seeded from
``data/services.json``: the document services with their requirements, deadlines, fines, SLA
targets and form fields, the standard rejection reasons, and one ``CivilRegistrationPolicy`` row.

``Application.status`` changes only through ``civil_registration.services``; the allowed
transitions are the table ``workflow.TRANSITIONS``.
"""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kotapintar.core.fields import EncryptedTextField
from kotapintar.core.reference_numbers import REFERENCE_MAX_LENGTH
from kotapintar.core.sla import SlaClockFields

# --- Configuration -------------------------------------------------------------------------


class CivilRegistrationPolicy(models.Model):
    """City-wide settings of the module (one row; created with defaults when missing)."""

    pos_delivery_fee_rupiah = models.PositiveIntegerField(
        _("Pos delivery fee (rupiah)"),
        default=12000,
        help_text=_("Flat fee for delivery by Pos to an address inside the city."),
    )
    pos_delivery_enabled = models.BooleanField(_("Pos delivery offered"), default=True)
    kiosk_enabled = models.BooleanField(_("kiosk (ADM) collection offered"), default=True)
    self_print_enabled = models.BooleanField(_("self-printing offered"), default=True)
    self_print_link_days = models.PositiveSmallIntegerField(
        _("self-print link valid for (days)"), default=7
    )
    self_print_max_pin_attempts = models.PositiveSmallIntegerField(
        _("wrong PIN attempts before lockout"), default=5
    )
    self_print_lockout_minutes = models.PositiveSmallIntegerField(
        _("lockout after wrong PINs (minutes)"), default=30
    )
    duplicate_birth_window_days = models.PositiveSmallIntegerField(
        _("possible duplicate birth window (days)"), default=5
    )
    max_upload_bytes = models.PositiveIntegerField(
        _("largest file (bytes)"), default=5 * 1024 * 1024
    )
    max_total_upload_bytes = models.PositiveIntegerField(
        _("all files of an application (bytes)"), default=25 * 1024 * 1024
    )
    online_service_available = models.BooleanField(
        _("online applications open"),
        default=True,
        help_text=_(
            "Switch off during an outage or maintenance: the public pages then show the status "
            "notice and the offline alternatives instead of the application form."
        ),
    )
    outage_notice = models.TextField(
        _("status notice during an outage"),
        blank=True,
        default="Layanan adminduk daring sedang tidak tersedia untuk sementara. Permohonan yang "
        "sudah dikirim tetap aman dan diproses.",
    )
    offline_notice = models.TextField(
        _("offline alternative"),
        blank=True,
        default="Layanan juga tersedia di loket Disdukcapil (Jl. Iskandar Muda) dan di loket "
        "Disdukcapil setiap kantor camat, Senin-Jumat 08.00-20.00, Sabtu 09.00-14.00.",
    )

    class Meta:
        verbose_name = _("civil registration policy")
        verbose_name_plural = _("civil registration policy")

    def __str__(self) -> str:
        return str(_("Civil registration policy"))


class ServiceGroup(models.TextChoices):
    RESIDENT_REGISTRATION = "pendaftaran_penduduk", _("Resident registration")
    CIVIL_REGISTRATION = "pencatatan_sipil", _("Civil registration")


class EventKind(models.TextChoices):
    """The civil event a service records (its date decides lateness)."""

    BIRTH = "birth", _("Birth")
    DEATH = "death", _("Death")
    STILLBIRTH = "stillbirth", _("Stillbirth")
    MARRIAGE = "marriage", _("Marriage")
    DIVORCE = "divorce", _("Divorce")
    MOVE_OUT = "move_out", _("Moving out")
    MOVE_IN = "move_in", _("Moving in")
    NONE = "none", _("No event")


class FieldType(models.TextChoices):
    TEXT = "text", _("Short text")
    NAME = "name", _("Person's name")
    DATE = "date", _("Date")
    NIK = "nik", _("NIK")
    KK = "kk", _("KK number")
    CHOICE = "choice", _("One choice")
    TEXTAREA = "textarea", _("Long text")


class DocumentService(models.Model):
    """A population document citizens can apply for (e.g. akta kelahiran)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=150)
    group = models.CharField(_("group"), max_length=30, choices=ServiceGroup.choices)
    description = models.TextField(_("description"), blank=True)
    steps = models.TextField(_("steps"), blank=True)
    event_kind = models.CharField(
        _("civil event"), max_length=20, choices=EventKind.choices, default=EventKind.NONE
    )
    legal_deadline_days = models.PositiveSmallIntegerField(
        _("legal deadline (days after the event)"), null=True, blank=True
    )
    late_fine_rupiah = models.PositiveIntegerField(
        _("late registration fine (rupiah)"),
        null=True,
        blank=True,
        help_text=_("Empty: no fine. The document itself is always free (UU 24/2013 Art. 79A)."),
    )
    sla_working_days = models.PositiveSmallIntegerField(
        _("service time standard (working days)"), default=1
    )
    requires_biometric_recording = models.BooleanField(
        _("needs biometric recording first"),
        default=False,
        help_text=_("KTP-el: online only after perekaman at an office."),
    )
    subject_has_nik = models.BooleanField(
        _("the person concerned usually has a NIK"),
        default=True,
        help_text=_("Off for a newborn (akta kelahiran, lahir mati): 'no NIK yet' is allowed."),
    )
    form_fields = models.JSONField(
        _("form fields"),
        default=list,
        blank=True,
        help_text=_(
            "List of {key, label, type (text/name/date/nik/kk/choice/textarea), required, "
            "choices, help}."
        ),
    )
    offline_alternative = models.TextField(_("offline alternative"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("document service")
        verbose_name_plural = _("document services")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Requirement(models.Model):
    """A document an application of a service must include (or may substitute)."""

    service = models.ForeignKey(
        DocumentService, on_delete=models.CASCADE, related_name="requirements"
    )
    code = models.SlugField(_("code"), max_length=60)
    label = models.CharField(_("label"), max_length=200)
    help = models.CharField(_("help text"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=True)
    needs_upload = models.BooleanField(_("upload needed"), default=True)
    substitute_for = models.ForeignKey(
        "self",
        verbose_name=_("substitutes"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="substitutes",
    )
    substitute_consequence = models.CharField(
        _("consequence of the substitute"), max_length=500, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="unique_cr_requirement_code")
        ]

    def __str__(self) -> str:
        return self.label


class RejectionReason(models.Model):
    """A standard reason to refuse an uploaded document (or a whole application)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    label = models.CharField(_("label"), max_length=200)
    requires_note = models.BooleanField(_("needs a written explanation"), default=False)
    is_suspected_forgery = models.BooleanField(
        _("suspected forgery"),
        default=False,
        help_text=_("The original file and its SHA-256 are kept as evidence."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("rejection reason")
        verbose_name_plural = _("rejection reasons")
        ordering = ["order", "label"]

    def __str__(self) -> str:
        return self.label


# --- Applications ----------------------------------------------------------------------------


class Status(models.TextChoices):
    SUBMITTED = "diajukan", _("Submitted")
    IN_VERIFICATION = "diverifikasi", _("In verification")
    RETURNED = "dikembalikan", _("Returned for correction")
    APPROVED = "disetujui", _("Approved")
    IN_PROCESS = "diproses", _("Being issued")
    READY = "siap", _("Ready")
    COMPLETED = "selesai", _("Completed")
    REJECTED = "ditolak", _("Rejected")
    CANCELLED = "dibatalkan", _("Cancelled")


#: Statuses of an application still being handled (a second one for the same NIK is refused).
OPEN_STATUSES = frozenset(
    {
        Status.SUBMITTED,
        Status.IN_VERIFICATION,
        Status.RETURNED,
        Status.APPROVED,
        Status.IN_PROCESS,
        Status.READY,
    }
)
FINAL_STATUSES = frozenset({Status.COMPLETED, Status.REJECTED, Status.CANCELLED})


class Relationship(models.TextChoices):
    SELF = "self", _("Myself")
    CHILD = "child", _("My child")
    SPOUSE = "spouse", _("My spouse")
    PARENT = "parent", _("My parent")
    SIBLING = "sibling", _("My sibling")
    OTHER_FAMILY = "other_family", _("Other family member")


class FineStatus(models.TextChoices):
    NONE = "none", _("No fine")
    UNPAID = "unpaid", _("Unpaid")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")


class DeliveryMethod(models.TextChoices):
    PICKUP = "pickup", _("Collect at a Disdukcapil counter")
    KIOSK = "kiosk", _("Print at a kiosk (ADM)")
    POS = "pos", _("Delivery by Pos")
    SELF_PRINT = "self_print", _("Print at home (PDF + PIN)")


class PaymentStatus(models.TextChoices):
    NOT_NEEDED = "not_needed", _("Not needed")
    UNPAID = "unpaid", _("Unpaid")
    PAID = "paid", _("Paid")


class DuplicateDecision(models.TextChoices):
    UNDECIDED = "", _("Not decided")
    DUPLICATE = "duplicate", _("Duplicate")
    NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")


class LateDecision(models.TextChoices):
    UNDECIDED = "", _("Not decided")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Application(SlaClockFields):
    """A citizen's application for one document. ``reference`` (``DKP-7K3M-Q9XA``) is public."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(
        _("reference number"), max_length=REFERENCE_MAX_LENGTH, unique=True, editable=False
    )
    service = models.ForeignKey(
        DocumentService,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="civil_applications",
    )
    relationship = models.CharField(
        _("relationship to the applicant"),
        max_length=20,
        choices=Relationship.choices,
        default=Relationship.SELF,
    )
    subject_name = models.CharField(_("name of the person concerned"), max_length=150)
    subject_nik = EncryptedTextField(_("NIK of the person concerned"), blank=True, default="")
    subject_nik_hash = models.CharField(
        max_length=64, blank=True, default="", db_index=True, editable=False
    )
    subject_has_no_nik = models.BooleanField(_("no NIK yet"), default=False)
    subject_kk = EncryptedTextField(_("KK number"), blank=True, default="")
    subject_kk_hash = models.CharField(
        max_length=64, blank=True, default="", db_index=True, editable=False
    )
    form_data_encrypted = EncryptedTextField(_("form answers"), blank=True, default="")
    # Blind indexes of values used for duplicate detection (never the values themselves).
    mother_nik_hash = models.CharField(
        max_length=64, blank=True, default="", db_index=True, editable=False
    )
    subject_name_key = models.CharField(max_length=150, blank=True, default="", editable=False)
    region_code_version = models.CharField(
        _("region code table"), max_length=40, blank=True, default="Kepmendagri 300.2.2-2138/2025"
    )

    event_date = models.DateField(_("date of the event"), null=True, blank=True)
    is_late = models.BooleanField(_("late registration"), default=False)
    days_since_event = models.PositiveIntegerField(_("days since the event"), null=True, blank=True)
    fine_rupiah = models.PositiveIntegerField(_("fine (rupiah)"), default=0)
    fine_status = models.CharField(
        _("fine"), max_length=10, choices=FineStatus.choices, default=FineStatus.NONE
    )
    late_decision = models.CharField(
        _("head's decision on late registration"),
        max_length=10,
        choices=LateDecision.choices,
        blank=True,
        default="",
    )
    late_decision_note = models.TextField(_("note on the decision"), blank=True)
    late_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    late_decided_at = models.DateTimeField(null=True, blank=True)

    #: Officer-only checks from ``core.personal_data.parse_nik`` etc.: [{"code", "field"}].
    nik_warnings = models.JSONField(_("warnings for the officer"), default=list, blank=True)
    biometric_recorded_declared = models.BooleanField(
        _("applicant declares biometrics recorded"), default=False
    )
    truth_declared = models.BooleanField(_("applicant declares the data true"), default=False)

    possible_duplicate = models.BooleanField(_("possible duplicate"), default=False)
    possible_duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    duplicate_decision = models.CharField(
        _("duplicate decision"),
        max_length=15,
        choices=DuplicateDecision.choices,
        blank=True,
        default="",
    )
    duplicate_note = models.TextField(_("note on the duplicate decision"), blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    unit = models.ForeignKey(
        "agencies.ServiceUnit",
        verbose_name=_("handling unit"),
        on_delete=models.PROTECT,
        related_name="civil_applications",
    )
    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned officer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_civil_applications",
    )
    return_note = models.TextField(_("what to correct"), blank=True)
    rejection_reason = models.ForeignKey(
        RejectionReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_note = models.TextField(_("explanation for the citizen"), blank=True)

    delivery_method = models.CharField(
        _("delivery"), max_length=12, choices=DeliveryMethod.choices, default=DeliveryMethod.PICKUP
    )
    delivery_village = models.ForeignKey(
        "regions.Village",
        verbose_name=_("delivery kelurahan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    delivery_address = EncryptedTextField(_("delivery address"), blank=True, default="")
    delivery_fee_rupiah = models.PositiveIntegerField(_("delivery fee (rupiah)"), default=0)
    delivery_payment_status = models.CharField(
        _("delivery payment"),
        max_length=12,
        choices=PaymentStatus.choices,
        default=PaymentStatus.NOT_NEEDED,
    )
    tracking_number = models.CharField(_("Pos tracking number"), max_length=60, blank=True)

    siak_document_number = models.CharField(_("document number (SIAK)"), max_length=60, blank=True)
    signed_document = models.ForeignKey(
        "core.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verification_token = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    document_revoked = models.BooleanField(_("document cancelled"), default=False)

    idempotency_key = models.CharField(max_length=80, blank=True, default="", editable=False)

    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="unique_cr_submission_per_applicant",
            ),
            # One open application per service and person (T6); the service also checks it
            # first so that the error can link to the open application.
            models.UniqueConstraint(
                fields=["service", "subject_nik_hash"],
                condition=~Q(subject_nik_hash="")
                & Q(
                    status__in=[
                        "diajukan",
                        "diverifikasi",
                        "dikembalikan",
                        "disetujui",
                        "diproses",
                        "siap",
                    ]
                ),
                name="unique_cr_open_application_per_subject",
            ),
        ]
        indexes = [
            models.Index(
                fields=["sla_due_at"],
                condition=Q(
                    status__in=["diajukan", "diverifikasi", "disetujui", "diproses"],
                    sla_stopped_at__isnull=True,
                    sla_paused_at__isnull=True,
                ),
                name="cr_application_running_due",
            ),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["service", "status", "submitted_at"]),
            models.Index(fields=["mother_nik_hash", "event_date"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def form_data(self) -> dict[str, Any]:
        if not self.form_data_encrypted:
            return {}
        data = json.loads(self.form_data_encrypted)
        return data if isinstance(data, dict) else {}

    @form_data.setter
    def form_data(self, value: dict[str, Any]) -> None:
        self.form_data_encrypted = json.dumps(value, ensure_ascii=False, sort_keys=True)


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for verification")
    VALID = "valid", _("Valid")
    INVALID = "invalid", _("Not valid")


class ApplicationDocument(models.Model):
    """One uploaded file for one requirement in one round. Replaced files are kept (evidence)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    requirement = models.ForeignKey(
        Requirement, on_delete=models.PROTECT, related_name="+", verbose_name=_("requirement")
    )
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    sha256 = models.CharField(_("SHA-256 of the received file"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.PENDING
    )
    rejection_reason = models.ForeignKey(
        RejectionReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_note = models.TextField(_("explanation"), blank=True)
    is_evidence = models.BooleanField(
        _("kept as evidence"), default=False, help_text=_("Suspected forgery: never deleted.")
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_superseded = models.BooleanField(_("replaced"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["requirement__order", "created_at"]
        constraints = [
            # One current file per requirement; replaced ones stay as history.
            models.UniqueConstraint(
                fields=["application", "requirement"],
                condition=Q(is_superseded=False),
                name="unique_cr_current_document_per_requirement",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.requirement_id}:{self.round}"


class ApplicationEventKind(models.TextChoices):
    STATUS = "status", _("Status change")
    ASSIGNED = "penugasan", _("Assignment")
    DOCUMENT = "dokumen", _("Document checked")
    DECISION = "keputusan", _("Decision")
    PAYMENT = "pembayaran", _("Payment")
    NOTE = "catatan", _("Internal note")
    DELIVERY = "pengiriman", _("Delivery")


class ApplicationEvent(models.Model):
    """One line of an application's timeline. Only ``is_public`` ones are shown to the citizen."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=ApplicationEventKind.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    message = models.TextField(_("message"), blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.kind}"


def new_access_token() -> str:
    return secrets.token_urlsafe(32)


class SelfPrintAccess(models.Model):
    """The link + PIN with which the citizen downloads the signed PDF to print at home."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="self_print"
    )
    token = models.CharField(max_length=64, unique=True, default=new_access_token, editable=False)
    pin_hash = models.CharField(max_length=200, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    failed_attempts = models.PositiveSmallIntegerField(_("wrong PINs"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    last_download_at = models.DateTimeField(_("last download"), null=True, blank=True)
    download_count = models.PositiveIntegerField(_("downloads"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("self-print access")
        verbose_name_plural = _("self-print accesses")

    def __str__(self) -> str:
        return str(self.application_id)
