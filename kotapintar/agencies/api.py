"""Public, read-only list of the city's agencies (OPD)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from kotapintar.agencies.models import Agency, AgencyKind
from kotapintar.agencies.selectors import agency_list_public


class AgencySerializer(serializers.ModelSerializer[Agency]):
    district = serializers.CharField(
        source="district_id",
        read_only=True,
        allow_null=True,
        help_text="For kecamatan offices: the kecamatan code they serve.",
    )

    class Meta:
        model = Agency
        fields = [
            "code",
            "name",
            "short_name",
            "kind",
            "district",
            "address",
            "phone",
            "email",
            "website",
        ]


@extend_schema(
    tags=["agencies"],
    summary="Agencies (OPD) of the city",
    parameters=[
        OpenApiParameter(
            "kind",
            OpenApiTypes.STR,
            OpenApiParameter.QUERY,
            enum=AgencyKind.values,
            description="Only agencies of this kind, e.g. kecamatan.",
        )
    ],
)
class AgencyListView(generics.ListAPIView[Agency]):
    permission_classes = [AllowAny]
    serializer_class = AgencySerializer

    def get_queryset(self) -> QuerySet[Agency]:
        kind = self.request.query_params.get("kind")
        # An unknown kind simply matches nothing.
        return agency_list_public(kind=kind or None)
