from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kotapintar.testing.factories import AnalystFactory, CoordinatorFactory
from kotapintar.testing.permissions import Actors, assert_permission_matrix

pytestmark = pytest.mark.django_db

WORKSPACE_EXPECTED = {
    "anonymous": 302,
    "citizen": 404,
    "other_citizen": 404,
    "officer_other_agency": 200,
    "officer": 200,
    "admin": 200,
}


def test_workspace_is_for_staff_and_a_404_for_citizens() -> None:
    actors = Actors.around()
    actors.add("coordinator", CoordinatorFactory()).add("analyst", AnalystFactory())

    responses = assert_permission_matrix(
        Client,
        reverse("portal:workspace"),
        "get",
        {**WORKSPACE_EXPECTED, "coordinator": 200, "analyst": 200},
        actors,
    )

    assert responses["anonymous"]["Location"].startswith(reverse("accounts:login"))


def test_matrix_lists_every_mismatch_at_once() -> None:
    wrong = {**WORKSPACE_EXPECTED, "citizen": 200, "officer": 403}

    with pytest.raises(AssertionError) as excinfo:
        assert_permission_matrix(Client, reverse("portal:workspace"), "get", wrong, Actors.around())

    message = str(excinfo.value)
    assert "citizen                expected 200, got 404" in message
    assert "officer                expected 403, got 200" in message
    assert "other_citizen" not in message


def test_matrix_refuses_to_skip_an_actor() -> None:
    partial = {k: v for k, v in WORKSPACE_EXPECTED.items() if k != "officer_other_agency"}

    with pytest.raises(ValueError, match="officer_other_agency"):
        assert_permission_matrix(
            Client, reverse("portal:workspace"), "get", partial, Actors.around()
        )


def test_actors_share_the_given_owner_and_agency() -> None:
    base = Actors.around()
    owner = base.citizen
    assert owner is not None
    actors = Actors.around(citizen=owner, unit=base.officer.unit if base.officer else None)

    assert actors.citizen == owner
    assert actors.officer is not None and base.officer is not None
    assert actors.officer.agency_id == base.officer.agency_id
    assert actors.officer_other_agency is not None
    assert actors.officer_other_agency.agency_id != actors.officer.agency_id
    assert actors.anonymous is None
