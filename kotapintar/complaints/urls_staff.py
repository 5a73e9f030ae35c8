"""The officers' workspace, mounted at /pengaduan/kelola/ (namespace ``complaints``)."""

from django.urls import URLPattern, path, re_path

from kotapintar.complaints import views_staff

urlpatterns: list[URLPattern] = [
    path("", views_staff.staff_queue, name="staff_queue"),
    path("dasbor/", views_staff.staff_dashboard, name="staff_dashboard"),
    re_path(r"^ekspor\.(?P<fmt>csv|xlsx)$", views_staff.staff_export, name="staff_export"),
    path("<str:reference>/", views_staff.staff_detail, name="staff_detail"),
    path("<str:reference>/aksi/<slug:action>/", views_staff.staff_action, name="staff_action"),
]
