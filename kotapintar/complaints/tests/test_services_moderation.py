"""Moderation, abuse list and area subscriptions: who may, what changes, what is recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kotapintar.complaints import selectors, services
from kotapintar.complaints.models import (
    AreaSubscription,
    BannedReporter,
    ComplaintEvent,
    EventKind,
    Status,
)
from kotapintar.core.models.audit import AuditEntry
from kotapintar.testing.factories import (
    CitizenFactory,
    CoordinatorFactory,
    DistrictFactory,
    OfficerFactory,
    RegencyFactory,
    VillageFactory,
)

from .factories import ComplaintFactory

pytestmark = pytest.mark.django_db


def test_coordinator_hides_a_report_from_the_public_and_it_comes_back_when_unhidden() -> None:
    complaint = ComplaintFactory.create(status=Status.VERIFIED)
    coordinator = CoordinatorFactory.create()
    assert selectors.complaints_public().filter(pk=complaint.pk).exists()

    services.complaint_hide(complaint=complaint, actor=coordinator, reason="Menyebut nama warga.")

    complaint.refresh_from_db()
    assert complaint.is_hidden is True
    assert not selectors.complaints_public().filter(pk=complaint.pk).exists()
    event = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.MODERATED)
    assert event.is_public is False
    assert AuditEntry.objects.filter(action="complaint.hide", object_id=str(complaint.pk)).exists()

    services.complaint_unhide(complaint=complaint, actor=coordinator, reason="Sudah disunting.")
    complaint.refresh_from_db()
    assert complaint.is_hidden is False
    assert selectors.complaints_public().filter(pk=complaint.pk).exists()


def test_an_officer_cannot_hide_a_report_and_nothing_changes() -> None:
    complaint = ComplaintFactory.create(status=Status.DISPOSED)
    officer = OfficerFactory.create(agency=complaint.agency)
    events_before = ComplaintEvent.objects.count()
    audits_before = AuditEntry.objects.count()

    with pytest.raises(PermissionDenied):
        services.complaint_hide(complaint=complaint, actor=officer, reason="Tidak suka.")

    complaint.refresh_from_db()
    assert complaint.is_hidden is False
    assert ComplaintEvent.objects.count() == events_before
    assert AuditEntry.objects.count() == audits_before


def test_hiding_needs_a_reason() -> None:
    complaint = ComplaintFactory.create(status=Status.VERIFIED)
    with pytest.raises(ValidationError):
        services.complaint_hide(
            complaint=complaint, actor=CoordinatorFactory.create(), reason="   "
        )
    complaint.refresh_from_db()
    assert complaint.is_hidden is False


def test_ban_and_unban_a_reporter_are_audited() -> None:
    citizen = CitizenFactory.create()
    coordinator = CoordinatorFactory.create()

    services.reporter_ban(user=citizen, actor=coordinator, reason="Laporan palsu berulang.")
    assert BannedReporter.objects.filter(user=citizen).exists()
    assert AuditEntry.objects.filter(action="complaint.reporter_ban").count() == 1

    assert services.reporter_unban(user=citizen, actor=coordinator, reason="Banding diterima.")
    assert not BannedReporter.objects.filter(user=citizen).exists()
    assert AuditEntry.objects.filter(action="complaint.reporter_unban").count() == 1
    # Unbanning again is a no-op, not an error, and writes nothing.
    assert services.reporter_unban(user=citizen, actor=coordinator) is False
    assert AuditEntry.objects.filter(action="complaint.reporter_unban").count() == 1


def test_officers_cannot_be_put_on_the_abuse_list() -> None:
    with pytest.raises(ValidationError):
        services.reporter_ban(
            user=OfficerFactory.create(), actor=CoordinatorFactory.create(), reason="x y z"
        )
    assert BannedReporter.objects.count() == 0


def test_area_subscription_is_unique_and_the_token_unsubscribes_without_login() -> None:
    regency = RegencyFactory(code="12.71")
    district = DistrictFactory(code="12.71.02", regency=regency, name="Medan Area")
    citizen = CitizenFactory.create()

    first = services.area_subscribe(user=citizen, district=district)
    second = services.area_subscribe(user=citizen, district=district)

    assert first.pk == second.pk
    assert AreaSubscription.objects.filter(user=citizen).count() == 1
    assert services.area_unsubscribe_by_token(token=str(first.unsubscribe_token)) is True
    assert AreaSubscription.objects.filter(user=citizen).count() == 0
    assert services.area_unsubscribe_by_token(token="bukan-token") is False


def test_area_subscription_refuses_a_kelurahan_of_another_kecamatan() -> None:
    regency = RegencyFactory(code="12.71")
    district = DistrictFactory(code="12.71.02", regency=regency, name="Medan Area")
    elsewhere = VillageFactory(code="12.71.01.1001")  # in Medan Kota, not Medan Area

    with pytest.raises(ValidationError):
        services.area_subscribe(user=CitizenFactory.create(), district=district, village=elsewhere)
    assert AreaSubscription.objects.count() == 0
