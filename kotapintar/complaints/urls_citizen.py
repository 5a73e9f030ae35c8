"""Citizen and public pages under /pengaduan/ (namespace ``complaints``)."""

from django.urls import URLPattern, path, register_converter

from kotapintar.complaints import views_citizen, views_public
from kotapintar.core.reference_numbers import ALPHABET


class ReferenceConverter:
    """``ADU-7K3M-Q9XA``: only well-formed references reach the views."""

    regex = f"ADU-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "complaint_ref")

urlpatterns: list[URLPattern] = [
    path("", views_public.public_list, name="public_list"),
    path("peta.json", views_public.public_map_data, name="public_map_data"),
    path("lapor/", views_citizen.report, name="report"),
    path("lapor/pertanyaan/", views_citizen.report_questions, name="report_questions"),
    path("lapor/sekitar/", views_citizen.report_nearby, name="report_nearby"),
    path("saya/", views_citizen.my_reports, name="my_reports"),
    path("lacak/", views_public.track, name="track"),
    path("wilayah/ikuti/", views_public.area_subscribe, name="area_subscribe"),
    path(
        "wilayah/berhenti/<uuid:token>/",
        views_public.area_unsubscribe,
        name="area_unsubscribe",
    ),
    path("<complaint_ref:reference>/", views_public.public_detail, name="public_detail"),
    path("<complaint_ref:reference>/terkirim/", views_citizen.report_done, name="report_done"),
    path(
        "<complaint_ref:reference>/foto/<uuid:file_id>/",
        views_public.public_photo,
        name="public_photo",
    ),
    path("<complaint_ref:reference>/dukung/", views_public.follow, name="follow"),
    path("<complaint_ref:reference>/batal-dukung/", views_public.unfollow, name="unfollow"),
    path("<complaint_ref:reference>/tambah-info/", views_citizen.add_info, name="add_info"),
    path(
        "<complaint_ref:reference>/konfirmasi/", views_citizen.confirm_fixed, name="confirm_fixed"
    ),
    path("<complaint_ref:reference>/nilai/", views_citizen.rate, name="rate"),
]
