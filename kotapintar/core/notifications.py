"""Notifications: services (writes) and selectors (reads).

Any module tells a user something with :func:`notify`. The in-app row is written in the
caller's transaction; e-mail and SMS/WhatsApp go out from a background task enqueued only after
that transaction commits, so a rolled-back status change never sends a message.

Channels: ``in_app`` (listed on the "My notifications" page), ``email`` (to the recipient's
address) and ``sms`` (through the messaging gateway, to ``sms_to`` or else the recipient's
phone). Passing ``sms_to`` implies the ``sms`` channel. A requested channel without an address
is recorded as ``skipped``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext

from kotapintar.core.messaging import get_gateway
from kotapintar.core.models.notifications import (
    DeliveryStatus,
    Notification,
    NotificationChannel,
    validate_internal_path,
)

if TYPE_CHECKING:
    from kotapintar.accounts.models import User

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH = 200
SMS_MAX_LENGTH = 1000
DEFAULT_CHANNELS: tuple[str, ...] = (NotificationChannel.IN_APP, NotificationChannel.EMAIL)


# --- Services -------------------------------------------------------------------------------


@transaction.atomic
def notify(
    *,
    recipient: User,
    kind: str,
    title: str | Promise,
    body: str | Promise,
    url: str = "",
    channels: Iterable[str] = DEFAULT_CHANNELS,
    sms_to: str | None = None,
) -> Notification:
    """Record a notification for ``recipient`` and schedule its e-mail/SMS after commit.

    ``title`` and ``body`` are plain text (escaped wherever shown); lazy translations are
    rendered in the recipient's preferred language. ``url`` must be a path on this site.
    """
    requested = set(channels)
    unknown = requested - set(NotificationChannel.values)
    if unknown:
        raise ValueError(f"Unknown notification channel(s): {sorted(unknown)}")
    if sms_to:
        requested.add(NotificationChannel.SMS)
    validate_internal_path(url)

    with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
        title_text = _truncate(" ".join(str(title).split()), TITLE_MAX_LENGTH)
        body_text = str(body).strip()

    phone = (sms_to or recipient.phone or "").strip()
    notification = Notification(
        recipient=recipient,
        kind=kind,
        title=title_text,
        body=body_text,
        url=url,
        channels=sorted(requested),
        in_app=NotificationChannel.IN_APP in requested,
        email_status=_initial_status(
            NotificationChannel.EMAIL in requested, bool(recipient.email and recipient.is_active)
        ),
        sms_status=_initial_status(NotificationChannel.SMS in requested, bool(phone)),
    )
    if notification.sms_status == DeliveryStatus.PENDING:
        notification.sms_to = phone
    notification.clean_fields(exclude=["recipient"])
    notification.save()
    if DeliveryStatus.PENDING in (notification.email_status, notification.sms_status):
        transaction.on_commit(partial(_enqueue_delivery, notification.pk))
    return notification


@transaction.atomic
def mark_read(*, notification: Notification, at: datetime | None = None) -> Notification:
    """Mark one notification read (idempotent: the first read time is kept)."""
    if notification.read_at is None:
        at = at or timezone.now()
        updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=at
        )
        if updated:
            notification.read_at = at
        else:  # read meanwhile in another request
            notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_read(*, user: User | AnonymousUser, at: datetime | None = None) -> int:
    """Mark all of ``user``'s unread notifications read; returns how many changed."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=at or timezone.now()
    )


@transaction.atomic
def notification_delivery_retry(*, notification: Notification) -> bool:
    """Queue the failed channels of ``notification`` again; False when nothing had failed."""
    updated = 0
    for field in ("email_status", "sms_status"):
        updated += Notification.objects.filter(
            pk=notification.pk, **{field: DeliveryStatus.FAILED}
        ).update(**{field: DeliveryStatus.PENDING})
    if updated:
        transaction.on_commit(partial(_enqueue_delivery, notification.pk))
        notification.refresh_from_db(fields=["email_status", "sms_status"])
    return bool(updated)


def notification_deliver(*, notification_id: int) -> dict[str, str]:
    """Send the pending e-mail and SMS of one notification (run by the background task).

    Each channel is claimed with a conditional update (pending -> sending) so that a task
    that runs twice sends nothing twice. A failed channel is marked ``failed`` and, after the
    other channel has been tried, its exception is raised again so the task fails visibly.
    """
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None:  # the recipient was deleted meanwhile
        return {}
    errors: list[Exception] = []
    if _claim(notification, "email_status"):
        _attempt(notification, "email", _send_email, errors)
    if _claim(notification, "sms_status"):
        _attempt(notification, "sms", _send_sms, errors)
    if errors:
        raise errors[0]
    notification.refresh_from_db(fields=["email_status", "sms_status"])
    return {"email": notification.email_status, "sms": notification.sms_status}


# --- Selectors ------------------------------------------------------------------------------


def notifications_for(user: User | AnonymousUser) -> QuerySet[Notification]:
    """The user's in-app notifications, newest first."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, in_app=True).order_by("-created_at", "-id")


def unread_count(user: User | AnonymousUser) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, in_app=True, read_at__isnull=True).count()


def notification_for(user: User | AnonymousUser, *, public_id: uuid.UUID | str) -> Notification:
    """One of the user's own notifications; raises ``Notification.DoesNotExist`` otherwise."""
    return notifications_for(user).get(public_id=public_id)


# --- Internals ------------------------------------------------------------------------------


def _initial_status(requested: bool, has_address: bool) -> str:
    if not requested:
        return DeliveryStatus.NOT_REQUESTED
    return DeliveryStatus.PENDING if has_address else DeliveryStatus.SKIPPED


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _enqueue_delivery(notification_id: int) -> None:
    from kotapintar.core.tasks import send_notification_task  # the task module imports us

    send_notification_task.enqueue(notification_id=notification_id)


def _claim(notification: Notification, field: str) -> bool:
    return bool(
        Notification.objects.filter(pk=notification.pk, **{field: DeliveryStatus.PENDING}).update(
            **{field: DeliveryStatus.SENDING}
        )
    )


def _attempt(
    notification: Notification,
    channel: str,
    send: Callable[[Notification], None],
    errors: list[Exception],
) -> None:
    status_field, sent_field = f"{channel}_status", f"{channel}_sent_at"
    try:
        send(notification)
    except Exception as exc:
        Notification.objects.filter(pk=notification.pk).update(
            **{status_field: DeliveryStatus.FAILED, "delivery_error": type(exc).__name__[:200]}
        )
        # The exception text may contain an address: log the class only.
        logger.warning(
            "Notification %s: %s delivery failed (%s)", notification.pk, channel, type(exc).__name__
        )
        errors.append(exc)
        return
    changes: dict[str, object] = {status_field: DeliveryStatus.SENT, sent_field: timezone.now()}
    if channel == "sms":
        changes["sms_to"] = ""  # data minimisation: the number is no longer needed
    Notification.objects.filter(pk=notification.pk).update(**changes)


def _absolute_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _send_email(notification: Notification) -> None:
    recipient = notification.recipient
    with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
        parts = [notification.body] if notification.body else []
        if notification.url:
            parts.append(gettext("Open: %(link)s") % {"link": _absolute_link(notification.url)})
        message = "\n\n".join(parts)
    send_mail(
        subject=notification.title,
        message=message,
        from_email=None,
        recipient_list=[recipient.email],
        fail_silently=False,
    )


def _send_sms(notification: Notification) -> None:
    link = _absolute_link(notification.url) if notification.url else ""
    # Shorten the text, never the link.
    text = _truncate(
        "\n".join(p for p in (notification.title, notification.body) if p),
        SMS_MAX_LENGTH - len(link) - 1,
    )
    get_gateway().send(notification.sms_to, f"{text}\n{link}" if link else text)
