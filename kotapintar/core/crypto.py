"""Encryption at rest and blind indexes for personal data (DESIGN.md §5).

Values are encrypted with Fernet (AES-128-CBC + HMAC) using keys from the environment;
``PERSONAL_DATA_KEYS`` may hold several keys, newest first, so keys can be rotated. Equality
lookups use a keyed HMAC-SHA256 of the normalised value (a "blind index"), never the plaintext.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys = [k.strip() for k in settings.PERSONAL_DATA_KEYS if k.strip()]
    if not keys:
        raise ImproperlyConfigured("PERSONAL_DATA_KEYS must contain at least one Fernet key.")
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "PERSONAL_DATA_KEYS must be url-safe base64 Fernet keys (32 bytes)."
        ) from exc


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("Personal data could not be decrypted with the configured keys.") from exc


def rotate(token: str) -> str:
    """Re-encrypt ``token`` with the newest key (used by the key-rotation command)."""
    return _fernet().rotate(token.encode()).decode()


def blind_index(value: str) -> str:
    """Keyed hash for equality lookups; ``value`` must already be normalised."""
    key = settings.PERSONAL_DATA_HASH_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def reset_key_cache() -> None:
    _fernet.cache_clear()
