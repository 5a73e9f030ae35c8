"""Health probes and error pages."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kotapintar.core.api.errors import error_json_response
from kotapintar.core.i18n import language_cookie_set


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
        return error_json_response("not_found", _("Not found."), status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return error_json_response(
            "server_error", _("Something went wrong on our side."), status=500
        )
    # Rendered without a request context: the failure may be in a context processor.
    return render(request, "500.html", status=500)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


@require_GET
def language_switch(request: HttpRequest) -> HttpResponseRedirect:
    """Switch the interface language and go back to the page the visitor came from.

    A GET (unlike Django's ``set_language``) so that pages need no CSRF token for it and can be
    shared from the page cache; it only stores a display preference.
    """
    back = request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    response = HttpResponseRedirect(back)
    language = request.GET.get("language", "")
    if language in dict(settings.LANGUAGES):
        language_cookie_set(response, language)
    return response
