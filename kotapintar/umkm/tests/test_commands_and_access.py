"""Management commands, the role registration and the file access policy."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from kotapintar.accounts.roles import module_role_choices
from kotapintar.core.uploads.access import user_can_access_file
from kotapintar.testing.factories import UserFactory
from kotapintar.umkm.models import ProductCategory, ProductStatus, ScaleThreshold, UmkmPolicy
from kotapintar.umkm.registration import DINAS_ROLE
from kotapintar.umkm.services import business_nib_document_upload, product_photo_add
from kotapintar.umkm.tests.factories import (
    BusinessFactory,
    ProductFactory,
    dinas_officer,
    image_upload,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


def test_load_umkm_reference_twice(db: Any) -> None:
    out = StringIO()
    call_command("load_umkm_reference", stdout=out)
    call_command("load_umkm_reference", stdout=out)
    assert ScaleThreshold.objects.count() == 3
    assert "thresholds=3" in out.getvalue()


def test_reloading_reference_data_keeps_the_dinas_changes_unless_asked_to_update(db: Any) -> None:
    call_command("load_umkm_reference", stdout=StringIO())
    category = ProductCategory.objects.get(slug="makanan-minuman")
    file_name = category.name
    category.name = "Kuliner"
    category.save()
    UmkmPolicy.objects.update(price_cap=5_000_000)

    call_command("load_umkm_reference", stdout=StringIO())

    assert ProductCategory.objects.get(pk=category.pk).name == "Kuliner"
    assert UmkmPolicy.objects.get().price_cap == 5_000_000

    call_command("load_umkm_reference", "--update", stdout=StringIO())

    assert ProductCategory.objects.get(pk=category.pk).name == file_name
    assert UmkmPolicy.objects.get().price_cap != 5_000_000


def test_housekeeping_command(reference_data: Any) -> None:
    out = StringIO()
    call_command("umkm_housekeeping", stdout=out)
    assert out.getvalue().strip() == "orders_expired=0 reminders_sent=0"


def test_dinas_role_registered() -> None:
    assert DINAS_ROLE in dict(module_role_choices())


def test_nib_document_only_for_owner_and_dinas(reference_data: Any) -> None:
    business = BusinessFactory()
    business_nib_document_upload(
        actor=business.owner, business=business, uploaded_file=pdf_upload()
    )
    business.refresh_from_db()
    document = business.nib_document
    assert document is not None
    assert user_can_access_file(user=business.owner, stored_file=document)
    assert user_can_access_file(user=dinas_officer(), stored_file=document)
    assert not user_can_access_file(user=UserFactory(), stored_file=document)
    assert not user_can_access_file(user=BusinessFactory().owner, stored_file=document)


def test_photos_of_public_products_for_everyone_signed_in(reference_data: Any) -> None:
    product = ProductFactory(listed=True)
    photo = product_photo_add(
        actor=product.business.owner, product=product, uploaded_file=image_upload()
    )
    stranger = UserFactory()
    assert user_can_access_file(user=stranger, stored_file=photo.file)
    product.status = ProductStatus.DELISTED
    product.save()
    assert not user_can_access_file(user=stranger, stored_file=photo.file)
    assert user_can_access_file(user=product.business.owner, stored_file=photo.file)
