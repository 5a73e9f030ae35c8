"""Routes of /adminduk/ (see urls.py): public pages and the citizen's applications.

No URL ever carries a NIK: applications are addressed by their random UUID, the QR page and the
self-print link by random tokens.
"""

from django.urls import URLPattern, URLResolver, path

from kotapintar.civil_registration import views_citizen, views_public

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_public.home, name="home"),
    path("layanan/<slug:code>/", views_public.service_detail, name="service_detail"),
    path(
        "layanan/<slug:code>/keterlambatan/",
        views_public.lateness_preview,
        name="lateness_preview",
    ),
    path("ajukan/<slug:code>/", views_citizen.apply, name="apply"),
    path("saya/", views_citizen.my_applications, name="my_applications"),
    path(
        "saya/<uuid:application_id>/",
        views_citizen.application_detail,
        name="application_detail",
    ),
    path(
        "saya/<uuid:application_id>/terkirim/",
        views_citizen.application_done,
        name="application_done",
    ),
    path(
        "saya/<uuid:application_id>/tanda-terima.pdf",
        views_citizen.receipt,
        name="receipt",
    ),
    path(
        "saya/<uuid:application_id>/perbaiki/",
        views_citizen.application_resubmit,
        name="application_resubmit",
    ),
    path(
        "saya/<uuid:application_id>/batalkan/",
        views_citizen.application_cancel,
        name="application_cancel",
    ),
    path(
        "saya/<uuid:application_id>/kirim-ulang-pin/",
        views_citizen.self_print_pin_resend,
        name="self_print_pin_resend",
    ),
    path("verifikasi/<str:token>/", views_public.verify, name="verify"),
    path("cetak/<str:token>/", views_public.self_print, name="self_print"),
]
