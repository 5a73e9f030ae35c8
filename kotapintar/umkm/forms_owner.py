"""Forms of the owner's pages (/umkm/usaha/).

Forms only parse what people type (whole rupiah amounts, whole numbers, choices) and call
``umkm.rules`` for field checks (NIB, KBLI, price), so the owner sees the reason at the field.
The services decide and store; nothing is stored on any error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from kotapintar.core.personal_data import NikFormField
from kotapintar.core.uploads import IMAGE, SecureFileField, validate_upload
from kotapintar.core.uploads.validation import PDF
from kotapintar.regions.models import District, Village
from kotapintar.umkm import rules
from kotapintar.umkm.models import (
    Certification,
    CertificationType,
    ProductCategory,
    Sector,
)

#: Largest whole number accepted for rupiah amounts and counts (fits a PostgreSQL bigint).
MAX_AMOUNT = 9_000_000_000_000_000_000
_GROUPED = re.compile(r"[0-9]{1,3}([.,][0-9]{3})+")
_DECIMAL = re.compile(r"[0-9]*[.,][0-9]+")


def parse_rupiah(raw: Any, *, required: bool = True) -> int | None:
    """A whole number of rupiah, 0 or more, typed as digits only (``1500000``).

    Rejected with a reason: ``Rp1.500``, ``1.500.000`` (dots), ``-5``, ``1500,50`` (decimals),
    letters and exponents.
    """
    text = str(raw if raw is not None else "").strip()
    if not text:
        if required:
            raise ValidationError(_("Enter the amount in rupiah."), code="required")
        return None
    if text.startswith("-"):
        raise ValidationError(_("The amount cannot be negative."), code="negative")
    if re.match(r"(?i)^rp", text) or _GROUPED.fullmatch(text):
        raise ValidationError(
            _("Write the amount without “Rp” and without dots, e.g. 1500000 for Rp1.500.000."),
            code="amount_format",
        )
    if _DECIMAL.fullmatch(text):
        raise ValidationError(
            _("Rupiah amounts have no decimals: enter a whole number, e.g. 1500000."),
            code="amount_decimal",
        )
    if not text.isascii() or not text.isdigit():
        raise ValidationError(
            _("Write the amount in digits only, e.g. 1500000."), code="amount_format"
        )
    value = int(text)
    if value > MAX_AMOUNT:
        raise ValidationError(_("This amount is too large."), code="too_large")
    return value


def parse_count(raw: Any, *, minimum: int = 0, required: bool = True) -> int | None:
    """A whole number ``>= minimum`` typed as digits (employees, stock, grams, a year)."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        if required:
            raise ValidationError(_("Enter a number."), code="required")
        return None
    if text.startswith("-") or not text.isascii() or not text.isdigit():
        raise ValidationError(
            _("Enter a whole number of %(minimum)d or more, digits only."),
            code="invalid",
            params={"minimum": minimum},
        )
    value = int(text)
    if value < minimum:
        raise ValidationError(
            _("Enter a whole number of %(minimum)d or more, digits only."),
            code="invalid",
            params={"minimum": minimum},
        )
    if value > 2_000_000_000:
        raise ValidationError(_("This number is too large."), code="too_large")
    return value


def _number_input(placeholder: str = "") -> forms.TextInput:
    attrs = {"inputmode": "numeric", "autocomplete": "off"}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.TextInput(attrs=attrs)


def htmx_village_attrs() -> dict[str, Any]:
    """The kecamatan ``<select>`` reloads the kelurahan options from ``/wilayah/kelurahan/``."""
    return {
        "hx-get": reverse_lazy("regions:village-options"),
        "hx-trigger": "change",
        "hx-target": "#id_kelurahan",
        "hx-swap": "innerHTML",
    }


class _FiguresMixin(forms.Form):
    """Employees, capital and turnover (shared by register and edit)."""

    employees = forms.CharField(label=_("Employees"), widget=_number_input("3"))
    capital = forms.CharField(
        label=_("Capital excluding land and buildings (rupiah)"),
        widget=_number_input("50000000"),
        help_text=_("Digits only, without “Rp” and dots: 50000000 for Rp50.000.000."),
    )
    annual_turnover = forms.CharField(
        label=_("Annual turnover (rupiah)"),
        required=False,
        widget=_number_input("300000000"),
        help_text=_(
            "Sales of the last year, digits only. Leave empty for a new business without a "
            "full year of sales: then the capital decides the scale."
        ),
    )

    def clean_employees(self) -> int | None:
        return parse_count(self.cleaned_data.get("employees"))

    def clean_capital(self) -> int | None:
        return parse_rupiah(self.cleaned_data.get("capital"))

    def clean_annual_turnover(self) -> int | None:
        return parse_rupiah(self.cleaned_data.get("annual_turnover"), required=False)

    def clean_founding_year(self) -> int | None:
        return parse_count(self.cleaned_data.get("founding_year"), minimum=1900)


class _LocationMixin(forms.Form):
    """Kecamatan and kelurahan of the city (shared by register and edit); ``clean`` adds
    ``district`` and ``village`` (objects) to the cleaned data."""

    kecamatan = forms.ChoiceField(label=_("Kecamatan"))
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False)

    def __init__(
        self,
        *args: Any,
        districts: Iterable[District],
        villages: Iterable[Village],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.districts = {d.code: d for d in districts}
        self.villages = {v.code: v for v in villages}
        kecamatan = cast(forms.ChoiceField, self.fields["kecamatan"])
        kecamatan.choices = [("", _("Choose a kecamatan"))] + [
            (d.code, d.name) for d in self.districts.values()
        ]
        kecamatan.widget.attrs.update(htmx_village_attrs())
        groups: dict[str, list[tuple[str, str]]] = {}
        for village in self.villages.values():
            groups.setdefault(village.district.name, []).append((village.code, village.name))
        cast(forms.ChoiceField, self.fields["kelurahan"]).choices = [
            ("", _("Choose a kelurahan")),
            *groups.items(),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        district = self.districts.get(cleaned.get("kecamatan") or "")
        village = self.villages.get(cleaned.get("kelurahan") or "")
        cleaned["district"] = district
        cleaned["village"] = village
        if district is not None and village is not None and village.district_id != district.code:
            self.add_error(
                "kelurahan",
                ValidationError(
                    _("This kelurahan is not in the chosen kecamatan."), code="village_mismatch"
                ),
            )
        return cleaned


class BusinessRegisterForm(_LocationMixin, _FiguresMixin):
    name = forms.CharField(label=_("Business name"), max_length=150)
    owner_name = forms.CharField(label=_("Owner's name"), max_length=150)
    owner_nik = NikFormField(
        label=_("Owner's NIK"),
        help_text=_("Stored encrypted; shown to you masked (1271********0001)."),
    )
    nib = forms.CharField(
        label=_("NIB (Nomor Induk Berusaha)"),
        max_length=30,
        widget=_number_input("1234567890123"),
        help_text=_("13 digits, from OSS. Spaces and dots are removed."),
    )
    nib_document = SecureFileField(
        label=_("NIB document (PDF, JPG or PNG)"),
        allowed_kinds=frozenset({PDF, IMAGE}),
        required=False,
        help_text=_("The Dinas verifies your business against this document."),
    )
    kbli = forms.CharField(
        label=_("KBLI code"),
        max_length=10,
        widget=_number_input("10792"),
        help_text=_("5 digits, as on your NIB."),
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", "—"), *Sector.choices])
    street_address = forms.CharField(
        label=_("Street address"),
        max_length=300,
        help_text=_("Never shown on public pages."),
    )
    phone = forms.CharField(
        label=_("Contact phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    founding_year = forms.CharField(label=_("Founding year"), widget=_number_input("2019"))
    is_cooperative = forms.BooleanField(label=_("This business is a cooperative"), required=False)
    description = forms.CharField(
        label=_("About the business"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = [
        "name",
        "owner_name",
        "owner_nik",
        "nib",
        "nib_document",
        "kbli",
        "sector",
        "kecamatan",
        "kelurahan",
        "street_address",
        "phone",
        "founding_year",
        "employees",
        "capital",
        "annual_turnover",
        "is_cooperative",
        "description",
    ]

    def clean_nib(self) -> str:
        return rules.parse_nib(self.cleaned_data.get("nib"))

    def clean_kbli(self) -> str:
        return rules.parse_kbli(self.cleaned_data.get("kbli"))


class BusinessEditForm(_LocationMixin, _FiguresMixin):
    name = forms.CharField(label=_("Business name"), max_length=150)
    kbli = forms.CharField(label=_("KBLI code"), max_length=10, widget=_number_input("10792"))
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    street_address = forms.CharField(label=_("Street address"), max_length=300)
    phone = forms.CharField(
        label=_("Contact phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    founding_year = forms.CharField(label=_("Founding year"), widget=_number_input("2019"))
    description = forms.CharField(
        label=_("About the business"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = [
        "name",
        "kbli",
        "sector",
        "kecamatan",
        "kelurahan",
        "street_address",
        "phone",
        "founding_year",
        "employees",
        "capital",
        "annual_turnover",
        "description",
    ]

    def clean_kbli(self) -> str:
        return rules.parse_kbli(self.cleaned_data.get("kbli"))


class NibDocumentForm(forms.Form):
    nib_document = SecureFileField(
        label=_("NIB document (PDF, JPG or PNG)"), allowed_kinds=frozenset({PDF, IMAGE})
    )


class CertificationForm(forms.Form):
    type = forms.ChoiceField(label=_("Certificate"))
    number = forms.CharField(label=_("Certificate number"), max_length=60)
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("For a P-IRT the expiry year is read from the number."),
    )
    category = forms.ChoiceField(
        label=_("Product category it is for"),
        required=False,
        help_text=_("A P-IRT is not valid for some foods (e.g. frozen meat)."),
    )
    document = SecureFileField(
        label=_("Certificate document (PDF, JPG or PNG)"),
        allowed_kinds=frozenset({PDF, IMAGE}),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        types: Iterable[CertificationType],
        categories: Iterable[ProductCategory],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.types = {t.code: t for t in types}
        self.categories = {c.slug: c for c in categories}
        cast(forms.ChoiceField, self.fields["type"]).choices = [("", "—")] + [
            (t.code, t.name) for t in self.types.values()
        ]
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", "—")] + [
            (c.slug, category_label(c)) for c in self.categories.values()
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["category_obj"] = self.categories.get(cleaned.get("category") or "")
        return cleaned


def category_label(category: ProductCategory) -> str:
    return f"{category.parent.name} › {category.name}" if category.parent else category.name


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to ``max_photos`` images, each checked by content (type, size, pixels, min side)."""

    widget = MultiplePhotoInput

    def __init__(self, *, max_photos: int, min_side: int, **kwargs: Any) -> None:
        self.max_photos = max_photos
        self.min_side = min_side
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs["accept"] = "image/jpeg,image/png,.jpg,.jpeg,.png"
        return attrs

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > self.max_photos:
            raise ValidationError(
                ngettext_lazy(
                    "A product has at most %(limit)s photo.",
                    "A product has at most %(limit)s photos.",
                    "limit",
                ),
                code="too_many_photos",
                params={"limit": self.max_photos},
            )
        cleaned: list[UploadedFile] = []
        for uploaded in files:
            single = super().clean(uploaded, initial)
            validate_upload(single, allowed_kinds=frozenset({IMAGE}), min_image_side=self.min_side)
            cleaned.append(single)
        return cleaned


class ProductForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"))
    name = forms.CharField(label=_("Product name"), max_length=150)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Plain text, or simple formatting: bold, italic, lists and links."),
    )
    price = forms.CharField(
        label=_("Price (rupiah)"),
        widget=_number_input("25000"),
        help_text=_("Digits only, without “Rp” and dots: 25000 for Rp25.000."),
    )
    stock = forms.CharField(label=_("Stock"), widget=_number_input("10"))
    minimum_order = forms.CharField(label=_("Minimum order"), initial="1", widget=_number_input())
    unit = forms.CharField(label=_("Unit"), max_length=30, initial="pcs")
    weight_grams = forms.CharField(label=_("Weight (grams)"), initial="0", widget=_number_input())
    tags = forms.CharField(
        label=_("Tags"),
        max_length=300,
        required=False,
        help_text=_("Words buyers may search for, separated by commas (e.g. oleh-oleh, kue)."),
    )
    certifications = forms.MultipleChoiceField(
        label=_("Certificates"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        categories: Iterable[ProductCategory],
        certifications: Iterable[Certification],
        price_cap: int,
        max_photos: int = 0,
        min_photo_side: int = 300,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.categories = {c.slug: c for c in categories}
        self.certification_objs = {str(c.pk): c for c in certifications}
        self.price_cap = price_cap
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", _("Choose a category"))
        ] + [(c.slug, category_label(c)) for c in self.categories.values()]
        cast(forms.MultipleChoiceField, self.fields["certifications"]).choices = [
            (pk, f"{c.type.name} {c.number}") for pk, c in self.certification_objs.items()
        ]
        if max_photos:
            self.fields["photos"] = PhotosField(
                label=_("Photos (JPG or PNG)"),
                max_photos=max_photos,
                min_side=min_photo_side,
                help_text=_(
                    "Up to %(count)d photos, at least %(side)d pixels on the shortest side. "
                    "Location data (EXIF/GPS) is removed."
                )
                % {"count": max_photos, "side": min_photo_side},
            )

    def clean_category(self) -> ProductCategory:
        category = self.categories.get(self.cleaned_data.get("category") or "")
        if category is None:
            raise ValidationError(_("Choose a category."), code="invalid_choice")
        return category

    def clean_price(self) -> int:
        return rules.parse_price(self.cleaned_data.get("price"), cap=self.price_cap)

    def clean_stock(self) -> int | None:
        return parse_count(self.cleaned_data.get("stock"))

    def clean_minimum_order(self) -> int | None:
        return parse_count(self.cleaned_data.get("minimum_order"), minimum=1)

    def clean_weight_grams(self) -> int | None:
        return parse_count(self.cleaned_data.get("weight_grams"))

    def clean_certifications(self) -> list[Certification]:
        return [
            self.certification_objs[pk]
            for pk in self.cleaned_data.get("certifications") or []
            if pk in self.certification_objs
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        category = cleaned.get("category")
        if isinstance(category, ProductCategory) and not category.pirt_allowed:
            for cert in cleaned.get("certifications") or []:
                if cert.type.code != rules.PIRT:
                    continue
                try:
                    rules.parse_certificate(rules.PIRT, cert.number, pirt_allowed=False)
                except ValidationError as exc:
                    self.add_error("certifications", exc)
                    break
        return cleaned


class PhotoForm(forms.Form):
    photo = SecureFileField(label=_("Add a photo (JPG or PNG)"), allowed_kinds=frozenset({IMAGE}))

    def __init__(self, *args: Any, min_side: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(SecureFileField, self.fields["photo"]).min_image_side = min_side


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
