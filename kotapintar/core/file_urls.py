"""Included under ``/berkas/`` in the ``core`` namespace: ``reverse("core:file", args=[id])``."""

from django.urls import URLPattern, path

from kotapintar.core import file_views

urlpatterns: list[URLPattern] = [
    path("<uuid:file_id>/", file_views.serve_file, name="file"),
]
