"""Registry services: reference §5 tests 1–4 and 8, verification, audit, reminders, housekeeping."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from kotapintar.core.models.audit import AuditEntry
from kotapintar.core.models.notifications import Notification
from kotapintar.testing.factories import DistrictFactory, UserFactory
from kotapintar.umkm.models import (
    Business,
    BusinessScaleChange,
    Certification,
    NibClaim,
    NibClaimStatus,
    ProductCategory,
    Scale,
    VerificationStatus,
)
from kotapintar.umkm.selectors import (
    business_get_for_owner,
    public_business_profile,
    public_businesses,
)
from kotapintar.umkm.services import (
    business_figures_record,
    business_nib_document_upload,
    business_register,
    business_reject,
    business_verify,
    certificate_reminders_send,
    certification_add,
    nib_claim_decide,
    umkm_reference_load,
)
from kotapintar.umkm.tests.factories import (
    VALID_NIK,
    BusinessFactory,
    dinas_officer,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


def register(actor: Any, **overrides: Any) -> Any:
    data: dict[str, Any] = {
        "actor": actor,
        "name": "Bika Ambon Bu Siti",
        "owner_name": "Siti Aminah",
        "owner_nik": VALID_NIK,
        "nib": "1234567890123",
        "kbli": "10792",
        "sector": "kuliner",
        "district": DistrictFactory(),
        "village": None,
        "street_address": "Jl. Mojopahit No. 62",
        "phone": "081234565678",
        "founding_year": 2015,
        "employees": 4,
        "capital": 80_000_000,
        "annual_turnover": 2_000_000_000,
    }
    data.update(overrides)
    return business_register(**data)


def test_seed_loader_is_idempotent(reference_data: Any) -> None:
    again = umkm_reference_load()
    assert again == reference_data
    assert ProductCategory.objects.count() == reference_data.categories
    assert not ProductCategory.objects.get(slug="daging-beku").pirt_allowed
    assert ProductCategory.objects.get(slug="ulos").parent.slug == "fesyen-kain"


# --- 1. NIB format ------------------------------------------------------------------------------


@pytest.mark.parametrize("nib", ["12345", "12345678901234", "12345678901A3"])
def test_bad_nib_stores_nothing(reference_data: Any, nib: str) -> None:
    owner = UserFactory()
    with pytest.raises(ValidationError) as exc:
        register(owner, nib=nib)
    assert "nib" in exc.value.error_dict
    assert not Business.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="umkm.").exists()


def test_spaced_nib_is_normalised_and_scale_computed(reference_data: Any) -> None:
    owner = UserFactory()
    business = register(owner, nib="1234 5678.90123").business
    assert business.nib == "1234567890123"
    assert business.scale == Scale.MIKRO  # exactly Rp2 miliar: mikro (inclusive)
    assert business.verification_status == VerificationStatus.UNVERIFIED
    assert business.owner_nik_hash and business.owner_nik == VALID_NIK
    assert BusinessScaleChange.objects.get(business=business).scale == Scale.MIKRO
    assert AuditEntry.objects.filter(action="umkm.business_register").count() == 1


# --- 2. Fake but well-formed NIB: unverified until the Dinas checks the document --------------


def test_unverified_business_is_hidden_and_verify_needs_document(reference_data: Any) -> None:
    owner, officer = UserFactory(), dinas_officer()
    business = register(owner).business
    assert business not in public_businesses()
    with pytest.raises(ValidationError) as exc:
        business_verify(actor=officer, business=business)
    assert "nib_document" in exc.value.error_dict
    assert not AuditEntry.objects.filter(action="umkm.business_verify").exists()

    business_nib_document_upload(actor=owner, business=business, uploaded_file=pdf_upload())
    business_verify(actor=officer, business=business)
    business.refresh_from_db()
    assert business.verification_status == VerificationStatus.VERIFIED
    assert business.verified_by == officer
    entry = AuditEntry.objects.get(action="umkm.business_verify")
    assert entry.actor == officer and entry.created_at is not None
    assert business in public_businesses()


def test_only_dinas_verifies_and_reject_needs_reason(reference_data: Any) -> None:
    owner = UserFactory()
    business = BusinessFactory(owner=owner)
    with pytest.raises(PermissionDenied):
        business_verify(actor=owner, business=business)
    with pytest.raises(PermissionDenied):
        business_reject(actor=UserFactory(), business=business, reason="x")
    officer = dinas_officer()
    with pytest.raises(ValidationError):
        business_reject(actor=officer, business=business, reason=" ")
    assert not AuditEntry.objects.filter(
        action__in=["umkm.business_verify", "umkm.business_reject"]
    ).exists()
    business_reject(actor=officer, business=business, reason="Dokumen NIB tidak terbaca")
    business.refresh_from_db()
    assert business.verification_status == VerificationStatus.REJECTED
    assert AuditEntry.objects.filter(action="umkm.business_reject", actor=officer).count() == 1


# --- 3. NIB uniqueness: a second claim goes to review -------------------------------------------


def test_second_registration_of_an_nib_becomes_a_claim(reference_data: Any) -> None:
    first, second = UserFactory(), UserFactory()
    original = register(first).business
    outcome = register(second, name="Bika Ambon Tiruan")
    assert outcome.business is None
    claim = outcome.claim
    assert claim.existing_business == original and claim.status == NibClaimStatus.PENDING
    assert Business.objects.filter(nib="1234567890123", is_active=True).count() == 1

    officer = dinas_officer()
    nib_claim_decide(actor=officer, claim=claim, accept=False, note="Bukan pemilik")
    assert NibClaim.objects.get().status == NibClaimStatus.REJECTED
    assert Business.objects.get().owner == first


# --- 4. Scale and history -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("turnover", "scale"),
    [
        (2_000_000_000, Scale.MIKRO),
        (2_000_000_001, Scale.KECIL),
        (15_000_000_001, Scale.MENENGAH),
        (50_000_000_001, Scale.NON_UMKM),
    ],
)
def test_registration_scale(reference_data: Any, turnover: int, scale: str) -> None:
    assert register(UserFactory(), annual_turnover=turnover).business.scale == scale


def test_new_business_by_capital(reference_data: Any) -> None:
    business = register(UserFactory(), annual_turnover=None, capital=1_000_000_000).business
    assert business.scale == Scale.MIKRO


def test_figures_record_keeps_history(reference_data: Any) -> None:
    business = BusinessFactory()
    business_figures_record(
        actor=business.owner,
        business=business,
        annual_turnover=3_000_000_000,
        capital=500_000_000,
        employees=9,
        effective_date=timezone.localdate() + timedelta(days=1),
    )
    business.refresh_from_db()
    assert business.scale == Scale.KECIL
    assert list(business.scale_history.values_list("scale", flat=True)) == ["mikro", "kecil"]
    with pytest.raises(PermissionDenied):
        business_figures_record(
            actor=UserFactory(), business=business, annual_turnover=1, capital=1, employees=1
        )


# --- 8. Certificates ----------------------------------------------------------------------------


def test_certificates(reference_data: Any) -> None:
    business = BusinessFactory()
    owner = business.owner
    frozen = ProductCategory.objects.get(slug="daging-beku")
    with pytest.raises(ValidationError) as exc:
        certification_add(
            actor=owner,
            business=business,
            type_code="pirt",
            number="P-IRT No. 2063271010123-29",
            category=frozen,
        )
    assert exc.value.error_dict["number"][0].code == "pirt_not_allowed"
    with pytest.raises(ValidationError) as exc:
        certification_add(
            actor=owner, business=business, type_code="pirt", number="P-IRT No. 2063271010123-24"
        )
    assert exc.value.error_dict["number"][0].code == "expired"
    with pytest.raises(ValidationError):
        certification_add(actor=owner, business=business, type_code="bpom_md", number="MD 12345")
    with pytest.raises(ValidationError):
        certification_add(actor=owner, business=business, type_code="halal", number="SH2021-1-1")
    assert not Certification.objects.exists()

    pirt = certification_add(
        actor=owner, business=business, type_code="pirt", number="P-IRT No. 2063271010123-29"
    )
    assert pirt.expires_on == date(2029, 12, 31)
    assert pirt.details["district"] == "3271"
    md = certification_add(
        actor=owner, business=business, type_code="bpom_md", number="MD 240935001200027"
    )
    assert md.number == "MD 240935001200027"
    with pytest.raises(PermissionDenied):
        certification_add(
            actor=UserFactory(), business=business, type_code="halal", number="ID12110000123450622"
        )


def test_expiry_reminder_sent_once(reference_data: Any) -> None:
    business = BusinessFactory()
    today = timezone.localdate()
    cert = certification_add(
        actor=business.owner,
        business=business,
        type_code="halal",
        number="ID12110000123450622",
        expires_on=today + timedelta(days=60),
    )
    later = certification_add(
        actor=business.owner,
        business=business,
        type_code="sni",
        number="SNI 3547.2:2008",
        expires_on=today + timedelta(days=61),
    )
    assert certificate_reminders_send(today=today) == 1
    assert certificate_reminders_send(today=today) == 0
    notice = Notification.objects.get(
        recipient_id=business.owner.pk, kind="umkm.certificate_expiring"
    )
    assert "ID12110000123450622" in notice.body
    cert.refresh_from_db()
    later.refresh_from_db()
    assert cert.reminder_sent_at is not None and later.reminder_sent_at is None


# --- Public profile and owner isolation ---------------------------------------------------------


def test_public_profile_hides_nik_and_street_address(reference_data: Any) -> None:
    business = BusinessFactory(verified=True)
    profile = public_business_profile(business)
    text = repr(profile)
    assert VALID_NIK not in text and "Jl. Rumah" not in text
    assert profile.phone_masked == "0812****5678"


def test_owner_sees_only_own_business(reference_data: Any) -> None:
    mine, other = BusinessFactory(), BusinessFactory()
    assert business_get_for_owner(actor=mine.owner, public_id=mine.public_id) == mine
    with pytest.raises(Http404):
        business_get_for_owner(actor=mine.owner, public_id=other.public_id)
    with pytest.raises(Http404):
        business_get_for_owner(actor=None, public_id=mine.public_id)
