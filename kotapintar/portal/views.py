from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kotapintar.accounts.decorators import staff_required
from kotapintar.agencies.selectors import agency_list_public
from kotapintar.portal.selectors import service_catalogue


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {"services": service_catalogue(), "agencies": agency_list_public()},
    )


@staff_required
def workspace(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/workspace.html", {"services": service_catalogue()})


def credits(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/credits.html")
