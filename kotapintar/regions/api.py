"""Read-only region API: the city's kecamatan, their kelurahan, and "where is this point?"."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kotapintar.regions.models import District, Village
from kotapintar.regions.selectors import (
    city_districts,
    is_district_code,
    point_in_city,
    village_at,
    villages_of,
)


class DistrictSerializer(serializers.ModelSerializer[District]):
    nik_prefix = serializers.CharField(
        read_only=True, help_text="The six digits a NIK issued in this kecamatan starts with."
    )

    class Meta:
        model = District
        fields = ["code", "name", "nik_prefix"]


class VillageSerializer(serializers.ModelSerializer[Village]):
    district = serializers.CharField(source="district_id", read_only=True)

    class Meta:
        model = Village
        fields = ["code", "name", "kind", "district"]


class LocateQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="Latitude (WGS 84).")
    lon = serializers.FloatField(min_value=-180, max_value=180, help_text="Longitude (WGS 84).")


class LocatedDistrictSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class LocatedVillageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


class LocateResultSerializer(serializers.Serializer):
    in_city = serializers.BooleanField(help_text="Whether the point lies in the deployment city.")
    district = LocatedDistrictSerializer(allow_null=True, help_text="Kecamatan, if known.")
    village = LocatedVillageSerializer(allow_null=True, help_text="Kelurahan/desa, if known.")


class VillageQuerySerializer(serializers.Serializer):
    district = serializers.CharField(help_text="Kecamatan code, e.g. 12.71.01.")

    def validate_district(self, value: str) -> str:
        if not is_district_code(value):
            raise serializers.ValidationError(
                _("Enter a kecamatan code such as 12.71.01."), code="invalid"
            )
        return value


@extend_schema(tags=["regions"], summary="Kecamatan of the deployment city")
class DistrictListView(generics.ListAPIView[District]):
    permission_classes = [AllowAny]
    serializer_class = DistrictSerializer

    def get_queryset(self) -> QuerySet[District]:
        return city_districts()


@extend_schema(
    tags=["regions"],
    summary="Kelurahan/desa of a kecamatan",
    parameters=[
        OpenApiParameter(
            "district",
            OpenApiTypes.STR,
            OpenApiParameter.QUERY,
            required=True,
            description="Kecamatan code, e.g. 12.71.01.",
        )
    ],
)
class VillageListView(generics.ListAPIView[Village]):
    permission_classes = [AllowAny]
    serializer_class = VillageSerializer

    def get_queryset(self) -> QuerySet[Village]:
        query = VillageQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return villages_of(query.validated_data["district"])


class LocateView(APIView):
    """Whether a point is in the city, and in which kecamatan and kelurahan."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="regions_locate",
        tags=["regions"],
        summary="Locate a point",
        parameters=[LocateQuerySerializer],
        responses=LocateResultSerializer,
    )
    def get(self, request: Request) -> Response:
        query = LocateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        lat, lon = query.validated_data["lat"], query.validated_data["lon"]
        village = village_at(lat, lon)
        data: dict[str, Any] = {
            "in_city": point_in_city(lat, lon),
            "district": (
                {"code": village.district.code, "name": village.district.name} if village else None
            ),
            "village": (
                {"code": village.code, "name": village.name, "kind": village.kind}
                if village
                else None
            ),
        }
        return Response(LocateResultSerializer(data).data)
