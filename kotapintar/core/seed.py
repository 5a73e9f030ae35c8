"""Loading seed data (services, categories, thresholds…) without undoing the city's edits."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model

M = TypeVar("M", bound=Model)


def seed_row(
    model: type[M], *, update_existing: bool, defaults: dict[str, Any], **lookup: Any
) -> tuple[M, bool]:
    """Create the row ``lookup`` names with ``defaults`` if it is missing, and return it.

    An existing row is left as it is unless ``update_existing``: the city edits these rules in
    the admin, and running a loader again (every ``make run``, an upgrade) must not undo that.
    The loaders' ``--update`` option puts the file's values back on purpose.
    """
    if update_existing:
        return model._default_manager.update_or_create(defaults=defaults, **lookup)
    return model._default_manager.get_or_create(defaults=defaults, **lookup)
