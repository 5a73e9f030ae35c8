"""A shared cache for catalogue searches (``search.product_search``), invalidated on change.

The catalogue is read far more often than it changes, and a search with facets aggregates over
all its matches (on the medan-5y data, PostgreSQL: 5-40 ms for most searches, up to 0.1 s for a
broad word). So the *answer* of a search (the ids of the page's products, the total, the page
count and the facet counts) is kept in the cache for ten minutes under a key made of the parsed
query, the filters, the sort and the page, plus a catalogue version. The page's products
themselves are always loaded fresh by id (``SearchResult.products`` or, on web pages,
``selectors.product_cards``), so prices and stock on a cached page are current.

The version is a token in the cache (shared by all processes with Redis, as in production)
replaced whenever something that decides search results changes: a product, a business, a
category, a synonym or a product's certificates. It is replaced at once and again when the
transaction commits (a search running in between cannot keep the old answer under the new
token). A delisted product or a rejected business therefore leaves search immediately; a
change made without the ORM's save (a bulk update) shows within ``TIMEOUT``.

``UMKM_SEARCH_ANSWER_CACHE=0`` in the environment turns the answer cache off (every search is
computed; ``bench/run_umkm.sh`` with ``BENCH_SEARCH_CACHE=0`` measures that uncached path).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from kotapintar.core.logging import mask_text
from kotapintar.umkm.models import (
    Business,
    Certification,
    CertificationType,
    Product,
    ProductCategory,
    SearchQueryLog,
    SearchSynonym,
)

if TYPE_CHECKING:
    from kotapintar.umkm.search import SearchResult

VERSION_KEY = "umkm:search:version"
RESULT_PREFIX = "umkm:search:result"
#: Seconds an answer is kept. Changes through save()/delete() replace the version at once, so
#: this only bounds staleness after bulk updates that bypass them (none change what a search
#: finds: stock is updated in bulk, but products are always reloaded fresh).
TIMEOUT = 600


def answer_cache_enabled() -> bool:
    return os.environ.get("UMKM_SEARCH_ANSWER_CACHE", "1") != "0"


def catalogue_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY) or version
    return str(version)


def catalogue_changed() -> None:
    """A new version now and once more after the current transaction commits."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, None))


def _changed(sender: type[Model], **kwargs: Any) -> None:
    catalogue_changed()


for _model in (
    Product,
    Business,
    ProductCategory,
    SearchSynonym,
    Certification,
    CertificationType,
):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"umkm-search-{_model.__name__}-save")
    post_delete.connect(
        _changed, sender=_model, dispatch_uid=f"umkm-search-{_model.__name__}-delete"
    )
m2m_changed.connect(
    _changed, sender=Product.certifications.through, dispatch_uid="umkm-search-certifications"
)


def result_key(parts: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return f"{RESULT_PREFIX}:{catalogue_version()}:{digest}"


def cached_product_search(
    *,
    query: str,
    filters: Any,
    sort: str,
    page: int,
    page_size: int | None,
    with_facets: bool,
    log_empty: bool,
) -> SearchResult:
    """``search.product_search`` with the answer cached (see the module docstring)."""
    from kotapintar.umkm.search import (
        MAX_QUERY_LENGTH,
        SORTS,
        FacetValue,
        SearchFilters,
        SearchResult,
        parse_query,
        product_search_uncached,
    )
    from kotapintar.umkm.selectors import umkm_policy

    if not answer_cache_enabled():
        return product_search_uncached(
            query=query,
            filters=filters,
            sort=sort,
            page=page,
            page_size=page_size,
            with_facets=with_facets,
            log_empty=log_empty,
        )
    if not isinstance(filters, SearchFilters):
        filters = SearchFilters.from_mapping(filters)
    if sort not in SORTS:
        sort = "relevance"
    size = page_size or umkm_policy().search_page_size
    parsed = parse_query(query)
    try:
        wanted_page = max(1, int(page or 1))
    except (TypeError, ValueError):
        wanted_page = 1
    key = result_key(
        {
            "terms": parsed.terms,
            "phrases": parsed.phrases,
            "excluded": parsed.excluded,
            "filters": filters.as_dict(),
            "sort": sort,
            "page": wanted_page,
            "size": size,
            "facets": with_facets,
        }
    )
    hit = cache.get(key)
    if hit is None:
        result = product_search_uncached(
            query=query,
            filters=filters,
            sort=sort,
            page=wanted_page,
            page_size=size,
            with_facets=with_facets,
            log_empty=log_empty,
        )
        cache.set(
            key,
            {
                "ids": result.product_ids,
                "total": result.total,
                "page": result.page,
                "num_pages": result.num_pages,
                "fuzzy": result.fuzzy,
                "facets": {
                    name: [(v.value, v.label, v.count) for v in values]
                    for name, values in result.facets.items()
                },
            },
            TIMEOUT,
        )
        return result
    if hit["total"] == 0 and log_empty and str(query or "").strip():
        SearchQueryLog.objects.create(
            query=mask_text(" ".join(str(query).split()))[:MAX_QUERY_LENGTH],
            filters=filters.as_dict(),
        )
    return SearchResult(
        query=str(query or ""),
        product_ids=hit["ids"],
        total=hit["total"],
        page=hit["page"],
        num_pages=hit["num_pages"],
        facets={
            name: [FacetValue(value, label, count) for value, label, count in values]
            for name, values in hit["facets"].items()
        },
        fuzzy=hit["fuzzy"],
        filters=filters,
    )


__all__ = ["cached_product_search", "catalogue_changed", "catalogue_version"]
