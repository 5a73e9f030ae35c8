from django.urls import include, path

app_name = "core"

urlpatterns = [
    path("berkas/", include("kotapintar.core.file_urls")),
    path("notifikasi/", include("kotapintar.core.notification_urls")),
]
