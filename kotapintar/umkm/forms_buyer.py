"""Forms of the public catalogue and the buyer's pages: input shape only (types, lengths,
choices). Every rule (NIP format, minimum order, stock, who may buy in the ASN market, one
review per line) is checked by the services, which raise field-level errors shown here."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kotapintar.umkm.models import Market, Scale
from kotapintar.umkm.search import MAX_QUERY_LENGTH

SORT_CHOICES = [
    ("relevance", _("Most relevant")),
    ("price_asc", _("Lowest price")),
    ("price_desc", _("Highest price")),
    ("newest", _("Newest")),
]


class CatalogueForm(forms.Form):
    """The catalogue's GET parameters. Invalid values are ignored (a search never fails)."""

    q = forms.CharField(label=_("Search products"), required=False, max_length=MAX_QUERY_LENGTH)
    kategori = forms.SlugField(required=False, max_length=60)
    kecamatan = forms.CharField(required=False, max_length=20)
    skala = forms.ChoiceField(
        required=False, choices=[("", "")] + [c for c in Scale.choices if c[0] != Scale.NON_UMKM]
    )
    sertifikasi = forms.SlugField(required=False, max_length=20)
    harga = forms.RegexField(required=False, regex=r"^\d{1,12}-\d{0,12}$", max_length=25)
    ekatalog = forms.ChoiceField(required=False, choices=[("", ""), ("1", "1"), ("0", "0")])
    urut = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def value(self, name: str) -> Any:
        """The cleaned value of a valid field, or ``None``."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        if name in self.errors:
            return None
        value = self.cleaned_data.get(name)
        return value if value not in ("", None) else None


class AddToCartForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000)


class CartLineForm(forms.Form):
    product = forms.UUIDField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=1_000_000)


class CheckoutForm(forms.Form):
    market = forms.ChoiceField(
        label=_("Buy as"),
        choices=[
            (Market.PUBLIC, _("Citizen (public market)")),
            (Market.ASN, _("Civil servant (ASN market, needs a NIP)")),
        ],
        initial=Market.PUBLIC,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note to the seller"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", uuid.uuid4())


class NipForm(forms.Form):
    nip = forms.CharField(
        label=_("NIP (civil servant number)"),
        max_length=30,
        help_text=_("18 digits, as on your civil-servant card."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Your review"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)
