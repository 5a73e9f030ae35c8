"""factory_boy factories for complaints tests (shared by every complaints engineer).

Coordinates default to Medan's centre (3.5952, 98.6722), inside ``CityBoundaryFactory``'s box.
``ComplaintFactory`` sets consistent timestamps for the status it is given, e.g.
``ComplaintFactory(status=Status.DISPOSED, agency=agency, privacy=Privacy.SECRET)``.
"""

from __future__ import annotations

import hashlib
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from kotapintar.complaints.models import (
    Category,
    CategoryGroup,
    CategoryQuestion,
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    EventKind,
    Open311Client,
    PhotoKind,
    Privacy,
    QuestionOption,
    QuestionType,
    RoutingRule,
    Status,
)
from kotapintar.core.reference_numbers import new_reference
from kotapintar.testing.factories import (
    AgencyFactory,
    CitizenFactory,
    DistrictFactory,
    VillageFactory,
)

MEDAN_LATITUDE = 3.5952
MEDAN_LONGITUDE = 98.6722

# Statuses at or after each milestone (for consistent timestamps).
_VERIFIED_OR_LATER = {
    Status.VERIFIED,
    Status.DISPOSED,
    Status.IN_PROGRESS,
    Status.RESOLVED,
    Status.CLOSED,
}
_DISPOSED_OR_LATER = {Status.DISPOSED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED}
_STARTED_OR_LATER = {Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED}
_RESOLVED_OR_LATER = {Status.RESOLVED, Status.CLOSED}


class CategoryGroupFactory(factory.django.DjangoModelFactory[CategoryGroup]):
    class Meta:
        model = CategoryGroup
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"kelompok-{n}")
    name = factory.Sequence(lambda n: f"Kelompok {n}")
    order = factory.Sequence(lambda n: n)


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"kategori-{n}")
    group = factory.SubFactory(CategoryGroupFactory)
    name = factory.Sequence(lambda n: f"Kategori {n}")
    description = "Masalah di ruang publik."
    resolution_working_days = 14
    requires_after_photo = False
    is_active = True


class EmergencyCategoryFactory(CategoryFactory):
    # Same type as the parent's declarations (mypy): a constant through Sequence.
    code = factory.Sequence(lambda n: "darurat")
    name = factory.Sequence(lambda n: "Darurat / gangguan keamanan")
    is_emergency = True
    priority = "darurat"
    resolution_working_days = 2


class CategoryQuestionFactory(factory.django.DjangoModelFactory[CategoryQuestion]):
    class Meta:
        model = CategoryQuestion

    category = factory.SubFactory(CategoryFactory)
    code = factory.Sequence(lambda n: f"pertanyaan-{n}")
    prompt = factory.Sequence(lambda n: f"Pertanyaan {n}?")
    datatype = QuestionType.STRING
    required = False
    order = factory.Sequence(lambda n: n)


class QuestionOptionFactory(factory.django.DjangoModelFactory[QuestionOption]):
    class Meta:
        model = QuestionOption

    question = factory.SubFactory(CategoryQuestionFactory, datatype=QuestionType.SINGLE)
    key = factory.Sequence(lambda n: f"pilihan-{n}")
    name = factory.Sequence(lambda n: f"Pilihan {n}")
    order = factory.Sequence(lambda n: n)


class RoutingRuleFactory(factory.django.DjangoModelFactory[RoutingRule]):
    class Meta:
        model = RoutingRule

    category = factory.SubFactory(CategoryFactory)
    district = None
    agency = factory.SubFactory(AgencyFactory)


class ComplaintFactory(factory.django.DjangoModelFactory[Complaint]):
    """A web report by a citizen in Medan Kota; timestamps follow ``status``."""

    class Meta:
        model = Complaint
        skip_postgeneration_save = True

    reference = factory.LazyFunction(lambda: new_reference("ADU"))
    category = factory.SubFactory(CategoryFactory)
    title = factory.Sequence(lambda n: f"Jalan berlubang nomor {n}")
    description = "Lubang besar di tengah jalan, berbahaya untuk pengendara motor."
    latitude = MEDAN_LATITUDE
    longitude = MEDAN_LONGITUDE
    address = "Jl. Sisingamangaraja"
    district = factory.SubFactory(DistrictFactory)
    village = factory.LazyAttribute(lambda o: VillageFactory(district=o.district))
    privacy = Privacy.PUBLIC
    reporter = factory.SubFactory(CitizenFactory)
    reporter_name = factory.LazyAttribute(lambda o: o.reporter.full_name if o.reporter else "")
    channel = Channel.WEB
    status = Status.RECEIVED
    agency = factory.LazyAttribute(
        lambda o: AgencyFactory() if o.status in _DISPOSED_OR_LATER else None
    )
    submitted_at = factory.LazyFunction(timezone.now)
    verified_at = factory.LazyAttribute(
        lambda o: o.submitted_at if o.status in _VERIFIED_OR_LATER else None
    )
    disposed_at = factory.LazyAttribute(
        lambda o: o.submitted_at if o.status in _DISPOSED_OR_LATER else None
    )
    first_response_at = factory.LazyAttribute(
        lambda o: o.submitted_at if o.status in _STARTED_OR_LATER else None
    )
    resolved_at = factory.LazyAttribute(
        lambda o: o.submitted_at if o.status in _RESOLVED_OR_LATER else None
    )
    closed_at = factory.LazyAttribute(
        lambda o: o.submitted_at if o.status == Status.CLOSED else None
    )
    rejection_reason = factory.LazyAttribute(
        lambda o: "spam" if o.status == Status.REJECTED else ""
    )


class ComplaintEventFactory(factory.django.DjangoModelFactory[ComplaintEvent]):
    class Meta:
        model = ComplaintEvent

    complaint = factory.SubFactory(ComplaintFactory)
    kind = EventKind.UPDATE
    message = "Laporan sedang ditindaklanjuti."
    is_public = True
    created_at = factory.LazyFunction(timezone.now)


class ComplaintPhotoFactory(factory.django.DjangoModelFactory[ComplaintPhoto]):
    """Needs a ``file`` (a core ``StoredFile``), e.g. from ``core.uploads.store_upload``."""

    class Meta:
        model = ComplaintPhoto

    complaint = factory.SubFactory(ComplaintFactory)
    kind = PhotoKind.REPORT


class Open311ClientFactory(factory.django.DjangoModelFactory[Open311Client]):
    """An Open311 client; the raw key is ``raw_key`` (default ``kunci-uji-<n>``).

    The stored hash matches ``services.open311_client_by_key`` (SHA-256 hex of the raw key).
    """

    class Meta:
        model = Open311Client
        exclude = ("raw_key",)

    raw_key = factory.Sequence(lambda n: f"kunci-uji-{n:04d}-abcdefghijklmnop")
    name = factory.Sequence(lambda n: f"Aplikasi {n}")
    contact_email = factory.Sequence(lambda n: f"dev{n}@aplikasi.contoh.id")
    key_prefix = factory.LazyAttribute(lambda o: o.raw_key[:8])
    key_hash = factory.LazyAttribute(lambda o: hashlib.sha256(o.raw_key.encode()).hexdigest())
    is_active = True


def jpeg_upload(name: str = "lubang.jpg", size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    """A small valid JPEG as an upload."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 90, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def fake_jpeg_upload(name: str = "bukan-foto.jpg") -> SimpleUploadedFile:
    """An HTML file renamed ``.jpg`` (must be refused by content sniffing)."""
    return SimpleUploadedFile(
        name, b"<html><script>alert(1)</script></html>", content_type="image/jpeg"
    )
