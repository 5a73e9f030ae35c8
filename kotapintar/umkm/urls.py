"""/umkm/: the public e-catalogue, cart and buyer's orders (urls_public), the owner's business,
products and orders under /umkm/usaha/ (urls_owner), the Dinas workspace under /umkm/kelola/
(urls_dinas)."""

from django.urls import include, path

app_name = "umkm"

urlpatterns = [
    path("usaha/", include("kotapintar.umkm.urls_owner")),
    path("kelola/", include("kotapintar.umkm.urls_dinas")),
    path("", include("kotapintar.umkm.urls_public")),
]
