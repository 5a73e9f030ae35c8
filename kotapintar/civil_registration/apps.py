from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CivilRegistrationConfig(AppConfig):
    name = "kotapintar.civil_registration"
    label = "civil_registration"
    verbose_name = _("Civil registration")

    def ready(self) -> None:
        from kotapintar.civil_registration import registration  # noqa: F401  (roles, portal, files)
