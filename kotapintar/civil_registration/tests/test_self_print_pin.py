"""The self-print PIN reaches the applicant (e-mail/SMS), never the officer, and can be resent."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from kotapintar.accounts.models import User
from kotapintar.civil_registration import services
from kotapintar.civil_registration.models import Application, DeliveryMethod, SelfPrintAccess
from kotapintar.civil_registration.tests.factories import MOTHER_NIK, World, pdf_upload, submit
from kotapintar.civil_registration.tests.helpers import pin_delivery, side_effects
from kotapintar.core.models.audit import AuditEntry
from kotapintar.core.models.notifications import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def _issue(world: World) -> tuple[Application, str]:
    application = submit(world, delivery_method=DeliveryMethod.SELF_PRINT)
    verifier = User.objects.get(pk=world.verifier.pk)
    services.application_claim(actor=verifier, application=application)
    for doc in application.documents.all():
        services.document_verify(actor=verifier, document=doc, valid=True)
    services.application_approve(actor=verifier, application=application)
    services.application_record_document_number(
        actor=verifier, application=application, document_number="1271-KTP-2026-0009"
    )
    with pin_delivery() as pins:
        result = services.application_attach_signed_document(
            actor=verifier, application=application, signed_file=pdf_upload()
        )
    assert result.pin_sent_to_applicant is True
    assert not hasattr(result, "pin")
    application = services.application_mark_ready(actor=verifier, application=application)
    assert len(pins) == 1
    return application, pins[0]


def _everything_stored() -> str:
    notifications = list(Notification.objects.values_list("title", "body"))
    audits = list(AuditEntry.objects.values_list("summary", "before", "after"))
    return str(notifications) + str(audits)


def test_pin_is_emailed_to_the_applicant_and_stored_nowhere_in_clear(
    world: World, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    application, pin = _issue(world)
    access = SelfPrintAccess.objects.get(application=application)
    message = next(m for m in mail.outbox if pin in str(m.body))
    assert message.to == [world.citizen.email]
    assert f"/adminduk/cetak/{access.token}/" in str(message.body)
    assert pin not in _everything_stored()
    assert pin not in caplog.text
    in_app = Notification.objects.get(recipient=world.citizen, kind=services.PIN_NOTIFICATION_KIND)
    assert in_app.in_app is True and in_app.email_status == "not_requested"
    assert in_app.body == "PIN telah dikirim ke e-mail Anda."
    assert services.self_print_unlock(token=access.token, pin=pin) == application.signed_document


def test_pin_goes_by_sms_too_when_the_account_has_a_phone(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.citizen.phone = "081234567890"
    world.citizen.save(update_fields=["phone"])
    sent: list[tuple[str, str]] = []

    class Gateway:
        def send(self, to: str, text: str) -> None:
            sent.append((to, text))

    monkeypatch.setattr("kotapintar.core.messaging.get_gateway", lambda: Gateway())
    _application, pin = _issue(world)
    assert len(sent) == 1 and sent[0][0] == "081234567890" and pin in sent[0][1]
    in_app = Notification.objects.get(kind=services.PIN_NOTIFICATION_KIND)
    assert in_app.body == "PIN telah dikirim ke e-mail Anda dan lewat SMS ke ponsel Anda."
    assert pin not in _everything_stored()


def test_console_gateway_never_logs_the_pin(world: World, caplog: Any, settings: Any) -> None:
    settings.MESSAGING_GATEWAY = "console"
    world.citizen.phone = "081234567890"
    world.citizen.save(update_fields=["phone"])
    caplog.set_level(logging.DEBUG)
    _application, pin = _issue(world)
    assert "Message to" in caplog.text and pin not in caplog.text


def test_citizen_page_says_where_the_pin_went_and_resend_replaces_it(world: World) -> None:
    application, old_pin = _issue(world)
    client = Client()
    client.force_login(world.citizen)
    detail = reverse("civil_registration:application_detail", args=[application.pk])
    html = client.get(detail).content.decode()
    assert f"PIN telah dikirim ke alamat e-mail Anda {world.citizen.email}" in html
    assert "Kirim ulang PIN" in html and old_pin not in html
    resend = reverse("civil_registration:self_print_pin_resend", args=[application.pk])
    with pin_delivery() as pins:
        response = client.post(resend, follow=True)
    assert "PIN baru sedang dikirim. PIN sebelumnya tidak berlaku lagi." in (
        response.content.decode()
    )
    assert len(pins) == 1
    new_pin = pins[0]
    access = SelfPrintAccess.objects.get(application=application)
    if new_pin != old_pin:
        with pytest.raises(services.SelfPrintDenied):
            services.self_print_unlock(token=access.token, pin=old_pin)
    assert services.self_print_unlock(token=access.token, pin=new_pin)
    entry = AuditEntry.objects.get(action="civil_registration.self_print_pin_resend")
    assert entry.actor_id == world.citizen.pk
    assert application.events.filter(message__startswith="PIN cetak mandiri baru").count() == 1
    assert new_pin not in _everything_stored()


def test_resend_is_rate_limited_and_a_refusal_changes_nothing(world: World) -> None:
    application, _pin = _issue(world)
    citizen = User.objects.get(pk=world.citizen.pk)
    for _ in range(services.PIN_RESEND_LIMIT):
        with pin_delivery():
            services.self_print_pin_resend(actor=citizen, application=application)
    before, outbox = side_effects(), len(mail.outbox)
    hash_before = SelfPrintAccess.objects.get(application=application).pin_hash
    with pin_delivery(), pytest.raises(ValidationError) as exc:
        services.self_print_pin_resend(actor=citizen, application=application)
    assert exc.value.code == "rate_limited"
    assert side_effects() == before and len(mail.outbox) == outbox
    assert SelfPrintAccess.objects.get(application=application).pin_hash == hash_before


def test_resend_of_another_citizens_application_is_404_and_changes_nothing(
    world: World,
) -> None:
    application, _pin = _issue(world)
    other = User.objects.create_user(email="lain@contoh.id", password="x-pasar-ikan-2024")
    client = Client()
    client.force_login(other)
    before, outbox = side_effects(), len(mail.outbox)
    with pin_delivery():
        response = client.post(
            reverse("civil_registration:self_print_pin_resend", args=[application.pk])
        )
    assert response.status_code == 404
    assert side_effects() == before and len(mail.outbox) == outbox


def test_no_resend_for_other_delivery_or_expired_link(world: World) -> None:
    pickup = submit(world, subject_nik=MOTHER_NIK)
    citizen = User.objects.get(pk=world.citizen.pk)
    before = side_effects()
    with pytest.raises(ValidationError) as exc:
        services.self_print_pin_resend(actor=citizen, application=pickup)
    assert exc.value.code == "no_self_print" and side_effects() == before
    application, _pin = _issue(world)
    access = SelfPrintAccess.objects.get(application=application)
    before = side_effects()
    with pytest.raises(ValidationError) as exc:
        services.self_print_pin_resend(
            actor=citizen,
            application=application,
            now=access.expires_at,
        )
    assert exc.value.code == "expired" and side_effects() == before
