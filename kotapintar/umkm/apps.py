from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UmkmConfig(AppConfig):
    name = "kotapintar.umkm"
    label = "umkm"
    verbose_name = _("UMKM")

    def ready(self) -> None:
        from kotapintar.umkm import registration  # noqa: F401  (roles, portal entry, file access)
