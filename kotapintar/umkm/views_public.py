"""Public e-catalogue pages: the catalogue (also the search page), product and seller pages, and
the photos of public products.

Visibility is the core's: only listed products of verified, active businesses
(``search.public_products``, ``selectors.public_product_get``, ``selectors.public_business_get``);
anything else is a 404. Public pages never show the owner's NIK, phone or street address
(``selectors.public_business_profile``).

No anonymous page cache here (ADR 12 would allow it technically: the pages carry no CSRF token
for anonymous visitors): the issue requires a delisted product or a rejected business to leave
search "at once", and a cached page would keep it for a minute; the zero-result log would also
miss repeated queries. The search itself runs a constant number of queries per page.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kotapintar.umkm import rules, selectors
from kotapintar.umkm.forms_buyer import AddToCartForm, CatalogueForm
from kotapintar.umkm.models import Certification, Product, ProductPhoto
from kotapintar.umkm.search import FacetValue, SearchResult, product_search, public_products
from kotapintar.umkm.selectors import ProductCard
from kotapintar.umkm.templatetags.umkm import rupiah

#: Catalogue GET parameter -> ``search.SearchFilters`` field.
FILTER_PARAMS = {
    "kategori": "category",
    "kecamatan": "kecamatan",
    "skala": "scale",
    "sertifikasi": "certification",
    "ekatalog": "national_catalogue",
}
FACET_PARAMS = {
    "category": "kategori",
    "kecamatan": "kecamatan",
    "scale": "skala",
    "certification": "sertifikasi",
    "price": "harga",
    "national_catalogue": "ekatalog",
}
PHOTO_CACHE_SECONDS = 60


# --- Helpers ------------------------------------------------------------------------------------


def photo_url(file_id: uuid.UUID, size: str = "thumb") -> str:
    """The public address of a product photo's file (``size``: thumb or full)."""
    return reverse("umkm:photo", args=[file_id, size])


@dataclass(frozen=True)
class CardView:
    card: ProductCard
    url: str
    thumbnail_url: str


def product_card_views(ids: list[int]) -> list[CardView]:
    return [
        CardView(
            card=card,
            url=reverse("umkm:product", args=[card.public_id]),
            thumbnail_url=photo_url(card.photo_file_id) if card.photo_file_id else "",
        )
        for card in selectors.product_cards(ids)
    ]


@dataclass(frozen=True)
class FacetLink:
    label: str
    count: int
    url: str
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    links: list[FacetLink]


def _price_label(value: str) -> str:
    low, _sep, high = value.partition("-")
    if not high:
        return _("from %(low)s") % {"low": rupiah(low)}
    if int(low) <= 1:
        return _("up to %(high)s") % {"high": rupiah(high)}
    return f"{rupiah(low)} – {rupiah(high)}"


def _facets(result: SearchResult, params: dict[str, str]) -> list[Facet]:
    titles = {
        "category": _("Category"),
        "kecamatan": _("Kecamatan"),
        "scale": _("Business scale"),
        "certification": _("Certification"),
        "price": _("Price"),
        "national_catalogue": _("National e-Katalog"),
    }
    national_labels = {"1": _("listed in the e-Katalog"), "0": _("not in the e-Katalog yet")}
    facets: list[Facet] = []
    for name, param in FACET_PARAMS.items():
        values: list[FacetValue] = result.facets.get(name, [])
        links: list[FacetLink] = []
        for value in values:
            if value.count == 0 and params.get(param) != str(value.value):
                continue
            selected = params.get(param) == str(value.value)
            query = {k: v for k, v in params.items() if k != "page"}
            if selected:
                query.pop(param, None)
            else:
                query[param] = str(value.value)
            if name == "price":
                label = _price_label(str(value.value))
            elif name == "national_catalogue":
                label = str(national_labels.get(str(value.value), value.label))
            else:
                label = value.label
            links.append(
                FacetLink(
                    label=label,
                    count=value.count,
                    url="?" + urlencode(query) if query else "?",
                    selected=selected,
                )
            )
        if links:
            facets.append(Facet(name=name, title=str(titles[name]), links=links))
    return facets


def _search_args(form: CatalogueForm) -> tuple[str, dict[str, Any], str, int]:
    filters: dict[str, Any] = {}
    for param, field_name in FILTER_PARAMS.items():
        value = form.value(param)
        if value is not None:
            filters[field_name] = value == "1" if param == "ekatalog" else value
    price = form.value("harga")
    if price:
        low, _sep, high = price.partition("-")
        filters["price_min"] = int(low)
        if high:
            filters["price_max"] = int(high)
    query = form.value("q") or ""
    sort = form.value("urut") or ("relevance" if query.strip() else "newest")
    return query, filters, sort, form.value("page") or 1


def _described(product: Product) -> SafeString:
    """The product description, cleaned again on the way out (allow-listed HTML only)."""
    return mark_safe(
        rules.clean_description(product.description)
    )  # nh3 output: allow-listed tags only


# --- Pages --------------------------------------------------------------------------------------


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """The e-catalogue and its search: query, facets with counts, sort, pages."""
    form = CatalogueForm(request.GET)
    form.is_valid()
    query, filters, sort, page = _search_args(form)
    result = product_search(query=query, filters=filters, sort=sort, page=page)
    params = {
        name: str(value)
        for name in (
            "q",
            "kategori",
            "kecamatan",
            "skala",
            "sertifikasi",
            "harga",
            "ekatalog",
            "urut",
        )
        if (value := form.value(name)) is not None
    }
    page_query = urlencode({k: v for k, v in params.items()})
    return render(
        request,
        "umkm/public/catalogue.html",
        {
            "form": form,
            "result": result,
            "query": query,
            "cards": product_card_views(result.product_ids),
            "facets": _facets(result, params),
            "has_filters": bool(set(params) - {"q", "urut"}),
            "sort": sort,
            "sort_choices": [
                (value, label, "?" + urlencode({**params, "urut": value}))
                for value, label in form.fields["urut"].choices  # type: ignore[attr-defined]
            ],
            "page_query": page_query,
            "prev_page": result.page - 1 if result.page > 1 else None,
            "next_page": result.page + 1 if result.page < result.num_pages else None,
        },
    )


@dataclass(frozen=True)
class CertificateRow:
    type: str
    number: str
    expires_on: Any
    expired: bool


def _certificate_rows(certifications: list[Certification]) -> list[CertificateRow]:
    """Valid certificates only: an expired one is no longer shown to buyers (a removed one
    no longer exists)."""
    today = timezone.localdate()
    return [
        CertificateRow(type=c.type.name, number=c.number, expires_on=c.expires_on, expired=False)
        for c in certifications
        if c.expires_on is None or c.expires_on >= today
    ]


@require_GET
def product_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """A public product: photos, price, stock, minimum order, certificates, reviews, seller."""
    product = selectors.public_product_get(public_id=ref)
    business = product.business
    photos = list(product.photos.all())
    return render(
        request,
        "umkm/public/product.html",
        {
            "product": product,
            "description": _described(product),
            "photos": [
                {"thumb": photo_url(p.file_id, "thumb"), "full": photo_url(p.file_id, "full")}
                for p in photos
            ],
            "certificates": _certificate_rows(list(product.certifications.all())),
            "reviews": getattr(product, "approved_reviews", []),
            "seller": selectors.public_business_profile(business),
            "seller_url": reverse("umkm:seller", args=[business.public_id]),
            "out_of_stock": product.stock <= 0,
            "cart_form": AddToCartForm(initial={"quantity": max(1, product.minimum_order)}),
        },
    )


@require_GET
def seller_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A verified business's public page: no NIK, phone or street address."""
    business = selectors.public_business_get(public_id=public_id)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    result = product_search(
        filters={"business": business.pk}, sort="newest", page=page, with_facets=False
    )
    certifications = list(business.certifications.select_related("type").order_by("type__code"))
    return render(
        request,
        "umkm/public/seller.html",
        {
            "business": business,
            "profile": selectors.public_business_profile(business),
            "certificates": _certificate_rows(certifications),
            "result": result,
            "cards": product_card_views(result.product_ids),
            "prev_page": result.page - 1 if result.page > 1 else None,
            "next_page": result.page + 1 if result.page < result.num_pages else None,
        },
    )


@require_GET
def photo(request: HttpRequest, file_id: uuid.UUID, size: str) -> HttpResponseBase:
    """A photo of a public product (``core:file`` needs a login). Anything else is a 404."""
    if size not in ("thumb", "full"):
        raise Http404
    found = (
        ProductPhoto.objects.filter(file_id=file_id, product__in=public_products())
        .select_related("file", "thumbnail")
        .first()
    )
    if found is None:
        raise Http404
    stored = found.thumbnail if size == "thumb" and found.thumbnail is not None else found.file
    if not stored.content_type.startswith("image/"):
        raise Http404
    try:
        handle = storages["default"].open(stored.storage_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=stored.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # Short: a delisted product's photos must disappear from caches soon.
    response["Cache-Control"] = f"public, max-age={PHOTO_CACHE_SECONDS}"
    return response
