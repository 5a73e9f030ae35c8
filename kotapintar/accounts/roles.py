"""Platform roles.

Every user has one base role. Modules add their own, finer roles (e.g. a Disdukcapil verifier)
through :func:`register_module_role`; they are granted per user with ``ModuleRoleGrant``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    OFFICER = "officer", _("Officer")
    COORDINATOR = "coordinator", _("Coordinator")
    AGENCY_HEAD = "agency_head", _("Agency head")
    ANALYST = "analyst", _("Analyst")
    CITY_ADMIN = "city_admin", _("City administrator")


#: Roles that work inside an agency and are scoped to it.
STAFF_ROLES = frozenset({Role.OFFICER, Role.COORDINATOR, Role.AGENCY_HEAD})
#: Roles that see every agency's data (read-only for analysts).
CITY_WIDE_ROLES = frozenset({Role.ANALYST, Role.CITY_ADMIN})

_module_roles: dict[str, str] = {}


def register_module_role(code: str, label: str) -> None:
    """Called from a module's ``AppConfig.ready`` to declare a role it checks for."""
    _module_roles[code] = label


def module_role_choices() -> list[tuple[str, str]]:
    return sorted(_module_roles.items())
