"""UMKM in the project's own API (``/api/v1/umkm/…``), thin over the selectors and services.

Public (no login):

* ``GET umkm/products/`` catalogue search: ``q`` (words as prefixes, ``"phrase"``,
  ``-excluded``; typos tolerated), filters ``category``, ``kecamatan``, ``scale``,
  ``certification``, ``price_min``/``price_max``, ``national_catalogue``; ``sort`` (relevance,
  price_asc, price_desc, newest), ``page``/``page_size``; facets with counts of the filtered
  results (``facets=false`` leaves them out). Same selector as the web catalogue
  (``search.product_search``).
* ``GET umkm/products/{id}/`` one public product with its approved reviews.

The owner (logged in), only their own businesses: another owner's business, product or order
is "not found" (404), never "forbidden", and nothing changes:

* ``GET umkm/my/businesses/``; ``GET/POST umkm/my/products/``;
  ``GET/PATCH/DELETE umkm/my/products/{id}/``; ``POST …/{id}/price/`` and ``…/{id}/stock/``.
* ``GET umkm/my/sales/`` orders to one's businesses (each order has one seller, so these are
  only one's own lines); ``GET umkm/my/sales/{id}/``; ``POST umkm/my/sales/{id}/{action}/``
  (accept, decline, process, ship, complete).

The buyer: ``GET umkm/my/orders/`` and ``GET umkm/my/orders/{id}/``.

Errors use the API's one shape (``kotapintar.core.api.errors``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import BasePagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kotapintar.accounts.models import User
from kotapintar.core.api.pagination import StandardPagination
from kotapintar.core.lookups import get_or_404
from kotapintar.umkm import selectors, services, services_owner
from kotapintar.umkm.models import Business, Order, OrderLine, Product
from kotapintar.umkm.search import SearchFilters, product_search
from kotapintar.umkm.serializers import (
    UmkmBuyerOrderSerializer,
    UmkmOrderActionSerializer,
    UmkmOwnBusinessSerializer,
    UmkmOwnProductSerializer,
    UmkmPriceSerializer,
    UmkmProductCreateSerializer,
    UmkmProductDetailSerializer,
    UmkmProductUpdateSerializer,
    UmkmSearchParamsSerializer,
    UmkmSearchResultSerializer,
    UmkmSellerOrderSerializer,
    UmkmStockSerializer,
    certifications_lookup,
)

SELLER_ACTIONS = ("accept", "decline", "process", "ship", "complete")


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User) and user.is_authenticated  # IsAuthenticated ran first
    return user


def _paginated(
    queryset: QuerySet[Any], serializer: type[serializers.Serializer], request: Request, view: Any
) -> Response:
    paginator: BasePagination = StandardPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


# --- Public catalogue ---------------------------------------------------------------------------

SEARCH_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description='Words, "a phrase", -excluded.'),
    OpenApiParameter("category", OpenApiTypes.STR, description="Category slug (with children)."),
    OpenApiParameter("kecamatan", OpenApiTypes.STR, description="Kecamatan code, e.g. 12.71.01."),
    OpenApiParameter("scale", OpenApiTypes.STR, description="mikro, kecil, menengah."),
    OpenApiParameter("certification", OpenApiTypes.STR, description="halal, pirt, bpom_md, …"),
    OpenApiParameter("price_min", OpenApiTypes.INT, description="Lowest price (rupiah)."),
    OpenApiParameter("price_max", OpenApiTypes.INT, description="Highest price (rupiah)."),
    OpenApiParameter("national_catalogue", OpenApiTypes.BOOL, description="Listed in INAPROC."),
    OpenApiParameter(
        "sort", OpenApiTypes.STR, description="relevance, price_asc, price_desc, newest"
    ),
    OpenApiParameter("page", OpenApiTypes.INT),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="1-50 (default: the policy's)."),
    OpenApiParameter("facets", OpenApiTypes.BOOL, description="Include facet counts (default)."),
]


class ProductSearchView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Search the public catalogue",
        operation_id="umkm_products_search",
        tags=["umkm"],
        parameters=SEARCH_PARAMETERS,
        responses=UmkmSearchResultSerializer,
    )
    def get(self, request: Request) -> Response:
        params = {k: v for k, v in request.query_params.items() if v not in ("", None)}
        serializer = UmkmSearchParamsSerializer(data=params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        filters = SearchFilters.from_mapping(
            {
                key: data.get(key)
                for key in (
                    "category",
                    "kecamatan",
                    "scale",
                    "certification",
                    "price_min",
                    "price_max",
                    "national_catalogue",
                )
            }
        )
        result = product_search(
            query=data.get("q", ""),
            filters=filters,
            sort=data["sort"],
            page=data["page"],
            page_size=data.get("page_size"),
            with_facets=data["facets"],
        )
        body = dict(UmkmSearchResultSerializer(result).data)
        if body.get("facets") is None:
            body.pop("facets", None)
        return Response(body)


class ProductDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="One public product",
        operation_id="umkm_product_retrieve",
        tags=["umkm"],
        responses=UmkmProductDetailSerializer,
    )
    def get(self, request: Request, public_id: str) -> Response:
        product = selectors.public_product_get(public_id=public_id)
        return Response(UmkmProductDetailSerializer(product).data)


# --- The owner's businesses and products --------------------------------------------------------


class MyBusinessesView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination

    @extend_schema(
        summary="My businesses", tags=["umkm"], responses=UmkmOwnBusinessSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        qs = selectors.business_list_for_owner(actor=_user(request)).order_by("name", "pk")
        return _paginated(qs, UmkmOwnBusinessSerializer, request, self)


def _own_products(user: User) -> QuerySet[Product]:
    return selectors.product_list_for_owner(actor=user).order_by("-created_at", "-pk")


def _own_product(user: User, public_id: str) -> Product:
    return selectors.product_get_for_owner(actor=user, public_id=public_id)


def _product_response(user: User, product: Product, code: int = status.HTTP_200_OK) -> Response:
    fresh = _own_product(user, str(product.public_id))
    return Response(UmkmOwnProductSerializer(fresh).data, status=code)


class MyProductsView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination

    @extend_schema(
        summary="My products",
        tags=["umkm"],
        parameters=[OpenApiParameter("business", OpenApiTypes.UUID, description="One business.")],
        responses=UmkmOwnProductSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = _user(request)
        qs = _own_products(user)
        business = request.query_params.get("business")
        if business:
            qs = qs.filter(
                business=selectors.business_get_for_owner(actor=user, public_id=business)
            )
        return _paginated(qs, UmkmOwnProductSerializer, request, self)

    @extend_schema(
        summary="Add a product to one of my businesses",
        tags=["umkm"],
        request=UmkmProductCreateSerializer,
        responses={201: UmkmOwnProductSerializer},
    )
    def post(self, request: Request) -> Response:
        user = _user(request)
        serializer = UmkmProductCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        business: Business = selectors.business_get_for_owner(
            actor=user, public_id=data["business"]
        )
        certifications = certifications_lookup(business, data.get("certifications", []))
        product = services.product_create(
            actor=user,
            business=business,
            category=data["category"],
            name=data["name"],
            price=data["price"],
            description=data.get("description", ""),
            stock=data.get("stock", 0),
            minimum_order=data.get("minimum_order", 1),
            unit=data.get("unit", "pcs"),
            weight_grams=data.get("weight_grams", 0),
            tags=data.get("tags", ""),
            certifications=certifications,
            submit=data["submit"],
            request=request._request,
        )
        return _product_response(user, product, status.HTTP_201_CREATED)


class MyProductView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="One of my products", tags=["umkm"], responses=UmkmOwnProductSerializer)
    def get(self, request: Request, public_id: str) -> Response:
        user = _user(request)
        return Response(UmkmOwnProductSerializer(_own_product(user, public_id)).data)

    @extend_schema(
        summary="Change one of my products (a listed product goes back to curation when its "
        "name, description, category or price changes)",
        tags=["umkm"],
        request=UmkmProductUpdateSerializer,
        responses=UmkmOwnProductSerializer,
    )
    def patch(self, request: Request, public_id: str) -> Response:
        user = _user(request)
        product = _own_product(user, public_id)
        serializer = UmkmProductUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        numbers = changes.pop("certifications", None)
        certifications = (
            certifications_lookup(product.business, numbers) if numbers is not None else None
        )
        services.product_update(
            actor=user,
            product=product,
            certifications=certifications,
            request=request._request,
            **changes,
        )
        return _product_response(user, product)

    @extend_schema(
        summary="Delete one of my products (never ordered)", tags=["umkm"], responses={204: None}
    )
    def delete(self, request: Request, public_id: str) -> Response:
        user = _user(request)
        product = _own_product(user, public_id)
        services_owner.product_delete(actor=user, product=product, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _update_own_product_field(
    request: Request, public_id: str, serializer_class: type[serializers.Serializer], field: str
) -> Response:
    """Validate one field (price or stock) of one of my products and save it."""
    user = _user(request)
    product = _own_product(user, public_id)
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    services.product_update(
        actor=user,
        product=product,
        request=request._request,
        **{field: serializer.validated_data[field]},
    )
    return _product_response(user, product)


class MyProductPriceView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Reprice one of my products",
        tags=["umkm"],
        request=UmkmPriceSerializer,
        responses=UmkmOwnProductSerializer,
    )
    def post(self, request: Request, public_id: str) -> Response:
        return _update_own_product_field(request, public_id, UmkmPriceSerializer, "price")


class MyProductStockView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Set the stock of one of my products",
        tags=["umkm"],
        request=UmkmStockSerializer,
        responses=UmkmOwnProductSerializer,
    )
    def post(self, request: Request, public_id: str) -> Response:
        return _update_own_product_field(request, public_id, UmkmStockSerializer, "stock")


# --- Orders -------------------------------------------------------------------------------------


def _with_lines(qs: QuerySet[Order]) -> QuerySet[Order]:
    lines = OrderLine.objects.select_related("product").order_by("pk")
    return qs.prefetch_related(None).prefetch_related(Prefetch("lines", queryset=lines))


def _sales(user: User) -> QuerySet[Order]:
    return _with_lines(selectors.order_list_for_seller(actor=user)).order_by("-created_at", "-pk")


def _sale(user: User, public_id: str) -> Order:
    return get_or_404(_sales(user), public_id=public_id)


class MySalesView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination

    @extend_schema(
        summary="Orders to my businesses",
        tags=["umkm"],
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, description="e.g. diajukan.")],
        responses=UmkmSellerOrderSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        qs = _sales(_user(request))
        wanted = request.query_params.get("status")
        if wanted:
            qs = qs.filter(status=wanted)
        return _paginated(qs, UmkmSellerOrderSerializer, request, self)


class MySaleView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="One order to my businesses", tags=["umkm"], responses=UmkmSellerOrderSerializer
    )
    def get(self, request: Request, public_id: str) -> Response:
        return Response(UmkmSellerOrderSerializer(_sale(_user(request), public_id)).data)


class MySaleActionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Accept, decline, process, ship or complete an order to my business",
        tags=["umkm"],
        request=UmkmOrderActionSerializer,
        responses=UmkmSellerOrderSerializer,
    )
    def post(self, request: Request, public_id: str, action: str) -> Response:
        user = _user(request)
        if action not in SELLER_ACTIONS:
            raise Http404
        order = _sale(user, public_id)
        serializer = UmkmOrderActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.order_transition(
            actor=user,
            order=order,
            action=action,
            reason=serializer.validated_data.get("reason", ""),
            request=request._request,
        )
        return Response(UmkmSellerOrderSerializer(_sale(user, public_id)).data)


def _purchases(user: User) -> QuerySet[Order]:
    qs = selectors.order_list_for_buyer(actor=user).select_related("business__district")
    return _with_lines(qs).order_by("-created_at", "-pk")


class MyOrdersView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination

    @extend_schema(
        summary="My orders", tags=["umkm"], responses=UmkmBuyerOrderSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        return _paginated(_purchases(_user(request)), UmkmBuyerOrderSerializer, request, self)


class MyOrderView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="One of my orders", tags=["umkm"], responses=UmkmBuyerOrderSerializer)
    def get(self, request: Request, public_id: str) -> Response:
        order = get_or_404(_purchases(_user(request)), public_id=public_id)
        return Response(UmkmBuyerOrderSerializer(order).data)


__all__ = [
    "MyBusinessesView",
    "MyOrderView",
    "MyOrdersView",
    "MyProductPriceView",
    "MyProductStockView",
    "MyProductView",
    "MyProductsView",
    "MySaleActionView",
    "MySaleView",
    "MySalesView",
    "ProductDetailView",
    "ProductSearchView",
]
