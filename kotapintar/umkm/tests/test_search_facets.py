"""The search columns copied onto the product (``is_public``, ``facet_*``; migration 0003) follow
their sources on PostgreSQL, and the one-query facets equal the join-based ones.

The columns are kept by PostgreSQL triggers and only read by the PostgreSQL search path; on
SQLite they are not kept (its search path joins the source tables), so these tests run on
PostgreSQL only.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from kotapintar.testing.factories import DistrictFactory
from kotapintar.umkm.models import (
    Business,
    Certification,
    Product,
    ProductCategory,
    ProductStatus,
    Scale,
    VerificationStatus,
)
from kotapintar.umkm.search import (
    SearchFilters,
    _facets,
    _postgres_base,
    _postgres_facets,
    _postgres_match,
    apply_filters,
    parse_query,
    product_search_uncached,
    public_products,
)
from kotapintar.umkm.services import (
    business_nib_document_upload,
    business_reject,
    business_verify,
    certification_remove,
    product_curate,
    product_delist,
    product_submit,
)
from kotapintar.umkm.tests.factories import (
    BusinessFactory,
    ProductFactory,
    certification,
    dinas_officer,
    pdf_upload,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the facet columns are kept by PostgreSQL triggers (SQLite joins the sources)",
    ),
]


def columns(product: Product) -> dict[str, Any]:
    product.refresh_from_db()
    return {
        "is_public": product.is_public,
        "district": product.facet_district,
        "scale": product.facet_scale,
        "root": product.facet_root_category,
        "certificates": product.facet_certificates,
    }


def root_id(slug: str) -> int:
    category = ProductCategory.objects.get(slug=slug)
    while category.parent_id is not None:
        category = ProductCategory.objects.get(pk=category.parent_id)
    return category.pk


def test_columns_follow_business_verification_and_product_curation(reference_data: Any) -> None:
    officer = dinas_officer()
    kota = DistrictFactory(code="12.71.01", name="Medan Kota")
    business = BusinessFactory(district=kota, scale=Scale.MIKRO)
    product = ProductFactory(
        business=business, category=ProductCategory.objects.get(slug="kue-roti")
    )
    assert columns(product) == {
        "is_public": False,
        "district": "12.71.01",
        "scale": "mikro",
        "root": root_id("kue-roti"),
        "certificates": {},
    }
    product_submit(actor=business.owner, product=product)
    product_curate(actor=officer, product=product, approve=True)
    assert columns(product)["is_public"] is False  # the business is not verified yet

    business_nib_document_upload(
        actor=business.owner, business=business, uploaded_file=pdf_upload()
    )
    business_verify(actor=officer, business=Business.objects.get(pk=business.pk))
    assert columns(product)["is_public"] is True

    business_reject(actor=officer, business=Business.objects.get(pk=business.pk), reason="Palsu")
    assert columns(product)["is_public"] is False
    business_verify(actor=officer, business=Business.objects.get(pk=business.pk))
    assert columns(product)["is_public"] is True

    Business.objects.filter(pk=business.pk).update(is_active=False)  # a bulk update too
    assert columns(product)["is_public"] is False
    Business.objects.filter(pk=business.pk).update(is_active=True)
    assert columns(product)["is_public"] is True

    product_delist(actor=officer, product=product, reason="Harga tidak wajar")
    assert columns(product)["is_public"] is False
    assert product.status == ProductStatus.DELISTED


def test_columns_follow_kecamatan_scale_and_category(reference_data: Any) -> None:
    DistrictFactory(code="12.71.02", name="Medan Baru")
    created = ProductFactory(listed=True, category=ProductCategory.objects.get(slug="kue-roti"))
    product = Product.objects.select_related("business").get(pk=created.pk)
    business = product.business
    business.district_id = "12.71.02"
    business.scale = Scale.KECIL
    business.save()
    assert columns(product)["district"] == "12.71.02"
    assert columns(product)["scale"] == "kecil"

    product.category = ProductCategory.objects.get(slug="ulos")
    product.save()
    assert columns(product)["root"] == root_id("ulos")
    assert columns(product)["is_public"] is True

    # The category tree itself changes: a subcategory moved under another top level.
    ulos = ProductCategory.objects.get(slug="ulos")
    other_root = ProductCategory.objects.get(slug="kerajinan")
    assert other_root.parent_id is None and root_id("ulos") != other_root.pk
    ulos.parent = other_root
    ulos.save()
    assert columns(product)["root"] == other_root.pk


def test_columns_follow_certificates_links_expiry_and_removal(reference_data: Any) -> None:
    product = ProductFactory(listed=True)
    business = product.business
    halal = certification(business, "halal")
    pirt = certification(business, "pirt")
    product.certifications.add(halal, pirt)
    assert columns(product)["certificates"] == {"halal": "9999-12-31", "pirt": "9999-12-31"}

    pirt.expires_on = date(2027, 12, 31)
    pirt.save()
    assert columns(product)["certificates"] == {"halal": "9999-12-31", "pirt": "2027-12-31"}

    product.certifications.remove(halal)
    assert columns(product)["certificates"] == {"pirt": "2027-12-31"}

    certification_remove(actor=business.owner, certification=pirt)
    assert columns(product)["certificates"] == {}
    assert not Certification.objects.filter(pk=pirt.pk).exists()


def test_expired_certificate_neither_filters_nor_counts(reference_data: Any) -> None:
    product = ProductFactory(listed=True, name="Sirup Markisa")
    expired = certification(product.business, "pirt")
    expired.expires_on = timezone.localdate() - timedelta(days=1)
    expired.save()
    product.certifications.add(expired)
    result = product_search_uncached(query="markisa", log_empty=False)
    assert result.total == 1
    assert result.facets["certification"] == []
    filtered = product_search_uncached(
        query="markisa", filters={"certification": "pirt"}, log_empty=False
    )
    assert filtered.total == 0

    expired.expires_on = timezone.localdate()  # valid through today
    expired.save()
    result = product_search_uncached(query="markisa", log_empty=False)
    assert [(f.value, f.count) for f in result.facets["certification"]] == [("pirt", 1)]


@pytest.mark.parametrize(
    "query, filters",
    [
        ("", {}),
        ("bika", {}),
        ("", {"category": "makanan-minuman"}),
        ("", {"kecamatan": "12.71.01", "price_min": 20_000, "price_max": 60_000}),
        ("", {"certification": "halal"}),
        ("", {"scale": "kecil"}),
    ],
)
def test_one_query_facets_equal_the_join_based_facets(
    reference_data: Any, query: str, filters: dict[str, Any]
) -> None:
    kota = DistrictFactory(code="12.71.01", name="Medan Kota")
    baru = DistrictFactory(code="12.71.02", name="Medan Baru")
    mikro = BusinessFactory(verified=True, district=kota, scale=Scale.MIKRO)
    kecil = BusinessFactory(verified=True, district=baru, scale=Scale.KECIL)
    hidden = BusinessFactory(verification_status=VerificationStatus.UNVERIFIED, district=kota)
    halal = certification(mikro, "halal")
    slugs = ["kue-roti", "ulos", "minuman-sirup", "keripik-camilan", "pakaian"]
    for i in range(15):
        product = ProductFactory(
            name=f"Bika Ambon {i}" if i % 3 == 0 else f"Produk {i}",
            category=ProductCategory.objects.get(slug=slugs[i % len(slugs)]),
            business=(mikro, kecil, hidden)[i % 3],
            price=10_000 * (i + 1),
            in_national_catalogue=i % 4 == 0,
            listed=True,
        )
        if i % 2 == 0 and product.business_id == mikro.pk:
            product.certifications.add(halal)
    parsed = parse_query(query)
    search_filters = SearchFilters.from_mapping(filters)
    joined = apply_filters(public_products(), search_filters)
    copied = _postgres_base(search_filters)
    if query:
        copied = _postgres_match(copied, parsed)
    facets, total = _postgres_facets(copied)
    expected = _facets(joined.filter(name__icontains=query) if query else joined)
    assert total == (joined.filter(name__icontains=query) if query else joined).count()
    assert total > 0
    for name in expected:
        assert [(v.value, v.label, v.count) for v in facets[name]] == [
            (v.value, v.label, v.count) for v in expected[name]
        ], name
