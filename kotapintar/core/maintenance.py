"""Maintenance mode for a server migration or restore (``MAINTENANCE_MODE=true``).

While it is on, nothing can be written: every request that is not GET/HEAD/OPTIONS is answered
with 503 "Sedang pemeliharaan", the offline alternatives and a ``Retry-After`` header, so no
citizen receives an acknowledgement for a submission that the migration could lose. Reading
still works, and every page shows a banner. The 503 page reads no database (it may be the thing
being moved): the offline alternatives come from the environment, not from tables.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from kotapintar.core.api.errors import error_json_response

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRY_AFTER_SECONDS = 1800


def maintenance_context() -> dict[str, object]:
    return {
        "maintenance_mode": settings.MAINTENANCE_MODE,
        "maintenance_until": settings.MAINTENANCE_UNTIL,
        "maintenance_offline_services": settings.MAINTENANCE_OFFLINE_SERVICES,
    }


class MaintenanceModeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.MAINTENANCE_MODE or request.method in SAFE_METHODS:
            return self.get_response(request)
        message = _(
            "The service is under maintenance; nothing was saved. Please try again later "
            "or use the offline services."
        )
        if request.path.startswith("/api/") or "json" in request.META.get("HTTP_ACCEPT", ""):
            response: HttpResponse = error_json_response("maintenance", message, status=503)
        else:
            html = render_to_string("core/maintenance.html", maintenance_context())
            response = HttpResponse(html, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
