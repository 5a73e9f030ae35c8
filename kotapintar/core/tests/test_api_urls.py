"""Test-only URLconf (no tests here): API views that exercise the error handler and pagination.

Used with ``@pytest.mark.urls("kotapintar.core.tests.test_api_urls")``; the real API URLs are
included too, so ``/api/v1/meta/`` and friends answer as usual. Only ``config.api_urls``, not
``config.urls``: this module is imported at collection time, and importing the admin's URLs
then would freeze the admin's model list before test modules register theirs.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import include, path
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from kotapintar.agencies.models import Agency


class AgencyItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["code", "name"]


class AgencyListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = AgencyItemSerializer
    queryset = Agency.objects.order_by("code")


class AddressSerializer(serializers.Serializer):
    street = serializers.CharField(max_length=20)


class ItemSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1)


class SubmissionSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=10)
    address = AddressSerializer()
    items = ItemSerializer(many=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["title"] == "forbidden":
            raise serializers.ValidationError("This title cannot be used.")
        return attrs


class PrivateView(APIView):
    """Default permission (IsAuthenticated): GET echoes the user, POST validates a body."""

    def get(self, request: Request) -> Response:
        return Response({"email": request.user.get_username()})

    def post(self, request: Request) -> Response:
        serializer = SubmissionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data, status=201)


class StaffOnlyView(APIView):
    permission_classes = [IsAdminUser]

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class ServiceValidationErrorView(APIView):
    """A service raising Django's ValidationError, as services do."""

    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        raise ValidationError(
            {
                "nik": [ValidationError("A NIK has 16 digits.", code="nik_length")],
                "__all__": [ValidationError("The application is closed.", code="closed")],
            }
        )


class ServiceSingleErrorView(APIView):
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        raise ValidationError("This service is not available today.", code="unavailable")


class MissingView(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        # What get_object_or_404 would say, with personal data in it: must not be echoed.
        raise Http404("No Application matches NIK 1271011708850001.")


class DeniedView(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        raise PermissionDenied


class BrokenView(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        raise RuntimeError("unexpected failure for 1271011708850001")


class LoggingView(APIView):
    """Writes an application log line while handling the request, as services do."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        logging.getLogger("kotapintar.tests").info(
            "Looked up NIK %s for phone %s", "1271011708850001", "081234567890"
        )
        return Response({"ok": True})


class TwoPerMinuteThrottle(AnonRateThrottle):
    scope = "test-two-per-minute"
    rate = "2/min"


class ThrottledView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [TwoPerMinuteThrottle]

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


urlpatterns = [
    path("api/v1/test/agencies/", AgencyListView.as_view()),
    path("api/v1/test/private/", PrivateView.as_view()),
    path("api/v1/test/staff-only/", StaffOnlyView.as_view()),
    path("api/v1/test/service-error/", ServiceValidationErrorView.as_view()),
    path("api/v1/test/service-single-error/", ServiceSingleErrorView.as_view()),
    path("api/v1/test/missing/", MissingView.as_view()),
    path("api/v1/test/denied/", DeniedView.as_view()),
    path("api/v1/test/broken/", BrokenView.as_view()),
    path("api/v1/test/throttled/", ThrottledView.as_view()),
    path("api/v1/test/log/", LoggingView.as_view()),
    path("api/v1/", include("config.api_urls")),
]
