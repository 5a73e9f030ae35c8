"""Everything under /api/v1/. Each app contributes its routes from its own ``api_urls``."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include("kotapintar.accounts.api_urls")),
    path("", include("kotapintar.regions.api_urls")),
    path("", include("kotapintar.agencies.api_urls")),
    path("", include("kotapintar.core.api_urls")),
    path("", include("kotapintar.complaints.api_urls")),
    path("", include("kotapintar.civil_registration.api_urls")),
    path("", include("kotapintar.umkm.api_urls")),
]
