"""Core models, one module per concern; importing them here registers them with Django."""

from kotapintar.core.models import audit, calendar, files, notifications  # noqa: F401
