"""Accounts API: the caller's own profile and token login."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from kotapintar.accounts.models import User
from kotapintar.accounts.phone import normalize_indonesian_mobile
from kotapintar.accounts.services import LANGUAGES, user_update_profile
from kotapintar.core.personal_data import NikSerializerField, mask_phone

#: Token logins per client IP; settings may override with REST_FRAMEWORK rates["auth_token"].
AUTH_TOKEN_DEFAULT_RATE = "10/min"  # noqa: S105 - a rate, not a secret


class AuthTokenThrottle(ScopedRateThrottle):
    """Scoped throttle with a safe default when the project settings define no rate."""

    def get_rate(self) -> str | None:
        return self.THROTTLE_RATES.get(self.scope or "", AUTH_TOKEN_DEFAULT_RATE)


class MaskedPersonalDataField(serializers.CharField):
    """Written in clear (validated by the serializer), always read back masked."""

    def __init__(self, *, masker: Any, **kwargs: Any) -> None:
        self.masker = masker
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        return self.masker(value) if value else ""


class MeSerializer(serializers.ModelSerializer):
    nik = NikSerializerField(
        required=False,
        allow_blank=True,
        help_text='16-digit NIK. Returned masked; send "" to remove it.',
    )
    phone = MaskedPersonalDataField(
        masker=mask_phone,
        required=False,
        allow_blank=True,
        help_text='Indonesian mobile number. Returned masked; send "" to remove it.',
    )
    preferred_language = serializers.ChoiceField(choices=LANGUAGES, required=False)
    email_confirmed = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "phone",
            "nik",
            "preferred_language",
            "role",
            "agency",
            "unit",
            "email_confirmed",
        ]
        read_only_fields = ["id", "email", "role", "agency", "unit"]

    def get_email_confirmed(self, obj: User) -> bool:
        return obj.email_verified_at is not None

    def validate_phone(self, value: str) -> str:
        if value == "":
            return ""
        try:
            return normalize_indonesian_mobile(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(list(exc.messages), code="invalid_phone") from exc


@extend_schema_view(
    get=extend_schema(summary="Own profile", tags=["accounts"], responses=MeSerializer),
    patch=extend_schema(
        summary="Update own profile",
        tags=["accounts"],
        request=MeSerializer,
        responses=MeSerializer,
    ),
)
class MeView(APIView):
    permission_classes = [IsAuthenticated]
    serializer_class = MeSerializer

    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)

    def patch(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)
        serializer = MeSerializer(user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            user = user_update_profile(
                user=user,
                full_name=data.get("full_name", user.full_name),
                phone=data.get("phone"),
                nik=data.get("nik"),
                preferred_language=data.get("preferred_language"),
                request=request._request,
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc
        return Response(MeSerializer(user).data)


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class AuthTokenView(APIView):
    """Exchange e-mail and password for an API token (rate limited, lockout applies)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [AuthTokenThrottle]
    throttle_scope = "auth_token"
    serializer_class = TokenRequestSerializer

    @extend_schema(
        summary="Obtain an API token",
        tags=["accounts"],
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        http_request = request._request
        user = authenticate(
            http_request,
            username=serializer.validated_data["email"].strip().lower(),
            password=serializer.validated_data["password"],
        )
        if getattr(http_request, "axes_locked_out", False):
            # Answer in the API's JSON error shape instead of axes' HTML lockout page.
            http_request.axes_locked_out = False  # type: ignore[attr-defined]
            raise exceptions.Throttled(
                detail=_("Too many failed attempts. Please try again later.")
            )
        if user is None or not user.is_active:
            # 400 like DRF's own token view; no hint whether the address exists.
            raise exceptions.ValidationError(
                {"non_field_errors": [_("The e-mail address or the password is not correct.")]}
            )
        assert isinstance(user, User)
        if user.email_verified_at is None:
            raise exceptions.PermissionDenied(
                _("Your e-mail address is not confirmed yet."), code="email_unconfirmed"
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key}, status=status.HTTP_200_OK)
