"""Background tasks of the core app (django-tasks; the database backend by default)."""

from __future__ import annotations

from django_tasks import task

from kotapintar.core.notifications import notification_deliver


@task()
def send_notification_task(notification_id: int) -> dict[str, str]:
    """Deliver a notification's pending e-mail and SMS/WhatsApp message."""
    return notification_deliver(notification_id=notification_id)
