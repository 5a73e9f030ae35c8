"""Civil registration in the project's own API (``/api/v1/civil-registration/…``).

Public:
* ``GET services/`` the active document services; ``GET services/{code}/`` one service with its
  requirements, form fields, deadline, fine and offline alternative (documents are free).

Citizen (logged in; only their own applications, anyone else's id is a 404):
* ``GET applications/`` their applications; ``GET applications/{id}/`` one with its public
  timeline, files (every round) and SLA clock.
* ``POST applications/`` submit (multipart; one file per requirement in
  ``documents.<requirement code>``; ``Idempotency-Key`` header or ``idempotency_key`` field: a retry
  returns the first application with 200 instead of 201).
* ``POST applications/{id}/resubmit/`` replace the refused files (same application, next round);
  ``POST applications/{id}/cancel/``.

Officers (a Disdukcapil case role; their own unit only, another unit's case is a 404):
* ``GET queue/`` the unit's open applications (masked; filters ``status``, ``service``,
  ``overdue``, ``mine``, ``unassigned``); ``GET queue/{id}/`` the case page (personal data only for
  the assigned officer, audited); ``POST queue/{id}/claim/``;
  ``POST queue/{id}/documents/{document id}/verify/``.

Views are thin: rules live in ``services`` and visibility in ``selectors``. Errors use the API's
one shape (``kotapintar.core.api.errors``).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.pagination import BasePagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kotapintar.accounts.models import User
from kotapintar.accounts.roles import Role
from kotapintar.civil_registration import selectors, selectors_staff, services
from kotapintar.civil_registration.models import (
    OPEN_STATUSES,
    Application,
    ApplicationDocument,
    DocumentService,
    RejectionReason,
)
from kotapintar.civil_registration.serializers import (
    ApplicationCaseSerializer,
    ApplicationDetailSerializer,
    ApplicationDocumentVerifySerializer,
    ApplicationListSerializer,
    ApplicationQueueItemSerializer,
    ApplicationResubmitSerializer,
    ApplicationSubmitSerializer,
    DocumentServiceDetailSerializer,
    DocumentServiceListSerializer,
    QueueFilterSerializer,
)
from kotapintar.core.api.pagination import StandardPagination
from kotapintar.core.lookups import get_or_404

IDEMPOTENCY_KEY_MAX_LENGTH = services.IDEMPOTENCY_KEY_MAX_LENGTH
DOCUMENT_FIELD_PREFIX = "documents."
PARSERS = [MultiPartParser, FormParser, JSONParser]

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="Same key again returns the first application (200) instead of a new one.",
)
QUEUE_PARAMETERS = [
    OpenApiParameter("status", OpenApiTypes.STR, description="One status; default: all open."),
    OpenApiParameter("service", OpenApiTypes.STR, description="Service code."),
    OpenApiParameter("overdue", OpenApiTypes.BOOL, description="Only past the service time."),
    OpenApiParameter("mine", OpenApiTypes.BOOL, description="Only those assigned to me."),
    OpenApiParameter("unassigned", OpenApiTypes.BOOL, description="Only unclaimed ones."),
]


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User) and user.is_authenticated  # IsAuthenticated ran first
    return user


def _documents(request: Request) -> dict[str, UploadedFile]:
    """Files named ``documents.<requirement code>`` -> {code: file} (the service checks them)."""
    files = getattr(request, "FILES", None)
    if not files:
        return {}
    return {
        name[len(DOCUMENT_FIELD_PREFIX) :]: files[name]
        for name in files
        if name.startswith(DOCUMENT_FIELD_PREFIX) and len(name) > len(DOCUMENT_FIELD_PREFIX)
    }


def _idempotency_key(request: Request, field_value: str) -> str:
    key = (request.headers.get("Idempotency-Key", "") or field_value or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not key.isprintable():
        raise exceptions.ValidationError(
            {"idempotency_key": [_("The submission key may have at most 80 printable characters.")]}
        )
    return key


def _paginated(
    queryset: QuerySet[Application], request: Request, view: APIView, serializer: Any
) -> Response:
    paginator: BasePagination = StandardPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


def _citizen_detail(application: Application) -> dict[str, Any]:
    context = {
        "timeline": list(selectors.application_timeline(application=application)),
        "documents": list(
            selectors.application_documents(application=application, include_superseded=True)
        ),
    }
    return dict(ApplicationDetailSerializer(application, context=context).data)


def _own(request: Request, application_id: str) -> Application:
    application = selectors.application_get_for_citizen(
        actor=_user(request), application_id=application_id
    )
    return (
        Application.objects.select_related("service", "unit", "rejection_reason")
        .filter(pk=application.pk)
        .get()
    )


# --- Services (public) ---------------------------------------------------------------------------


def _services() -> QuerySet[DocumentService]:
    # Requirements are prefetched by the selector (ordered by their Meta: order, id).
    return selectors.service_list_active()


class ServiceListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Document services",
        tags=["civil-registration"],
        responses=DocumentServiceListSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        return Response(DocumentServiceListSerializer(_services(), many=True).data)


class ServiceDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="One document service with its requirements",
        tags=["civil-registration"],
        responses=DocumentServiceDetailSerializer,
    )
    def get(self, request: Request, code: str) -> Response:
        service = _services().filter(code=code).first()
        if service is None:
            raise Http404
        return Response(DocumentServiceDetailSerializer(service).data)


# --- Citizen -------------------------------------------------------------------------------------


class ApplicationListCreateView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination
    parser_classes = PARSERS

    @extend_schema(
        summary="My applications",
        tags=["civil-registration"],
        responses=ApplicationListSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        mine = selectors.application_list_for_citizen(actor=_user(request)).order_by(
            "-submitted_at", "-pk"
        )
        return _paginated(mine, request, self, ApplicationListSerializer)

    @extend_schema(
        summary="Apply for a document",
        description="Multipart: one file per requirement in `documents.<requirement code>`; "
        "`form_data` as a JSON text.",
        tags=["civil-registration"],
        request={"multipart/form-data": ApplicationSubmitSerializer},
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: ApplicationDetailSerializer, 200: ApplicationDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        user = _user(request)
        if user.role != Role.CITIZEN:
            raise exceptions.PermissionDenied(_("Only citizens apply here."))
        serializer = ApplicationSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        key = _idempotency_key(request, data["idempotency_key"])
        service = selectors.service_list_active().filter(code=data["service"]).first()
        if service is None:
            raise exceptions.ValidationError(
                {"service": [_("Choose one of the offered services.")]}
            )
        before = (
            selectors.application_list_for_citizen(actor=user).filter(idempotency_key=key).exists()
            if key
            else False
        )
        application = services.application_submit(
            applicant=user,
            service=service,
            subject_name=data["subject_name"],
            relationship=data["relationship"],
            subject_nik=data["subject_nik"],
            subject_has_no_nik=data["subject_has_no_nik"],
            subject_kk=data["subject_kk"],
            event_date=data["event_date"] or None,
            form_data=data["form_data"],
            documents=_documents(request),
            delivery_method=data["delivery_method"],
            delivery_village_code=data["delivery_village"] or None,
            delivery_address=data["delivery_address"],
            district_code=data["district"] or None,
            biometric_recorded_declared=data["biometric_recorded_declared"],
            truth_declared=data["truth_declared"],
            idempotency_key=key,
            request=request._request,
        )
        return Response(
            _citizen_detail(_own(request, str(application.pk))),
            status=status.HTTP_200_OK if before else status.HTTP_201_CREATED,
        )


class ApplicationDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="One of my applications",
        tags=["civil-registration"],
        responses=ApplicationDetailSerializer,
    )
    def get(self, request: Request, application_id: str) -> Response:
        return Response(_citizen_detail(_own(request, application_id)))


class ResubmitView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = PARSERS

    @extend_schema(
        summary="Correct and resubmit a returned application",
        tags=["civil-registration"],
        request={"multipart/form-data": ApplicationResubmitSerializer},
        responses=ApplicationDetailSerializer,
    )
    def post(self, request: Request, application_id: str) -> Response:
        application = _own(request, application_id)
        serializer = ApplicationResubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.application_resubmit(
            actor=_user(request),
            application=application,
            documents=_documents(request),
            form_data=data.get("form_data"),
            subject_name=data.get("subject_name"),
            request=request._request,
        )
        return Response(_citizen_detail(_own(request, application_id)))


class CancelView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Cancel my application",
        tags=["civil-registration"],
        request=None,
        responses=ApplicationDetailSerializer,
    )
    def post(self, request: Request, application_id: str) -> Response:
        application = _own(request, application_id)
        services.application_cancel(
            actor=_user(request), application=application, request=request._request
        )
        return Response(_citizen_detail(_own(request, application_id)))


# --- Officers ------------------------------------------------------------------------------------


def _officer(request: Request) -> User:
    user = _user(request)
    if not selectors.is_case_officer(user):
        raise exceptions.PermissionDenied(_("Only Disdukcapil officers use the queue."))
    return user


def _case(request: Request, application_id: str) -> tuple[User, Application]:
    user = _officer(request)
    return user, selectors.application_get_for_officer(actor=user, application_id=application_id)


def _case_page(request: Request, user: User, application: Application) -> dict[str, Any]:
    view = selectors.application_detail_for_officer(
        actor=user, application=application, request=request._request
    )
    timeline = selectors.application_timeline(application=application, public_only=False)
    return dict(ApplicationCaseSerializer(view, context={"timeline": list(timeline)}).data)


class QueueView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination

    @extend_schema(
        summary="My unit's queue (masked)",
        tags=["civil-registration"],
        parameters=QUEUE_PARAMETERS,
        responses=ApplicationQueueItemSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = _officer(request)
        filters = QueueFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        # The same queue, in the same order (nearest due date first), as the officers' workspace.
        queue = selectors_staff.staff_queue(
            actor=user,
            status=data.get("status") or sorted(OPEN_STATUSES),
            service_code=data.get("service") or None,
            overdue=data["overdue"],
            mine=data["mine"],
            unassigned=data["unassigned"],
            late=False,
            possible_duplicate=False,
        )
        return _paginated(queue, request, self, ApplicationQueueItemSerializer)


class CaseView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The case page (personal data for the assigned officer only)",
        tags=["civil-registration"],
        responses=ApplicationCaseSerializer,
    )
    def get(self, request: Request, application_id: str) -> Response:
        user, application = _case(request, application_id)
        return Response(_case_page(request, user, application))


class ClaimView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Claim a submitted application",
        tags=["civil-registration"],
        request=None,
        responses=ApplicationCaseSerializer,
    )
    def post(self, request: Request, application_id: str) -> Response:
        user, application = _case(request, application_id)
        services.application_claim(actor=user, application=application, request=request._request)
        return Response(_case_page(request, user, _case(request, application_id)[1]))


class DocumentVerifyView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Mark a document valid or invalid",
        tags=["civil-registration"],
        request=ApplicationDocumentVerifySerializer,
        responses=ApplicationCaseSerializer,
    )
    def post(self, request: Request, application_id: str, document_id: str) -> Response:
        user, application = _case(request, application_id)
        document = get_or_404(
            ApplicationDocument.objects.filter(
                application=application, is_superseded=False
            ).select_related("application"),
            pk=document_id,
        )
        serializer = ApplicationDocumentVerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        reason = None
        if data["reason"]:
            reason = selectors.rejection_reasons_active().filter(code=data["reason"]).first()
            if reason is None:
                raise exceptions.ValidationError({"reason": [_("Choose one of the reasons.")]})
        services.document_verify(
            actor=user,
            document=document,
            valid=data["valid"],
            reason=reason if isinstance(reason, RejectionReason) else None,
            note=data["note"],
            request=request._request,
        )
        return Response(_case_page(request, user, _case(request, application_id)[1]))


__all__ = [
    "ApplicationDetailView",
    "ApplicationListCreateView",
    "CancelView",
    "CaseView",
    "ClaimView",
    "DocumentVerifyView",
    "QueueView",
    "ResubmitView",
    "ServiceDetailView",
    "ServiceListView",
]
