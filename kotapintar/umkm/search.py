"""Catalogue search: one selector, ``product_search``, with a PostgreSQL and a SQLite path.

Both paths share the same text normalisation (``normalize_text``): lower case, punctuation and
hyphens to spaces (``oleh-oleh`` = ``oleh oleh``), then spelling variants and synonyms from
``SearchSynonym`` rewritten to one canonical form (``kripik`` -> ``keripik``), for the stored
index text and for the query alike. The query syntax is web-search style: words (all must match,
each as a word prefix), ``"a phrase"`` and ``-exclusion``.

- PostgreSQL: ``Product.search_vector`` (kept by the services from the normalised text; weights
  A name, B category + tags, C description) with the built-in ``indonesian`` configuration
  (stemming) plus the name's words as written (``simple``), copied to ``CatalogueEntry`` and
  GIN-indexed there, ``to_tsquery`` built from the parsed query (``word:*`` prefixes, ``<->``
  phrases, ``!`` exclusions), ranked by ``ts_rank``. When nothing matches, each query word that
  begins no name word is corrected to the most similar name words (``pg_trgm`` similarity over
  ``CatalogueWord``, the vocabulary of public product names) and the search runs again
  (``bika ambn`` -> ``bika ambon``).
- SQLite: the same normalised text, matched as word prefixes with ``LIKE`` and ranked by where
  the words occur (name first); when nothing matches, query words are corrected to catalogue
  words within a small edit distance.

Only public products are ever searched (listed, business verified and active). Facet counts are
computed on the filtered result set, so each facet's counts add up to the result count.

On PostgreSQL the search reads ``CatalogueEntry`` (migration 0004): one narrow row per public
product with everything a filter, a facet or the ranking needs (kecamatan, scale, top-level
category, price range, valid certificate types, search vector), kept by triggers. Filters need
no join, all facets and the total are one query (``_postgres_facets``), and the page's ids are
ordered on the entries before its 20 products are loaded (``products_for_page``). Browsing
without search words counts the facets from ``CatalogueCell`` (products per combination of
filterable values, ~15,000 rows for ~110,000 public products) instead of from the entries.
A query that finds nothing is logged in ``SearchQueryLog`` without any personal data.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property, reduce
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from kotapintar.core.logging import mask_text
from kotapintar.umkm.models import (
    CatalogueCell,
    CatalogueEntry,
    Certification,
    Product,
    ProductCategory,
    ProductStatus,
    SearchQueryLog,
    SearchSynonym,
    VerificationStatus,
)

SEARCH_CONFIG = "indonesian"
#: The product name's words as written, beside the stems (``_search_query``).
NAME_WORDS_CONFIG = "simple"
SYNONYM_CACHE_KEY = "umkm:search:synonyms:v1"
#: Least trigram similarity of a misspelled word to a catalogue word (``ambn``/``ambon``: 0.375).
TYPO_SIMILARITY = 0.3
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12

#: The seller's personal data, never needed on a results page: not loaded (nor decrypted).
SELLER_PERSONAL_FIELDS = ("business__owner_nik", "business__street_address", "business__phone")

SORTS = ("relevance", "price_asc", "price_desc", "newest")

#: Price-range facet: (lowest, highest) rupiah, inclusive; ``None`` = no upper limit.
PRICE_BUCKETS: tuple[tuple[int, int | None], ...] = (
    (1, 25_000),
    (25_001, 100_000),
    (100_001, 500_000),
    (500_001, None),
)

_NON_WORD = re.compile(r"[^0-9a-z]+")


# --- Normalisation ------------------------------------------------------------------------------


def synonym_map() -> dict[str, str]:
    """``{variant: canonical}`` from the data (cached for a minute; invalidated on change)."""
    cached = cache.get(SYNONYM_CACHE_KEY)
    if cached is None:
        cached = {
            _basic(term): _basic(canonical)
            for term, canonical in SearchSynonym.objects.values_list("term", "canonical")
        }
        cache.set(SYNONYM_CACHE_KEY, cached, 60)
    return dict(cached)


def synonyms_invalidate() -> None:
    cache.delete(SYNONYM_CACHE_KEY)


def _basic(text: str) -> str:
    folded = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return " ".join(_NON_WORD.sub(" ", folded.lower()).split())


def normalize_text(text: str, synonyms: Mapping[str, str] | None = None) -> str:
    """Lower-case words separated by single spaces, variants rewritten to canonical forms."""
    words = _basic(text)
    if not words:
        return ""
    mapping = synonym_map() if synonyms is None else synonyms
    if not mapping:
        return words
    padded = f" {words} "
    # Longest variants first, so "oleh oleh" wins over a one-word rule.
    for term in sorted(mapping, key=len, reverse=True):
        if term and f" {term} " in padded:
            padded = padded.replace(f" {term} ", f" {mapping[term]} ")
            # A replacement may sit next to another occurrence: run it twice.
            padded = padded.replace(f" {term} ", f" {mapping[term]} ")
    return " ".join(padded.split())


@dataclass(frozen=True)
class IndexText:
    name: str
    keywords: str
    body: str

    @property
    def all(self) -> str:
        return " ".join(part for part in (self.name, self.keywords, self.body) if part)


def index_text_for(product: Product, *, category_names: Iterable[str], body: str) -> IndexText:
    synonyms = synonym_map()
    return IndexText(
        name=normalize_text(product.name, synonyms),
        keywords=normalize_text(" ".join([*category_names, product.tags]), synonyms),
        body=normalize_text(body, synonyms),
    )


def product_index_update(*, product: Product) -> None:
    """Refresh the stored search text (and the PostgreSQL tsvector) of one product."""
    from kotapintar.umkm.rules import description_plain_text

    category = product.category
    names = [category.name]
    if category.parent_id is not None:
        names.append(ProductCategory.objects.get(pk=category.parent_id).name)
    text = index_text_for(
        product, category_names=names, body=description_plain_text(product.description)
    )
    Product.objects.filter(pk=product.pk).update(
        search_name=f" {text.name} "[:300], search_text=f" {text.all} "
    )
    product.search_name = f" {text.name} "[:300]
    product.search_text = f" {text.all} "
    if is_postgresql():
        Product.objects.filter(pk=product.pk).update(
            search_vector=(
                SearchVector(Value(text.name), weight="A", config=SEARCH_CONFIG)
                + SearchVector(Value(text.keywords), weight="B", config=SEARCH_CONFIG)
                + SearchVector(Value(text.body), weight="C", config=SEARCH_CONFIG)
                + SearchVector(Value(text.name), weight="A", config=NAME_WORDS_CONFIG)
            )
        )


def products_reindex(*, queryset: QuerySet[Product] | None = None) -> int:
    """Rebuild the search text of many products (after a synonym change or a data import)."""
    count = 0
    qs = (queryset if queryset is not None else Product.objects.all()).select_related("category")
    for product in qs.iterator(chunk_size=500):
        product_index_update(product=product)
        count += 1
    return count


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


# --- Query parsing ------------------------------------------------------------------------------


@dataclass
class ParsedQuery:
    terms: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.phrases)

    @property
    def positive_words(self) -> list[str]:
        return [*self.terms, *(w for phrase in self.phrases for w in phrase)]


_TOKEN = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')


def parse_query(raw: str, synonyms: Mapping[str, str] | None = None) -> ParsedQuery:
    """Web-search syntax: words, ``"phrases"``, ``-excluded`` words (synonyms applied)."""
    text = str(raw or "")[:MAX_QUERY_LENGTH]
    mapping = synonym_map() if synonyms is None else synonyms
    parsed = ParsedQuery()
    # Rewrite variants across the whole query first ("oleh oleh" is two tokens).
    plain_words: list[str] = []
    for match in _TOKEN.finditer(text):
        if match.group(2) is not None:
            if plain_words:
                parsed.terms.extend(normalize_text(" ".join(plain_words), mapping).split())
                plain_words = []
            words = normalize_text(match.group(2), mapping).split()
            if match.group(1):
                parsed.excluded.extend(words)
            elif len(words) == 1:
                parsed.terms.extend(words)
            elif words:
                parsed.phrases.append(words)
        else:
            token = match.group(4)
            if match.group(3) and len(token) > 0:
                if plain_words:
                    parsed.terms.extend(normalize_text(" ".join(plain_words), mapping).split())
                    plain_words = []
                parsed.excluded.extend(normalize_text(token, mapping).split())
            else:
                plain_words.append(token)
    if plain_words:
        parsed.terms.extend(normalize_text(" ".join(plain_words), mapping).split())
    parsed.terms = list(dict.fromkeys(parsed.terms))[:MAX_TERMS]
    parsed.excluded = list(dict.fromkeys(parsed.excluded))[:MAX_TERMS]
    parsed.phrases = parsed.phrases[:MAX_TERMS]
    return parsed


def _search_query(
    parsed: ParsedQuery, *, alternatives: Mapping[str, Sequence[str]] | None = None
) -> SearchQuery:
    """The parsed query as a PostgreSQL ``tsquery``. Each word matches as a prefix of a stem
    (``indonesian``: ``keripik`` finds ``ripik``, the stem of "keripiknya" too) OR of a word of
    the product name as written (``simple``: the stemmer strips "ke-", so ``kerup`` is a prefix
    of no stem, only of the name word ``kerupuk``). Phrases match stems in sequence.
    ``alternatives`` replaces a misspelled word by its corrections (any of them matches)."""

    def word(text: str, *, invert: bool = False) -> tuple[SearchQuery, SearchQuery]:
        prefix = f"{text}:*"  # normalised words are [0-9a-z] only: safe in tsquery syntax
        return (
            SearchQuery(prefix, search_type="raw", config=SEARCH_CONFIG, invert=invert),
            SearchQuery(prefix, search_type="raw", config=NAME_WORDS_CONFIG, invert=invert),
        )

    parts: list[SearchQuery] = [
        reduce(
            operator.or_,
            [
                query
                for option in (alternatives or {}).get(term) or [term]
                for query in word(option)
            ],
        )
        for term in parsed.terms
    ]
    parts += [
        SearchQuery(" <-> ".join(phrase), search_type="raw", config=SEARCH_CONFIG)
        for phrase in parsed.phrases
    ]
    for term in parsed.excluded:
        parts.extend(word(term, invert=True))  # neither a stem nor a name word
    return reduce(operator.and_, parts)


# --- Filters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchFilters:
    category: str | None = None  # slug; includes the category's descendants
    kecamatan: str | None = None  # District code
    scale: str | None = None
    certification: str | None = None  # CertificationType code
    price_min: int | None = None
    price_max: int | None = None
    national_catalogue: bool | None = None  # "tayang di e-katalog"
    business: int | None = None  # one seller's products

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> SearchFilters:
        if not data:
            return cls()
        allowed = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in allowed and v not in ("", None)})

    def as_dict(self) -> dict[str, Any]:
        return {
            k: getattr(self, k) for k in self.__dataclass_fields__ if getattr(self, k) is not None
        }


def public_products() -> QuerySet[Product]:
    """Products a buyer may see: listed, of a verified, active business."""
    return Product.objects.filter(
        status=ProductStatus.LISTED,
        business__verification_status=VerificationStatus.VERIFIED,
        business__is_active=True,
    )


def category_with_descendants(slug: str) -> list[int]:
    rows = list(ProductCategory.objects.values_list("pk", "parent_id", "slug"))
    root = next((pk for pk, _parent, s in rows if s == slug), None)
    if root is None:
        return []
    found = {root}
    changed = True
    while changed:
        changed = False
        for pk, parent, _slug in rows:
            if parent in found and pk not in found:
                found.add(pk)
                changed = True
    return sorted(found)


def valid_certificate_link() -> Q:
    """A product-certificate link whose certificate has not expired (expired ones are not
    shown to buyers, so they neither filter nor count)."""
    return Q(certification__expires_on__isnull=True) | Q(
        certification__expires_on__gte=timezone.localdate()
    )


def apply_filters(qs: QuerySet[Product], filters: SearchFilters) -> QuerySet[Product]:
    if filters.category:
        qs = qs.filter(category_id__in=category_with_descendants(filters.category))
    if filters.kecamatan:
        qs = qs.filter(business__district_id=filters.kecamatan)
    if filters.scale:
        qs = qs.filter(business__scale=filters.scale)
    if filters.certification:
        through = Product.certifications.through
        qs = qs.filter(
            Exists(
                through.objects.filter(
                    valid_certificate_link(),
                    product_id=OuterRef("pk"),
                    certification__type__code=filters.certification,
                )
            )
        )
    if filters.price_min is not None:
        qs = qs.filter(price__gte=int(filters.price_min))
    if filters.price_max is not None:
        qs = qs.filter(price__lte=int(filters.price_max))
    if filters.national_catalogue is not None:
        qs = qs.filter(in_national_catalogue=bool(filters.national_catalogue))
    if filters.business is not None:
        qs = qs.filter(business_id=filters.business)
    return qs


def _price_buckets_of(filters: SearchFilters) -> list[int] | None:
    """The price ranges (indexes into ``PRICE_BUCKETS``) that exactly cover the filter's price
    limits, or ``None`` when a limit falls inside a range (the price facet's own links never
    do; an API caller's arbitrary limits may)."""
    lows = [low for low, _high in PRICE_BUCKETS]
    highs = [high for _low, high in PRICE_BUCKETS]
    low = None if filters.price_min is None else int(filters.price_min)
    high = None if filters.price_max is None else int(filters.price_max)
    if low is None or low <= lows[0]:  # prices are at least 1 rupiah
        first = 0
    elif low in lows:
        first = lows.index(low)
    else:
        return None
    if high is None:
        last = len(PRICE_BUCKETS) - 1
    elif high in highs:
        last = highs.index(high)
    else:
        return None
    return list(range(first, last + 1))


def _postgres_filter(qs: QuerySet[Any], filters: SearchFilters) -> QuerySet[Any]:
    """The filters on the columns ``CatalogueEntry`` and ``CatalogueCell`` share."""
    from django.db.models.fields.json import KeyTextTransform

    if filters.category:
        qs = qs.filter(category_id__in=category_with_descendants(filters.category))
    if filters.kecamatan:
        qs = qs.filter(district=str(filters.kecamatan))
    if filters.scale:
        qs = qs.filter(scale=str(filters.scale))
    if filters.certification:
        qs = qs.alias(
            valid_until=KeyTextTransform(str(filters.certification), "certificates")
        ).filter(valid_until__gte=timezone.localdate().isoformat())
    if filters.national_catalogue is not None:
        qs = qs.filter(in_national_catalogue=bool(filters.national_catalogue))
    return qs


def _postgres_base(filters: SearchFilters) -> QuerySet[CatalogueEntry]:
    """``apply_filters(public_products(), filters)`` on ``CatalogueEntry`` (migration 0004):
    public products only, every filter a column of the entry."""
    qs = _postgres_filter(CatalogueEntry.objects.all(), filters)
    if filters.price_min is not None:
        qs = qs.filter(price__gte=int(filters.price_min))
    if filters.price_max is not None:
        qs = qs.filter(price__lte=int(filters.price_max))
    if filters.business is not None:
        qs = qs.filter(business_id=filters.business)
    return qs


def _postgres_cells(filters: SearchFilters) -> QuerySet[CatalogueCell] | None:
    """The facet cells of the public products the filters select, or ``None`` when the
    filters cut across cells (one seller, a price limit inside a range)."""
    if filters.business is not None:
        return None
    buckets = _price_buckets_of(filters)
    if buckets is None:
        return None
    qs = _postgres_filter(CatalogueCell.objects.filter(products__gt=0), filters)
    if len(buckets) < len(PRICE_BUCKETS):
        qs = qs.filter(price_bucket__in=buckets)
    return qs


# --- Matching -----------------------------------------------------------------------------------


def _sqlite_match(
    qs: QuerySet[Product],
    parsed: ParsedQuery,
    *,
    alternatives: Mapping[str, Sequence[str]] | None = None,
) -> QuerySet[Product]:
    for word in parsed.terms:
        options = (alternatives or {}).get(word) or [word]
        condition = Q()
        for option in options:
            condition |= Q(search_text__contains=f" {option}")
        qs = qs.filter(condition)
    for phrase in parsed.phrases:
        qs = qs.filter(search_text__contains=" " + " ".join(phrase) + " ")
    for word in parsed.excluded:
        qs = qs.exclude(search_text__contains=f" {word}")
    score: Any = Value(0)
    for word in parsed.positive_words:
        for option in (alternatives or {}).get(word) or [word]:
            score = score + Case(
                When(search_name__contains=f" {option} ", then=Value(4)),
                When(search_name__contains=f" {option}", then=Value(3)),
                When(search_text__contains=f" {option} ", then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
    if parsed.positive_words:
        score = score + Case(
            When(
                search_name__contains=" " + " ".join(parsed.positive_words) + " ",
                then=Value(5),
            ),
            default=Value(0),
            output_field=IntegerField(),
        )
    return qs.annotate(relevance=Coalesce(score, Value(0), output_field=FloatField()))


def _postgres_match(
    qs: QuerySet[CatalogueEntry],
    parsed: ParsedQuery,
    *,
    alternatives: Mapping[str, Sequence[str]] | None = None,
) -> QuerySet[CatalogueEntry]:
    query = _search_query(parsed, alternatives=alternatives)
    return qs.filter(search_vector=query).annotate(relevance=SearchRank(F("search_vector"), query))


def _postgres_corrections(parsed: ParsedQuery) -> dict[str, list[str]]:
    """Query words that begin no word of a public product name, mapped to the (up to five)
    most similar name words (``CatalogueWord``, trigram similarity): ``ambn`` -> ``ambon``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, false)", [str(TYPO_SIMILARITY)]
        )
        # The % operator (same threshold) lets the trigram index find the candidates.
        cursor.execute(
            """
            SELECT t.term, w.word, w.score
            FROM unnest(%s::text[]) AS t(term)
            CROSS JOIN LATERAL (
              SELECT word, similarity(word, t.term) AS score, products
              FROM umkm_catalogueword
              WHERE products > 0 AND word %% t.term
              ORDER BY score DESC, products DESC, word
              LIMIT 5
            ) AS w
            WHERE NOT EXISTS (
              SELECT 1 FROM umkm_catalogueword k
              WHERE k.products > 0 AND k.word LIKE t.term || '%%'
            )
            ORDER BY t.term, w.score DESC, w.products DESC, w.word
            """,
            [parsed.terms],
        )
        rows = cursor.fetchall()
    corrected: dict[str, list[str]] = {}
    for term, word, _score in rows:
        corrected.setdefault(term, []).append(word)
    return corrected


def _edit_distance(a: str, b: str, limit: int) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _sqlite_corrections(qs: QuerySet[Product], parsed: ParsedQuery) -> dict[str, list[str]]:
    """Query words with no prefix match, mapped to catalogue words one or two edits away."""
    vocabulary: set[str] = set()
    for name in qs.values_list("search_name", flat=True).iterator(chunk_size=2000):
        vocabulary.update(name.split())
    corrected: dict[str, list[str]] = {}
    for word in parsed.terms:
        if any(v.startswith(word) for v in vocabulary):
            continue
        limit = 1 if len(word) <= 5 else 2
        near = sorted(v for v in vocabulary if _edit_distance(word, v, limit) <= limit)
        if near:
            corrected[word] = near[:5]
    return corrected


# --- The selector -------------------------------------------------------------------------------


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchResult:
    query: str
    product_ids: list[int]  # the page's products, in order
    total: int
    page: int
    num_pages: int
    facets: dict[str, list[FacetValue]]
    fuzzy: bool = False
    filters: SearchFilters = field(default_factory=SearchFilters)

    @cached_property
    def products(self) -> list[Product]:
        """The page's products with their relations, loaded on first use (the web pages
        show ``selectors.product_cards`` instead: one query, no model instances)."""
        return products_for_page(self.product_ids)


def _order(qs: QuerySet[Any], sort: str, has_relevance: bool, *, walk_index: bool) -> QuerySet[Any]:
    """The page order. ``walk_index=False`` hides the price and listing date from their
    indexes (same order, as expressions): for matches of search words, PostgreSQL would
    otherwise walk the whole price index looking for the few matches of a rare word ("deli"
    sorted by price: 70 ms instead of 3 ms to sort its 1,300 matches)."""
    price: Any = F("price") if walk_index else F("price") + 0
    listed: Any = F("listed_at") if walk_index else F("listed_at") + Value(timedelta(0))
    if sort == "price_asc":
        return qs.order_by(price.asc(), "-pk")
    if sort == "price_desc":
        return qs.order_by(price.desc(), "-pk")
    if sort == "newest" or not has_relevance:
        return qs.order_by(listed.desc(), "-pk")
    return qs.order_by("-relevance", "-listed_at", "-pk")


def _facets(qs: QuerySet[Product]) -> dict[str, list[FacetValue]]:
    from kotapintar.umkm.models import Scale

    base = qs.order_by()
    scale_labels = dict(Scale.choices)
    scales = [
        FacetValue(
            row["business__scale"], str(scale_labels.get(row["business__scale"], "")), row["n"]
        )
        for row in base.values("business__scale")
        .annotate(n=Count("pk"))
        .order_by("business__scale")
    ]
    kecamatan = [
        FacetValue(row["business__district_id"], row["business__district__name"], row["n"])
        for row in base.values("business__district_id", "business__district__name")
        .annotate(n=Count("pk"))
        .order_by("business__district__name")
    ]
    categories = {c.pk: c for c in ProductCategory.objects.only("pk", "slug", "name", "parent_id")}
    per_root: dict[int, int] = {}
    for row in base.values("category_id").annotate(n=Count("pk")):
        category = categories.get(row["category_id"])
        while category is not None and category.parent_id is not None:
            category = categories.get(category.parent_id)
        if category is not None:
            per_root[category.pk] = per_root.get(category.pk, 0) + row["n"]
    category_facet = [
        FacetValue(categories[pk].slug, categories[pk].name, n)
        for pk, n in sorted(per_root.items(), key=lambda item: categories[item[0]].name)
    ]
    through = Product.certifications.through
    certification_facet = [
        FacetValue(row["certification__type__code"], row["certification__type__name"], row["n"])
        for row in through.objects.filter(
            valid_certificate_link(), product_id__in=base.values("pk")
        )
        .values("certification__type__code", "certification__type__name")
        .annotate(n=Count("product_id", distinct=True))
        .order_by("certification__type__code")
    ]
    price_counts = {
        f"price_{i}": Count(
            "pk",
            filter=Q(price__gte=low) & (Q(price__lte=high) if high is not None else Q()),
        )
        for i, (low, high) in enumerate(PRICE_BUCKETS)
    }
    national = base.aggregate(
        yes=Count("pk", filter=Q(in_national_catalogue=True)),
        no=Count("pk", filter=Q(in_national_catalogue=False)),
        **price_counts,
    )
    return {
        "category": category_facet,
        "kecamatan": kecamatan,
        "scale": scales,
        "certification": certification_facet,
        "national_catalogue": [
            FacetValue("1", "tayang di e-katalog", national["yes"] or 0),
            FacetValue("0", "belum di e-katalog", national["no"] or 0),
        ],
        # Value "low-high" (high empty: no limit); the label is left to the page.
        "price": [
            FacetValue(f"{low}-{'' if high is None else high}", "", national[f"price_{i}"] or 0)
            for i, (low, high) in enumerate(PRICE_BUCKETS)
        ],
    }


#: The facet labels of the current catalogue version, per process (a few dozen rows: cheaper to
#: keep here than to fetch and unpickle from the shared cache on every search).
_facet_labels_memo: dict[str, dict[str, Any]] = {}


def _facet_labels() -> dict[str, Any]:
    """Names for the facet values: top-level categories, certification types and the city's
    kecamatan, loaded again after any catalogue change (a category or certification type
    change is one)."""
    from kotapintar.regions.selectors import city_districts
    from kotapintar.umkm.models import CertificationType
    from kotapintar.umkm.search_cache import catalogue_version

    version = catalogue_version()
    labels = _facet_labels_memo.get(version)
    if labels is None:
        labels = {
            "categories": {
                pk: (slug, name)
                for pk, slug, name in ProductCategory.objects.filter(
                    parent__isnull=True
                ).values_list("pk", "slug", "name")
            },
            "certifications": list(
                CertificationType.objects.order_by("code").values_list("code", "name")
            ),
            "districts": dict(city_districts().values_list("code", "name")),
        }
        _facet_labels_memo.clear()
        _facet_labels_memo[version] = labels
    return labels


def _district_names(codes: Iterable[str], known: Mapping[str, str]) -> dict[str, str]:
    """``known`` (the city's kecamatan) plus the names of any other codes among ``codes`` (a
    business registered outside the city)."""
    from kotapintar.regions.models import District

    missing = [code for code in codes if code not in known]
    if not missing:
        return dict(known)
    return {**known, **dict(District.objects.filter(code__in=missing).values_list("code", "name"))}


def _postgres_facets(
    qs: QuerySet[CatalogueEntry] | QuerySet[CatalogueCell],
) -> tuple[dict[str, list[FacetValue]], int]:
    """All facets and the total in ONE query: over the matching entries (each counts 1), or
    over the facet cells of a browse without search words (each counts its ``products``).
    The same counts as ``_facets`` on the source tables."""
    from kotapintar.umkm.models import Scale

    labels = _facet_labels()
    certification_types: list[tuple[str, str]] = labels["certifications"]
    columns = [
        "scale",
        "district",
        "root_category_id",
        "price_bucket",
        "in_national_catalogue",
        "certificates",
    ]
    cells = qs.model is CatalogueCell
    inner, inner_params = (
        qs.order_by().values(*columns, *(["products"] if cells else [])).query.sql_with_params()
    )
    weight = "m.products" if cells else "1"
    aggregates = [f"SUM({weight}) FILTER (WHERE m.in_national_catalogue)"]
    params: list[Any] = []
    for bucket in range(len(PRICE_BUCKETS)):
        aggregates.append(f"SUM({weight}) FILTER (WHERE m.price_bucket = %s)")
        params.append(bucket)
    today = timezone.localdate().isoformat()
    for code, _name in certification_types:
        aggregates.append(f"SUM({weight}) FILTER (WHERE (m.certificates ->> %s) >= %s)")
        params.extend([code, today])
    # One GROUP BY over the (scale, kecamatan, top-level category) cells, rolled up here:
    # a single hash aggregate (GROUPING SETS would aggregate every FILTER count four times).
    # Fixed SQL around Django's own compiled query; every value is a parameter.
    sql = (
        f"SELECT m.scale, m.district, m.root_category_id, SUM({weight}), "  # noqa: S608
        + ", ".join(aggregates)
        + f" FROM ({inner}) m GROUP BY 1, 2, 3"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *inner_params])
        rows = cursor.fetchall()
    scale_rows: dict[str, int] = {}
    district_rows: dict[str, int] = {}
    category_rows: dict[int, int] = {}
    overall = [0] * (1 + len(aggregates))
    for scale, district, root, *counts in rows:
        scale_rows[scale] = scale_rows.get(scale, 0) + counts[0]
        district_rows[district] = district_rows.get(district, 0) + counts[0]
        if root is not None:
            category_rows[root] = category_rows.get(root, 0) + counts[0]
        overall = [a + int(b or 0) for a, b in zip(overall, counts, strict=True)]
    total = overall[0]
    extra = overall[1:]
    scale_labels = dict(Scale.choices)
    categories: dict[int, tuple[str, str]] = labels["categories"]
    districts = _district_names(district_rows, labels["districts"])
    price_counts = extra[1 : 1 + len(PRICE_BUCKETS)]
    certification_counts = extra[1 + len(PRICE_BUCKETS) :]
    facets = {
        "category": [
            FacetValue(categories[pk][0], categories[pk][1], n)
            for pk, n in sorted(
                ((pk, n) for pk, n in category_rows.items() if pk in categories),
                key=lambda item: categories[item[0]][1],
            )
        ],
        "kecamatan": [
            FacetValue(code, districts.get(code, code), n)
            for code, n in sorted(
                district_rows.items(), key=lambda item: (districts.get(item[0], ""), item[0])
            )
        ],
        "scale": [
            FacetValue(scale, str(scale_labels.get(scale, "")), n)
            for scale, n in sorted(scale_rows.items())
        ],
        "certification": [
            FacetValue(code, name, int(n or 0))
            for (code, name), n in zip(certification_types, certification_counts, strict=True)
            if n
        ],
        "national_catalogue": [
            FacetValue("1", "tayang di e-katalog", int(extra[0] or 0)),
            FacetValue("0", "belum di e-katalog", total - int(extra[0] or 0)),
        ],
        "price": [
            FacetValue(f"{low}-{'' if high is None else high}", "", int(n or 0))
            for (low, high), n in zip(PRICE_BUCKETS, price_counts, strict=True)
        ],
    }
    return facets, total


def products_for_page(ids: Sequence[int]) -> list[Product]:
    """The products of a results page, in the given order, with their business, kecamatan,
    category, photos and certifications with their types (three queries; none for an empty
    page). Photo links need only the photo's own row (``umkm:photo`` serves the thumbnail)."""
    if not ids:
        return []
    certifications = Prefetch(
        "certifications", queryset=Certification.objects.select_related("type")
    )
    by_id = {
        p.pk: p
        for p in Product.objects.filter(pk__in=ids)
        .select_related("business", "business__district", "category")
        .defer(*SELLER_PERSONAL_FIELDS)
        .prefetch_related("photos", certifications)
    }
    return [by_id[pk] for pk in ids if pk in by_id]


@dataclass
class _Matches:
    #: ``CatalogueEntry`` rows (PostgreSQL) or products (SQLite), with ``relevance`` when the
    #: query has words; ordered and cut into pages by the caller.
    queryset: QuerySet[Any]
    has_relevance: bool
    total: int
    facets: dict[str, list[FacetValue]]
    fuzzy: bool = False
    #: Whether the page may be read along the price or listing-date index (see ``_order``).
    walk_index: bool = True


def _postgres_counts(
    qs: QuerySet[CatalogueEntry] | QuerySet[CatalogueCell], *, with_facets: bool
) -> tuple[dict[str, list[FacetValue]], int]:
    """Facets and total (``with_facets``), or only the total: entries count one each, cells
    their ``products``."""
    if with_facets:
        return _postgres_facets(qs)
    if qs.model is CatalogueCell:
        return {}, qs.aggregate(n=Sum("products"))["n"] or 0
    return {}, qs.count()


def _postgres_matches(
    parsed: ParsedQuery, filters: SearchFilters, *, with_facets: bool
) -> _Matches:
    base = _postgres_base(filters)
    if parsed.is_empty and not parsed.excluded:
        # Browsing without search words: the counts come from the facet cells when they can.
        cells = _postgres_cells(filters)
        counted = base if cells is None else cells
        facets, total = _postgres_counts(counted, with_facets=with_facets)
        return _Matches(base, has_relevance=False, total=total, facets=facets)
    matched = _postgres_match(base, parsed)
    # The facet query gives the total: no separate existence check.
    facets, total = _postgres_counts(matched, with_facets=with_facets)
    corrections = _postgres_corrections(parsed) if not total and parsed.terms else {}
    if not corrections:
        return _Matches(
            matched,
            has_relevance=not parsed.is_empty,
            total=total,
            facets=facets,
            walk_index=False,
        )
    matched = _postgres_match(base, parsed, alternatives=corrections)
    facets, total = _postgres_counts(matched, with_facets=with_facets)
    return _Matches(
        matched, has_relevance=True, total=total, facets=facets, fuzzy=True, walk_index=False
    )


def _sqlite_matches(parsed: ParsedQuery, filters: SearchFilters, *, with_facets: bool) -> _Matches:
    base = apply_filters(public_products(), filters)
    matched, fuzzy = base, False
    if not (parsed.is_empty and not parsed.excluded):
        matched = _sqlite_match(base, parsed)
        if parsed.terms and not matched.exists():
            corrections = _sqlite_corrections(base, parsed)
            matched = (
                _sqlite_match(base, parsed, alternatives=corrections)
                if corrections
                else base.none().annotate(relevance=Value(0.0, output_field=FloatField()))
            )
            fuzzy = True
    return _Matches(
        matched,
        has_relevance=not parsed.is_empty,
        total=matched.count(),
        facets=_facets(matched) if with_facets else {},
        fuzzy=fuzzy,
    )


def product_search(
    *,
    query: str = "",
    filters: SearchFilters | Mapping[str, Any] | None = None,
    sort: str = "relevance",
    page: int = 1,
    page_size: int | None = None,
    with_facets: bool = True,
    log_empty: bool = True,
) -> SearchResult:
    """Search the public catalogue (see ``product_search_uncached``); the answer is cached
    and dropped on any catalogue change (``umkm.search_cache``)."""
    from kotapintar.umkm.search_cache import cached_product_search

    return cached_product_search(
        query=query,
        filters=filters,
        sort=sort,
        page=page,
        page_size=page_size,
        with_facets=with_facets,
        log_empty=log_empty,
    )


def product_search_uncached(
    *,
    query: str = "",
    filters: SearchFilters | Mapping[str, Any] | None = None,
    sort: str = "relevance",
    page: int = 1,
    page_size: int | None = None,
    with_facets: bool = True,
    log_empty: bool = True,
) -> SearchResult:
    """Search the public catalogue. The same answers on PostgreSQL and SQLite.

    ``filters``: ``SearchFilters`` or a mapping with ``category`` (slug, with descendants),
    ``kecamatan`` (district code), ``scale``, ``certification`` (type code), ``price_min``,
    ``price_max``, ``national_catalogue``. ``sort``: relevance (default with a query), price_asc,
    price_desc, newest. Results have their business, kecamatan, category, photos and
    certifications loaded (a constant number of queries per page).
    """
    from kotapintar.umkm.selectors import umkm_policy

    if not isinstance(filters, SearchFilters):
        filters = SearchFilters.from_mapping(filters)
    if sort not in SORTS:
        sort = "relevance"
    size = page_size or umkm_policy().search_page_size
    parsed = parse_query(query)
    found = (
        _postgres_matches(parsed, filters, with_facets=with_facets)
        if is_postgresql()
        else _sqlite_matches(parsed, filters, with_facets=with_facets)
    )
    total = found.total
    ordered = _order(found.queryset, sort, found.has_relevance, walk_index=found.walk_index)
    # As Paginator (an empty result is one empty page), with the total already known.
    num_pages = max(1, -(-total // size))
    page_number = max(1, min(int(page or 1), num_pages))
    offset = (page_number - 1) * size
    # The page's ids first (ordering the matches without joins), then those products with
    # their relations: joining every match before the top-N sort cost 0.2 s for a broad word.
    ids = list(ordered.values_list("pk", flat=True)[offset : offset + size]) if total else []
    if total == 0 and log_empty and str(query or "").strip():
        SearchQueryLog.objects.create(
            query=mask_text(" ".join(str(query).split()))[:MAX_QUERY_LENGTH],
            filters=filters.as_dict(),
        )
    return SearchResult(
        query=str(query or ""),
        product_ids=ids,
        total=total,
        page=page_number,
        num_pages=num_pages,
        facets=found.facets,
        fuzzy=found.fuzzy,
        filters=filters,
    )


__all__ = [
    "SELLER_PERSONAL_FIELDS",
    "SearchFilters",
    "SearchResult",
    "normalize_text",
    "parse_query",
    "product_index_update",
    "product_search",
    "product_search_uncached",
    "products_for_page",
    "products_reindex",
    "public_products",
]
