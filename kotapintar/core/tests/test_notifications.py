"""Notification services, selectors and the delivery task (e-mail, SMS/WhatsApp gateway)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext_lazy
from django_tasks_db.models import DBTaskResult

from kotapintar.core.messaging import GatewayError
from kotapintar.core.models.notifications import DeliveryStatus, Notification
from kotapintar.core.notifications import (
    mark_all_read,
    mark_read,
    notification_deliver,
    notification_delivery_retry,
    notification_for,
    notifications_for,
    notify,
    unread_count,
)
from kotapintar.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "081234567890"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = IMMEDIATE
    settings.MESSAGING_GATEWAY = "console"
    settings.SITE_URL = "https://layanan.pemkomedan.go.id"


class FakeGateway:
    """Records messages; raises like a webhook answering 503 while ``fail`` is set."""

    def __init__(self) -> None:
        self.fail = True
        self.calls: list[tuple[str, str]] = []

    def send(self, to: str, text: str) -> None:
        self.calls.append((to, text))
        if self.fail:
            raise GatewayError("Messaging webhook answered HTTP 503.")


@pytest.fixture
def fake_gateway(monkeypatch: pytest.MonkeyPatch) -> FakeGateway:
    gateway = FakeGateway()
    monkeypatch.setattr("kotapintar.core.notifications.get_gateway", lambda: gateway)
    return gateway


def _notify(recipient: Any, **kwargs: Any) -> Notification:
    values: dict[str, Any] = {
        "kind": "complaint.status_changed",
        "title": "Laporan Anda diproses",
        "body": "Laporan KP-2026-000123 sedang ditangani Dinas PU.",
        "url": "/pengaduan/KP-2026-000123/",
    }
    values.update(kwargs)
    return notify(recipient=recipient, **values)


# --- notify() -------------------------------------------------------------------------------


def test_notify_creates_an_unread_in_app_row(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    user = UserFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        notification = _notify(user)
    notification.refresh_from_db()
    assert notification.recipient == user
    assert notification.kind == "complaint.status_changed"
    assert notification.title == "Laporan Anda diproses"
    assert notification.url == "/pengaduan/KP-2026-000123/"
    assert notification.read_at is None
    assert notification.in_app is True
    assert notification.channels == ["email", "in_app"]
    assert notification.email_status == DeliveryStatus.PENDING
    assert notification.sms_status == DeliveryStatus.NOT_REQUESTED
    assert len(callbacks) == 1
    assert mail.outbox == []  # nothing is sent before the transaction commits


@pytest.mark.usefixtures("immediate_tasks")
def test_email_is_sent_after_commit_with_an_absolute_link(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    user = UserFactory(email="siti@contoh.id", preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(user)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["siti@contoh.id"]
    assert message.subject == "Laporan Anda diproses"
    assert message.body == (
        "Laporan KP-2026-000123 sedang ditangani Dinas PU.\n\n"
        "Open: https://layanan.pemkomedan.go.id/pengaduan/KP-2026-000123/"
    )
    notification.refresh_from_db()
    assert notification.email_status == DeliveryStatus.SENT
    assert notification.email_sent_at is not None


@pytest.mark.usefixtures("immediate_tasks")
def test_rolled_back_transaction_sends_nothing_and_leaves_no_row(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    user = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _notify(user, sms_to=PHONE)
        raise RuntimeError("the status change failed")
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_delivery_is_queued_in_the_database_backend_with_the_id_only(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(user, sms_to=PHONE)
    task = DBTaskResult.objects.get()
    assert task.task_path == "kotapintar.core.tasks.send_notification_task"
    assert task.args_kwargs == {"args": [], "kwargs": {"notification_id": notification.pk}}
    assert mail.outbox == []  # a worker sends it later


def test_in_app_only_notification_queues_no_task(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        notification = _notify(UserFactory(), channels=("in_app",))
    assert callbacks == []
    assert notification.email_status == DeliveryStatus.NOT_REQUESTED


@pytest.mark.usefixtures("immediate_tasks")
def test_email_only_notification_is_not_listed_in_the_app(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(user, channels=("email",))
    assert notification.in_app is False
    assert list(notifications_for(user)) == []
    assert unread_count(user) == 0
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "javascript:alert(1)",
        "pengaduan/1/",
        "/pengaduan/ 1/",
        "/pengaduan/\n1/",
    ],
)
def test_external_or_malformed_url_is_rejected_and_nothing_is_created(
    url: str, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError) as exc:
        _notify(UserFactory(), url=url)
    assert exc.value.code == "external_url"
    assert Notification.objects.count() == 0
    assert callbacks == []


def test_unknown_channel_is_rejected() -> None:
    with pytest.raises(ValueError, match="push"):
        _notify(UserFactory(), channels=("in_app", "push"))
    assert Notification.objects.count() == 0


def test_title_is_one_line_and_truncated_to_200_characters() -> None:
    notification = _notify(UserFactory(), title="Status\r\nbaru:  " + "x" * 300)
    assert "\n" not in notification.title
    assert len(notification.title) == 200
    assert notification.title.startswith("Status baru: xxx")
    assert notification.title.endswith("…")


def test_lazy_texts_are_rendered_in_the_recipients_language() -> None:
    notification = _notify(
        UserFactory(preferred_language="id"),
        title=gettext_lazy("Monday"),
        body=gettext_lazy("This field is required."),
    )
    assert (notification.title, notification.body) == ("Senin", "Bidang ini harus diisi.")


def test_channel_without_an_address_is_skipped(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    user = UserFactory(phone="")
    with django_capture_on_commit_callbacks() as callbacks:
        notification = _notify(user, channels=("in_app", "sms"))
    assert notification.sms_status == DeliveryStatus.SKIPPED
    assert notification.sms_to == ""
    assert callbacks == []


# --- SMS/WhatsApp ---------------------------------------------------------------------------


def test_sms_number_is_encrypted_at_rest(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks():
        notification = _notify(UserFactory(), sms_to=PHONE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sms_to FROM core_notification WHERE id = %s", [notification.pk])
        (raw,) = cursor.fetchone()
    assert raw and PHONE not in raw
    assert Notification.objects.get(pk=notification.pk).sms_to == PHONE


@pytest.mark.usefixtures("immediate_tasks")
def test_sms_goes_through_the_console_gateway_masked_and_the_number_is_erased(
    django_capture_on_commit_callbacks: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    user = UserFactory()
    with (
        caplog.at_level(logging.INFO, logger="kotapintar.core.messaging"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification = _notify(user, sms_to=PHONE, channels=("in_app",))
    gateway_lines = [r.getMessage() for r in caplog.records if r.name.endswith("messaging")]
    assert gateway_lines == [
        "Message to 0812******90 (130 characters): Laporan Anda diproses\n"
        "Laporan KP-2026-000123 sedang ditangani Dinas PU.\n"
        "https://layanan.pemkomedan.go.id/pengaduan/KP-2026-000123/"
    ]
    assert PHONE not in caplog.text
    notification.refresh_from_db()
    assert notification.sms_status == DeliveryStatus.SENT
    assert notification.sms_sent_at is not None
    assert notification.sms_to == ""
    assert notification.channels == ["in_app", "sms"]


@pytest.mark.usefixtures("immediate_tasks")
def test_sms_channel_falls_back_to_the_users_phone(
    django_capture_on_commit_callbacks: Callable[..., Any], fake_gateway: FakeGateway
) -> None:
    fake_gateway.fail = False
    with django_capture_on_commit_callbacks(execute=True):
        _notify(UserFactory(phone="081298765432"), channels=("sms",))
    assert [to for to, _ in fake_gateway.calls] == ["081298765432"]


@pytest.mark.usefixtures("immediate_tasks")
def test_gateway_failure_marks_sms_failed_still_sends_email_and_can_be_retried(
    django_capture_on_commit_callbacks: Callable[..., Any], fake_gateway: FakeGateway
) -> None:
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(user, sms_to=PHONE)
    notification.refresh_from_db()
    assert notification.sms_status == DeliveryStatus.FAILED
    assert notification.delivery_error == "GatewayError"
    assert notification.sms_to == PHONE  # kept for the retry
    assert notification.email_status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1

    fake_gateway.fail = False
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_delivery_retry(notification=notification) is True
    notification.refresh_from_db()
    assert notification.sms_status == DeliveryStatus.SENT
    assert notification.sms_to == ""
    assert len(fake_gateway.calls) == 2
    assert len(mail.outbox) == 1  # the e-mail was not sent twice
    assert notification_delivery_retry(notification=notification) is False


@pytest.mark.usefixtures("fake_gateway")
def test_delivery_task_raises_so_the_failure_is_visible() -> None:
    notification = _notify(UserFactory(), sms_to=PHONE, channels=("in_app",))
    with pytest.raises(GatewayError):
        notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.sms_status == DeliveryStatus.FAILED


def test_delivering_twice_sends_once() -> None:
    notification = _notify(UserFactory())
    assert notification_deliver(notification_id=notification.pk) == {
        "email": DeliveryStatus.SENT,
        "sms": DeliveryStatus.NOT_REQUESTED,
    }
    notification_deliver(notification_id=notification.pk)
    assert len(mail.outbox) == 1


def test_delivery_of_a_deleted_notification_does_nothing() -> None:
    assert notification_deliver(notification_id=987654) == {}
    assert mail.outbox == []


# --- Reading and marking read ---------------------------------------------------------------


def test_selectors_return_only_the_users_own_notifications_newest_first() -> None:
    user, other = UserFactory(), UserFactory()
    first = _notify(user, title="Satu")
    second = _notify(user, title="Dua")
    _notify(other, title="Milik orang lain")
    assert list(notifications_for(user)) == [second, first]
    assert unread_count(user) == 2
    assert notification_for(user, public_id=first.public_id) == first
    with pytest.raises(Notification.DoesNotExist):
        notification_for(other, public_id=first.public_id)


def test_mark_read_keeps_the_first_read_time() -> None:
    notification = _notify(UserFactory())
    first = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)
    mark_read(notification=notification, at=first)
    mark_read(notification=notification, at=datetime(2026, 7, 2, 3, 0, tzinfo=UTC))
    notification.refresh_from_db()
    assert notification.read_at == first
    assert unread_count(notification.recipient) == 0


def test_mark_all_read_touches_only_the_users_unread_notifications() -> None:
    user, other = UserFactory(), UserFactory()
    already = _notify(user)
    earlier = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)
    mark_read(notification=already, at=earlier)
    _notify(user)
    _notify(user)
    others = _notify(other)
    assert mark_all_read(user=user) == 2
    assert unread_count(user) == 0
    already.refresh_from_db()
    others.refresh_from_db()
    assert already.read_at == earlier
    assert others.read_at is None
