"""Included under the ``core`` namespace at ``notifikasi/`` (see ``kotapintar.core.urls``)."""

from django.urls import URLPattern, path

from kotapintar.core import notification_views as views

urlpatterns: list[URLPattern] = [
    path("", views.notification_list, name="notifications"),
    path("<uuid:public_id>/baca/", views.notification_read, name="notification_read"),
    path("baca-semua/", views.notifications_read_all, name="notifications_read_all"),
]
