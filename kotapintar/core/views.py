"""Health probes and error pages."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up. No database access: a slow database must not restart web workers."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: the database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Never echo the requested path: it may carry personal data.
    if _is_api(request):
        return _api_error("not_found", _("Not found."), status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _api_error("server_error", _("Something went wrong on our side."), status=500)
    # Rendered without a request context: the failure may be in a context processor.
    return render(request, "500.html", status=500)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _api_error(code: str, message: str, *, status: int) -> JsonResponse:
    """The API's one error shape, also for URLs that match no API view."""
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)
