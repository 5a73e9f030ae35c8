from django.contrib import admin
from django.urls import include, path

from kotapintar.core import views as core_views

admin.site.site_header = "Kota Pintar"
admin.site.site_title = "Kota Pintar"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("akun/", include("kotapintar.accounts.urls")),
    path("", include("kotapintar.core.urls")),
    path("wilayah/", include("kotapintar.regions.urls")),
    path("pengaduan/", include("kotapintar.complaints.urls")),
    path("adminduk/", include("kotapintar.civil_registration.urls")),
    path("umkm/", include("kotapintar.umkm.urls")),
    path("open311/v2/", include("kotapintar.complaints.open311.urls")),
    path("", include("kotapintar.portal.urls")),
]

handler400 = "kotapintar.core.views.bad_request"
handler403 = "kotapintar.core.views.permission_denied"
handler404 = "kotapintar.core.views.page_not_found"
handler500 = "kotapintar.core.views.server_error"
