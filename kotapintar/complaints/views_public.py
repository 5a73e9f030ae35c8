"""Public complaint pages: list and map, report page, photos, tracking, following an area.

Visibility comes from the selectors (``complaints.selectors``): a report the visitor may not see
is a 404, the same answer as a reference that does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kotapintar.accounts.models import User
from kotapintar.accounts.ratelimit import client_ip, rate_limit_hit
from kotapintar.complaints import selectors, services
from kotapintar.complaints.access import complaint_public_photo_get
from kotapintar.complaints.forms import (
    AddInfoForm,
    AreaSubscribeForm,
    ConfirmFixedForm,
    PublicFilterForm,
    RatingForm,
    TrackForm,
)
from kotapintar.complaints.models import (
    Complaint,
    ComplaintFollower,
    Status,
)
from kotapintar.core.page_cache import cache_anonymous_page

PAGE_SIZE = 20
#: Anonymous visitors may see a public page up to a minute old (see core.page_cache).
PUBLIC_PAGE_CACHE_SECONDS = 60


class KnownCountPaginator(Paginator):
    """A paginator given its total, so the list does not count all rows on every request."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


#: Up to this many reports the map gets one marker each; above it, counts per grid cell.
TRACK_LIMIT = 30
TRACK_WINDOW_SECONDS = 60 * 60
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = "© OpenStreetMap contributors"


def map_settings() -> dict[str, Any]:
    """Tile server and starting view of the maps (a tile server is optional: pins work without)."""
    center = getattr(settings, "COMPLAINTS_MAP_CENTER", (3.5952, 98.6722))
    return {
        "tile_url": getattr(settings, "COMPLAINTS_MAP_TILE_URL", DEFAULT_TILE_URL),
        "tile_attribution": getattr(
            settings, "COMPLAINTS_MAP_TILE_ATTRIBUTION", DEFAULT_TILE_ATTRIBUTION
        ),
        "center_lat": center[0],
        "center_lon": center[1],
        "zoom": getattr(settings, "COMPLAINTS_MAP_ZOOM", 13),
    }


def _filter_form(request: HttpRequest) -> PublicFilterForm:
    form = PublicFilterForm(
        request.GET or None,
        categories=selectors.categories_active_list(),
        districts=selectors.city_places().districts,
    )
    form.is_valid()  # invalid filters are shown at the field and left out of the query
    return form


@require_GET
@cache_anonymous_page(PUBLIC_PAGE_CACHE_SECONDS)
def public_list(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    filters = form.filters()
    complaints = selectors.complaints_public(**filters).select_related(
        "category", "district", "village"
    )
    count = selectors.complaints_public_count(filters=filters)
    page = KnownCountPaginator(complaints, PAGE_SIZE, count=count).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/public/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "map": map_settings(),
            "map_data_url": reverse("complaints:public_map_data") + "?" + query.urlencode(),
        },
    )


@require_GET
def public_map_data(request: HttpRequest) -> JsonResponse:
    """Markers of the public map: public fields only; clustered by grid cell above a limit."""
    form = _filter_form(request)
    return JsonResponse(selectors.complaints_public_map(filters=form.filters()))


def _complaint_for_viewer(request: HttpRequest, reference: str) -> Complaint:
    """The public report, or a non-public one its reporter or handling staff may see; else 404."""
    try:
        return selectors.complaint_public_get(reference=reference)
    except Http404:
        if not request.user.is_authenticated:
            raise
        return selectors.complaint_get_for_actor(actor=request.user, reference=reference)


def _is_reporter(request: HttpRequest, complaint: Complaint) -> bool:
    return bool(
        request.user.is_authenticated
        and complaint.reporter_id is not None
        and complaint.reporter_id == request.user.pk
    )


def detail_context(request: HttpRequest, complaint: Complaint, **extra: Any) -> dict[str, Any]:
    is_reporter = _is_reporter(request, complaint)
    public = complaint.is_publicly_visible
    policy = selectors.complaint_policy()
    viewer = request.user if is_reporter else None
    public_ids = (
        {p.pk for p in selectors.complaint_photos(complaint=complaint, actor=None)}
        if public
        else set()
    )
    # Public photos by the public URL (works without login); the reporter's others by core:file.
    photo_list = [
        {
            "photo": p,
            "url": reverse("complaints:public_photo", args=[complaint.reference, p.file_id])
            if p.pk in public_ids
            else reverse("core:file", args=[p.file_id]),
        }
        for p in selectors.complaint_photos(complaint=complaint, actor=viewer)
        if p.pk in public_ids or is_reporter
    ]
    is_follower = bool(
        request.user.is_authenticated
        and not is_reporter
        and ComplaintFollower.objects.filter(complaint=complaint, user_id=request.user.pk).exists()
    )
    can_confirm = (
        is_reporter
        and complaint.status == Status.RESOLVED
        and complaint.citizen_confirmed_fixed is None
    )
    can_rate = (
        is_reporter
        and complaint.status in (Status.RESOLVED, Status.CLOSED)
        and complaint.resolved_at is not None
        and complaint.rating is None
    )
    context: dict[str, Any] = {
        "complaint": complaint,
        "is_reporter": is_reporter,
        "is_public": public,
        # The report page is the public view, also for staff (internal notes stay in the
        # workspace); the reporter additionally sees their own additions.
        "reporter_display": selectors.reporter_display(complaint=complaint, viewer=viewer),
        "timeline": selectors.complaint_timeline(complaint=complaint, actor=viewer),
        "sla": selectors.complaint_sla_view(complaint),
        "photos": photo_list,
        "is_follower": is_follower,
        "can_follow": public and request.user.is_authenticated and not is_reporter,
        "can_add_info": is_reporter and complaint.is_open,
        "can_confirm": can_confirm,
        "can_rate": can_rate,
        "answers": selectors.complaint_answers_display(complaint=complaint) if is_reporter else [],
        "map": map_settings(),
        "info_form": AddInfoForm(max_photos=policy.max_photos) if is_reporter else None,
        "confirm_form": ConfirmFixedForm() if can_confirm else None,
        "rating_form": RatingForm() if can_rate else None,
    }
    context.update(extra)
    return context


@require_GET
@cache_anonymous_page(PUBLIC_PAGE_CACHE_SECONDS)
def public_detail(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _complaint_for_viewer(request, reference)
    response = render(request, "complaints/public/detail.html", detail_context(request, complaint))
    if not complaint.is_publicly_visible:
        # Pages only the reporter and staff may see are kept out of shared caches and indexes.
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def public_photo(request: HttpRequest, reference: str, file_id: uuid.UUID) -> HttpResponseBase:
    """A public photo of a public report, inline, for anyone (``core:file`` needs a login)."""
    complaint = selectors.complaint_public_get(reference=reference)
    photo = complaint_public_photo_get(complaint=complaint, file_id=file_id)
    stored = photo.file
    try:
        handle = storages["default"].open(stored.storage_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=stored.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # Short: a photo a moderator removes must disappear from caches soon.
    response["Cache-Control"] = "public, max-age=60"
    return response


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_POST
def follow(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = selectors.complaint_public_get(reference=reference)
    try:
        services.complaint_follow(complaint=complaint, user=cast(User, request.user))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("You support this report and will be told about its progress."))
    return redirect(
        _safe_next(request, reverse("complaints:public_detail", args=[complaint.reference]))
    )


@login_required
@require_POST
def unfollow(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = selectors.complaint_public_get(reference=reference)
    services.complaint_unfollow(complaint=complaint, user=cast(User, request.user))
    messages.success(request, _("You no longer follow this report."))
    return redirect("complaints:public_detail", reference=complaint.reference)


# --- Tracking by reference number -------------------------------------------------------------


@dataclass(frozen=True)
class TrackedStatus:
    """What tracking shows of a report that is not public: its status and dates, nothing else."""

    reference: str
    status: str
    submitted_at: datetime
    due_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None


def _tracked_status(reference: str) -> TrackedStatus | None:
    # Only these columns are read: a secret report's content never reaches the template.
    row = (
        Complaint.objects.filter(reference=reference)
        .values("reference", "status", "submitted_at", "sla_due_at", "resolved_at", "closed_at")
        .first()
    )
    if row is None:
        return None
    return TrackedStatus(
        reference=row["reference"],
        status=row["status"],
        submitted_at=row["submitted_at"],
        due_at=row["sla_due_at"],
        resolved_at=row["resolved_at"],
        closed_at=row["closed_at"],
    )


@require_GET
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "searched": False}
    if form.is_bound and form.is_valid():
        if rate_limit_hit(
            scope="complaints-track",
            key=client_ip(request),
            limit=TRACK_LIMIT,
            window_seconds=TRACK_WINDOW_SECONDS,
        ):
            return render(request, "complaints/citizen/rate_limited.html", status=429)
        reference = form.cleaned_data["nomor"]
        context["searched"] = True
        try:
            complaint = selectors.complaint_public_get(reference=reference)
        except Http404:
            context["tracked"] = _tracked_status(reference)
        else:
            context["complaint"] = complaint
            context["sla"] = selectors.complaint_sla_view(complaint)
    response = render(request, "complaints/public/track.html", context)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Following an area ------------------------------------------------------------------------


def _area_form(request: HttpRequest) -> AreaSubscribeForm:
    places = selectors.city_places()
    initial = {"kecamatan": request.GET.get("kecamatan", "")}
    return AreaSubscribeForm(
        request.POST or None, districts=places.districts, villages=places.villages, initial=initial
    )


@login_required
@require_http_methods(["GET", "POST"])
def area_subscribe(request: HttpRequest) -> HttpResponse:
    form = _area_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            services.area_subscribe(
                user=cast(User, request.user),
                district=form.cleaned_data["district"],
                village=form.cleaned_data["village"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("You will be told about new public reports in this area."))
            return redirect(
                reverse("complaints:public_list")
                + "?kecamatan="
                + form.cleaned_data["district"].code
            )
    return render(request, "complaints/public/area_subscribe.html", {"form": form})


@require_http_methods(["GET", "POST"])
def area_unsubscribe(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """GET asks, POST unsubscribes: link scanners that open e-mailed links change nothing."""
    if request.method == "POST":
        # The same answer for unknown tokens: the page reveals nothing about subscriptions.
        services.area_unsubscribe_by_token(token=str(token))
        return render(request, "complaints/public/area_unsubscribed.html")
    return render(request, "complaints/public/area_unsubscribe.html", {"token": token})
