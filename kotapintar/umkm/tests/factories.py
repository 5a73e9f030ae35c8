"""factory_boy factories for UMKM tests (shared by every UMKM engineer).

``reference_data`` (a fixture in ``conftest.py``) loads the seed thresholds, categories,
certification types and synonyms. ``BusinessFactory(verified=True)`` gives a verified business;
``ProductFactory(listed=True, name=...)`` a public, indexed product::

    product = ProductFactory(name="Bika Ambon", listed=True)
"""

from __future__ import annotations

import io
import uuid
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from kotapintar.accounts.models import ModuleRoleGrant, User
from kotapintar.core.demo.samples import tiny_pdf
from kotapintar.testing.factories import (
    DistrictFactory,
    UserFactory,
    VillageFactory,
)
from kotapintar.umkm.models import (
    Business,
    BusinessScaleChange,
    Certification,
    CertificationType,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    ProductCategory,
    ProductStatus,
    Programme,
    ProgrammeType,
    Scale,
    Sector,
    VerificationStatus,
)
from kotapintar.umkm.registration import DINAS_ROLE
from kotapintar.umkm.search import product_index_update

VALID_NIK = "1271011708850001"


def dinas_officer(**kwargs: Any) -> User:
    """A user with the UMKM officer module role (Dinas Koperasi & UKM)."""
    from kotapintar.testing.factories import OfficerFactory

    user: User = OfficerFactory(**kwargs)  # type: ignore[assignment]
    ModuleRoleGrant.objects.create(user=user, code=DINAS_ROLE)
    return user


def image_upload(
    width: int = 400, height: int = 400, *, name: str = "foto.jpg", fmt: str = "JPEG"
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, format=fmt)
    content_type = "image/png" if fmt == "PNG" else "image/jpeg"
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def pdf_upload(name: str = "nib.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_pdf(), content_type="application/pdf")


class CategoryFactory(factory.django.DjangoModelFactory[ProductCategory]):
    class Meta:
        model = ProductCategory
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"kategori-{n}")
    name = factory.Sequence(lambda n: f"Kategori {n}")


class BusinessFactory(factory.django.DjangoModelFactory[Business]):
    class Meta:
        model = Business
        skip_postgeneration_save = True

    class Params:
        verified = factory.Trait(
            verification_status=VerificationStatus.VERIFIED,
            verified_at=factory.LazyFunction(timezone.now),
        )

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"UMKM Uji {n}")
    owner_name = "Siti Aminah"
    owner_nik = VALID_NIK
    nib = factory.Sequence(lambda n: f"{9100000000000 + n}")
    kbli = "10792"
    sector = Sector.FOOD
    district = factory.SubFactory(DistrictFactory)
    village = None
    street_address = "Jl. Rumah No. 1"
    phone = "081234565678"
    founding_year = 2019
    employees = 3
    capital = 50_000_000
    annual_turnover = 300_000_000
    scale = Scale.MIKRO

    @factory.post_generation
    def history(obj: Business, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not False:
            BusinessScaleChange.objects.create(
                business=obj,
                effective_date=timezone.localdate(),
                annual_turnover=obj.annual_turnover,
                capital=obj.capital,
                employees=obj.employees,
                scale=obj.scale,
            )


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    class Params:
        listed = factory.Trait(
            status=ProductStatus.LISTED,
            listed_at=factory.LazyFunction(timezone.now),
            business=factory.SubFactory(BusinessFactory, verified=True),
        )

    business = factory.SubFactory(BusinessFactory)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Produk {n}")
    description = ""
    price = 25_000
    stock = 100
    status = ProductStatus.DRAFT

    @factory.post_generation
    def index(obj: Product, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            product_index_update(product=obj)


def certification(
    business: Business, code: str = "halal", number: str | None = None
) -> Certification:
    cert_type, _ = CertificationType.objects.get_or_create(code=code, defaults={"name": code})
    return Certification.objects.create(
        business=business, type=cert_type, number=number or f"ID{uuid.uuid4().int % 10**12:012d}"
    )


class OrderFactory(factory.django.DjangoModelFactory[Order]):
    class Meta:
        model = Order

    reference = factory.Sequence(lambda n: f"UMK-{n:04d}-TEST")
    group = factory.LazyFunction(uuid.uuid4)
    buyer = factory.SubFactory(UserFactory)
    business = factory.SubFactory(BusinessFactory, verified=True)
    market = "umum"
    status = OrderStatus.SUBMITTED
    total = 0
    respond_by = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=3))


class OrderLineFactory(factory.django.DjangoModelFactory[OrderLine]):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.LazyAttribute(
        lambda o: ProductFactory(business=o.order.business, listed=True)
    )
    product_name = factory.LazyAttribute(lambda o: o.product.name)
    quantity = 1
    unit_price = factory.LazyAttribute(lambda o: o.product.price)


class ProgrammeFactory(factory.django.DjangoModelFactory[Programme]):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Pelatihan {n}")
    type = ProgrammeType.TRAINING
    start_date = factory.LazyFunction(timezone.localdate)
    end_date = factory.LazyFunction(timezone.localdate)


__all__ = [
    "BusinessFactory",
    "CategoryFactory",
    "OrderFactory",
    "OrderLineFactory",
    "ProductFactory",
    "ProgrammeFactory",
    "VillageFactory",
    "certification",
    "dinas_officer",
    "image_upload",
    "pdf_upload",
]
