from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from kotapintar.civil_registration import selectors, selectors_citizen, services
from kotapintar.civil_registration.models import Application, Status
from kotapintar.civil_registration.tests.factories import NIK, World, pdf_upload, submit
from kotapintar.core.models.audit import AuditEntry
from kotapintar.core.uploads import stored_file_get_for_download
from kotapintar.testing.factories import AnalystFactory

pytestmark = pytest.mark.django_db


def test_t16_citizen_sees_own_and_gets_404_for_others(world: World) -> None:
    application = submit(world)
    assert list(selectors.application_list_for_citizen(actor=world.citizen)) == [application]
    assert selectors.application_list_for_citizen(actor=world.other_citizen).count() == 0
    assert (
        selectors.application_get_for_citizen(actor=world.citizen, application_id=application.pk)
        == application
    )
    for actor, app_id in [
        (world.other_citizen, application.pk),
        (world.citizen, uuid.uuid4()),
        (world.citizen, "not-a-uuid"),
        (None, application.pk),
    ]:
        with pytest.raises(Http404):
            selectors.application_get_for_citizen(actor=actor, application_id=app_id)


def test_t16_ids_are_random_uuids_not_sequential(world: World) -> None:
    application = submit(world)
    assert isinstance(application.pk, uuid.UUID)
    assert application.reference.startswith("DKP-")


def test_t16_officer_of_another_unit_and_other_roles_get_404(world: World) -> None:
    application = submit(world)
    analyst = AnalystFactory()
    for actor in (world.other_unit_verifier, world.citizen, world.dashboard, analyst):
        with pytest.raises(Http404):
            selectors.application_get_for_officer(actor=actor, application_id=application.pk)
        assert selectors.application_queue_for_officer(actor=actor).count() == 0
    assert (
        selectors.application_get_for_officer(actor=world.operator, application_id=application.pk)
        == application
    )
    # The head (no unit) sees every unit of Disdukcapil.
    assert list(selectors.application_queue_for_officer(actor=world.head)) == [application]


def test_t16_unassigned_officer_sees_masked_summary_without_audit(world: World) -> None:
    application = submit(world)
    before = AuditEntry.objects.count()
    view = selectors.application_detail_for_officer(actor=world.operator, application=application)
    assert not view.personal_data_visible
    assert view.subject_nik == "1271********0001"
    assert view.subject_name == "B*** S******"
    assert view.form_data == {} and view.delivery_address == ""
    assert view.documents == []
    assert AuditEntry.objects.count() == before


def test_t16_assigned_officer_sees_personal_data_and_it_is_audited(world: World) -> None:
    application = services.application_claim(actor=world.verifier, application=submit(world))
    view = selectors.application_detail_for_officer(actor=world.verifier, application=application)
    assert view.personal_data_visible and view.subject_nik == NIK
    assert len(view.documents) == 2
    entry = AuditEntry.objects.filter(action="personal_data.read").get()
    assert entry.actor == world.verifier and entry.object_id == str(application.pk)


def test_t16_other_unit_officer_cannot_open_detail(world: World) -> None:
    application = submit(world)
    with pytest.raises(Http404):
        selectors.application_detail_for_officer(
            actor=world.other_unit_verifier, application=application
        )


def test_files_only_for_applicant_and_assigned_officer(world: World) -> None:
    application = submit(world)
    doc = application.documents.first()
    assert doc is not None
    file_id = doc.file_id
    assert stored_file_get_for_download(user=world.citizen, file_id=file_id)
    for user in (world.other_citizen, world.operator, world.other_unit_verifier, world.head):
        with pytest.raises(Http404):
            stored_file_get_for_download(user=user, file_id=file_id)
    services.application_claim(actor=world.verifier, application=application)
    assert stored_file_get_for_download(user=world.verifier, file_id=file_id)


def test_queue_filters(world: World) -> None:
    first = submit(world)
    second = submit(world, service_code="ktp-el-rusak")
    services.application_claim(actor=world.verifier, application=second)
    queue = selectors.application_queue_for_officer
    assert list(queue(actor=world.operator, unassigned=True)) == [first]
    assert list(queue(actor=world.verifier, mine=True)) == [second]
    assert list(queue(actor=world.operator, status=Status.SUBMITTED)) == [first]
    assert list(queue(actor=world.operator, service_code="ktp-el-rusak")) == [second]
    assert queue(actor=world.operator, overdue=True).count() == 0
    later = timezone.now() + timedelta(days=30)
    assert set(queue(actor=world.operator, overdue=True, now=later)) == {first, second}


def test_t14_overdue_counts_per_unit_and_officer(world: World) -> None:
    submit(world)
    claimed = services.application_claim(
        actor=world.verifier, application=submit(world, service_code="ktp-el-rusak")
    )
    later = timezone.now() + timedelta(days=30)
    by_unit = selectors.overdue_counts_by_unit(actor=world.head, now=later)
    assert by_unit == [{"unit_id": world.desk.pk, "unit__name": world.desk.name, "count": 2}]
    by_officer = {
        row["assigned_officer_id"]: row["count"]
        for row in selectors.overdue_counts_by_officer(actor=world.head, now=later)
    }
    assert by_officer == {None: 1, claimed.assigned_officer_id: 1}


def test_returned_application_is_not_overdue_while_paused(world: World) -> None:
    application = services.application_claim(actor=world.verifier, application=submit(world))
    services.application_return(actor=world.verifier, application=application, note="Perbaiki.")
    later = timezone.now() + timedelta(days=30)
    assert (
        selectors.application_queue_for_officer(
            actor=world.operator, overdue=True, now=later
        ).count()
        == 0
    )


def test_public_verification_shows_masked_data_only(world: World) -> None:
    application = services.application_claim(actor=world.verifier, application=submit(world))
    for doc in application.documents.all():
        services.document_verify(actor=world.verifier, document=doc, valid=True)
    services.application_approve(actor=world.verifier, application=application)
    services.application_record_document_number(
        actor=world.operator, application=application, document_number="1271-KTP-0001"
    )
    services.application_attach_signed_document(
        actor=world.operator, application=application, signed_file=pdf_upload()
    )
    application = Application.objects.get(pk=application.pk)
    assert application.verification_token
    result = selectors_citizen.verification_public(token=application.verification_token)
    assert result.issued and result.active
    assert result.masked_name == "B*** S******"
    assert result.masked_nik == "1271********0001"
    assert result.document_number == "1271-KTP-0001"
    assert result.document_type == "KTP-el hilang"
    with pytest.raises(Http404):
        selectors_citizen.verification_public(token="x" * 32)


def test_mask_name() -> None:
    assert selectors.mask_name("Siti Budiarti") == "S*** B*******"
    assert selectors.mask_name("Sukarno") == "S******"
    assert selectors.mask_name("") == ""
