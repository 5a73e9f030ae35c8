"""HTML endpoints of the regions app (htmx pick-list fragments)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kotapintar.regions.models import Village
from kotapintar.regions.selectors import is_district_code, villages_of


@require_GET
def village_options(request: HttpRequest) -> HttpResponse:
    """``<option>``s of a kecamatan's kelurahan, swapped into the kelurahan ``<select>``.

    ``?kecamatan=12.71.01`` picks the kecamatan, ``&selected=<village code>`` keeps a choice
    when a form is re-rendered. A missing or unknown kecamatan gives only the placeholder.
    """
    district_code = request.GET.get("kecamatan", "")
    villages: list[Village] = []
    if is_district_code(district_code):
        villages = list(villages_of(district_code).only("code", "name"))
    return render(
        request,
        "regions/partials/village_options.html",
        {"villages": villages, "selected": request.GET.get("selected", "")},
    )
