"""Platform-wide API endpoints."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import metadata

from django.conf import settings
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kotapintar.regions.selectors import deployment_city_name, deployment_regency_code


@lru_cache(maxsize=1)
def platform_version() -> str:
    """The release of the code: the installed distribution, else ``pyproject.toml``."""
    try:
        return metadata.version("kotapintar")
    except metadata.PackageNotFoundError:
        pass
    try:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


class MetaSerializer(serializers.Serializer):
    platform = serializers.CharField(help_text="Always “Kota Pintar”.")
    version = serializers.CharField(help_text="Release of the platform code.")
    api_version = serializers.CharField(help_text="Version of this API (the URL prefix).")
    region_code = serializers.CharField(
        help_text="Kemendagri code of the kabupaten/kota this deployment serves, e.g. 12.71."
    )
    city_name = serializers.CharField(help_text="Name of that kabupaten/kota.")
    language = serializers.CharField(help_text="Language of this response's messages.")
    time_zone = serializers.CharField(help_text="Time zone in which dates are shown.")


class MetaView(APIView):
    """What a client needs to know about the deployment it talks to. No login needed."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="meta_retrieve", responses=MetaSerializer, tags=["meta"])
    def get(self, request: Request) -> Response:
        data = {
            "platform": "Kota Pintar",
            "version": platform_version(),
            "api_version": "v1",
            "region_code": deployment_regency_code(),
            "city_name": deployment_city_name(),
            "language": get_language() or settings.LANGUAGE_CODE,
            "time_zone": settings.TIME_ZONE,
        }
        return Response(MetaSerializer(data).data)
