"""Serializers of the UMKM API (``umkm.api``): output shapes and input checks only.

Public shapes never carry the owner's NIK, street address or full phone number. Money is
integer rupiah (``price``) with the display form next to it (``price_display``: ``Rp12.000``).
Validation of prices, names and descriptions is the services' job (their messages, field by
field); here only the types and the lookups of referenced rows (category, business) are checked.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kotapintar.core.personal_data import mask_identity_number
from kotapintar.umkm import rules
from kotapintar.umkm.models import (
    Business,
    Certification,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    ProductCategory,
    Review,
    Scale,
)
from kotapintar.umkm.search import MAX_QUERY_LENGTH, SORTS

# --- Shared pieces ------------------------------------------------------------------------------


class UmkmRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class UmkmCategoryRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class UmkmCertificationRefSerializer(serializers.Serializer):
    type = serializers.CharField(source="type.code")
    type_name = serializers.CharField(source="type.name")
    number = serializers.CharField()
    expires_on = serializers.DateField(allow_null=True)


class UmkmSellerRefSerializer(serializers.Serializer):
    """A seller as buyers see it: name, kecamatan and scale only."""

    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    kecamatan = serializers.CharField(source="district.name")
    scale = serializers.CharField()


def _photo_urls(product: Product) -> list[str]:
    return [
        reverse("umkm:photo", args=[photo.file_id, "thumb"])
        for photo in product.photos.all()  # prefetched by the selectors
    ]


class UmkmProductCardSerializer(serializers.Serializer):
    """A product in search results."""

    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    price = serializers.IntegerField(help_text="Integer rupiah.")
    price_display = serializers.SerializerMethodField()
    unit = serializers.CharField()
    minimum_order = serializers.IntegerField()
    in_stock = serializers.SerializerMethodField()
    category = UmkmCategoryRefSerializer()
    seller = UmkmSellerRefSerializer(source="business")
    certifications = serializers.SerializerMethodField()
    thumbnails = serializers.SerializerMethodField()
    in_national_catalogue = serializers.BooleanField()
    listed_at = serializers.DateTimeField(allow_null=True)

    def get_price_display(self, obj: Product) -> str:
        return rules.format_rupiah(obj.price)

    def get_in_stock(self, obj: Product) -> bool:
        return obj.stock >= max(1, obj.minimum_order)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_certifications(self, obj: Product) -> list[str]:
        return sorted({c.type.code for c in obj.certifications.all()})

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_thumbnails(self, obj: Product) -> list[str]:
        return _photo_urls(obj)[:1]


class UmkmReviewSerializer(serializers.Serializer):
    rating = serializers.IntegerField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class UmkmProductDetailSerializer(UmkmProductCardSerializer):
    description = serializers.CharField(help_text="Allow-listed HTML (cleaned when saved).")
    stock = serializers.IntegerField()
    weight_grams = serializers.IntegerField()
    tags = serializers.CharField()
    certifications_detail = UmkmCertificationRefSerializer(source="certifications", many=True)
    photos = serializers.SerializerMethodField()
    reviews = serializers.SerializerMethodField(help_text="Approved reviews only.")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_photos(self, obj: Product) -> list[str]:
        return _photo_urls(obj)

    @extend_schema_field(UmkmReviewSerializer(many=True))
    def get_reviews(self, obj: Product) -> list[dict[str, Any]]:
        reviews: list[Review] = getattr(obj, "approved_reviews", [])
        return list(UmkmReviewSerializer(reviews, many=True).data)


class UmkmFacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    count = serializers.IntegerField()


class UmkmFacetsSerializer(serializers.Serializer):
    category = UmkmFacetValueSerializer(many=True)
    kecamatan = UmkmFacetValueSerializer(many=True)
    scale = UmkmFacetValueSerializer(many=True)
    certification = UmkmFacetValueSerializer(many=True)
    national_catalogue = UmkmFacetValueSerializer(many=True)
    price = UmkmFacetValueSerializer(many=True)


class UmkmSearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    count = serializers.IntegerField(source="total")
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    fuzzy = serializers.BooleanField(
        help_text="True when nothing matched exactly and typo-tolerant matches are shown."
    )
    results = UmkmProductCardSerializer(source="products", many=True)
    facets = serializers.SerializerMethodField(help_text="Left out with facets=false.")

    @extend_schema_field(UmkmFacetsSerializer(allow_null=True))
    def get_facets(self, obj: Any) -> dict[str, Any] | None:
        return dict(UmkmFacetsSerializer(obj.facets).data) if obj.facets else None


class UmkmSearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_QUERY_LENGTH,
        trim_whitespace=False,
        help_text='Words (prefixes), "a phrase", -excluded.',
    )
    category = serializers.SlugField(required=False, help_text="Category slug (with children).")
    kecamatan = serializers.RegexField(
        r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$", required=False, help_text="Kecamatan code, 12.71.01."
    )
    scale = serializers.ChoiceField(
        choices=[c for c in Scale.values if c != Scale.NON_UMKM], required=False
    )
    certification = serializers.SlugField(required=False, help_text="halal, pirt, bpom_md, …")
    price_min = serializers.IntegerField(required=False, min_value=0)
    price_max = serializers.IntegerField(required=False, min_value=0)
    national_catalogue = serializers.BooleanField(required=False, allow_null=True, default=None)
    sort = serializers.ChoiceField(choices=list(SORTS), required=False, default="relevance")
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=50)
    facets = serializers.BooleanField(required=False, default=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        low, high = attrs.get("price_min"), attrs.get("price_max")
        if low is not None and high is not None and high < low:
            raise serializers.ValidationError(
                {"price_max": [_("The highest price must not be below the lowest price.")]}
            )
        return attrs


# --- The owner's side ---------------------------------------------------------------------------


class UmkmOwnBusinessSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    nib = serializers.CharField()
    kbli = serializers.CharField()
    sector = serializers.CharField()
    scale = serializers.CharField()
    kecamatan = UmkmRefSerializer(source="district")
    owner_name = serializers.CharField()
    owner_nik_masked = serializers.SerializerMethodField()
    verification_status = serializers.CharField()
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()

    def get_owner_nik_masked(self, obj: Business) -> str:
        return mask_identity_number(obj.owner_nik) if obj.owner_nik else ""


class UmkmOwnProductSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    business = serializers.UUIDField(source="business.public_id")
    category = UmkmCategoryRefSerializer()
    name = serializers.CharField()
    description = serializers.CharField()
    price = serializers.IntegerField()
    price_display = serializers.SerializerMethodField()
    stock = serializers.IntegerField()
    minimum_order = serializers.IntegerField()
    unit = serializers.CharField()
    weight_grams = serializers.IntegerField()
    tags = serializers.CharField()
    status = serializers.CharField(help_text="draf, menunggu_kurasi, tayang, turun_tayang.")
    status_reason = serializers.CharField()
    certifications = UmkmCertificationRefSerializer(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_price_display(self, obj: Product) -> str:
        return rules.format_rupiah(obj.price)


class _ProductFieldsSerializer(serializers.Serializer):
    """Types only: the services check the values and give the messages. ``price`` is taken as
    given (text or number) so that ``Rp1.500`` or ``1500.50`` get the service's own message."""

    category = serializers.SlugField(required=False)
    name = serializers.CharField(required=False, max_length=150, trim_whitespace=False)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    price = serializers.JSONField(required=False, help_text="Integer rupiah, e.g. 15000.")
    stock = serializers.IntegerField(required=False)
    minimum_order = serializers.IntegerField(required=False)
    unit = serializers.CharField(required=False, max_length=30)
    weight_grams = serializers.IntegerField(required=False)
    tags = serializers.CharField(required=False, allow_blank=True, max_length=300)
    certifications = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text="Numbers of the business's own certificates.",
    )

    def validate_category(self, value: str) -> ProductCategory:
        category = ProductCategory.objects.filter(slug=value, is_active=True).first()
        if category is None:
            raise serializers.ValidationError(_("Unknown category."), code="unknown_category")
        return category


class UmkmProductCreateSerializer(_ProductFieldsSerializer):
    business = serializers.UUIDField(help_text="One of your businesses.")
    category = serializers.SlugField()
    name = serializers.CharField(max_length=150, trim_whitespace=False)
    price = serializers.JSONField(help_text="Integer rupiah, e.g. 15000.")
    submit = serializers.BooleanField(
        required=False, default=False, help_text="Send to curation straight away."
    )


class UmkmProductUpdateSerializer(_ProductFieldsSerializer):
    pass


class UmkmPriceSerializer(serializers.Serializer):
    price = serializers.JSONField(help_text="Integer rupiah, e.g. 15000.")


class UmkmStockSerializer(serializers.Serializer):
    stock = serializers.IntegerField(min_value=0)


def certifications_lookup(business: Business, numbers: list[str]) -> list[Certification]:
    """The business's own certificates by number; unknown numbers are a field error."""
    found = {c.number: c for c in Certification.objects.filter(business=business)}
    missing = [n for n in numbers if n not in found]
    if missing:
        raise serializers.ValidationError(
            {"certifications": [_("Choose certificates of this business.")]}
        )
    return [found[n] for n in numbers]


# --- Orders -------------------------------------------------------------------------------------


class UmkmOrderLineSerializer(serializers.Serializer):
    product = serializers.UUIDField(source="product.public_id")
    product_name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.IntegerField()
    subtotal = serializers.IntegerField()


class UmkmOrderSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    status = serializers.CharField(
        help_text="diajukan, diterima, ditolak, diproses, dikirim, selesai, dibatalkan, "
        "kedaluwarsa."
    )
    status_label = serializers.SerializerMethodField()
    market = serializers.CharField()
    total = serializers.IntegerField()
    total_display = serializers.SerializerMethodField()
    note = serializers.CharField()
    decline_reason = serializers.CharField()
    respond_by = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    lines = serializers.SerializerMethodField()

    def get_status_label(self, obj: Order) -> str:
        return str(OrderStatus(obj.status).label)

    def get_total_display(self, obj: Order) -> str:
        return rules.format_rupiah(obj.total)

    @extend_schema_field(UmkmOrderLineSerializer(many=True))
    def get_lines(self, obj: Order) -> list[dict[str, Any]]:
        lines: list[OrderLine] = list(obj.lines.all())
        return list(UmkmOrderLineSerializer(lines, many=True).data)


class UmkmBuyerOrderSerializer(UmkmOrderSerializer):
    seller = UmkmSellerRefSerializer(source="business")


class UmkmSellerOrderSerializer(UmkmOrderSerializer):
    business = serializers.UUIDField(source="business.public_id")
    buyer_name = serializers.CharField(source="buyer.full_name")


class UmkmOrderActionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, help_text="Required to decline."
    )
