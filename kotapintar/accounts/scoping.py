"""Row-level scoping for selectors: who may see which rows (DESIGN §5: checked in selectors).

Modules call these from their selectors with the names of their own fields::

    def complaint_list_for(*, actor):
        return scope_for_actor(Complaint.objects.all(), actor=actor,
                               citizen_field="reporter", agency_field="assigned_agency",
                               unit_field="assigned_unit")

An object outside the actor's scope is "not found" (404), never "forbidden".
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet

from kotapintar.accounts.models import User
from kotapintar.accounts.roles import CITY_WIDE_ROLES, Role
from kotapintar.core.lookups import get_or_404

M = TypeVar("M", bound=Model)


def scope_for_actor(
    qs: QuerySet[M],
    *,
    actor: User | AnonymousUser | None,
    citizen_field: str | None = "created_by",
    agency_field: str | None = "agency",
    unit_field: str | None = None,
) -> QuerySet[M]:
    """Narrow ``qs`` to the rows ``actor`` may see.

    - anonymous or inactive: nothing;
    - citizen: rows whose ``citizen_field`` is the actor (nothing if ``citizen_field`` is None);
    - officer: rows of the officer's unit when ``unit_field`` is given and the officer has a
      unit, else rows of the officer's agency;
    - coordinator, agency head: rows of their agency;
    - analyst, city administrator: every row.

    Staff without an agency, or with ``agency_field=None``, see nothing.
    """
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return qs.none()
    assert isinstance(actor, User)
    if actor.role in CITY_WIDE_ROLES:
        return qs
    if actor.role == Role.CITIZEN:
        if citizen_field is None:
            return qs.none()
        return qs.filter(**{citizen_field: actor.pk})
    if actor.role == Role.OFFICER and unit_field and actor.unit_id is not None:
        return qs.filter(**{unit_field: actor.unit_id})
    if agency_field is None or actor.agency_id is None:
        return qs.none()
    return qs.filter(**{agency_field: actor.agency_id})


def get_scoped_or_404(
    qs: QuerySet[M],
    *,
    actor: User | AnonymousUser | None,
    citizen_field: str | None = "created_by",
    agency_field: str | None = "agency",
    unit_field: str | None = None,
    **lookup: Any,
) -> M:
    """The one object matching ``lookup`` inside the actor's scope, or ``Http404``."""
    scoped = scope_for_actor(
        qs,
        actor=actor,
        citizen_field=citizen_field,
        agency_field=agency_field,
        unit_field=unit_field,
    )
    return get_or_404(scoped, **lookup)
