"""UMKM: registry, e-catalogue, orders, government buying and coaching (pembinaan).

Rules that differ between cities are data (``UmkmPolicy``, ``ScaleThreshold``,
``CertificationType``, ``ProductCategory``, ``SearchSynonym``, ``JourneyStage``), seeded by
``manage.py load_umkm_reference`` from ``umkm/data/*.json``. Money is integer rupiah.
Writes go through ``umkm.services``; visibility rules live in ``umkm.selectors`` and
``umkm.search``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kotapintar.core.fields import EncryptedTextField

# --- Configuration as data ----------------------------------------------------------------------


class UmkmPolicy(models.Model):
    """City-wide settings for the UMKM module (one row; created with defaults when missing)."""

    price_cap = models.PositiveBigIntegerField(
        _("highest product price (rupiah)"), default=1_000_000_000
    )
    order_response_working_days = models.PositiveSmallIntegerField(
        _("seller must answer an order within (working days)"), default=3
    )
    certificate_reminder_days = models.PositiveSmallIntegerField(
        _("remind owners of expiring certificates (days ahead)"), default=60
    )
    max_photos = models.PositiveSmallIntegerField(_("photos per product"), default=5)
    min_photo_side = models.PositiveSmallIntegerField(
        _("shortest photo side (pixels)"), default=300
    )
    thumbnail_side = models.PositiveSmallIntegerField(_("thumbnail size (pixels)"), default=320)
    umk_share_target_percent = models.PositiveSmallIntegerField(
        _("UMK and cooperative share target (%)"), default=40
    )
    split_mixed_cart = models.BooleanField(
        _("split a cart with several sellers into one order per seller"),
        default=True,
        help_text=_("When off, a cart may only hold products of one seller."),
    )
    search_page_size = models.PositiveSmallIntegerField(_("search results per page"), default=20)
    max_order_quantity = models.PositiveIntegerField(_("largest quantity per line"), default=10_000)

    class Meta:
        verbose_name = _("UMKM policy")
        verbose_name_plural = _("UMKM policy")

    def __str__(self) -> str:
        return str(_("UMKM policy"))


class Scale(models.TextChoices):
    MIKRO = "mikro", _("Micro")
    KECIL = "kecil", _("Small")
    MENENGAH = "menengah", _("Medium")
    NON_UMKM = "non_umkm", _("Not UMKM (large)")


#: Scales that count as UMK (micro and small) for the 40% government-buying share.
UMK_SCALES = frozenset({Scale.MIKRO, Scale.KECIL})


class ScaleThreshold(models.Model):
    """PP 7/2021 Pasal 35 upper limits per scale (inclusive); above the last: not UMKM."""

    scale = models.CharField(
        _("scale"),
        max_length=10,
        choices=[c for c in Scale.choices if c[0] != Scale.NON_UMKM],
        unique=True,
    )
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    max_capital = models.PositiveBigIntegerField(
        _("highest capital excluding land and buildings (rupiah)")
    )
    max_turnover = models.PositiveBigIntegerField(_("highest annual turnover (rupiah)"))
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("scale threshold")
        verbose_name_plural = _("scale thresholds")

    def __str__(self) -> str:
        return self.get_scale_display()


class Sector(models.TextChoices):
    FOOD = "kuliner", _("Food and drink")
    FASHION = "fesyen", _("Fashion and textiles")
    CRAFT = "kriya", _("Crafts")
    BEAUTY = "kecantikan", _("Beauty")
    AGRICULTURE = "pertanian", _("Agriculture and fisheries")
    TRADE = "perdagangan", _("Trade")
    SERVICES = "jasa", _("Services")
    OTHER = "lainnya", _("Other")


class CertificationType(models.Model):
    """Halal, P-IRT, BPOM MD/ML, SNI; numbers are checked by ``rules.parse_certificate``."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    validity_years = models.PositiveSmallIntegerField(_("valid for (years)"), null=True, blank=True)
    number_hint = models.CharField(_("number example"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("certification type")
        verbose_name_plural = _("certification types")

    def __str__(self) -> str:
        return self.name


class ProductCategory(models.Model):
    """The catalogue's category tree (seeded; editable in the admin)."""

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    pirt_allowed = models.BooleanField(
        _("P-IRT allowed"),
        default=True,
        help_text=_("Off for foods a home industry may not make under P-IRT (e.g. frozen meat)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")

    def __str__(self) -> str:
        return self.name


class SearchSynonym(models.Model):
    """A spelling variant or synonym rewritten to one canonical form before indexing/search."""

    term = models.CharField(_("variant"), max_length=60, unique=True)
    canonical = models.CharField(_("canonical form"), max_length=60)

    class Meta:
        ordering = ["term"]
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")

    def __str__(self) -> str:
        return f"{self.term} → {self.canonical}"


# --- Registry -----------------------------------------------------------------------------------


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "belum_terverifikasi", _("Not yet verified")
    VERIFIED = "terverifikasi", _("Verified")
    REJECTED = "ditolak", _("Rejected")


class Business(models.Model):
    """A UMKM profile, owned by the owner's account (one account may own several)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner account"),
        on_delete=models.PROTECT,
        related_name="umkm_businesses",
    )
    name = models.CharField(_("business name"), max_length=150)
    owner_name = models.CharField(_("owner name"), max_length=150)
    owner_nik = EncryptedTextField(_("owner NIK"), blank=True, default="")
    owner_nik_hash = models.CharField(
        max_length=64, blank=True, default="", db_index=True, editable=False
    )
    nib = models.CharField(_("NIB"), max_length=13, db_index=True)
    nib_document = models.ForeignKey(
        "core.StoredFile",
        verbose_name=_("NIB document"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kbli = models.CharField(_("KBLI code"), max_length=5)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    street_address = EncryptedTextField(_("street address"), blank=True, default="")
    district = models.ForeignKey(
        "regions.District",
        verbose_name=_("kecamatan"),
        on_delete=models.PROTECT,
        related_name="umkm_businesses",
    )
    village = models.ForeignKey(
        "regions.Village",
        verbose_name=_("kelurahan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="umkm_businesses",
    )
    phone = EncryptedTextField(_("contact phone"), blank=True, default="")
    founding_year = models.PositiveSmallIntegerField(_("founding year"))
    employees = models.PositiveIntegerField(_("employees"), default=0)
    capital = models.PositiveBigIntegerField(
        _("capital excluding land and buildings (rupiah)"), default=0
    )
    annual_turnover = models.PositiveBigIntegerField(
        _("annual turnover (rupiah)"),
        null=True,
        blank=True,
        help_text=_("Empty for a new business without a full year of sales: capital decides."),
    )
    scale = models.CharField(_("scale"), max_length=10, choices=Scale.choices, db_index=True)
    is_cooperative = models.BooleanField(_("cooperative"), default=False)
    description = models.TextField(_("about the business"), blank=True)
    verification_status = models.CharField(
        _("verification"),
        max_length=20,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED,
        db_index=True,
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("UMKM")
        verbose_name_plural = _("UMKM")
        constraints = [
            models.UniqueConstraint(
                fields=["nib"],
                condition=models.Q(is_active=True),
                name="umkm_one_active_business_per_nib",
            ),
        ]
        indexes = [models.Index(fields=["verification_status", "is_active"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.is_active and self.verification_status == VerificationStatus.VERIFIED


class NibClaimStatus(models.TextChoices):
    PENDING = "menunggu", _("Waiting for review")
    ACCEPTED = "diterima", _("Accepted (business moved to the claimant)")
    REJECTED = "ditolak", _("Rejected")


class NibClaim(models.Model):
    """A second registration of an NIB that already has an active business: the Dinas decides."""

    nib = models.CharField(_("NIB"), max_length=13, db_index=True)
    existing_business = models.ForeignKey(
        Business,
        verbose_name=_("registered business"),
        on_delete=models.CASCADE,
        related_name="nib_claims",
    )
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("claimant"),
        on_delete=models.CASCADE,
        related_name="umkm_nib_claims",
    )
    business_name = models.CharField(_("business name claimed"), max_length=150)
    owner_name = models.CharField(_("owner name claimed"), max_length=150)
    document = models.ForeignKey(
        "core.StoredFile",
        verbose_name=_("NIB document"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NibClaimStatus.choices, default=NibClaimStatus.PENDING
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("NIB claim")
        verbose_name_plural = _("NIB claims")

    def __str__(self) -> str:
        return f"{self.business_name} ({self.nib})"


class BusinessScaleChange(models.Model):
    """A dated snapshot of turnover, capital, employees and the scale they give (the history)."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="scale_history")
    effective_date = models.DateField(_("effective date"))
    annual_turnover = models.PositiveBigIntegerField(_("annual turnover"), null=True, blank=True)
    capital = models.PositiveBigIntegerField(_("capital"), default=0)
    employees = models.PositiveIntegerField(_("employees"), default=0)
    scale = models.CharField(_("scale"), max_length=10, choices=Scale.choices)
    previous_scale = models.CharField(
        _("previous scale"), max_length=10, choices=Scale.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["business", "effective_date", "pk"]
        verbose_name = _("scale history entry")
        verbose_name_plural = _("scale history")
        indexes = [models.Index(fields=["business", "effective_date"])]

    def __str__(self) -> str:
        return f"{self.business_id} {self.effective_date} {self.scale}"


class Certification(models.Model):
    """A certificate of a business (Halal, P-IRT, BPOM, SNI); linked to products."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="certifications")
    type = models.ForeignKey(
        CertificationType,
        verbose_name=_("type"),
        on_delete=models.PROTECT,
        related_name="certifications",
    )
    number = models.CharField(_("number"), max_length=40)
    details = models.JSONField(_("parsed fields"), default=dict, blank=True)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    document = models.ForeignKey(
        "core.StoredFile",
        verbose_name=_("document"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["type__code", "number"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "type", "number"], name="umkm_unique_certificate_per_business"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type.code} {self.number}"


# --- E-catalogue --------------------------------------------------------------------------------


class ProductStatus(models.TextChoices):
    DRAFT = "draf", _("Draft")
    PENDING = "menunggu_kurasi", _("Waiting for curation")
    LISTED = "tayang", _("Listed")
    DELISTED = "turun_tayang", _("Delisted")


class Product(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="products")
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="products",
    )
    name = models.CharField(_("product name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    price = models.PositiveBigIntegerField(_("price (rupiah)"))
    stock = models.PositiveIntegerField(_("stock"), default=0)
    minimum_order = models.PositiveIntegerField(_("minimum order"), default=1)
    unit = models.CharField(_("unit"), max_length=30, default="pcs")
    weight_grams = models.PositiveIntegerField(_("weight (grams)"), default=0)
    tags = models.CharField(_("tags"), max_length=300, blank=True)
    certifications = models.ManyToManyField(
        Certification, verbose_name=_("certifications"), blank=True, related_name="products"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ProductStatus.choices,
        default=ProductStatus.DRAFT,
        db_index=True,
    )
    in_national_catalogue = models.BooleanField(
        _("listed in the e-Katalog (INAPROC)"), default=False
    )
    status_reason = models.TextField(_("curation note"), blank=True)
    listed_at = models.DateTimeField(_("listed at"), null=True, blank=True)
    # Search: normalised text kept by the services (``search.index_text``), plus the PostgreSQL
    # tsvector over it (weights A name, B category/tags, C description).
    search_name = models.CharField(max_length=300, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    # Search filters and facets on PostgreSQL, copied from the business, the category tree and
    # the certificates by database triggers (migration 0003; every write path, bulk updates and
    # COPY included), and from here into ``CatalogueEntry`` (migration 0004). Not used (and not
    # kept) on SQLite, whose search path joins the source tables.
    is_public = models.BooleanField(default=False, editable=False)  # listed, verified, active
    facet_district = models.CharField(max_length=8, blank=True, editable=False)
    facet_scale = models.CharField(max_length=10, blank=True, editable=False)
    facet_root_category = models.BigIntegerField(null=True, blank=True, editable=False)
    #: {certification type code: latest "valid until" date ("9999-12-31": no expiry)}
    facet_certificates = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [
            models.Index(fields=["status", "business"]),
            models.Index(fields=["status", "price"]),
        ]

    def __str__(self) -> str:
        return self.name


class CatalogueEntry(models.Model):
    """PostgreSQL only: the public catalogue as the search reads it, one narrow row per public
    product (listed, of a verified, active business).

    Written only by triggers on ``umkm_product`` (migration 0004), from the product's own
    columns and the facet columns copied onto it: a product that becomes public gets its row,
    one that stops being public loses it at once, whatever the write path. Searching this table
    instead of ``umkm_product`` (a third of its size, no private or hidden rows) halves the
    cost of broad searches. Empty on SQLite, whose search path reads the source tables.
    """

    product_id = models.BigIntegerField(primary_key=True)
    business_id = models.BigIntegerField()
    category_id = models.BigIntegerField()
    root_category_id = models.BigIntegerField()  # 0 when the category tree has no root
    district = models.CharField(max_length=8)
    scale = models.CharField(max_length=10)
    price = models.BigIntegerField()
    price_bucket = models.SmallIntegerField()  # index into ``search.PRICE_BUCKETS``
    in_national_catalogue = models.BooleanField()
    #: {certification type code: latest "valid until" date ("9999-12-31": no expiry)}
    certificates = models.JSONField(default=dict)
    listed_at = models.DateTimeField(null=True)
    search_name = models.CharField(max_length=300)
    search_vector = SearchVectorField(null=True)

    class Meta:
        verbose_name = _("catalogue search entry")
        verbose_name_plural = _("catalogue search entries")
        indexes = [
            models.Index(fields=["-listed_at", "-product_id"], name="umkm_entry_newest"),
            models.Index(fields=["price", "-product_id"], name="umkm_entry_price"),
            models.Index(fields=["-price", "-product_id"], name="umkm_entry_price_desc"),
            models.Index(fields=["category_id"], name="umkm_entry_category"),
            models.Index(fields=["business_id"], name="umkm_entry_business"),
        ]

    def __str__(self) -> str:
        return f"product {self.product_id}"


class CatalogueWord(models.Model):
    """PostgreSQL only: the words of public product names, with how many names hold each.

    Kept by triggers on ``CatalogueEntry`` (migration 0006). A misspelled search word is
    corrected to the nearest of these words by trigram similarity (``search._postgres_corrections``)
    before the search runs again: a few thousand words to compare instead of every name.
    """

    word = models.CharField(max_length=150, primary_key=True)
    products = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("catalogue word")
        verbose_name_plural = _("catalogue words")

    def __str__(self) -> str:
        return f"{self.word}: {self.products}"


class CatalogueCell(models.Model):
    """PostgreSQL only: how many public products share one combination of the values buyers
    filter on (category, kecamatan, scale, e-Katalog flag, price range, certificates).

    Kept by triggers on ``CatalogueEntry`` (migration 0004). Browsing without a search word
    reads the facet counts from these ~15,000 rows instead of counting ~110,000 products.
    Rows whose count falls to zero stay (a later product may fill them again).
    """

    category_id = models.BigIntegerField()
    root_category_id = models.BigIntegerField()
    district = models.CharField(max_length=8)
    scale = models.CharField(max_length=10)
    in_national_catalogue = models.BooleanField()
    price_bucket = models.SmallIntegerField()
    certificates = models.JSONField(default=dict)
    products = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("catalogue facet cell")
        verbose_name_plural = _("catalogue facet cells")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "category_id",
                    "root_category_id",
                    "district",
                    "scale",
                    "in_national_catalogue",
                    "price_bucket",
                    "certificates",
                ],
                name="umkm_catalogue_cell_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category_id} {self.district} {self.scale}: {self.products}"


class ProductPhoto(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos")
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    thumbnail = models.ForeignKey(
        "core.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")

    def __str__(self) -> str:
        return f"{self.product_id}#{self.position}"


class SearchQueryLog(models.Model):
    """A catalogue query that found nothing (no user, no IP: only the words and filters)."""

    query = models.CharField(_("query"), max_length=200)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    created_at = models.DateTimeField(_("searched at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("search without results")
        verbose_name_plural = _("searches without results")

    def __str__(self) -> str:
        return self.query


# --- Orders -------------------------------------------------------------------------------------


class BuyerProfile(models.Model):
    """A buyer's civil-servant number (NIP): only ASN may buy in the ASN market."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="umkm_buyer_profile"
    )
    nip = models.CharField(_("NIP"), max_length=18, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("buyer profile")
        verbose_name_plural = _("buyer profiles")

    def __str__(self) -> str:
        return str(self.user_id)


class Market(models.TextChoices):
    PUBLIC = "umum", _("Public")
    ASN = "asn", _("Civil servants (ASN)")


class OrderStatus(models.TextChoices):
    # A context of their own: the project catalogue translates a bare "Submitted" for complaints.
    SUBMITTED = "diajukan", pgettext_lazy("umkm order status", "Submitted")
    ACCEPTED = "diterima", pgettext_lazy("umkm order status", "Accepted")
    DECLINED = "ditolak", pgettext_lazy("umkm order status", "Declined")
    PROCESSING = "diproses", pgettext_lazy("umkm order status", "Being prepared")
    SHIPPED = "dikirim", pgettext_lazy("umkm order status", "Shipped")
    COMPLETED = "selesai", pgettext_lazy("umkm order status", "Completed")
    CANCELLED = "dibatalkan", pgettext_lazy("umkm order status", "Cancelled")
    EXPIRED = "kedaluwarsa", pgettext_lazy("umkm order status", "Expired (no answer)")


#: Orders that still hold stock (released on decline, cancel or expiry).
STOCK_HOLDING_STATUSES = frozenset(
    {
        OrderStatus.SUBMITTED,
        OrderStatus.ACCEPTED,
        OrderStatus.PROCESSING,
        OrderStatus.SHIPPED,
        OrderStatus.COMPLETED,
    }
)


class Order(models.Model):
    """An order request from one buyer to ONE seller (a mixed cart becomes several orders)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    group = models.UUIDField(_("cart"), db_index=True)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="umkm_orders",
    )
    business = models.ForeignKey(
        Business, verbose_name=_("seller"), on_delete=models.PROTECT, related_name="orders"
    )
    market = models.CharField(_("market"), max_length=10, choices=Market.choices)
    status = models.CharField(
        _("status"),
        max_length=15,
        choices=OrderStatus.choices,
        default=OrderStatus.SUBMITTED,
        db_index=True,
    )
    total = models.PositiveBigIntegerField(_("total (rupiah)"))
    note = models.TextField(_("note to the seller"), blank=True)
    decline_reason = models.TextField(_("reason"), blank=True)
    respond_by = models.DateTimeField(_("seller must answer by"))
    created_at = models.DateTimeField(_("ordered at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [models.Index(fields=["status", "respond_by"])]

    def __str__(self) -> str:
        return self.reference


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    product_name = models.CharField(_("product"), max_length=150)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.PositiveBigIntegerField(_("unit price (rupiah)"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_name}"

    @property
    def subtotal(self) -> int:
        return self.quantity * self.unit_price


class ReviewStatus(models.TextChoices):
    PENDING = "menunggu", _("Waiting for moderation")
    APPROVED = "disetujui", _("Approved")
    REJECTED = "ditolak", _("Rejected")


class Review(models.Model):
    """A buyer's rating of one completed order line, public after Dinas approval."""

    order_line = models.OneToOneField(OrderLine, on_delete=models.CASCADE, related_name="review")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="umkm_reviews"
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("review"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="umkm_review_rating_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.product_id}"


# --- Government buying --------------------------------------------------------------------------


class PurchaseKind(models.TextChoices):
    GOODS = "barang", _("Goods")
    SERVICES = "jasa", _("Services")


class GovernmentPurchase(models.Model):
    """One purchase of an OPD (agency), for the 40% UMK/cooperative share report."""

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency (OPD)"),
        on_delete=models.PROTECT,
        related_name="umkm_purchases",
    )
    purchase_date = models.DateField(_("purchase date"))
    year = models.PositiveSmallIntegerField(_("budget year"), db_index=True)
    business = models.ForeignKey(
        Business,
        verbose_name=_("UMKM supplier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="government_purchases",
    )
    supplier_name = models.CharField(_("supplier"), max_length=200)
    amount = models.PositiveBigIntegerField(_("amount (rupiah)"))
    kind = models.CharField(_("goods or services"), max_length=10, choices=PurchaseKind.choices)
    description = models.CharField(_("what was bought"), max_length=300, blank=True)
    is_umk_or_cooperative = models.BooleanField(
        _("UMK or cooperative on the purchase date"), default=False
    )
    is_domestic_product = models.BooleanField(_("domestic product (PDN)"), default=True)
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-purchase_date", "-pk"]
        verbose_name = _("government purchase")
        verbose_name_plural = _("government purchases")
        indexes = [models.Index(fields=["year", "agency"])]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.purchase_date} {self.amount}"


# --- Coaching (pembinaan) -----------------------------------------------------------------------


class ProgrammeType(models.TextChoices):
    TRAINING = "pelatihan", _("Training")
    MENTORING = "pendampingan", _("Mentoring")
    FINANCE = "akses_modal", _("Capital access (KUR referral)")
    CERTIFICATION = "sertifikasi", _("Certification help")
    MARKETING = "pemasaran", _("Exhibition and marketing")
    EXPORT = "ekspor", _("Export readiness")


class Programme(models.Model):
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=20, choices=ProgrammeType.choices)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"))
    quota = models.PositiveIntegerField(_("quota"), default=0, help_text=_("0 = no limit"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "terdaftar", _("Enrolled")
    ATTENDED = "hadir", _("Attended")
    ABSENT = "tidak_hadir", _("Did not attend")
    COMPLETED = "lulus", _("Completed")
    WITHDRAWN = "mundur", _("Withdrawn")


class Enrolment(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(
        _("status"),
        max_length=15,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.ENROLLED,
    )
    sessions_attended = models.PositiveSmallIntegerField(_("sessions attended"), default=0)
    outcome = models.TextField(_("outcome"), blank=True)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["programme", "business"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "business"], name="umkm_one_enrolment_per_programme"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}/{self.business_id}"


class JourneyStage(models.TextChoices):
    CAPITAL = "modal", _("Capital")
    PRODUCTION = "produksi", _("Production")
    LEGALITY = "legalitas", _("Licensing and certification")
    DIGITAL = "pemasaran_digital", _("Digital marketing")
    EXPORT = "ekspor", _("Export")


#: The journey in order ("from capital to marketing").
JOURNEY_ORDER: tuple[str, ...] = tuple(JourneyStage.values)


class JourneyMilestone(models.Model):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="milestones")
    stage = models.CharField(_("stage"), max_length=20, choices=JourneyStage.choices)
    reached_on = models.DateField(_("reached on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    programme = models.ForeignKey(
        Programme, on_delete=models.SET_NULL, null=True, blank=True, related_name="milestones"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["business", "reached_on", "pk"]
        verbose_name = _("journey milestone")
        verbose_name_plural = _("journey milestones")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "stage"], name="umkm_one_milestone_per_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.business_id} {self.stage}"
