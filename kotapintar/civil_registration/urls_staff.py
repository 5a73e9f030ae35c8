"""The officers' workspace, mounted at /adminduk/kelola/ (namespace ``civil_registration``).

Application ids are UUIDs (unguessable); no NIK or other personal data ever appears in a URL.
"""

from django.urls import URLPattern, path

from kotapintar.civil_registration import views_staff

urlpatterns: list[URLPattern] = [
    path("", views_staff.staff_queue, name="staff_queue"),
    path("terlambat/", views_staff.staff_overdue, name="staff_overdue"),
    path("dasbor/", views_staff.staff_dashboard, name="staff_dashboard"),
    path("dasbor/ekspor.csv", views_staff.staff_dashboard_export, name="staff_dashboard_export"),
    path("<uuid:application_id>/", views_staff.staff_detail, name="staff_detail"),
    path(
        "<uuid:application_id>/aksi/<slug:action>/",
        views_staff.staff_action,
        name="staff_action",
    ),
]
