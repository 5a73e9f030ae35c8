"""Signed, expiring e-mail confirmation tokens.

The token carries the user id and a fingerprint of the e-mail address and confirmation state,
so it stops working once the address is confirmed or changed. No database row is needed.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from kotapintar.accounts.models import User

_SALT = "kotapintar.accounts.email-confirmation"
#: Seconds a confirmation link stays valid (settings may override).
DEFAULT_MAX_AGE = 3 * 24 * 60 * 60


def _fingerprint(user: User) -> str:
    state = f"{user.pk}|{user.email}|{user.email_verified_at or ''}"
    return salted_hmac(_SALT, state).hexdigest()[:20]


def email_confirmation_token_make(*, user: User) -> str:
    return signing.dumps([user.pk, _fingerprint(user)], salt=_SALT)


def email_confirmation_token_user(token: str) -> User | None:
    """The still-unconfirmed user a valid, unexpired token belongs to; ``None`` otherwise."""
    max_age = getattr(settings, "ACCOUNTS_EMAIL_CONFIRMATION_MAX_AGE", DEFAULT_MAX_AGE)
    try:
        user_id, fingerprint = signing.loads(token, salt=_SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.email_verified_at is not None:
        return None
    if not constant_time_compare(fingerprint, _fingerprint(user)):
        return None
    return user
