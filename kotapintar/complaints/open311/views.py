"""Open311 GeoReport v2 at ``/open311/v2/``: discovery, services, requests, tokens.

Plain Django views (the spec's shapes are simpler to produce exactly without DRF). Each view
parses the query, calls one selector or service, and renders with ``renderers`` in the format
named by the URL's ``.xml``/``.json`` suffix. Errors are the spec's ``errors`` list with 400,
403 or 404 and a description in Bahasa Indonesia (``OPEN311_LANGUAGE``, default ``id``).

Behaviour the spec leaves open (also in the discovery document's ``key_service`` text):

* ``jurisdiction_id`` is optional; when given it must be the region code (``12.71``) or the
  site's domain without ``www`` (or one of ``OPEN311_JURISDICTION_IDS``), else 404.
* ``start_date``/``end_date`` without an offset are read as WIB (``+07:00``); a date alone
  means the start of that day (``start_date``) or its end (``end_date``). A range longer than
  90 days is refused with 400, not clamped. Only one of them: a 90-day window from/to it.
* ``page`` / ``page_size`` (extension): pages of at most 1000 requests, newest first.
* POST needs a point (``lat`` + ``long``); an address alone is refused with 400 because
  reports are routed by the point. ``token`` is never issued (``type`` is ``realtime``), so
  every token is 404.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import wraps
from typing import Any, Concatenate, ParamSpec
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from kotapintar.complaints.models import (
    OPEN_STATUSES,
    Category,
    Complaint,
    ComplaintPhoto,
    PhotoKind,
)
from kotapintar.complaints.open311 import serializers as records
from kotapintar.complaints.open311.renderers import (
    FORMATS,
    JSON_CONTENT_TYPE,
    XML_CONTENT_TYPE,
    render_errors,
    render_list,
    render_object,
)
from kotapintar.complaints.open311.services import MAX_HEADER_KEY_LENGTH, open311_request_create
from kotapintar.complaints.selectors import (
    categories_active,
    complaint_policy,
    complaint_public_get,
    complaints_public,
)
from kotapintar.complaints.services import open311_client_by_key
from kotapintar.core.page_cache import cache_anonymous_page
from kotapintar.core.reference_numbers import normalize_reference
from kotapintar.regions.selectors import deployment_regency_code

P = ParamSpec("P")

SPECIFICATION_URL = "http://wiki.open311.org/GeoReport_v2"
#: When the shape of this API last changed (discovery ``changeset``).
CHANGESET = "2026-11-29T00:00:00+07:00"
MAX_WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000
MAX_IDS = 1000
MAX_MEDIA_URL_LENGTH = 1000
#: Submissions per Open311 client application per hour (all its users together).
CLIENT_SUBMISSIONS_PER_HOUR = 600


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _language() -> str:
    return str(getattr(settings, "OPEN311_LANGUAGE", "id"))


def open311_view(
    *methods: str,
) -> Callable[[Callable[Concatenate[HttpRequest, str, P], HttpResponse]], Callable[..., Any]]:
    """Checks method, format and ``jurisdiction_id``; turns errors into the spec's error list."""
    allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)

    def decorator(
        view: Callable[Concatenate[HttpRequest, str, P], HttpResponse],
    ) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(request: HttpRequest, fmt: str, *args: P.args, **kwargs: P.kwargs) -> Any:
            with translation.override(_language()):
                try:
                    if request.method not in allowed:
                        response = render_errors(
                            [(405, _("This method is not allowed here."))], fmt=fmt, status=405
                        )
                        response["Allow"] = ", ".join(sorted(allowed))
                        return response
                    _check_jurisdiction(request)
                    return view(request, fmt, *args, **kwargs)
                except Open311Error as exc:
                    return render_errors(
                        [(exc.status, exc.description)], fmt=fmt, status=exc.status
                    )
                except Http404:
                    return _not_found(fmt)

        return csrf_exempt(wrapper)  # API key authentication, no cookies

    return decorator


def _not_found(fmt: str) -> HttpResponse:
    return render_errors([(404, _("Not found."))], fmt=fmt, status=404)


def _param(request: HttpRequest, name: str) -> str:
    """A query (GET) or form (POST) argument; empty means missing, as the spec says."""
    source = request.POST if request.method == "POST" else request.GET
    return source.get(name, "").strip()


def _jurisdiction_ids() -> set[str]:
    ids = {deployment_regency_code().lower()}
    host = urlsplit(str(getattr(settings, "SITE_URL", ""))).hostname or ""
    if host:
        ids.add(host.lower().removeprefix("www."))
    ids.update(str(value).lower() for value in getattr(settings, "OPEN311_JURISDICTION_IDS", ()))
    return ids


def _check_jurisdiction(request: HttpRequest) -> None:
    jurisdiction = _param(request, "jurisdiction_id")
    if jurisdiction and jurisdiction.lower() not in _jurisdiction_ids():
        raise Open311Error(404, _("This server does not serve that jurisdiction_id."))


# --- Discovery and services ---------------------------------------------------------------------


def _endpoint_url() -> str:
    path = reverse("open311:discovery", kwargs={"fmt": "xml"}).removesuffix("discovery.xml")
    return records.site_url() + path.rstrip("/")


@open311_view("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    document = {
        "changeset": CHANGESET,
        "contact": str(getattr(settings, "OPEN311_CONTACT", "") or records.site_url()),
        "key_service": _(
            "API keys for submitting reports are issued by the city's administrators. "
            "Reading needs no key."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION_URL,
                "url": _endpoint_url(),
                "changeset": CHANGESET,
                "type": "test" if settings.DEBUG else "production",
                "formats": [XML_CONTENT_TYPE.split(";")[0], JSON_CONTENT_TYPE.split(";")[0]],
            }
        ],
    }
    return render_object(document, root="discovery", fmt=fmt)


@open311_view("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    services = [records.service_record(category) for category in categories_active()]
    return render_list(services, root="services", fmt=fmt)


def _category(code: str) -> Category:
    category = next((c for c in categories_active().filter(code=code)), None)
    if category is None:
        raise Open311Error(404, _("Unknown service_code."))
    return category


@open311_view("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    category = _category(code)
    return render_object(records.service_definition(category), root="service_definition", fmt=fmt)


# --- Requests -----------------------------------------------------------------------------------


@open311_view("GET", "POST")
def service_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _request_create(request, fmt)
    return _request_list(request, fmt)


@open311_view("GET")
def service_request(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    reference = normalize_reference(request_id, prefix="ADU")
    if reference is None:
        raise Http404
    complaint = complaint_public_get(reference=reference)
    media_url = _media_url_builder([complaint])
    return render_list(
        [records.request_record(complaint, media_url=media_url)],
        root="service_requests",
        fmt=fmt,
    )


@open311_view("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    # Every report gets its service_request_id at once: no token is ever issued.
    raise Open311Error(404, _("Unknown token."))


def not_found(request: HttpRequest, path: str) -> HttpResponse:
    """Anything else under /open311/v2/: a 404 in the spec's shape (XML unless ``.json``)."""
    with translation.override(_language()):
        return _not_found("json" if path.endswith(".json") else "xml")


#: Public request lists are shared for a minute (core.page_cache): the default list is a
#: thousand records, the heaviest public call, and clients poll it.
REQUEST_LIST_CACHE_SECONDS = 60


@cache_anonymous_page(REQUEST_LIST_CACHE_SECONDS)
def _request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    queryset = _filtered_requests(request)
    page, page_size = _page(request)
    offset = (page - 1) * page_size
    # Plain rows, not model instances: a default list is a thousand records.
    rows = list(
        queryset.order_by("-submitted_at", "-pk").values(*records.REQUEST_COLUMNS)[
            offset : offset + page_size
        ]
    )
    media_urls = _media_urls(rows)
    city = records.city_name()
    items = [
        records.request_record_from_row(row, city=city, media_url=media_urls.get(row["id"], ""))
        for row in rows
    ]
    return render_list(items, root="service_requests", fmt=fmt)


def _filtered_requests(request: HttpRequest) -> QuerySet[Complaint]:
    queryset = complaints_public()
    ids = _comma_list(_param(request, "service_request_id"))
    if ids:
        # The spec: service_request_id overrides every other filter.
        references = {normalize_reference(value, prefix="ADU") for value in ids[:MAX_IDS]}
        return queryset.filter(reference__in=[r for r in references if r])
    codes = _comma_list(_param(request, "service_code"))
    if codes:
        queryset = queryset.filter(category__code__in=codes)
    statuses = set(_comma_list(_param(request, "status")))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status must be open, closed or both, separated by a comma."))
    if statuses == {"open"}:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif statuses == {"closed"}:
        queryset = queryset.exclude(status__in=OPEN_STATUSES)
    start, end = _window(request)
    return queryset.filter(submitted_at__gte=start, submitted_at__lte=end)


def _comma_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _window(request: HttpRequest) -> tuple[datetime, datetime]:
    start = _datetime_param(request, "start_date", end_of_day=False)
    end = _datetime_param(request, "end_date", end_of_day=True)
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        assert end is not None
        start = end - MAX_WINDOW
    if end is None:
        end = start + MAX_WINDOW
    if end < start:
        raise Open311Error(400, _("end_date must not be before start_date."))
    if end - start > MAX_WINDOW:
        raise Open311Error(
            400, _("The range from start_date to end_date may not be longer than 90 days.")
        )
    return start, end


def _datetime_param(request: HttpRequest, name: str, *, end_of_day: bool) -> datetime | None:
    raw = _param(request, name)
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            if day is None:
                raise ValueError(raw)
            value = _day_bound(day, end_of_day=end_of_day)
    except ValueError:
        raise Open311Error(
            400,
            _("%(name)s must be a date and time in ISO 8601, e.g. 2025-03-04T09:15:00+07:00.")
            % {"name": name},
        ) from None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=records.WIB)  # documented: no offset means WIB
    return value


def _day_bound(day: date, *, end_of_day: bool) -> datetime:
    return datetime.combine(day, time.max if end_of_day else time.min, tzinfo=records.WIB)


def _page(request: HttpRequest) -> tuple[int, int]:
    try:
        page = int(_param(request, "page") or 1)
        page_size = int(_param(request, "page_size") or MAX_REQUESTS)
    except ValueError:
        raise Open311Error(400, _("page and page_size must be whole numbers.")) from None
    if page < 1 or not 1 <= page_size <= MAX_REQUESTS:
        raise Open311Error(
            400,
            _("page must be at least 1 and page_size between 1 and %(max)s.")
            % {"max": MAX_REQUESTS},
        )
    return page, page_size


def _media_urls(rows: list[dict[str, Any]]) -> dict[int, str]:
    """``media_url`` per complaint id of a list: its first public report photo (one query)."""
    if not rows or records.public_photo_url_builder(records.site_url()) is None:
        return {}
    references = {row["id"]: row["reference"] for row in rows}
    first: dict[int, Any] = {}
    photos = (
        ComplaintPhoto.objects.filter(
            complaint_id__in=list(references), kind=PhotoKind.REPORT, is_redacted=False
        )
        .order_by("created_at", "id")
        .values_list("complaint_id", "file_id")
    )
    for complaint_id, file_id in photos:
        first.setdefault(complaint_id, file_id)
    base = records.site_url()
    return {
        complaint_id: base
        + reverse(
            "complaints:public_photo",
            kwargs={"reference": references[complaint_id], "file_id": file_id},
        )
        for complaint_id, file_id in first.items()
    }


def _media_url_builder(complaints: list[Complaint]) -> Callable[[Complaint], str] | None:
    build = records.public_photo_url_builder(records.site_url())
    if build is not None and complaints:
        prefetch_related_objects(
            complaints,
            Prefetch(
                "photos",
                queryset=ComplaintPhoto.objects.filter(
                    kind=PhotoKind.REPORT, is_redacted=False
                ).order_by("created_at", "id"),
                to_attr="public_report_photos",
            ),
        )
    return build


# --- POST Service Request -----------------------------------------------------------------------


def _request_create(request: HttpRequest, fmt: str) -> HttpResponse:
    api_key = _param(request, "api_key")
    if not api_key:
        raise Open311Error(403, _("An api_key is required to submit a report."))
    client = open311_client_by_key(api_key)
    if client is None or not client.is_active:
        raise Open311Error(403, _("The api_key is not valid."))
    code = _param(request, "service_code")
    if not code:
        raise Open311Error(400, _("service_code is required."))
    category = _category(code)
    latitude, longitude = _point(request)
    description = request.POST.get("description", "")
    if not description.strip():
        raise Open311Error(400, _("description is required: describe the problem."))
    email = _param(request, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, _("email is not a valid e-mail address.")) from None
    media_url = _media_url_param(request)
    header_key = request.headers.get("Idempotency-Key", "").strip()
    if len(header_key) > MAX_HEADER_KEY_LENGTH or not header_key.isprintable():
        raise Open311Error(
            400,
            _("The Idempotency-Key header may have at most %(max)s printable characters.")
            % {"max": MAX_HEADER_KEY_LENGTH},
        )
    if not _client_submission_allowed(client.pk, device_id=_param(request, "device_id")):
        raise Open311Error(429, _("Too many requests. Please try again later."))
    try:
        complaint = open311_request_create(
            client=client,
            category=category,
            latitude=latitude,
            longitude=longitude,
            description=description,
            answers=_answers(request),
            email=email,
            first_name=_param(request, "first_name"),
            last_name=_param(request, "last_name"),
            phone=_param(request, "phone"),
            media_url=media_url,
            header_key=header_key,
            request=request,
        )
    except ValidationError as exc:
        return render_errors([(400, message) for message in exc.messages], fmt=fmt, status=400)
    item = {
        "service_request_id": complaint.reference,
        "service_notice": _service_notice(complaint),
        "account_id": _param(request, "account_id"),
    }
    return render_list([item], root="service_requests", fmt=fmt)


def _point(request: HttpRequest) -> tuple[float, float]:
    raw_lat, raw_long = _param(request, "lat"), _param(request, "long")
    if not raw_lat and not raw_long:
        if _param(request, "address_string") or _param(request, "address_id"):
            raise Open311Error(
                400,
                _(
                    "Reports need a point: send lat and long. An address alone cannot be "
                    "placed on the map yet."
                ),
            )
        raise Open311Error(400, _("A location is required: send lat and long."))
    if not raw_lat or not raw_long:
        raise Open311Error(400, _("lat and long must be sent together."))
    try:
        latitude, longitude = float(raw_lat), float(raw_long)
    except ValueError:
        raise Open311Error(400, _("lat and long must be numbers (WGS84 degrees).")) from None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise Open311Error(400, _("lat and long must be numbers (WGS84 degrees)."))
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise Open311Error(400, _("lat must be between -90 and 90 and long between -180 and 180."))
    return latitude, longitude


def _answers(request: HttpRequest) -> dict[str, str | list[str]]:
    """``attribute[code]=v`` and, for multivaluelist, ``attribute[code][]=v1&…[]=v2``."""
    answers: dict[str, str | list[str]] = {}
    for key in request.POST:
        if not key.startswith("attribute[") or not key.endswith("]"):
            continue
        inner = key[len("attribute[") : -1]
        if inner.endswith("]["):
            code = inner[:-2]
            answers[code] = [v for v in request.POST.getlist(key) if v != ""]
        elif "[" not in inner and "]" not in inner:
            values = request.POST.getlist(key)
            if len(values) > 1:
                answers[inner] = values
            elif values and values[0] != "":
                answers[inner] = values[0]
    return answers


def _media_url_param(request: HttpRequest) -> str:
    media_url = _param(request, "media_url")
    if not media_url:
        return ""
    try:
        if len(media_url) > MAX_MEDIA_URL_LENGTH:
            raise ValidationError("too long")
        URLValidator(schemes=["http", "https"])(media_url)
    except ValidationError:
        raise Open311Error(400, _("media_url must be an http or https address.")) from None
    return media_url


def _client_submission_allowed(client_id: int, *, device_id: str) -> bool:
    """Per client application, and per device of it when the client names one (hourly)."""
    slot = int(timezone.now().timestamp()) // 3600
    limits = [(f"open311:submit:{client_id}:{slot}", CLIENT_SUBMISSIONS_PER_HOUR)]
    if device_id:
        device = hashlib.sha256(device_id.encode()).hexdigest()[:32]
        limits.append(
            (f"open311:submit:{client_id}:{slot}:{device}", complaint_policy().submissions_per_hour)
        )
    for key, limit in limits:
        cache.add(key, 0, timeout=3600)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=3600)
            count = 1
        if count > limit:
            return False
    return True


def _service_notice(complaint: Complaint) -> str:
    notice = _(
        "Report received with number %(reference)s. It is checked within %(days)s working days."
    ) % {"reference": complaint.reference, "days": complaint_policy().verification_working_days}
    if complaint.category.is_emergency:
        notice = _("In an emergency call 112, or the police on 110.") + " " + notice
    return notice


__all__ = [
    "FORMATS",
    "discovery",
    "not_found",
    "service_definition",
    "service_list",
    "service_request",
    "service_requests",
    "token",
]
