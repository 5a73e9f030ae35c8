from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from kotapintar.civil_registration.models import (
    CivilRegistrationPolicy,
    DocumentService,
    RejectionReason,
    Requirement,
)
from kotapintar.civil_registration.services import civil_registration_seed_load

pytestmark = pytest.mark.django_db

EXPECTED_SERVICES = {
    "kk-baru",
    "kk-perubahan",
    "kk-hilang-rusak",
    "ktp-el-baru",
    "ktp-el-hilang",
    "ktp-el-rusak",
    "ktp-el-perubahan",
    "kia",
    "akta-kelahiran",
    "akta-kematian",
    "akta-perkawinan",
    "akta-perceraian",
    "surat-pindah",
    "pindah-datang",
    "lahir-mati",
}


def _snapshot() -> tuple[object, ...]:
    return (
        sorted(DocumentService.objects.values_list("code", "name", "legal_deadline_days")),
        sorted(
            Requirement.objects.values_list(
                "service__code", "code", "required", "substitute_for__code"
            )
        ),
        sorted(RejectionReason.objects.values_list("code", "requires_note")),
        CivilRegistrationPolicy.objects.count(),
    )


def test_seed_loads_every_medan_service_and_is_idempotent() -> None:
    first = civil_registration_seed_load()
    snapshot = _snapshot()
    second = civil_registration_seed_load()
    assert first == second
    assert _snapshot() == snapshot
    assert set(DocumentService.objects.values_list("code", flat=True)) == EXPECTED_SERVICES
    assert CivilRegistrationPolicy.objects.count() == 1
    policy = CivilRegistrationPolicy.objects.get()
    assert policy.pos_delivery_fee_rupiah == 12000
    assert policy.duplicate_birth_window_days == 5


def test_reloading_keeps_the_administrators_changes_unless_asked_to_update() -> None:
    civil_registration_seed_load()
    DocumentService.objects.filter(code="akta-kelahiran").update(sla_working_days=3)
    CivilRegistrationPolicy.objects.update(pos_delivery_fee_rupiah=15000)
    RejectionReason.objects.filter(code="tidak-terbaca").update(label="Foto buram")
    kk = Requirement.objects.get(service__code="akta-kelahiran", code="kk")
    kk.label = "Kartu Keluarga asli"
    kk.save()

    civil_registration_seed_load()

    assert DocumentService.objects.get(code="akta-kelahiran").sla_working_days == 3
    assert CivilRegistrationPolicy.objects.get().pos_delivery_fee_rupiah == 15000
    assert RejectionReason.objects.get(code="tidak-terbaca").label == "Foto buram"
    assert Requirement.objects.get(pk=kk.pk).label == "Kartu Keluarga asli"

    call_command("load_civil_registration_services", "--update", stdout=None)

    assert DocumentService.objects.get(code="akta-kelahiran").sla_working_days == 1
    assert CivilRegistrationPolicy.objects.get().pos_delivery_fee_rupiah == 12000
    assert RejectionReason.objects.get(code="tidak-terbaca").label != "Foto buram"
    assert Requirement.objects.get(pk=kk.pk).label != "Kartu Keluarga asli"


def test_command_loads_the_seed(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_civil_registration_services")
    assert "services=15" in capsys.readouterr().out
    call_command("load_civil_registration_services")
    assert DocumentService.objects.count() == 15


def test_no_service_asks_for_a_cover_letter() -> None:
    """Perpres 96/2018: no surat pengantar from RT/RW, kelurahan or kecamatan."""
    civil_registration_seed_load()
    pattern = re.compile(r"pengantar|\bRT\b|\bRW\b|kelurahan\s*/\s*kecamatan", re.IGNORECASE)
    offenders = [
        (r.service.code, r.label)
        for r in Requirement.objects.select_related("service")
        if pattern.search(f"{r.code} {r.label}")
    ]
    assert offenders == []


def test_birth_deadline_fine_and_substitutes_come_from_the_data() -> None:
    civil_registration_seed_load()
    birth = DocumentService.objects.get(code="akta-kelahiran")
    assert (birth.event_kind, birth.legal_deadline_days, birth.late_fine_rupiah) == (
        "birth",
        60,
        100000,
    )
    assert birth.subject_has_nik is False
    sptjm = Requirement.objects.get(service=birth, code="sptjm_kelahiran")
    assert sptjm.substitute_for is not None
    assert sptjm.substitute_for.code == "surat_keterangan_kelahiran"
    couple = Requirement.objects.get(service=birth, code="sptjm_pasutri")
    assert couple.substitute_for is not None
    assert couple.substitute_for.code == "dokumen_perkawinan"
    assert "belum tercatat" in couple.substitute_consequence
    death = DocumentService.objects.get(code="akta-kematian")
    assert (death.legal_deadline_days, death.late_fine_rupiah) == (30, None)
    assert DocumentService.objects.get(code="ktp-el-baru").requires_biometric_recording


def test_rejection_reasons_seeded_with_forgery_needing_a_note() -> None:
    civil_registration_seed_load()
    forgery = RejectionReason.objects.get(code="diduga-palsu")
    assert forgery.is_suspected_forgery and forgery.requires_note
    assert RejectionReason.objects.count() == 7


def test_no_seeded_text_mentions_a_document_fee() -> None:
    """UU 24/2013 Art. 79A: documents are free; 'biaya' never describes a document."""
    civil_registration_seed_load()
    texts = [
        f"{s.name} {s.description} {s.steps} {s.offline_alternative}"
        for s in DocumentService.objects.all()
    ] + [f"{r.label} {r.help}" for r in Requirement.objects.all()]
    assert not [t for t in texts if re.search(r"biaya|tarif|\bRp ?\d", t, re.IGNORECASE)]
