"""Complaints in the project's own API (``/api/v1/complaints/…``).

* ``GET complaints/`` public reports (no login), filters ``category`` (comma list), ``district``,
  ``status`` (``open``, ``closed`` or one of our statuses), ``date_from``/``date_to`` (dates, WIB).
* ``GET complaints/{reference}/`` one report with its timeline: public reports for anyone;
  the reporter and the staff handling it also see it when it is not public.
* ``POST complaints/`` a citizen submits (``Idempotency-Key`` header: a retry gives the same
  report with 200 instead of 201); ``GET complaints/mine/`` the caller's own reports.
* Staff: ``GET complaints/queue/`` the reports they may handle; ``POST …/{reference}/verify/``,
  ``…/dispose/`` and ``…/resolve/``.

Errors use the API's one shape (``kotapintar.core.api.errors``). Reporter identity is shown only
through ``reporter_display``, which applies the privacy mode for the viewer.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import BasePagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kotapintar.accounts.models import User
from kotapintar.accounts.roles import Role
from kotapintar.agencies.models import Agency
from kotapintar.complaints.models import (
    OPEN_STATUSES,
    Category,
    Complaint,
    ComplaintEvent,
    Privacy,
    Status,
)
from kotapintar.complaints.selectors import (
    categories_active,
    complaint_get_for_actor,
    complaint_public_get,
    complaint_timeline,
    complaints_for_actor,
    complaints_public,
    reporter_display,
)
from kotapintar.complaints.services import (
    complaint_dispose,
    complaint_resolve,
    complaint_submission_allowed,
    complaint_submit,
    complaint_verify,
)
from kotapintar.core.api.pagination import StandardPagination
from kotapintar.core.audit import client_ip
from kotapintar.core.reference_numbers import normalize_reference

WIB = ZoneInfo("Asia/Jakarta")
IDEMPOTENCY_KEY_MAX_LENGTH = 80
LIST_RELATED = ("category", "agency", "district", "village")
STAFF_ROLES = frozenset(
    {Role.OFFICER, Role.COORDINATOR, Role.AGENCY_HEAD, Role.ANALYST, Role.CITY_ADMIN}
)

# --- Output -------------------------------------------------------------------------------------


class CategoryRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class RegionRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class AgencyRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ComplaintListSerializer(serializers.Serializer):
    """A report in a list: no reporter identity, ever."""

    reference = serializers.CharField()
    category = CategoryRefSerializer()
    title = serializers.CharField()
    status = serializers.CharField(help_text="One of our statuses, e.g. diproses.")
    status_label = serializers.SerializerMethodField()
    open = serializers.SerializerMethodField(help_text="Open311's open/closed as a boolean.")
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    address = serializers.CharField()
    district = RegionRefSerializer(allow_null=True)
    village = RegionRefSerializer(allow_null=True)
    agency = AgencyRefSerializer(allow_null=True)
    supporter_count = serializers.IntegerField()
    submitted_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(
        source="sla_due_at", allow_null=True, help_text="Due date of the current SLA stage."
    )

    def get_status_label(self, obj: Complaint) -> str:
        return str(Status(obj.status).label)

    def get_open(self, obj: Complaint) -> bool:
        return obj.status in OPEN_STATUSES


class EventSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    message = serializers.CharField()
    is_public = serializers.BooleanField(help_text="False for internal notes (staff only).")
    created_at = serializers.DateTimeField()


class ComplaintDetailSerializer(ComplaintListSerializer):
    description = serializers.CharField()
    privacy = serializers.CharField()
    reporter = serializers.SerializerMethodField(
        help_text="Display name as the viewer may see it (Anonim for anonymous reports)."
    )
    resolution_note = serializers.CharField()
    timeline = serializers.SerializerMethodField()

    def get_reporter(self, obj: Complaint) -> str:
        return reporter_display(complaint=obj, viewer=self.context.get("viewer"))

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, obj: Complaint) -> list[dict[str, Any]]:
        events: list[ComplaintEvent] = self.context.get("timeline", [])
        return list(EventSerializer(events, many=True).data)


def _viewer(request: Request) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _detail(complaint: Complaint, request: Request) -> dict[str, Any]:
    viewer = _viewer(request)
    timeline = complaint_timeline(complaint=complaint, actor=viewer)
    context = {"viewer": viewer, "timeline": timeline}
    return dict(ComplaintDetailSerializer(complaint, context=context).data)


# --- Filters ------------------------------------------------------------------------------------


class PublicFilterSerializer(serializers.Serializer):
    category = serializers.CharField(required=False, help_text="Category codes, comma separated.")
    district = serializers.RegexField(
        r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$", required=False, help_text="Kecamatan code, 12.71.01."
    )
    status = serializers.ChoiceField(choices=["open", "closed", *Status.values], required=False)
    date_from = serializers.DateField(required=False, help_text="Submitted on or after (WIB).")
    date_to = serializers.DateField(required=False, help_text="Submitted on or before (WIB).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "date_from" in attrs and "date_to" in attrs and attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError(
                {"date_to": [_("The end date must not be before the start date.")]}
            )
        return attrs


def _apply_filters(queryset: QuerySet[Complaint], params: dict[str, Any]) -> QuerySet[Complaint]:
    # Empty parameters count as missing (as in Open311).
    data = {key: value for key, value in params.items() if value not in ("", None)}
    serializer = PublicFilterSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    filters = serializer.validated_data
    if "category" in filters:
        codes = [code.strip() for code in filters["category"].split(",") if code.strip()]
        queryset = queryset.filter(category__code__in=codes)
    if "district" in filters:
        queryset = queryset.filter(district_id=filters["district"])
    wanted = filters.get("status")
    if wanted == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif wanted == "closed":
        queryset = queryset.exclude(status__in=OPEN_STATUSES)
    elif wanted:
        queryset = queryset.filter(status=wanted)
    if "date_from" in filters:
        queryset = queryset.filter(submitted_at__gte=_day_start(filters["date_from"]))
    if "date_to" in filters:
        queryset = queryset.filter(submitted_at__lte=_day_end(filters["date_to"]))
    return queryset


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=WIB)


def _day_end(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=WIB)


FILTER_PARAMETERS = [
    OpenApiParameter("category", OpenApiTypes.STR, description="Category codes, comma separated."),
    OpenApiParameter("district", OpenApiTypes.STR, description="Kecamatan code, e.g. 12.71.01."),
    OpenApiParameter(
        "status", OpenApiTypes.STR, description="open, closed, or a status such as diproses."
    ),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Submitted on or after (WIB)."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Submitted on or before (WIB)."),
]


def _paginated(queryset: QuerySet[Complaint], request: Request, view: APIView) -> Response:
    paginator: BasePagination = StandardPagination()
    ordered = queryset.select_related(*LIST_RELATED).order_by("-submitted_at", "-pk")
    page = paginator.paginate_queryset(ordered, request, view=view)
    data = ComplaintListSerializer(page, many=True).data
    return paginator.get_paginated_response(data)


def _reference(value: str) -> str:
    reference = normalize_reference(value, prefix="ADU")
    if reference is None:
        raise Http404
    return reference


# --- Input --------------------------------------------------------------------------------------


class ComplaintSubmitSerializer(serializers.Serializer):
    category = serializers.SlugField(help_text="Category code (the Open311 service_code).")
    title = serializers.CharField(max_length=120, trim_whitespace=False)
    description = serializers.CharField(trim_whitespace=False)
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    privacy = serializers.ChoiceField(choices=Privacy.choices, default=Privacy.PUBLIC)
    answers = serializers.DictField(
        required=False,
        help_text="Answers to the category's questions: {code: value or [values]}.",
    )
    village = serializers.CharField(
        required=False, allow_blank=True, help_text="Kelurahan code, when not taken from the point."
    )
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="Multipart only; at most 3."
    )

    def validate_category(self, value: str) -> Category:
        category = categories_active().filter(code=value).first()
        if category is None:
            raise serializers.ValidationError(_("Unknown category."), code="unknown_category")
        return category

    def validate_answers(self, value: dict[str, Any]) -> dict[str, str | list[str]]:
        answers: dict[str, str | list[str]] = {}
        for code, answer in value.items():
            if isinstance(answer, list):
                answers[str(code)] = [str(item) for item in answer]
            else:
                answers[str(code)] = str(answer)
        return answers


class DisposeSerializer(serializers.Serializer):
    agency = serializers.SlugField(
        required=False, allow_blank=True, help_text="Agency code; empty: routed by the rules."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate_agency(self, value: str) -> Agency | None:
        if not value:
            return None
        agency = Agency.objects.filter(code=value, is_active=True).first()
        if agency is None:
            raise serializers.ValidationError(_("Unknown agency."), code="unknown_agency")
        return agency


class ResolveSerializer(serializers.Serializer):
    response = serializers.CharField(trim_whitespace=False)
    after_photos = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="Multipart only."
    )


def _photos(request: Request, field: str) -> list[UploadedFile]:
    # Files are passed to the service as uploaded: it validates them by content.
    return list(request.FILES.getlist(field)) if hasattr(request, "FILES") else []


def _idempotency_key(request: Request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not key.isprintable():
        raise exceptions.ValidationError(
            {
                "Idempotency-Key": [
                    _("The Idempotency-Key header may have at most 80 printable characters.")
                ]
            }
        )
    return key


# --- Views --------------------------------------------------------------------------------------


class ComplaintListCreateView(APIView):
    """Public reports (anyone); submitting needs a logged-in citizen."""

    pagination_class = StandardPagination  # read by drf-spectacular for the list schema

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(
        summary="Public reports",
        tags=["complaints"],
        parameters=[*FILTER_PARAMETERS],
        responses=ComplaintListSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        return _paginated(_apply_filters(complaints_public(), request.query_params), request, self)

    @extend_schema(
        summary="Submit a report",
        tags=["complaints"],
        request=ComplaintSubmitSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                description="Same key again returns the first report (200) instead of a new one.",
            )
        ],
        responses={201: ComplaintDetailSerializer, 200: ComplaintDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        user = _viewer(request)
        assert user is not None
        if user.role != Role.CITIZEN:
            raise exceptions.PermissionDenied(_("Only citizens submit reports here."))
        key = _idempotency_key(request)
        serializer = ComplaintSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not complaint_submission_allowed(reporter=user, ip=client_ip(request._request) or ""):
            raise exceptions.Throttled()
        before = (
            complaints_for_actor(actor=user).filter(idempotency_key=key).first() if key else None
        )
        complaint = complaint_submit(
            reporter=user,
            category=data["category"],
            title=data["title"],
            description=data["description"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            address=data.get("address", ""),
            privacy=data["privacy"],
            answers=data.get("answers") or {},
            photos=_photos(request, "photos"),
            channel="api",
            idempotency_key=key,
            village_code=data.get("village") or None,
            request=request._request,
        )
        created = before is None
        return Response(
            _detail(complaint, request),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ComplaintDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="One report with its timeline",
        tags=["complaints"],
        responses=ComplaintDetailSerializer,
    )
    def get(self, request: Request, reference: str) -> Response:
        return Response(_detail(_get_visible(request, reference), request))


def _get_visible(request: Request, reference: str) -> Complaint:
    """Public, or visible to the caller (own report, staff handling it); else 404."""
    normalized = _reference(reference)
    viewer = _viewer(request)
    if viewer is not None:
        try:
            return complaint_get_for_actor(actor=viewer, reference=normalized)
        except Http404:
            pass
    return complaint_public_get(reference=normalized)


class MyComplaintsView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination

    @extend_schema(
        summary="My reports",
        tags=["complaints"],
        parameters=[*FILTER_PARAMETERS],
        responses=ComplaintListSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = _viewer(request)
        assert user is not None
        mine = complaints_for_actor(actor=user).filter(reporter=user)
        return _paginated(_apply_filters(mine, request.query_params), request, self)


def _require_staff(request: Request) -> User:
    user = _viewer(request)
    if user is None or user.role not in STAFF_ROLES:
        raise exceptions.PermissionDenied()
    return user


class StaffQueueView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination

    @extend_schema(
        summary="Staff queue (reports the caller may handle)",
        tags=["complaints"],
        parameters=[*FILTER_PARAMETERS],
        responses=ComplaintListSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = _require_staff(request)
        queue = complaints_for_actor(actor=user)
        return _paginated(_apply_filters(queue, request.query_params), request, self)


class _ActionView(APIView):
    permission_classes = [IsAuthenticated]

    def _complaint(self, request: Request, reference: str) -> tuple[User, Complaint]:
        user = _require_staff(request)
        return user, complaint_get_for_actor(actor=user, reference=_reference(reference))


class VerifyView(_ActionView):
    @extend_schema(
        summary="Verify a report",
        tags=["complaints"],
        request=None,
        responses=ComplaintDetailSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        user, complaint = self._complaint(request, reference)
        complaint_verify(complaint=complaint, actor=user, request=request._request)
        complaint.refresh_from_db()
        return Response(_detail(complaint, request))


class DisposeView(_ActionView):
    @extend_schema(
        summary="Send a report to an agency",
        tags=["complaints"],
        request=DisposeSerializer,
        responses=ComplaintDetailSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        user, complaint = self._complaint(request, reference)
        serializer = DisposeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        complaint_dispose(
            complaint=complaint,
            actor=user,
            agency=serializer.validated_data.get("agency"),
            note=serializer.validated_data.get("note", ""),
            request=request._request,
        )
        complaint.refresh_from_db()
        return Response(_detail(complaint, request))


class ResolveView(_ActionView):
    @extend_schema(
        summary="Resolve a report",
        tags=["complaints"],
        request=ResolveSerializer,
        responses=ComplaintDetailSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        user, complaint = self._complaint(request, reference)
        serializer = ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        complaint_resolve(
            complaint=complaint,
            actor=user,
            response=serializer.validated_data["response"],
            after_photos=_photos(request, "after_photos"),
            request=request._request,
        )
        complaint.refresh_from_db()
        return Response(_detail(complaint, request))


__all__ = [
    "ComplaintDetailView",
    "ComplaintListCreateView",
    "DisposeView",
    "MyComplaintsView",
    "ResolveView",
    "StaffQueueView",
    "VerifyView",
]
