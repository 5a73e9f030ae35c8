from django.urls import include, path

from kotapintar.core.views import language_switch

app_name = "core"

urlpatterns = [
    path("bahasa/", language_switch, name="language"),
    path("berkas/", include("kotapintar.core.file_urls")),
    path("notifikasi/", include("kotapintar.core.notification_urls")),
]
