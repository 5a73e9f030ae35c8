"""factory_boy factories shared by every app's tests. Extend here; keep them realistic."""

from __future__ import annotations

import factory
from django.utils import timezone

from kotapintar.accounts.models import User
from kotapintar.accounts.roles import Role
from kotapintar.agencies.models import Agency, AgencyKind, ServiceUnit, UnitKind
from kotapintar.regions.models import (
    BoundaryLevel,
    District,
    Province,
    Regency,
    RegionBoundary,
    Village,
    VillageKind,
)

DEFAULT_PASSWORD = "kata-sandi-uji-123"


class ProvinceFactory(factory.django.DjangoModelFactory[Province]):
    class Meta:
        model = Province
        django_get_or_create = ("code",)

    code = "12"
    name = "Sumatera Utara"


class RegencyFactory(factory.django.DjangoModelFactory[Regency]):
    class Meta:
        model = Regency
        django_get_or_create = ("code",)

    code = "12.71"
    province = factory.SubFactory(ProvinceFactory)
    name = "Kota Medan"


class DistrictFactory(factory.django.DjangoModelFactory[District]):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = "12.71.01"
    regency = factory.SubFactory(RegencyFactory)
    name = "Medan Kota"


class VillageFactory(factory.django.DjangoModelFactory[Village]):
    class Meta:
        model = Village
        django_get_or_create = ("code",)

    code = "12.71.01.1001"
    district = factory.SubFactory(DistrictFactory)
    name = "Pasar Baru"
    kind = VillageKind.KELURAHAN


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"opd-{n}")
    name = factory.Sequence(lambda n: f"Dinas Uji {n}")
    kind = AgencyKind.DINAS


class ServiceUnitFactory(factory.django.DjangoModelFactory[ServiceUnit]):
    class Meta:
        model = ServiceUnit

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"Loket {n}")
    kind = UnitKind.HEAD_OFFICE


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A citizen with a confirmed e-mail address."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"warga{n}@contoh.id")
    full_name = factory.Faker("name", locale="id_ID")
    role = Role.CITIZEN
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


CitizenFactory = UserFactory


class OfficerFactory(UserFactory):
    email = factory.Sequence(lambda n: f"petugas{n}@pemko.contoh.id")
    role = Role.OFFICER
    agency = factory.SubFactory(AgencyFactory)
    unit = factory.LazyAttribute(lambda o: ServiceUnitFactory(agency=o.agency))


class CoordinatorFactory(OfficerFactory):
    role = Role.COORDINATOR


class AgencyHeadFactory(OfficerFactory):
    role = Role.AGENCY_HEAD
    unit = factory.LazyAttribute(lambda o: None)


class AnalystFactory(UserFactory):
    email = factory.Sequence(lambda n: f"analis{n}@pemko.contoh.id")
    role = Role.ANALYST


class CityAdminFactory(UserFactory):
    email = factory.Sequence(lambda n: f"admin{n}@pemko.contoh.id")
    role = Role.CITY_ADMIN
    is_staff = True
    is_superuser = True


class CityBoundaryFactory(factory.django.DjangoModelFactory[RegionBoundary]):
    """Kota Medan's seeded bounding box, so that ``point_in_city`` answers in tests.

    (3.5952, 98.6722), the city centre, is inside; Kualanamu airport (3.6422, 98.8853) is not.
    """

    class Meta:
        model = RegionBoundary
        django_get_or_create = ("level", "regency")

    level = BoundaryLevel.CITY
    regency = factory.SubFactory(RegencyFactory)
    min_lat = 3.48
    max_lat = 3.80
    min_lon = 98.58
    max_lon = 98.75
    source = "test"
