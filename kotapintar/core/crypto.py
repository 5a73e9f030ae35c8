"""Encryption at rest and blind indexes for personal data (DESIGN.md §5).

Values are encrypted with Fernet (AES-128-CBC + HMAC) using keys from the environment;
``PERSONAL_DATA_KEYS`` may hold several keys, newest first, so keys can be rotated. Equality
lookups use a keyed HMAC-SHA256 of the normalised value (a "blind index"), never the plaintext.

Key rotation: put a new key (``python -c "from cryptography.fernet import Fernet;
print(Fernet.generate_key().decode())"``) first in ``PERSONAL_DATA_KEYS``, deploy, run
``manage.py rotate_personal_data_keys``, then drop the old key. The blind-index key
(``PERSONAL_DATA_HASH_KEY``) cannot be rotated this way: every ``*_hash`` column would have
to be recomputed from the plaintext.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver


@lru_cache(maxsize=1)
def _keys() -> tuple[Fernet, ...]:
    keys = [k.strip() for k in settings.PERSONAL_DATA_KEYS if k.strip()]
    if not keys:
        raise ImproperlyConfigured("PERSONAL_DATA_KEYS must contain at least one Fernet key.")
    try:
        return tuple(Fernet(k.encode()) for k in keys)
    except ValueError:
        # ``from None``: no part of a key may reach a traceback or log.
        raise ImproperlyConfigured(
            "PERSONAL_DATA_KEYS must be url-safe base64 Fernet keys (32 bytes)."
        ) from None


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    return MultiFernet(list(_keys()))


@lru_cache(maxsize=1)
def _hash_key() -> bytes:
    key = (settings.PERSONAL_DATA_HASH_KEY or "").strip()
    if not key:
        raise ImproperlyConfigured("PERSONAL_DATA_HASH_KEY must be set.")
    return key.encode()


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        # ``from None``: the token must not travel along in the exception chain.
        raise ValueError("Personal data could not be decrypted with the configured keys.") from None


def rotate(token: str) -> str:
    """Re-encrypt ``token`` with the newest key (used by the key-rotation command)."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise ValueError("Personal data could not be decrypted with the configured keys.") from None


def is_current(token: str) -> bool:
    """Whether ``token`` is encrypted with the newest key (nothing to rotate)."""
    try:
        _keys()[0].decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def blind_index(value: str) -> str:
    """Keyed hash for equality lookups; ``value`` must already be normalised."""
    return hmac.new(_hash_key(), value.encode(), hashlib.sha256).hexdigest()


def reset_key_cache() -> None:
    _keys.cache_clear()
    _fernet.cache_clear()
    _hash_key.cache_clear()


@receiver(setting_changed, dispatch_uid="kotapintar.core.crypto.reset_key_cache")
def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    # ``override_settings`` in tests must not keep using the previous keys.
    if setting in ("PERSONAL_DATA_KEYS", "PERSONAL_DATA_HASH_KEY"):
        reset_key_cache()
