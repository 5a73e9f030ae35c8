from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "kotapintar.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from kotapintar.complaints import registration  # noqa: F401  (roles, portal entry, policies)
        from kotapintar.complaints.config_cache import connect_signals

        connect_signals()
