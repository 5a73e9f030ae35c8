from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import Http404


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Agency staff and city-wide roles only; others get a 404 (the page "does not exist")."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (getattr(user, "is_agency_staff", False) or getattr(user, "is_city_wide", False)):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
