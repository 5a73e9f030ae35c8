"""The search tables of migration 0004 on PostgreSQL: ``CatalogueEntry`` holds exactly the
public products with their current searched values, ``CatalogueCell`` holds exactly the counts
of the entries per cell, whatever the write path; browse facets read from the cells equal the
facets counted from the source tables.

The tables are kept by PostgreSQL triggers and only read by the PostgreSQL search path (on
SQLite they stay empty), so these tests run on PostgreSQL only.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Sum

from kotapintar.testing.factories import DistrictFactory
from kotapintar.umkm.models import (
    Business,
    CatalogueCell,
    CatalogueEntry,
    CatalogueWord,
    Product,
    ProductCategory,
    ProductStatus,
    Scale,
)
from kotapintar.umkm.search import (
    PRICE_BUCKETS,
    SearchFilters,
    _facets,
    _postgres_cells,
    _postgres_corrections,
    _postgres_facets,
    _price_buckets_of,
    apply_filters,
    parse_query,
    product_index_update,
    product_search_uncached,
    public_products,
)
from kotapintar.umkm.services import product_delist
from kotapintar.umkm.tests.factories import (
    BusinessFactory,
    ProductFactory,
    certification,
    dinas_officer,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the search tables are kept by PostgreSQL triggers (SQLite reads the sources)",
    ),
]


def bucket(price: int) -> int:
    return next(
        i
        for i, (low, high) in enumerate(PRICE_BUCKETS)
        if price >= low and (high is None or price <= high)
    )


def expected_entries() -> dict[int, dict[str, Any]]:
    """What the entries must hold, computed from the source tables (not the copied columns)."""
    rows = {}
    for product in public_products().select_related("business", "category"):
        product.refresh_from_db()
        root = product.category
        while root.parent_id is not None:
            root = ProductCategory.objects.get(pk=root.parent_id)
        certificates: dict[str, str] = {}
        for cert in product.certifications.select_related("type"):
            until = (cert.expires_on or date(9999, 12, 31)).isoformat()
            certificates[cert.type.code] = max(until, certificates.get(cert.type.code, ""))
        rows[product.pk] = {
            "business_id": product.business_id,
            "category_id": product.category_id,
            "root_category_id": root.pk,
            "district": product.business.district_id,
            "scale": product.business.scale,
            "price": product.price,
            "price_bucket": bucket(product.price),
            "in_national_catalogue": product.in_national_catalogue,
            "certificates": certificates,
            "listed_at": product.listed_at,
            "search_name": product.search_name,
            "search_vector": product.search_vector,
        }
    return rows


def stored_entries() -> dict[int, dict[str, Any]]:
    fields = [
        "business_id",
        "category_id",
        "root_category_id",
        "district",
        "scale",
        "price",
        "price_bucket",
        "in_national_catalogue",
        "certificates",
        "listed_at",
        "search_name",
        "search_vector",
    ]
    return {
        row["product_id"]: {f: row[f] for f in fields}
        for row in CatalogueEntry.objects.values("product_id", *fields)
    }


def cell_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["category_id"],
        row["root_category_id"],
        row["district"],
        row["scale"],
        row["in_national_catalogue"],
        row["price_bucket"],
        str(sorted(row["certificates"].items())),
    )


def assert_tables_true() -> None:
    """Entries = the public products; cells (non-zero) = the entries counted per cell; words
    (non-zero) = the names holding each word."""
    entries = stored_entries()
    assert entries == expected_entries()
    counted = Counter(cell_key(row) for row in entries.values())
    cells = {
        cell_key(row): row["products"]
        for row in CatalogueCell.objects.filter(products__gt=0).values()
    }
    assert cells == dict(counted)
    assert not CatalogueCell.objects.filter(products__lt=0).exists()
    words = Counter(word for row in entries.values() for word in set(row["search_name"].split()))
    assert dict(CatalogueWord.objects.filter(products__gt=0).values_list("word", "products")) == (
        dict(words)
    )
    assert not CatalogueWord.objects.filter(products__lt=0).exists()


@pytest.fixture
def medan(reference_data: Any) -> dict[str, Any]:
    kota = DistrictFactory(code="12.71.01", name="Medan Kota")
    baru = DistrictFactory(code="12.71.02", name="Medan Baru")
    mikro = BusinessFactory(verified=True, district=kota, scale=Scale.MIKRO)
    kecil = BusinessFactory(verified=True, district=baru, scale=Scale.KECIL)
    return {"kota": kota, "baru": baru, "mikro": mikro, "kecil": kecil}


def test_entries_and_cells_follow_every_write_path(medan: dict[str, Any]) -> None:
    mikro, kecil = medan["mikro"], medan["kecil"]
    kue = ProductCategory.objects.get(slug="kue-roti")
    ulos = ProductCategory.objects.get(slug="ulos")
    bika = ProductFactory(
        name="Bika Ambon", business=mikro, category=kue, price=25_000, listed=True
    )
    bolu = ProductFactory(
        name="Bolu Meranti", business=mikro, category=kue, price=25_001, listed=True
    )
    kain = ProductFactory(
        name="Ulos Ragi", business=kecil, category=ulos, price=750_000, listed=True
    )
    draft = ProductFactory(name="Draf", business=kecil, category=ulos, price=10_000)
    assert set(stored_entries()) == {bika.pk, bolu.pk, kain.pk}
    assert_tables_true()

    # The services: a price change, a new name (search text), a delisting.
    Product.objects.filter(pk=bika.pk).update(price=100_001)
    renamed = Product.objects.get(pk=bika.pk)
    renamed.name = "Bika Ambon Zulaikha"
    renamed.save()
    product_index_update(product=renamed)
    product_delist(actor=dinas_officer(), product=Product.objects.get(pk=bolu.pk), reason="Ganda")
    assert set(stored_entries()) == {bika.pk, kain.pk}
    assert stored_entries()[bika.pk]["search_name"] == " bika ambon zulaikha "
    assert_tables_true()

    # The business: another kecamatan and scale; then deactivated (a bulk update).
    business = Business.objects.get(pk=kecil.pk)
    business.district = medan["kota"]
    business.scale = Scale.MENENGAH
    business.save()
    assert_tables_true()
    Business.objects.filter(pk=kecil.pk).update(is_active=False)
    assert set(stored_entries()) == {bika.pk}
    assert_tables_true()
    Business.objects.filter(pk=kecil.pk).update(is_active=True)
    assert set(stored_entries()) == {bika.pk, kain.pk}

    # Certificates: linked, expiry changed, unlinked; the category tree moved.
    halal = certification(mikro, "halal")
    Product.objects.get(pk=bika.pk).certifications.add(halal)
    assert stored_entries()[bika.pk]["certificates"] == {"halal": "9999-12-31"}
    halal.expires_on = date(2030, 1, 31)
    halal.save()
    assert stored_entries()[bika.pk]["certificates"] == {"halal": "2030-01-31"}
    assert_tables_true()
    ulos.parent = ProductCategory.objects.get(slug="kerajinan")
    ulos.save()
    assert stored_entries()[kain.pk]["root_category_id"] == ulos.parent_id
    assert_tables_true()

    # Published in a bulk update; deleted.
    Product.objects.filter(pk=draft.pk).update(status=ProductStatus.LISTED)
    assert draft.pk in stored_entries()
    assert_tables_true()
    Product.objects.filter(pk=draft.pk).delete()
    Product.objects.get(pk=kain.pk).delete()
    assert set(stored_entries()) == {bika.pk}
    assert_tables_true()
    assert CatalogueCell.objects.aggregate(n=Sum("products"))["n"] == 1


def test_a_stock_change_leaves_the_entry_alone(medan: dict[str, Any]) -> None:
    product = ProductFactory(business=medan["mikro"], stock=5, listed=True)

    def entry_version() -> str:
        # The row's physical place: a row deleted and inserted again moves.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ctid::text FROM umkm_catalogueentry WHERE product_id = %s", [product.pk]
            )
            return str(cursor.fetchone()[0])

    before = entry_version()
    Product.objects.filter(pk=product.pk).update(stock=4)
    assert entry_version() == before  # not deleted and inserted again
    Product.objects.filter(pk=product.pk).update(price=product.price + 1)
    assert entry_version() != before


def test_price_ranges_in_sql_equal_the_python_ones(reference_data: Any) -> None:
    prices = [1, 25_000, 25_001, 100_000, 100_001, 500_000, 500_001, 10**9]
    with connection.cursor() as cursor:
        cursor.execute("SELECT p, umkm_price_bucket(p) FROM unnest(%s::bigint[]) AS p", [prices])
        assert dict(cursor.fetchall()) == {p: bucket(p) for p in prices}


@pytest.mark.parametrize(
    "filters, buckets",
    [
        ({}, [0, 1, 2, 3]),
        ({"price_min": 25_001, "price_max": 100_000}, [1]),
        ({"price_min": 25_001}, [1, 2, 3]),
        ({"price_max": 500_000}, [0, 1, 2]),
        ({"price_min": 1, "price_max": 25_000}, [0]),
        ({"price_min": 0}, [0, 1, 2, 3]),
        ({"price_min": 30_000}, None),  # inside a range: counted from the entries
        ({"price_max": 99_999}, None),
    ],
)
def test_price_limits_map_to_whole_ranges_or_none(
    filters: dict[str, Any], buckets: list[int] | None
) -> None:
    assert _price_buckets_of(SearchFilters.from_mapping(filters)) == buckets


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"category": "makanan-minuman"},
        {"kecamatan": "12.71.01"},
        {"scale": "kecil"},
        {"certification": "halal"},
        {"national_catalogue": True},
        {"price_min": 25_001, "price_max": 100_000},
        {"price_min": 100_001},
        {"price_min": 30_000, "price_max": 60_000},  # not whole ranges: the entries
        {"kecamatan": "12.71.01", "category": "kue-roti", "price_max": 25_000},
    ],
)
def test_browse_facets_equal_the_facets_of_the_source_tables(
    medan: dict[str, Any], filters: dict[str, Any]
) -> None:
    hidden = BusinessFactory(district=medan["kota"])  # not verified
    halal = certification(medan["mikro"], "halal")
    expired = certification(medan["kecil"], "halal")
    expired.expires_on = date(2020, 1, 1)
    expired.save()
    slugs = ["kue-roti", "ulos", "minuman-sirup", "keripik-camilan", "pakaian"]
    for i in range(20):
        business = (medan["mikro"], medan["kecil"], hidden)[i % 3]
        product = ProductFactory(
            name=f"Produk {i}",
            category=ProductCategory.objects.get(slug=slugs[i % len(slugs)]),
            business=business,
            price=(12_000, 25_000, 25_001, 60_000, 100_001, 750_000)[i % 6],
            in_national_catalogue=i % 4 == 0,
            listed=True,
        )
        if business == medan["mikro"] and i % 2 == 0:
            product.certifications.add(halal)
        if business == medan["kecil"]:
            product.certifications.add(expired)
    search_filters = SearchFilters.from_mapping(filters)
    joined = apply_filters(public_products(), search_filters)
    expected = _facets(joined)
    result = product_search_uncached(filters=filters, log_empty=False)
    assert result.total == joined.count() > 0
    for name in expected:
        assert [(v.value, v.label, v.count) for v in result.facets[name]] == [
            (v.value, v.label, v.count) for v in expected[name]
        ], name
    assert [p.pk for p in result.products] == list(
        joined.order_by("-listed_at", "-pk").values_list("pk", flat=True)[:20]
    )
    cells = _postgres_cells(search_filters)
    if _price_buckets_of(search_filters) is None:
        assert cells is None
    else:
        assert cells is not None
        assert _postgres_facets(cells)[1] == result.total


@pytest.mark.django_db(transaction=True)
def test_concurrent_listings_into_one_cell_count_exactly(reference_data: Any) -> None:
    from kotapintar.umkm.services import umkm_reference_load

    umkm_reference_load()
    business = BusinessFactory(verified=True)
    kue = ProductCategory.objects.get(slug="kue-roti")
    drafts = [ProductFactory(business=business, category=kue, price=20_000) for _ in range(20)]
    barrier = threading.Barrier(len(drafts))

    def publish(product: Product) -> None:
        try:
            barrier.wait()
            Product.objects.filter(pk=product.pk).update(status=ProductStatus.LISTED)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish, args=(p,)) for p in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert CatalogueEntry.objects.count() == 20
    assert list(CatalogueCell.objects.values_list("products", flat=True)) == [20]
    Product.objects.filter(business_id=business.pk).update(status=ProductStatus.DELISTED)
    assert list(CatalogueCell.objects.values_list("products", flat=True)) == [0]
    assert not CatalogueEntry.objects.exists()


def test_kecamatan_outside_the_city_keeps_its_name_in_the_facet(medan: dict[str, Any]) -> None:
    from kotapintar.testing.factories import RegencyFactory

    deli = RegencyFactory(code="12.07", name="KABUPATEN DELI SERDANG")
    outside = DistrictFactory(code="12.07.01", name="Gunung Meriah", regency=deli)
    ProductFactory(name="Kopi Sidikalang", business=medan["mikro"], listed=True)
    ProductFactory(
        name="Kopi Deli", business=BusinessFactory(verified=True, district=outside), listed=True
    )
    facet = product_search_uncached(query="kopi", log_empty=False).facets["kecamatan"]
    assert [(v.value, v.label, v.count) for v in facet] == [
        ("12.07.01", "Gunung Meriah", 1),
        ("12.71.01", "Medan Kota", 1),
    ]


def test_misspelled_words_are_corrected_to_name_words(medan: dict[str, Any]) -> None:
    ProductFactory(name="Bika Ambon Zulaikha", business=medan["mikro"], listed=True)
    ProductFactory(name="Batik Tulis Medan", business=medan["kecil"], listed=True)
    ProductFactory(name="Dodol Garut", business=BusinessFactory())  # not public
    assert _postgres_corrections(parse_query("bika ambn")) == {"ambn": ["ambon"]}
    # "bat" begins a name word: only "tlis" is corrected.
    assert _postgres_corrections(parse_query("bat tlis")) == {"tlis": ["tulis"]}
    assert _postgres_corrections(parse_query("xqzw")) == {}
    assert _postgres_corrections(parse_query("dodl")) == {}  # no public name has "dodol"
    result = product_search_uncached(query="batik tlis", log_empty=False)
    assert result.fuzzy
    assert [p.name for p in result.products] == ["Batik Tulis Medan"]
