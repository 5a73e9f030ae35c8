"""The visitor's interface language, kept in Django's language cookie (read by our middleware)."""

from __future__ import annotations

from django.conf import settings
from django.http.response import HttpResponseBase


def language_cookie_set(response: HttpResponseBase, language: str) -> HttpResponseBase:
    """Make ``language`` the interface language from the next request on."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
