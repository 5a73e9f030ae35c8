"""A short-lived cache of public pages for anonymous visitors.

Public lists and report pages are the same for every anonymous visitor, and at city scale
rendering them for each request costs more than the server has to spare at busy times. A page is
kept for ``seconds`` per URL and language, and only when it is safe to share:

- the visitor is anonymous and sends no session or messages cookie (nothing personal to show);
- the response is a plain 200 that did not use a CSRF token and sets no cookie.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation

_PERSONAL_COOKIES = ("sessionid", "messages")


def cache_anonymous_page(
    seconds: int,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _shareable_request(request):
                return view(request, *args, **kwargs)
            key = f"page:{translation.get_language()}:{request.get_full_path()}"
            cached = cache.get(key)
            if cached is not None:
                content, content_type = cached
                response = HttpResponse(content, content_type=content_type)
                response["X-Page-Cache"] = "hit"
                return response
            response = view(request, *args, **kwargs)
            if _shareable_response(request, response):
                cache.set(key, (response.content, response["Content-Type"]), seconds)
            return response

        return wrapper

    return decorator


def _shareable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return False
    names = {settings.SESSION_COOKIE_NAME, *_PERSONAL_COOKIES}
    return not any(name in request.COOKIES for name in names)


def _shareable_response(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not getattr(response, "streaming", False)
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "CSRF_COOKIE" not in request.META
    )
