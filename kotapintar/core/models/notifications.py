"""Core models: notifications to users (in the app, by e-mail, by SMS/WhatsApp)."""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotapintar.core.fields import EncryptedTextField

# Characters a browser may strip or reinterpret in a URL ("/\evil.example" works like
# "//evil.example" in some browsers), plus any whitespace or control character.
_UNSAFE_PATH = re.compile(r"[\\\s\x00-\x1f\x7f]")


def validate_internal_path(value: str) -> None:
    """Only a path on this site: starts with "/" but not "//", no backslash or whitespace."""
    if value and (
        not value.startswith("/") or value.startswith("//") or _UNSAFE_PATH.search(value)
    ):
        raise ValidationError(
            _("Enter a path on this site, starting with a single “/”."), code="external_url"
        )


class NotificationChannel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS/WhatsApp")


class DeliveryStatus(models.TextChoices):
    NOT_REQUESTED = "not_requested", _("Not requested")
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (no address)")


class Notification(models.Model):
    """One message to one user; the in-app row is also the delivery record of other channels."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True, default="")
    url = models.CharField(
        _("link"), max_length=500, blank=True, default="", validators=[validate_internal_path]
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    in_app = models.BooleanField(_("shown in the app"), default=True)
    email_status = models.CharField(
        _("e-mail status"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.NOT_REQUESTED,
    )
    email_sent_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)
    # The phone number is personal data: encrypted, and erased once the message is sent.
    sms_to = EncryptedTextField(_("SMS/WhatsApp number"), blank=True, default="")
    sms_status = models.CharField(
        _("SMS/WhatsApp status"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.NOT_REQUESTED,
    )
    sms_sent_at = models.DateTimeField(_("SMS/WhatsApp sent at"), null=True, blank=True)
    # Exception class only: messages of gateway errors may carry addresses.
    delivery_error = models.CharField(_("delivery error"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True, in_app=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
