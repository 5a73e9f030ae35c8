"""Template filters that show personal data masked: ``{{ user.nik|mask_nik }}``."""

from __future__ import annotations

from django import template

from kotapintar.core import personal_data

register = template.Library()


@register.filter
def mask_nik(value: object) -> str:
    """``1271011708850001`` -> ``1271********0001``; also for KK numbers; empty stays empty."""
    return personal_data.mask_identity_number(str(value)) if value else ""


@register.filter
def mask_phone(value: object) -> str:
    """``081234565678`` -> ``0812****5678``; empty stays empty."""
    return personal_data.mask_phone(str(value)) if value else ""
