"""Template helpers of every UMKM page (public, buyer, owner and Dinas workspace).

``{{ price|rupiah }}`` -> ``Rp1.500``, ``{{ share|percent_id }}`` -> ``42,50%``,
``{{ weight|grams }}`` -> ``1,5 kg`` and ``{% umkm_nav "<current>" %}``, the module menu.
"""

from __future__ import annotations

from typing import Any

from django import template

from kotapintar.umkm.exports import format_percent
from kotapintar.umkm.rules import format_rupiah

register = template.Library()


@register.filter
def rupiah(value: Any) -> str:
    if value in (None, ""):
        return ""
    try:
        return format_rupiah(int(value))
    except (TypeError, ValueError):
        return ""


@register.filter
def percent_id(value: Any) -> str:
    if value in (None, ""):
        return ""
    return format_percent(float(value)) + "%"


@register.filter
def grams(value: Any) -> str:
    """``1500`` -> ``1,5 kg``; ``250`` -> ``250 g``."""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return ""
    if amount >= 1000:
        kilos = f"{amount / 1000:.2f}".rstrip("0").rstrip(".").replace(".", ",")
        return f"{kilos} kg"
    return f"{amount} g"


@register.inclusion_tag("umkm/_module_nav.html", takes_context=True)
def umkm_nav(context: template.Context, current: str = "") -> dict[str, Any]:
    """The UMKM module menu on every UMKM page: catalogue, cart, my orders, my business
    ("Daftarkan usaha Anda" until the user has one) and, for Dinas officers, the workspace.

    At most two small queries for a signed-in user, none for a visitor."""
    from kotapintar.umkm.selectors import business_list_for_owner, is_dinas_officer

    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return {
        "current": current,
        "signed_in": signed_in,
        "has_business": signed_in and business_list_for_owner(actor=user).exists(),
        "is_dinas": signed_in and is_dinas_officer(user),
    }
