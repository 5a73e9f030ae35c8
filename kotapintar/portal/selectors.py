"""The city's service catalogue shown on the home page.

Modules register their citizen-facing entry points here (see ``register_service``) from their
``AppConfig.ready``; the portal does not import the modules.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class ServiceEntry:
    code: str
    title: str | Promise
    description: str | Promise
    url_name: str
    staff_url_name: str = ""

    @property
    def url(self) -> str:
        return _reverse_or_empty(self.url_name)

    @property
    def staff_url(self) -> str:
        return _reverse_or_empty(self.staff_url_name) if self.staff_url_name else ""


_services: dict[str, ServiceEntry] = {}


def register_service(entry: ServiceEntry) -> None:
    _services[entry.code] = entry


def service_catalogue() -> list[ServiceEntry]:
    return [entry for entry in _services.values() if entry.url]


def _reverse_or_empty(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""
