"""/adminduk/: public service pages and the citizen's applications (urls_citizen), the officers'
workspace under /adminduk/kelola/ (urls_staff)."""

from django.urls import include, path

app_name = "civil_registration"

urlpatterns = [
    path("kelola/", include("kotapintar.civil_registration.urls_staff")),
    path("", include("kotapintar.civil_registration.urls_citizen")),
]
