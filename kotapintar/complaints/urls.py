"""/pengaduan/: citizen and public pages; the officers' workspace under /pengaduan/kelola/."""

from django.urls import include, path

app_name = "complaints"

urlpatterns = [
    path("kelola/", include("kotapintar.complaints.urls_staff")),
    path("", include("kotapintar.complaints.urls_citizen")),
]
