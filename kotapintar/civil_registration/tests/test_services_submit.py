from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings

from kotapintar.civil_registration.models import (
    Application,
    ApplicationEvent,
    DeliveryMethod,
    DocumentService,
    FineStatus,
    PaymentStatus,
    Status,
)
from kotapintar.civil_registration.rules import jakarta_date
from kotapintar.civil_registration.services import OpenApplicationExists, application_cancel
from kotapintar.civil_registration.tests.factories import (
    BIRTH_FORM,
    NIK,
    World,
    jpeg_upload,
    required_uploads,
    submit,
)
from kotapintar.civil_registration.tests.helpers import side_effects
from kotapintar.core.models.audit import AuditEntry
from kotapintar.core.models.notifications import Notification
from kotapintar.regions.models import VillageKind
from kotapintar.testing.factories import DistrictFactory, RegencyFactory, VillageFactory

pytestmark = pytest.mark.django_db


def test_submit_stores_encrypted_data_event_audit_clock_and_notifies(world: World) -> None:
    application = submit(world)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.reference.startswith("DKP-")
    assert application.unit == world.desk
    assert application.subject_nik == NIK
    assert application.subject_nik_hash and application.subject_nik_hash != NIK
    assert application.sla_target_working_days == 1
    assert application.sla_due_at is not None
    assert application.nik_warnings == []
    assert application.documents.count() == 2
    assert all(d.file.original_storage_name for d in application.documents.all())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT subject_nik, form_data_encrypted FROM civil_registration_application"
        )
        stored = " ".join(cursor.fetchone())
    assert NIK not in stored
    assert list(application.events.values_list("to_status", flat=True)) == [Status.SUBMITTED]
    assert AuditEntry.objects.filter(action="civil_registration.submit").count() == 1
    note = Notification.objects.get(recipient=world.citizen)
    assert application.reference in note.body
    assert NIK not in note.body + note.title


def test_t5_same_idempotency_key_gives_one_application(world: World) -> None:
    first = submit(world, idempotency_key="kirim-1")
    before = side_effects()
    second = submit(world, idempotency_key="kirim-1")
    assert second.pk == first.pk
    assert side_effects() == before


def test_t6_second_open_application_for_the_same_nik_is_refused_with_a_link(
    world: World,
) -> None:
    first = submit(world)
    before = side_effects()
    with pytest.raises(OpenApplicationExists) as exc:
        submit(world, subject_nik="1271 0117 0885 0001")
    assert exc.value.application.pk == first.pk
    assert exc.value.message_dict["subject_nik"][0].startswith("Sudah ada permohonan")
    assert first.reference in exc.value.message_dict["subject_nik"][0]
    assert side_effects() == before


def test_t6_after_cancelling_a_new_application_is_possible(world: World) -> None:
    first = submit(world)
    application_cancel(actor=world.citizen, application=first)
    second = submit(world)
    assert second.pk != first.pk


def test_t6_database_refuses_two_open_applications_for_one_nik(world: World) -> None:
    first = submit(world)
    from django.db import IntegrityError, transaction

    clone = Application.objects.get(pk=first.pk)
    clone.pk = None
    clone.reference = "DKP-AAAA-BBBB"
    clone.idempotency_key = ""
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save(force_insert=True)


def test_other_service_for_the_same_nik_is_fine(world: World) -> None:
    submit(world)
    other = submit(world, service_code="ktp-el-rusak")
    assert other.status == Status.SUBMITTED


def test_missing_required_document_and_declaration_are_field_errors(world: World) -> None:
    before = side_effects()
    with pytest.raises(ValidationError) as exc:
        submit(world, documents={"kk": jpeg_upload()}, truth_declared=False)
    assert set(exc.value.message_dict) == {"documents.surat_kehilangan", "truth_declared"}
    assert side_effects() == before


def test_fake_image_is_refused_and_nothing_is_stored(world: World, private_storage: Path) -> None:
    before = side_effects()
    fake = SimpleUploadedFile("kk.jpg", b"<html><script>x</script></html>", "image/jpeg")
    with pytest.raises(ValidationError) as exc:
        submit(world, documents={"kk": fake, "surat_kehilangan": jpeg_upload()})
    assert "documents.kk" in exc.value.message_dict
    assert side_effects() == before
    assert not private_storage.exists() or not any(private_storage.rglob("*.*"))


def test_total_upload_limit_from_the_policy(world: World) -> None:
    from kotapintar.civil_registration.selectors import civil_registration_policy

    policy = civil_registration_policy()
    policy.max_total_upload_bytes = 100
    policy.save()
    with pytest.raises(ValidationError) as exc:
        submit(world)
    assert exc.value.error_dict["documents"][0].code == "total_too_large"


def test_t4_markup_in_the_name_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        submit(world, subject_name="<script>alert(1)</script>")
    assert "subject_name" in exc.value.message_dict
    assert Application.objects.count() == 0


def test_t2_nik_from_outside_the_city_is_accepted_with_officer_warning(world: World) -> None:
    application = submit(world, subject_nik="3171011708850001")
    codes = {w["code"] for w in application.nik_warnings}
    assert codes == {"nik_region_unknown", "nik_region_outside_city"}
    note = Notification.objects.get(recipient=world.citizen)
    assert "wilayah" not in note.body.lower()


def test_t1_bad_nik_is_refused_with_indonesian_field_message(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        submit(world, subject_nik="1271011713850001")
    assert exc.value.message_dict["subject_nik"] == [
        "Tanggal lahir dalam NIK (digit ke-7 sampai ke-12) bukan tanggal yang valid."
    ]


def test_ktp_el_new_requires_the_biometric_declaration(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        submit(world, service_code="ktp-el-baru")
    assert exc.value.error_dict["biometric_recorded_declared"][0].code == "biometrics_required"
    application = submit(world, service_code="ktp-el-baru", biometric_recorded_declared=True)
    assert application.biometric_recorded_declared


def test_birth_without_nik_is_accepted_explicitly(world: World) -> None:
    application = submit(world, service_code="akta-kelahiran")
    assert application.subject_has_no_nik and application.subject_nik == ""
    assert application.form_data["mother_nik"] == BIRTH_FORM["mother_nik"]
    assert application.mother_nik_hash


def test_no_nik_is_not_allowed_for_a_ktp(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        submit(world, subject_nik="", subject_has_no_nik=True)
    assert exc.value.error_dict["subject_nik"][0].code == "required"


def test_t11_late_birth_is_flagged_with_the_fine(world: World) -> None:
    late = submit(
        world,
        service_code="akta-kelahiran",
        event_date=jakarta_date() - timedelta(days=61),
    )
    assert (late.is_late, late.days_since_event, late.fine_rupiah, late.fine_status) == (
        True,
        61,
        100000,
        FineStatus.UNPAID,
    )
    on_time = submit(
        world,
        service_code="akta-kelahiran",
        subject_name="Anak Kedua",
        event_date=jakarta_date() - timedelta(days=60),
    )
    assert (on_time.is_late, on_time.fine_rupiah, on_time.fine_status) == (
        False,
        0,
        FineStatus.NONE,
    )


def test_t11_future_birth_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        submit(world, service_code="akta-kelahiran", event_date=jakarta_date() + timedelta(days=1))
    assert exc.value.message_dict["event_date"] == ["Tanggal peristiwa tidak boleh di masa depan."]


def test_t11_birth_before_the_mother_was_born_is_a_warning(world: World) -> None:
    form = {**BIRTH_FORM, "mother_birth_date": jakarta_date().isoformat()}
    application = submit(world, service_code="akta-kelahiran", form_data=form)
    assert {"field": "form.mother_birth_date", "code": "birth_before_parent_birth"} in (
        application.nik_warnings
    )


def test_t6_same_mother_name_and_close_date_is_flagged_not_refused(world: World) -> None:
    first = submit(world, service_code="akta-kelahiran")
    second = submit(
        world,
        service_code="akta-kelahiran",
        subject_name="PUTRI  santoso",
        event_date=jakarta_date() - timedelta(days=14),
    )
    assert second.status == Status.SUBMITTED
    assert second.possible_duplicate and second.possible_duplicate_of == first
    assert ApplicationEvent.objects.filter(application=second, is_public=False).count() == 1
    far = submit(
        world,
        service_code="akta-kelahiran",
        event_date=jakarta_date() - timedelta(days=30),
    )
    assert not far.possible_duplicate
    other_name = submit(world, service_code="akta-kelahiran", subject_name="Putra Santoso")
    assert not other_name.possible_duplicate


def test_substitute_replaces_the_birth_certificate(world: World) -> None:
    service = DocumentService.objects.get(code="akta-kelahiran")
    files = required_uploads(service)
    del files["surat_keterangan_kelahiran"]
    del files["dokumen_perkawinan"]
    files["sptjm_kelahiran"] = jpeg_upload("sptjm.jpg")
    files["sptjm_pasutri"] = jpeg_upload("pasutri.jpg")
    application = submit(world, service_code="akta-kelahiran", documents=files)
    assert set(application.documents.values_list("requirement__code", flat=True)) == {
        "sptjm_kelahiran",
        "sptjm_pasutri",
        "kk",
    }


def test_t3_pos_delivery_inside_the_city_costs_the_flat_fee(world: World) -> None:
    application = submit(
        world,
        delivery_method=DeliveryMethod.POS,
        delivery_village_code="12.71.01.1001",
        delivery_address="Jl. Pandu No. 5",
    )
    assert application.delivery_fee_rupiah == 12000
    assert application.delivery_payment_status == PaymentStatus.UNPAID
    assert application.delivery_address == "Jl. Pandu No. 5"


def test_t3_pos_delivery_outside_the_city_is_refused(world: World) -> None:
    binjai = RegencyFactory(code="12.75", name="Kota Binjai")
    district = DistrictFactory(code="12.75.01", regency=binjai, name="Binjai Selatan")
    VillageFactory(
        code="12.75.01.1001", district=district, name="Tanah Merah", kind=VillageKind.KELURAHAN
    )
    with pytest.raises(ValidationError) as exc:
        submit(
            world,
            delivery_method=DeliveryMethod.POS,
            delivery_village_code="12.75.01.1001",
            delivery_address="Jl. Binjai",
        )
    assert exc.value.error_dict["delivery_village"][0].code == "outside_city"


def test_unit_is_derived_from_the_kecamatan_or_the_head_office(world: World) -> None:
    by_district = submit(world, unit=None, district_code="12.71.01")
    assert by_district.unit == world.desk
    head_office = submit(world, service_code="ktp-el-rusak", unit=None)
    assert head_office.unit == world.hq


def test_inactive_applicant_cannot_apply(world: World) -> None:
    world.citizen.is_active = False
    world.citizen.save()
    with pytest.raises(PermissionDenied):
        submit(world)


@override_settings(LANGUAGE_CODE="id")
def test_notification_never_mentions_a_document_fee(world: World) -> None:
    submit(
        world,
        delivery_method=DeliveryMethod.POS,
        delivery_village_code="12.71.01.1001",
        delivery_address="Jl. Pandu No. 5",
    )
    for note in Notification.objects.all():
        assert "biaya" not in (note.title + note.body).lower()
