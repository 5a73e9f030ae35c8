"""Follow-ups of issue 4: resubmitted cases go back to their verifier, unique ids on the
per-document verify forms, lead time measured from the first submission."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kotapintar.accounts.models import User
from kotapintar.civil_registration import services
from kotapintar.civil_registration.models import Application, RejectionReason, Status
from kotapintar.civil_registration.rules import jakarta_date
from kotapintar.civil_registration.selectors_dashboard import dashboard_stats
from kotapintar.civil_registration.tests.factories import (
    MOTHER_NIK,
    World,
    jpeg_upload,
    pdf_upload,
    submit,
)
from kotapintar.civil_registration.tests.helpers import side_effects

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _resubmitted(world: World, **kwargs: object) -> Application:
    application = submit(world, **kwargs)
    services.application_claim(actor=fresh(world.verifier), application=application)
    kk = application.documents.get(requirement__code="kk")
    services.document_verify(
        actor=fresh(world.verifier),
        document=kk,
        valid=False,
        reason=RejectionReason.objects.get(code="tidak-terbaca"),
    )
    services.application_return(actor=fresh(world.verifier), application=application)
    application.refresh_from_db()
    application = services.application_resubmit(
        actor=world.citizen, application=application, documents={"kk": jpeg_upload("kk2.jpg")}
    )
    assert application.status == Status.SUBMITTED
    assert application.assigned_officer_id == world.verifier.pk
    return application


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_assigned_verifier_continues_a_resubmitted_case(world: World) -> None:
    application = _resubmitted(world)
    client = _client(world.verifier)
    detail = reverse("civil_registration:staff_detail", args=[application.pk])
    assert "Lanjutkan verifikasi" in client.get(detail).content.decode()
    queue = client.get(reverse("civil_registration:staff_queue") + "?mine=on").content.decode()
    assert "Lanjutkan verifikasi" in queue
    response = client.post(
        reverse("civil_registration:staff_action", args=[application.pk, "claim"])
    )
    assert response.status_code in (302, 303)
    application.refresh_from_db()
    assert application.status == Status.IN_VERIFICATION
    assert application.assigned_officer_id == world.verifier.pk


def test_another_officer_cannot_claim_a_case_assigned_to_someone_else(world: World) -> None:
    application = _resubmitted(world)
    detail = reverse("civil_registration:staff_detail", args=[application.pk])
    html = _client(world.operator).get(detail).content.decode()
    assert "Lanjutkan verifikasi" not in html and "Ambil permohonan ini" not in html
    before = side_effects()
    with pytest.raises(PermissionDenied):
        services.application_claim(actor=fresh(world.operator), application=application)
    _client(world.operator).post(
        reverse("civil_registration:staff_action", args=[application.pk, "claim"])
    )
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.assigned_officer_id == world.verifier.pk
    assert side_effects() == before
    # A head reassigns it; then the new officer works on it.
    services.application_assign(
        actor=fresh(world.head), application=application, officer=fresh(world.operator)
    )
    application.refresh_from_db()
    assert application.assigned_officer_id == world.operator.pk


def test_resubmitted_cases_come_first_on_the_officers_own_list(world: World) -> None:
    resubmitted = _resubmitted(world)
    working = submit(world, subject_nik=MOTHER_NIK)
    services.application_claim(actor=fresh(world.verifier), application=working)
    # The case being verified is due earlier: without the rule it would come first.
    Application.objects.filter(pk=working.pk).update(sla_due_at=timezone.now() - timedelta(days=3))
    html = (
        _client(world.verifier)
        .get(reverse("civil_registration:staff_queue") + "?mine=on")
        .content.decode()
    )
    assert html.index(resubmitted.reference) < html.index(working.reference)


def test_per_document_verify_forms_have_unique_ids(world: World) -> None:
    application = submit(world)
    services.application_claim(actor=fresh(world.verifier), application=application)
    assert application.documents.count() > 1
    html = (
        _client(world.verifier)
        .get(reverse("civil_registration:staff_detail", args=[application.pk]))
        .content.decode()
    )
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for target in re.findall(r'<label for="([^"]+)"', html):
        assert target in ids


def test_lead_time_runs_from_the_first_submission(world: World) -> None:
    application = _resubmitted(world)
    first = application.submitted_at
    application.refresh_from_db()
    assert application.submitted_at == first  # a resubmission does not restart it
    verifier = fresh(world.verifier)
    services.application_claim(actor=verifier, application=application)
    application.refresh_from_db()
    for doc in application.documents.filter(superseded_by__isnull=True):
        services.document_verify(actor=verifier, document=doc, valid=True)
    services.application_approve(actor=verifier, application=application)
    services.application_record_document_number(
        actor=verifier, application=application, document_number="1271-0042"
    )
    services.application_attach_signed_document(
        actor=verifier, application=application, signed_file=pdf_upload()
    )
    services.application_mark_ready(actor=verifier, application=application)
    application.refresh_from_db()
    assert application.submitted_at == first and application.ready_at is not None
    # First submission 30 hours before "ready".
    Application.objects.filter(pk=application.pk).update(
        submitted_at=application.ready_at - timedelta(hours=30)
    )
    stats = dashboard_stats(
        agency_id=None, date_from=jakarta_date() - timedelta(days=3), date_to=jakarta_date()
    )
    row = next(r for r in stats["by_service"] if r["applications"] == 1)
    assert row["median_hours"] == pytest.approx(30, abs=0.1)
