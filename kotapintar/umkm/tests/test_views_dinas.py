"""The Dinas workspace (/umkm/kelola/): permission matrix of every URL, the actions through
the views (audited with officer and time), denied actions changing nothing, inert XSS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kotapintar.core.models.audit import AuditEntry
from kotapintar.core.models.notifications import Notification
from kotapintar.testing.factories import AgencyFactory
from kotapintar.testing.permissions import Actors, assert_permission_matrix
from kotapintar.umkm.models import (
    Business,
    Certification,
    Enrolment,
    EnrolmentStatus,
    GovernmentPurchase,
    JourneyMilestone,
    NibClaim,
    NibClaimStatus,
    OrderStatus,
    Product,
    ProductStatus,
    Programme,
    Review,
    ReviewStatus,
    VerificationStatus,
)
from kotapintar.umkm.search import product_search
from kotapintar.umkm.services import business_nib_document_upload, order_place
from kotapintar.umkm.tests.factories import (
    BusinessFactory,
    OrderLineFactory,
    ProductFactory,
    ProgrammeFactory,
    certification,
    dinas_officer,
    pdf_upload,
)

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'

DENIED_GET = {
    "anonymous": 302,
    "citizen": 404,
    "other_citizen": 404,
    "officer_other_agency": 404,
    "officer": 404,
    "owner": 404,
}
ALLOWED_GET = {"dinas": 200, "admin": 200}


@dataclass
class World:
    actors: Actors
    dinas: Any
    owner: Any
    business: Business
    claim: NibClaim
    pending: Product
    listed: Product
    review: Review
    programme: Programme
    enrolment: Enrolment


@pytest.fixture
def world(reference_data: Any) -> World:
    owner = BusinessFactory.create().owner
    business = Business.objects.get(owner=owner)
    business_nib_document_upload(actor=owner, business=business, uploaded_file=pdf_upload())
    business.refresh_from_db()
    dinas = dinas_officer()
    actors = Actors.around().add("owner", owner).add("dinas", dinas)
    citizen = actors.users["citizen"]
    assert citizen is not None
    claim = NibClaim.objects.create(
        nib=business.nib,
        existing_business=business,
        claimant=citizen,
        business_name="Klaim " + business.name,
        owner_name="Budi",
    )
    pending = ProductFactory.create(
        business=business, status=ProductStatus.PENDING, name="Bolu Meranti"
    )
    listed = ProductFactory.create(listed=True, name="Bika Ambon Zulaikha")
    line = OrderLineFactory.create(order__business=listed.business, product=listed)
    line.order.status = OrderStatus.COMPLETED
    line.order.save()
    review = Review.objects.create(
        order_line=line, product=listed, author=line.order.buyer, rating=4, text="Enak"
    )
    programme = ProgrammeFactory.create(name="Pelatihan Kemasan")
    enrolment = Enrolment.objects.create(programme=programme, business=listed.business)
    return World(
        actors, dinas, owner, business, claim, pending, listed, review, programme, enrolment
    )


def get_urls(w: World) -> list[str]:
    return [
        reverse("umkm:dinas_home"),
        reverse("umkm:dinas_verification"),
        reverse("umkm:dinas_business", args=[w.business.public_id]),
        reverse("umkm:dinas_claims"),
        reverse("umkm:dinas_certificates"),
        reverse("umkm:dinas_curation"),
        reverse("umkm:dinas_products"),
        reverse("umkm:dinas_reviews"),
        reverse("umkm:dinas_programmes"),
        reverse("umkm:dinas_programme_create"),
        reverse("umkm:dinas_programme", args=[w.programme.pk]),
        reverse("umkm:dinas_programme_edit", args=[w.programme.pk]),
        reverse("umkm:dinas_purchases"),
        reverse("umkm:dinas_share_report"),
        reverse("umkm:dinas_share_export", args=["csv"]),
        reverse("umkm:dinas_share_export", args=["xlsx"]),
        reverse("umkm:dinas_catalogue_export", args=["csv"]),
        reverse("umkm:dinas_catalogue_export", args=["xlsx"]),
        reverse("umkm:dinas_dashboard"),
    ]


def post_urls(w: World) -> list[tuple[str, dict[str, Any]]]:
    agency = AgencyFactory.create()
    return [
        (reverse("umkm:dinas_business_verify", args=[w.business.public_id]), {}),
        (reverse("umkm:dinas_business_reject", args=[w.business.public_id]), {"reason": "x"}),
        (
            reverse("umkm:dinas_milestone", args=[w.business.public_id]),
            {"stage": "modal", "reached_on": "2026-01-05"},
        ),
        (reverse("umkm:dinas_claim_decide", args=[w.claim.pk]), {"decision": "approve"}),
        (reverse("umkm:dinas_curate", args=[w.pending.public_id]), {"decision": "approve"}),
        (reverse("umkm:dinas_delist", args=[w.listed.public_id]), {"reason": "Harga"}),
        (reverse("umkm:dinas_national_catalogue", args=[w.listed.public_id]), {"listed": "1"}),
        (reverse("umkm:dinas_review_moderate", args=[w.review.pk]), {"decision": "approve"}),
        (
            reverse("umkm:dinas_programme_create"),
            {
                "name": "Baru",
                "type": "pelatihan",
                "start_date": "2026-12-01",
                "end_date": "2026-12-02",
                "quota": "0",
            },
        ),
        (
            reverse("umkm:dinas_programme_edit", args=[w.programme.pk]),
            {
                "name": "Diubah",
                "type": "pelatihan",
                "start_date": "2026-12-01",
                "end_date": "2026-12-02",
                "quota": "0",
            },
        ),
        (reverse("umkm:dinas_programme_delete", args=[w.programme.pk]), {}),
        (reverse("umkm:dinas_enrol", args=[w.programme.pk]), {"nib": w.business.nib}),
        (
            reverse("umkm:dinas_enrolment_update", args=[w.enrolment.pk]),
            {"status": "hadir", "sessions_attended": "2", "outcome": "ok"},
        ),
        (
            reverse("umkm:dinas_purchases"),
            {
                "agency": agency.pk,
                "purchase_date": "2026-11-01",
                "amount": "1500000",
                "kind": "barang",
                "supplier_name": "Toko",
            },
        ),
        (
            reverse("umkm:dinas_purchases_import"),
            {"file": SimpleUploadedFile("b.csv", b"opd,tanggal,jumlah,jenis\n", "text/csv")},
        ),
    ]


def snapshot() -> dict[str, Any]:
    return {
        "audit": AuditEntry.objects.count(),
        "notifications": Notification.objects.count(),
        "business": list(
            Business.objects.values_list("pk", "verification_status", "owner_id").order_by("pk")
        ),
        "products": list(Product.objects.values_list("pk", "status").order_by("pk")),
        "claims": list(NibClaim.objects.values_list("pk", "status").order_by("pk")),
        "reviews": list(Review.objects.values_list("pk", "status").order_by("pk")),
        "programmes": list(Programme.objects.values_list("pk", "name").order_by("pk")),
        "enrolments": list(Enrolment.objects.values_list("pk", "status").order_by("pk")),
        "milestones": JourneyMilestone.objects.count(),
        "purchases": GovernmentPurchase.objects.count(),
    }


def test_every_dinas_page_is_for_dinas_officers_and_admins_only(world: World) -> None:
    for url in get_urls(world):
        assert_permission_matrix(Client, url, "get", {**DENIED_GET, **ALLOWED_GET}, world.actors)


def test_denied_posts_are_404_or_login_and_change_nothing(world: World) -> None:
    before = snapshot()
    for url, data in post_urls(world):
        assert_permission_matrix(
            Client,
            url,
            "post",
            DENIED_GET,
            Actors(users={k: world.actors.users[k] for k in DENIED_GET}),
            data=data,
        )
    assert snapshot() == before


def test_workspace_home_counts_each_queue(world: World, client: Client) -> None:
    client.force_login(world.dinas)
    response = client.get(reverse("umkm:dinas_home"))
    body = response.content.decode()
    assert 'id="count-unverified">1<' in body
    assert 'id="count-claims">1<' in body
    assert 'id="count-curation">1<' in body
    assert 'id="count-reviews">1<' in body
    assert "Ruang kerja UMKM" in body


def test_verify_through_the_view_is_audited_with_officer_and_time(
    world: World, client: Client
) -> None:
    client.force_login(world.dinas)
    before = timezone.now()
    response = client.post(reverse("umkm:dinas_business_verify", args=[world.business.public_id]))
    assert response.status_code == 303
    world.business.refresh_from_db()
    assert world.business.verification_status == VerificationStatus.VERIFIED
    assert world.business.verified_by == world.dinas
    entry = AuditEntry.objects.get(action="umkm.business_verify")
    assert entry.actor == world.dinas
    assert entry.object_id == str(world.business.pk)
    assert before <= entry.created_at <= timezone.now()
    assert entry.after == {"verification_status": VerificationStatus.VERIFIED}


def test_verify_without_document_shows_the_reason_and_changes_nothing(
    world: World, client: Client
) -> None:
    bare = BusinessFactory.create()
    client.force_login(world.dinas)
    audits = AuditEntry.objects.count()
    response = client.post(reverse("umkm:dinas_business_verify", args=[bare.public_id]))
    assert response.status_code == 400
    assert "Dokumen NIB belum diunggah" in response.content.decode()
    bare.refresh_from_db()
    assert bare.verification_status == VerificationStatus.UNVERIFIED
    assert AuditEntry.objects.count() == audits


def test_reject_needs_a_reason_then_is_audited(world: World, client: Client) -> None:
    client.force_login(world.dinas)
    url = reverse("umkm:dinas_business_reject", args=[world.business.public_id])
    audits = AuditEntry.objects.count()
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert "Berikan alasannya." in response.content.decode()
    assert AuditEntry.objects.count() == audits
    response = client.post(url, {"reason": "Dokumen NIB tidak terbaca"})
    assert response.status_code == 303
    world.business.refresh_from_db()
    assert world.business.verification_status == VerificationStatus.REJECTED
    assert world.business.rejection_reason == "Dokumen NIB tidak terbaca"
    entry = AuditEntry.objects.get(action="umkm.business_reject")
    assert entry.actor == world.dinas and entry.created_at is not None


def test_nib_document_download_goes_through_the_core_file_view_and_is_audited(
    world: World, client: Client
) -> None:
    client.force_login(world.dinas)
    page = client.get(reverse("umkm:dinas_business", args=[world.business.public_id]))
    file_url = reverse("core:file", args=[world.business.nib_document_id])
    assert file_url in page.content.decode()
    response = client.get(file_url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    entry = AuditEntry.objects.get(action="file.download")
    assert entry.actor == world.dinas
    assert entry.object_id == str(world.business.nib_document_id)


def test_business_page_masks_the_nik_and_hides_the_street_address(
    world: World, client: Client
) -> None:
    client.force_login(world.dinas)
    body = client.get(
        reverse("umkm:dinas_business", args=[world.business.public_id])
    ).content.decode()
    assert "1271********0001" in body
    assert "1271011708850001" not in body
    assert "Jl. Rumah No. 1" not in body


def test_claim_accept_moves_the_business_to_the_claimant(world: World, client: Client) -> None:
    client.force_login(world.dinas)
    response = client.post(
        reverse("umkm:dinas_claim_decide", args=[world.claim.pk]),
        {"decision": "approve", "note": "Akta cocok"},
    )
    assert response.status_code == 303
    world.claim.refresh_from_db()
    world.business.refresh_from_db()
    assert world.claim.status == NibClaimStatus.ACCEPTED
    assert world.business.owner == world.actors.users["citizen"]
    assert world.business.verification_status == VerificationStatus.UNVERIFIED
    assert AuditEntry.objects.filter(action="umkm.nib_claim_decide", actor=world.dinas).count() == 1


def test_certificates_expiring_within_60_days_are_listed(world: World, client: Client) -> None:
    today = timezone.localdate()
    soon = certification(world.business, number="ID0000000000001")
    Certification.objects.filter(pk=soon.pk).update(expires_on=today + timedelta(days=60))
    late = certification(world.business, number="ID0000000000002")
    Certification.objects.filter(pk=late.pk).update(expires_on=today + timedelta(days=61))
    past = certification(world.business, number="ID0000000000003")
    Certification.objects.filter(pk=past.pk).update(expires_on=today - timedelta(days=1))
    client.force_login(world.dinas)
    body = client.get(reverse("umkm:dinas_certificates")).content.decode()
    assert "ID0000000000001" in body
    assert "ID0000000000002" not in body
    assert "ID0000000000003" not in body


def test_curation_lists_the_product_and_it_is_found_in_search(world: World, client: Client) -> None:
    from kotapintar.umkm.services import business_verify

    business_verify(actor=world.dinas, business=world.business)
    assert product_search(query="bolu meranti").total == 0
    client.force_login(world.dinas)
    response = client.post(
        reverse("umkm:dinas_curate", args=[world.pending.public_id]), {"decision": "approve"}
    )
    assert response.status_code == 303
    world.pending.refresh_from_db()
    assert world.pending.status == ProductStatus.LISTED
    assert product_search(query="bolu meranti").total == 1


def test_send_back_needs_a_note_and_keeps_the_product_waiting_without_it(
    world: World, client: Client
) -> None:
    client.force_login(world.dinas)
    url = reverse("umkm:dinas_curate", args=[world.pending.public_id])
    response = client.post(url, {"decision": "reject", "note": ""}, follow=True)
    assert "Beri tahu pemilik apa yang perlu diubah." in response.content.decode()
    world.pending.refresh_from_db()
    assert world.pending.status == ProductStatus.PENDING
    client.post(url, {"decision": "reject", "note": "Foto kurang jelas"})
    world.pending.refresh_from_db()
    assert world.pending.status == ProductStatus.DRAFT
    assert world.pending.status_reason == "Foto kurang jelas"


def test_delist_removes_the_product_from_search_and_ordering_at_once(
    world: World, client: Client
) -> None:
    from kotapintar.testing.factories import UserFactory

    assert [p.pk for p in product_search(query="bika ambon").products] == [world.listed.pk]
    client.force_login(world.dinas)
    response = client.post(
        reverse("umkm:dinas_delist", args=[world.listed.public_id]),
        {"reason": "Harga tidak wajar"},
    )
    assert response.status_code == 303
    world.listed.refresh_from_db()
    assert world.listed.status == ProductStatus.DELISTED
    assert product_search(query="bika ambon").total == 0
    stock = world.listed.stock
    with pytest.raises(ValidationError):
        order_place(actor=UserFactory.create(), lines=[(world.listed, 1)])
    world.listed.refresh_from_db()
    assert world.listed.stock == stock
    entry = AuditEntry.objects.get(action="umkm.product_delist")
    assert entry.actor == world.dinas
    assert entry.after == {"status": ProductStatus.DELISTED}


def test_national_catalogue_mark_feeds_the_e_katalog_filter_and_is_audited(
    world: World, client: Client
) -> None:
    url = reverse("umkm:dinas_national_catalogue", args=[world.listed.public_id])
    assert product_search(query="", filters={"national_catalogue": True}).total == 0
    client.force_login(world.dinas)

    response = client.post(url, {"listed": "1"}, follow=True)

    assert "Tercatat: produk sudah tayang di e-Katalog nasional." in response.content.decode()
    world.listed.refresh_from_db()
    assert world.listed.in_national_catalogue is True
    found = product_search(query="", filters={"national_catalogue": True})
    assert [p.pk for p in found.products] == [world.listed.pk]
    entry = AuditEntry.objects.get(action="umkm.product_national_catalogue")
    assert (entry.actor, entry.after) == (world.dinas, {"in_national_catalogue": True})

    client.post(url, {"listed": "0"})
    world.listed.refresh_from_db()
    assert world.listed.in_national_catalogue is False
    assert product_search(query="", filters={"national_catalogue": True}).total == 0


def test_only_a_listed_product_can_be_marked_for_the_e_katalog(
    world: World, client: Client
) -> None:
    client.force_login(world.dinas)
    url = reverse("umkm:dinas_national_catalogue", args=[world.pending.public_id])

    assert client.post(url, {"listed": "1"}).status_code == 404
    world.pending.refresh_from_db()
    assert world.pending.in_national_catalogue is False
    assert not AuditEntry.objects.filter(action="umkm.product_national_catalogue").exists()


def test_review_moderation_publishes_or_rejects(world: World, client: Client) -> None:
    client.force_login(world.dinas)
    client.post(
        reverse("umkm:dinas_review_moderate", args=[world.review.pk]), {"decision": "reject"}
    )
    world.review.refresh_from_db()
    assert world.review.status == ReviewStatus.REJECTED
    assert world.review.moderated_by == world.dinas
    # A moderated review has left the queue: a second decision is a 404.
    response = client.post(
        reverse("umkm:dinas_review_moderate", args=[world.review.pk]), {"decision": "approve"}
    )
    assert response.status_code == 404
    world.review.refresh_from_db()
    assert world.review.status == ReviewStatus.REJECTED


def test_programme_create_edit_enrol_attend_and_delete(world: World, client: Client) -> None:
    client.force_login(world.dinas)
    response = client.post(
        reverse("umkm:dinas_programme_create"),
        {
            "name": "Sertifikasi Halal Gratis",
            "type": "sertifikasi",
            "start_date": "2026-12-01",
            "end_date": "2026-11-30",
            "quota": "1",
        },
    )
    assert response.status_code == 400
    assert "Tanggal selesai sebelum tanggal mulai." in response.content.decode()
    assert not Programme.objects.filter(name="Sertifikasi Halal Gratis").exists()
    response = client.post(
        reverse("umkm:dinas_programme_create"),
        {
            "name": "Sertifikasi Halal Gratis",
            "type": "sertifikasi",
            "start_date": "2026-12-01",
            "end_date": "2026-12-03",
            "quota": "1",
        },
    )
    assert response.status_code == 303
    programme = Programme.objects.get(name="Sertifikasi Halal Gratis")
    assert (programme.quota, programme.created_by) == (1, world.dinas)
    enrol = reverse("umkm:dinas_enrol", args=[programme.pk])
    assert client.post(enrol, {"nib": world.business.nib}).status_code == 303
    response = client.post(enrol, {"nib": world.listed.business.nib})
    assert response.status_code == 400
    assert "Kuota program sudah penuh." in response.content.decode()
    response = client.post(enrol, {"nib": "12345"})
    assert "NIB terdiri dari tepat 13 digit" in response.content.decode()
    enrolment = Enrolment.objects.get(programme=programme)
    client.post(
        reverse("umkm:dinas_enrolment_update", args=[enrolment.pk]),
        {"status": "lulus", "sessions_attended": "3", "outcome": "Sertifikat halal terbit"},
    )
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.sessions_attended, enrolment.outcome) == (
        EnrolmentStatus.COMPLETED,
        3,
        "Sertifikat halal terbit",
    )
    # The quota cannot drop below the enrolled businesses; deleting with enrolments is refused.
    response = client.post(
        reverse("umkm:dinas_programme_edit", args=[programme.pk]),
        {
            "name": "Sertifikasi Halal",
            "type": "sertifikasi",
            "start_date": "2026-12-01",
            "end_date": "2026-12-04",
            "quota": "2",
        },
    )
    assert response.status_code == 303
    programme.refresh_from_db()
    assert (programme.name, programme.quota) == ("Sertifikasi Halal", 2)
    client.post(reverse("umkm:dinas_programme_delete", args=[programme.pk]))
    assert Programme.objects.filter(pk=programme.pk).exists()
    empty = ProgrammeFactory.create()
    client.post(reverse("umkm:dinas_programme_delete", args=[empty.pk]))
    assert not Programme.objects.filter(pk=empty.pk).exists()
    assert AuditEntry.objects.filter(action="umkm.programme_delete").count() == 1


def test_journey_milestone_is_recorded_with_its_date(world: World, client: Client) -> None:
    client.force_login(world.dinas)
    url = reverse("umkm:dinas_milestone", args=[world.business.public_id])
    response = client.post(url, {"stage": "legalitas", "reached_on": "2026-03-15"})
    assert response.status_code == 303
    milestone = JourneyMilestone.objects.get(business=world.business)
    assert (milestone.stage, milestone.reached_on) == ("legalitas", date(2026, 3, 15))
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = client.post(url, {"stage": "ekspor", "reached_on": future})
    assert response.status_code == 400
    assert JourneyMilestone.objects.filter(business=world.business).count() == 1


def test_purchase_form_rejects_bad_amounts_and_stores_nothing(world: World, client: Client) -> None:
    agency = AgencyFactory.create()
    client.force_login(world.dinas)
    base = {
        "agency": agency.pk,
        "purchase_date": "2026-11-02",
        "kind": "barang",
        "supplier_name": "Toko Sinar",
    }
    for bad in ("Rp1.500", "-1000", "0", "1500.50", "1e12"):
        response = client.post(reverse("umkm:dinas_purchases"), {**base, "amount": bad})
        assert response.status_code == 400, bad
        assert "Tulis jumlah dalam rupiah bulat" in response.content.decode()
    assert GovernmentPurchase.objects.count() == 0
    response = client.post(
        reverse("umkm:dinas_purchases"),
        {**base, "amount": "1500000", "nib": world.listed.business.nib, "supplier_name": ""},
    )
    assert response.status_code == 303
    purchase = GovernmentPurchase.objects.get()
    assert (purchase.amount, purchase.business, purchase.is_umk_or_cooperative) == (
        1_500_000,
        world.listed.business,
        True,
    )
    assert purchase.recorded_by == world.dinas


def test_share_report_page_shows_rupiah_and_percent(world: World, client: Client) -> None:
    from kotapintar.umkm.services import government_purchase_record

    agency = AgencyFactory.create(name="Dinas Pendidikan")
    government_purchase_record(
        actor=world.dinas,
        agency=agency,
        purchase_date=date(2026, 5, 1),
        amount=1_500_000,
        kind="barang",
        business=world.listed.business,
    )
    government_purchase_record(
        actor=world.dinas,
        agency=agency,
        purchase_date=date(2026, 5, 2),
        amount=2_500_000,
        kind="jasa",
        supplier_name="PT Besar",
    )
    client.force_login(world.dinas)
    body = client.get(reverse("umkm:dinas_share_report"), {"year": 2026}).content.decode()
    assert "Rp4.000.000" in body and "Rp1.500.000" in body and "37,50%" in body
    assert client.get(reverse("umkm:dinas_share_report"), {"year": "x"}).status_code == 404


def test_xss_payloads_are_inert_on_dinas_pages(world: World, client: Client) -> None:
    Business.objects.filter(pk=world.business.pk).update(name=XSS, description=XSS)
    Product.objects.filter(pk=world.pending.pk).update(name=XSS, description=XSS)
    Review.objects.filter(pk=world.review.pk).update(text=XSS)
    Programme.objects.filter(pk=world.programme.pk).update(name=XSS)
    NibClaim.objects.filter(pk=world.claim.pk).update(business_name=XSS)
    client.force_login(world.dinas)
    for url in get_urls(world):
        if url.endswith(("/csv/", "/xlsx/")):
            continue  # exports: see test_exports
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert "<img src=x" not in body, url


def test_dashboard_is_readable_by_analysts_but_the_queues_are_not(world: World) -> None:
    from kotapintar.testing.factories import AnalystFactory

    client = Client()
    client.force_login(AnalystFactory.create())
    assert client.get(reverse("umkm:dinas_dashboard")).status_code == 200
    assert client.get(reverse("umkm:dinas_share_report")).status_code == 200
    assert client.get(reverse("umkm:dinas_verification")).status_code == 404


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("belanja.csv", text.encode("utf-8"), content_type="text/csv")


def test_purchase_csv_import_records_every_row(world: World, client: Client) -> None:
    agency = AgencyFactory.create(code="disdik")
    nib = world.listed.business.nib
    text = (
        "opd;tanggal;jumlah;jenis;nib;penyedia;uraian;koperasi;pdn\n"
        f"disdik;2026-03-01;1234567;barang;{nib};;Kue rapat;;ya\n"
        'disdik;02/03/2026;2000001;jasa;;=HYPERLINK("x");Katering;tidak;tidak\n'
        "disdik;2026-03-03;99;barang;;Koperasi Guru;ATK;ya;\n"
    )
    client.force_login(world.dinas)
    response = client.post(reverse("umkm:dinas_purchases_import"), {"file": csv_file(text)})
    assert response.status_code == 303
    rows = list(GovernmentPurchase.objects.order_by("purchase_date"))
    assert [(p.agency_id, p.amount, p.kind) for p in rows] == [
        (agency.pk, 1_234_567, "barang"),
        (agency.pk, 2_000_001, "jasa"),
        (agency.pk, 99, "barang"),
    ]
    assert [p.is_umk_or_cooperative for p in rows] == [True, False, True]
    assert [p.is_domestic_product for p in rows] == [True, False, True]
    assert rows[0].business == world.listed.business
    assert rows[1].supplier_name == '=HYPERLINK("x")'  # stored as text, neutralised on export
    assert AuditEntry.objects.filter(action="umkm.government_purchase").count() == 3


def test_purchase_csv_import_with_one_bad_row_stores_nothing(world: World, client: Client) -> None:
    AgencyFactory.create(code="disdik")
    text = (
        "opd,tanggal,jumlah,jenis,penyedia\n"
        "disdik,2026-03-01,1500000,barang,Toko A\n"
        "disdik,2026-03-02,Rp1.500,barang,Toko B\n"
        "dinkes,2026-13-01,100,sewa,Toko C\n"
    )
    client.force_login(world.dinas)
    audits = AuditEntry.objects.count()
    response = client.post(reverse("umkm:dinas_purchases_import"), {"file": csv_file(text)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Baris 3: jumlah harus rupiah bulat" in body
    assert "Baris 4: kode OPD tidak dikenal" in body
    assert GovernmentPurchase.objects.count() == 0
    assert AuditEntry.objects.count() == audits
    response = client.post(
        reverse("umkm:dinas_purchases_import"), {"file": csv_file("nama,harga\nx,1\n")}
    )
    assert "Baris judul tidak memuat kolom: opd, tanggal, jumlah, jenis." in (
        response.content.decode()
    )
    assert GovernmentPurchase.objects.count() == 0


@pytest.mark.parametrize(
    "name", ["umkm:dinas_verification", "umkm:dinas_curation", "umkm:dinas_products"]
)
def test_list_pages_use_a_constant_number_of_queries(
    world: World, client: Client, name: str
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.dinas)
    url = reverse(name)
    client.get(url)  # warm the session and policy rows
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _n in range(6):
        business = BusinessFactory.create(verified=True)
        ProductFactory.create(business=business, status=ProductStatus.PENDING)
        ProductFactory.create(business=business, status=ProductStatus.LISTED)
        BusinessFactory.create()
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
