"""Permission-matrix helper: one request per actor, every mismatch reported at once.

Typical use in a module's tests::

    def test_complaint_detail_permissions(client_factory):
        complaint = ComplaintFactory()
        actors = Actors.around(citizen=complaint.created_by, agency=complaint.agency)
        assert_permission_matrix(
            Client, complaint.get_absolute_url(), "get",
            {"anonymous": 302, "citizen": 200, "other_citizen": 404,
             "officer_other_agency": 404, "officer": 200, "admin": 200},
            actors,
        )

Every actor of ``actors`` must have an expected status: a forgotten actor is an error, not a
silent pass. Requests run in the order of ``expected``; for state-changing requests put the
denied actors first (or build a fresh object per actor) and check afterwards that the denied
ones changed nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from kotapintar.accounts.models import User
from kotapintar.agencies.models import Agency, ServiceUnit
from kotapintar.testing.factories import (
    AgencyFactory,
    CitizenFactory,
    CityAdminFactory,
    OfficerFactory,
    ServiceUnitFactory,
)

#: The actors every matrix covers; modules may add more with ``Actors.add``.
STANDARD_ACTORS = (
    "anonymous",
    "citizen",
    "other_citizen",
    "officer_other_agency",
    "officer",
    "admin",
)


@dataclass
class Actors:
    """Users around one object: its citizen, the agency (and unit) handling it, and others.

    ``anonymous`` maps to ``None`` (no login).
    """

    users: dict[str, User | None] = field(default_factory=dict)

    @classmethod
    def around(
        cls,
        *,
        citizen: User | None = None,
        agency: Agency | None = None,
        unit: ServiceUnit | None = None,
    ) -> Actors:
        """Build the standard actors; pass the object's owner and agency/unit to share them."""
        if unit is not None and agency is None:
            agency = unit.agency
        agency = agency or AgencyFactory.create()
        unit = unit or ServiceUnitFactory.create(agency=agency)
        other_agency = AgencyFactory.create()
        users: dict[str, User | None] = {
            "anonymous": None,
            "citizen": citizen or CitizenFactory.create(),
            "other_citizen": CitizenFactory.create(),
            "officer_other_agency": OfficerFactory.create(
                agency=other_agency, unit=ServiceUnitFactory.create(agency=other_agency)
            ),
            "officer": OfficerFactory.create(agency=agency, unit=unit),
            "admin": CityAdminFactory.create(),
        }
        return cls(users=users)

    def add(self, name: str, user: User | None) -> Actors:
        """Add an actor (e.g. ``"coordinator"``, ``"analyst"``); returns self for chaining."""
        if name in self.users:
            raise ValueError(f"Actor {name!r} already exists.")
        self.users[name] = user
        return self

    def __getitem__(self, name: str) -> User | None:
        return self.users[name]

    def __getattr__(self, name: str) -> User | None:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.users)


ClientFactory = Callable[[], Any]


def assert_permission_matrix(
    client_factory: ClientFactory | type[Client],
    url: str,
    method: str,
    expected: Mapping[str, int],
    actors: Actors,
    *,
    data: Any = None,
    content_type: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Request ``url`` once per actor with a fresh client and compare the status codes.

    ``client_factory`` builds a client: ``django.test.Client``, DRF's ``APIClient`` or any
    callable returning one with ``force_login``. Raises one ``AssertionError`` listing every
    actor whose status differs. Returns the responses by actor name for further checks.
    """
    missing = [name for name in actors.names if name not in expected]
    unknown = [name for name in expected if name not in actors.users]
    if missing or unknown:
        raise ValueError(
            f"Permission matrix for {method.upper()} {url} must list every actor exactly: "
            f"missing {missing}, unknown {unknown}."
        )
    responses: dict[str, Any] = {}
    mismatches: list[str] = []
    for name, expected_status in expected.items():
        client = client_factory()
        user = actors[name]
        if user is not None:
            client.force_login(user)
        kwargs: dict[str, Any] = dict(extra)
        if data is not None:
            kwargs["data"] = data
        if content_type is not None:
            kwargs["content_type"] = content_type
        response = getattr(client, method.lower())(url, **kwargs)
        responses[name] = response
        if response.status_code != expected_status:
            where = response.get("Location", "")
            suffix = f" (Location: {where})" if where else ""
            mismatches.append(
                f"  {name:<22} expected {expected_status}, got {response.status_code}{suffix}"
            )
    if mismatches:
        raise AssertionError(
            f"Permission matrix mismatch for {method.upper()} {url}:\n" + "\n".join(mismatches)
        )
    return responses
