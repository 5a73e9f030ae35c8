"""Complaints (pengaduan): citizen reports handled against service levels.

Configuration that differs per city is data here, editable in the admin: categories (the Open311
services) with their questions, SLA targets and routing, response templates, the abuse list,
Open311 client keys, and one ``ComplaintPolicy`` row of thresholds.

The workflow is explicit: ``Complaint.status`` changes only through the services in
``complaints.services``; the allowed transitions are the table ``workflow.TRANSITIONS``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kotapintar.core.fields import EncryptedTextField
from kotapintar.core.sla import SlaClockFields

# --- Configuration -------------------------------------------------------------------------


class ComplaintPolicy(models.Model):
    """City-wide thresholds for complaints (one row; created with defaults when missing)."""

    verification_working_days = models.PositiveSmallIntegerField(
        _("verification within (working days)"), default=3
    )
    response_working_days = models.PositiveSmallIntegerField(
        _("agency follow-up within (working days)"), default=5
    )
    reopen_window_days = models.PositiveSmallIntegerField(
        _("citizen may reopen within (days)"), default=14
    )
    auto_close_after_days = models.PositiveSmallIntegerField(
        _("close resolved reports without a citizen reply after (days)"), default=14
    )
    max_photos = models.PositiveSmallIntegerField(_("photos per report"), default=3)
    nearby_radius_m = models.PositiveIntegerField(_("duplicate suggestion radius (m)"), default=250)
    nearby_days = models.PositiveSmallIntegerField(
        _("duplicate suggestion window (days)"), default=30
    )
    description_max_length = models.PositiveIntegerField(
        _("description length limit"), default=4000
    )
    submissions_per_hour = models.PositiveSmallIntegerField(
        _("submissions per reporter per hour"), default=10
    )
    emergency_webhook_url = models.URLField(
        _("emergency forwarding webhook"),
        blank=True,
        help_text=_("Emergency reports are POSTed here as JSON (e.g. to the police's system)."),
    )

    class Meta:
        verbose_name = _("complaint policy")
        verbose_name_plural = _("complaint policy")

    def __str__(self) -> str:
        return str(_("Complaint policy"))


class CategoryGroup(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category group")
        verbose_name_plural = _("category groups")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "tinggi", _("High")
    EMERGENCY = "darurat", _("Emergency")


class Category(models.Model):
    """A kind of problem; also the Open311 "service" (``code`` is the ``service_code``)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    group = models.ForeignKey(
        CategoryGroup, verbose_name=_("group"), on_delete=models.PROTECT, related_name="categories"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=500, blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    is_emergency = models.BooleanField(
        _("emergency"),
        default=False,
        help_text=_("Shows the emergency numbers and forwards reports to the emergency webhook."),
    )
    resolution_working_days = models.PositiveSmallIntegerField(
        _("resolution within (working days)"), default=14
    )
    requires_after_photo = models.BooleanField(_("resolution needs an after photo"), default=True)
    default_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("default agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["group__order", "order", "name"]

    def __str__(self) -> str:
        return self.name


class QuestionType(models.TextChoices):
    """Open311 attribute datatypes."""

    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLE = "singlevaluelist", _("One choice")
    MULTI = "multivaluelist", _("Several choices")


class CategoryQuestion(models.Model):
    """An extra question of a category (an Open311 attribute)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("code"), max_length=60)
    prompt = models.CharField(_("question"), max_length=300)
    description = models.CharField(_("help text"), max_length=300, blank=True)
    datatype = models.CharField(_("type"), max_length=20, choices=QuestionType.choices)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category question")
        verbose_name_plural = _("category questions")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="unique_question_code")
        ]

    def __str__(self) -> str:
        return self.prompt


class QuestionOption(models.Model):
    """A choice of a list question; choosing it can block the submission (e.g. "call 112")."""

    question = models.ForeignKey(CategoryQuestion, on_delete=models.CASCADE, related_name="options")
    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("label"), max_length=200)
    blocks_submission = models.BooleanField(_("blocks the submission"), default=False)
    blocking_message = models.CharField(_("message shown when blocked"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="unique_option_key")
        ]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Which agency receives a category's reports in a kecamatan (most specific rule wins)."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="routing_rules"
    )
    district = models.ForeignKey(
        "regions.District",
        verbose_name=_("kecamatan"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        # One rule per (category or any, kecamatan or any); NULL means "any".
        constraints = [
            models.UniqueConstraint(
                fields=["category", "district"],
                condition=Q(category__isnull=False, district__isnull=False),
                name="unique_routing_category_district",
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(category__isnull=False, district__isnull=True),
                name="unique_routing_category_any_district",
            ),
            models.UniqueConstraint(
                fields=["district"],
                condition=Q(category__isnull=True, district__isnull=False),
                name="unique_routing_any_category_district",
            ),
            models.UniqueConstraint(
                fields=["agency"],
                condition=Q(category__isnull=True, district__isnull=True),
                name="unique_routing_fallback",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} / {self.district or '*'} → {self.agency}"


class ResponseTemplate(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Empty: available to every agency."),
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=2000)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class BannedReporter(models.Model):
    """Abuse list: this account's reports are accepted silently, never published or dispatched."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="complaint_ban"
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("banned reporter")
        verbose_name_plural = _("banned reporters")

    def __str__(self) -> str:
        return str(self.user_id)


class Open311Client(models.Model):
    """An application allowed to POST reports through Open311; the key is stored hashed."""

    name = models.CharField(_("application"), max_length=120)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    key_prefix = models.CharField(_("key prefix"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 client application")
        verbose_name_plural = _("Open311 client applications")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


# --- Reports ---------------------------------------------------------------------------------


class Privacy(models.TextChoices):
    PUBLIC = "publik", _("Public")
    ANONYMOUS = "anonim", _("Anonymous (report public, reporter hidden)")
    SECRET = "rahasia", _("Secret (report hidden from the public)")


class Status(models.TextChoices):
    RECEIVED = "diterima", _("Received")
    VERIFIED = "diverifikasi", _("Verified")
    DISPOSED = "didisposisikan", _("Sent to agency")
    IN_PROGRESS = "diproses", _("In progress")
    RESOLVED = "selesai", _("Resolved")
    CLOSED = "ditutup", _("Closed")
    REJECTED = "ditolak", _("Rejected")


#: Open311's two public statuses.
OPEN_STATUSES = frozenset({Status.RECEIVED, Status.VERIFIED, Status.DISPOSED, Status.IN_PROGRESS})


class RejectionReason(models.TextChoices):
    SPAM = "spam", _("Spam or abuse")
    DUPLICATE = "duplikat", _("Duplicate of another report")
    NOT_AUTHORITY = "bukan_wewenang", _("Not the city's authority")
    UNCLEAR = "tidak_jelas", _("Unclear or incomplete")


class SlaStage(models.TextChoices):
    VERIFICATION = "verifikasi", _("Verification")
    RESPONSE = "tanggapan", _("Agency follow-up")
    RESOLUTION = "penyelesaian", _("Resolution")


class Channel(models.TextChoices):
    WEB = "web", _("Website")
    OPEN311 = "open311", _("Open311 API")
    API = "api", _("Kota Pintar API")
    COUNTER = "loket", _("Service desk")


class Complaint(SlaClockFields):
    """A citizen's report. ``reference`` (e.g. ``ADU-7K3M-Q9XA``) is its public identifier."""

    reference = models.CharField(_("reference number"), max_length=20, unique=True, editable=False)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="complaints"
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    address = models.CharField(_("address or landmark"), max_length=300, blank=True)
    district = models.ForeignKey(
        "regions.District", verbose_name=_("kecamatan"), on_delete=models.PROTECT, null=True
    )
    village = models.ForeignKey(
        "regions.Village", verbose_name=_("kelurahan"), on_delete=models.PROTECT, null=True
    )
    privacy = models.CharField(
        _("privacy"), max_length=10, choices=Privacy.choices, default=Privacy.PUBLIC
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    answers = models.JSONField(_("answers to the category questions"), default=dict, blank=True)

    # Who reported. Web reports have an account; Open311 reports may carry only contact details.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    reporter_name = models.CharField(_("reporter name"), max_length=150, blank=True)
    reporter_email = EncryptedTextField(_("reporter e-mail"), blank=True, default="")
    reporter_phone = EncryptedTextField(_("reporter phone"), blank=True, default="")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    open311_client = models.ForeignKey(
        Open311Client, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=80, blank=True, default="", editable=False)

    # Workflow
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    sla_stage = models.CharField(
        _("SLA stage"), max_length=20, choices=SlaStage.choices, default=SlaStage.VERIFICATION
    )
    waiting_on_citizen = models.BooleanField(_("waiting for the citizen"), default=False)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned officer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_complaints",
    )
    rejection_reason = models.CharField(
        _("rejection reason"), max_length=20, choices=RejectionReason.choices, blank=True
    )
    rejection_note = models.TextField(_("explanation for the citizen"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    resolution_note = models.TextField(_("resolution"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    # Moderation and abuse
    is_hidden = models.BooleanField(_("hidden from the public"), default=False)
    from_banned_reporter = models.BooleanField(default=False, editable=False)

    # Citizen feedback
    citizen_confirmed_fixed = models.BooleanField(_("citizen says fixed"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)
    supporter_count = models.PositiveIntegerField(_("supporters"), default=0)

    # Times (stored in UTC, shown in WIB)
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    disposed_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-submitted_at"]
        constraints = [
            # One report per submission attempt, even on double-click or retry.
            models.UniqueConstraint(
                fields=["reporter", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="unique_complaint_submission_per_reporter",
            ),
            models.UniqueConstraint(
                fields=["open311_client", "idempotency_key"],
                condition=~Q(idempotency_key="") & Q(reporter__isnull=True),
                name="unique_complaint_submission_per_client",
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="complaint_coordinates_in_range",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="complaint_rating_1_to_5",
            ),
        ]
        indexes = [
            # The overdue filter and escalation scan only running clocks of open reports.
            models.Index(
                fields=["sla_due_at"],
                condition=Q(
                    status__in=["diterima", "diverifikasi", "didisposisikan", "diproses"],
                    sla_stopped_at__isnull=True,
                    sla_paused_at__isnull=True,
                ),
                name="complaint_running_clock_due",
            ),
            # The overdue filter of the officers' queue, newest (or oldest) first, and its count:
            # read from this index alone instead of every running clock's row.
            models.Index(
                fields=["submitted_at", "id", "sla_due_at"],
                condition=Q(
                    status__in=["diterima", "diverifikasi", "didisposisikan", "diproses"],
                    sla_started_at__isnull=False,
                    sla_stopped_at__isnull=True,
                    sla_paused_at__isnull=True,
                ),
                name="complaint_running_clock_newest",
            ),
            # The public map's grid cells and the public count, read from this index alone
            # (the rows anyone may see, as ``selectors.public_q``) instead of the whole table.
            models.Index(
                fields=["latitude", "longitude"],
                condition=~Q(privacy="rahasia")
                & Q(is_hidden=False, from_banned_reporter=False)
                & ~Q(status="ditolak"),
                name="complaint_public_location",
            ),
            # The triage and validation tabs (by status, ordered by emergency, overdue and due
            # date): the order's columns read from this index alone, not from ~10,000 rows.
            models.Index(
                fields=[
                    "status",
                    "priority",
                    "sla_due_at",
                    "sla_started_at",
                    "sla_paused_at",
                    "sla_stopped_at",
                    "submitted_at",
                    "id",
                ],
                name="complaint_queue_due_order",
            ),
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["category", "status", "submitted_at"]),
            models.Index(fields=["district", "status"]),
            models.Index(fields=["latitude", "longitude"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_publicly_visible(self) -> bool:
        return (
            self.privacy != Privacy.SECRET
            and not self.is_hidden
            and not self.from_banned_reporter
            and self.status != Status.REJECTED
        )


class PhotoKind(models.TextChoices):
    REPORT = "laporan", _("Photo of the problem")
    AFTER = "sesudah", _("After photo")
    INFO = "tambahan", _("Additional information")


class ComplaintPhoto(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="photos")
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=PhotoKind.choices)
    is_redacted = models.BooleanField(_("removed by a moderator"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.kind}"


class EventKind(models.TextChoices):
    STATUS = "status", _("Status change")
    UPDATE = "update", _("Update")
    INFO_ADDED = "info", _("Information added by the reporter")
    INFO_REQUESTED = "minta_info", _("Information requested from the reporter")
    NOTE = "catatan", _("Internal note")
    ASSIGNED = "penugasan", _("Assignment")
    TRANSFERRED = "pengalihan", _("Transfer to another agency")
    MODERATED = "moderasi", _("Moderation")
    FEEDBACK = "umpan_balik", _("Citizen feedback")
    ESCALATED = "eskalasi", _("Escalation")
    FORWARDED = "diteruskan", _("Forwarded to an emergency service")


class ComplaintEvent(models.Model):
    """One line of a report's timeline. Only ``is_public`` events are shown to the public."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    message = models.TextField(_("message"), blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.kind}"


class Redaction(models.Model):
    """The original text or photo kept for audit when a moderator redacts it."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="redactions")
    field = models.CharField(max_length=20)  # "title", "description" or "photo"
    original_text = models.TextField(blank=True)
    photo = models.ForeignKey(ComplaintPhoto, on_delete=models.CASCADE, null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("redaction")
        verbose_name_plural = _("redactions")

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.field}"


class ComplaintFollower(models.Model):
    """A citizen following (supporting) a report for updates."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_complaints"
    )
    is_supporter = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["complaint", "user"], name="unique_complaint_follower")
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.user_id}"


class AreaSubscription(models.Model):
    """A citizen following new public reports in a kecamatan (optionally one kelurahan)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="complaint_areas"
    )
    district = models.ForeignKey("regions.District", on_delete=models.CASCADE)
    village = models.ForeignKey("regions.Village", on_delete=models.CASCADE, null=True, blank=True)
    unsubscribe_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "district", "village"], name="unique_area_subscription_village"
            ),
            models.UniqueConstraint(
                fields=["user", "district"],
                condition=Q(village__isnull=True),
                name="unique_area_subscription_district",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.district_id}"
