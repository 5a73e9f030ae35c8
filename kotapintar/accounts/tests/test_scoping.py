"""Scoping is tested on real models: users seen as "colleagues" and module-role grants."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from kotapintar.accounts.models import ModuleRoleGrant, User
from kotapintar.accounts.scoping import get_scoped_or_404, scope_for_actor
from kotapintar.testing.factories import (
    AgencyHeadFactory,
    AnalystFactory,
    CitizenFactory,
    CityAdminFactory,
    CoordinatorFactory,
    OfficerFactory,
    ServiceUnitFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, User]:
    unit_a1 = ServiceUnitFactory.create()
    unit_a2 = ServiceUnitFactory.create(agency=unit_a1.agency)
    unit_b = ServiceUnitFactory.create()
    return {
        "citizen": CitizenFactory.create(),
        "other_citizen": CitizenFactory.create(),
        "officer_a1": OfficerFactory.create(agency=unit_a1.agency, unit=unit_a1),
        "officer_a2": OfficerFactory.create(agency=unit_a1.agency, unit=unit_a2),
        "officer_a_no_unit": OfficerFactory.create(agency=unit_a1.agency, unit=None),
        "coordinator_a": CoordinatorFactory.create(agency=unit_a1.agency, unit=unit_a1),
        "head_a": AgencyHeadFactory.create(agency=unit_a1.agency),
        "officer_b": OfficerFactory.create(agency=unit_b.agency, unit=unit_b),
        "analyst": AnalystFactory.create(),
        "admin": CityAdminFactory.create(),
    }


def _visible(actor: User | AnonymousUser | None, world: dict[str, User], **fields: str) -> set[str]:
    names = {user.pk: name for name, user in world.items()}
    qs = scope_for_actor(User.objects.all(), actor=actor, citizen_field="id", **fields)
    return {names[pk] for pk in qs.values_list("pk", flat=True)}


def test_citizens_see_only_their_own_rows(world: dict[str, User]) -> None:
    assert _visible(world["citizen"], world, agency_field="agency") == {"citizen"}


def test_officer_with_a_unit_sees_only_their_unit_when_the_query_has_units(
    world: dict[str, User],
) -> None:
    assert _visible(world["officer_a1"], world, agency_field="agency", unit_field="unit") == {
        "officer_a1",
        "coordinator_a",
    }


def test_officer_sees_the_whole_agency_without_a_unit_field_or_without_a_unit(
    world: dict[str, User],
) -> None:
    agency_a = {"officer_a1", "officer_a2", "officer_a_no_unit", "coordinator_a", "head_a"}
    assert _visible(world["officer_a1"], world, agency_field="agency") == agency_a
    assert (
        _visible(world["officer_a_no_unit"], world, agency_field="agency", unit_field="unit")
        == agency_a
    )


@pytest.mark.parametrize("name", ["coordinator_a", "head_a"])
def test_coordinators_and_agency_heads_see_their_whole_agency(
    world: dict[str, User], name: str
) -> None:
    assert _visible(world[name], world, agency_field="agency", unit_field="unit") == {
        "officer_a1",
        "officer_a2",
        "officer_a_no_unit",
        "coordinator_a",
        "head_a",
    }


@pytest.mark.parametrize("name", ["analyst", "admin"])
def test_analysts_and_city_admins_see_everything(world: dict[str, User], name: str) -> None:
    assert _visible(world[name], world, agency_field="agency") == set(world)


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_anonymous_sees_nothing(world: dict[str, User], actor: AnonymousUser | None) -> None:
    assert _visible(actor, world, agency_field="agency") == set()


def test_inactive_users_see_nothing(world: dict[str, User]) -> None:
    world["admin"].is_active = False
    assert _visible(world["admin"], world, agency_field="agency") == set()


def test_scoping_follows_relations_across_models(world: dict[str, User]) -> None:
    grant_a = ModuleRoleGrant.objects.create(user=world["officer_a2"], code="verifikator")
    ModuleRoleGrant.objects.create(user=world["officer_b"], code="verifikator")
    ModuleRoleGrant.objects.create(user=world["citizen"], code="pelaku_umkm")

    qs = scope_for_actor(
        ModuleRoleGrant.objects.all(),
        actor=world["head_a"],
        citizen_field="user",
        agency_field="user__agency",
        unit_field="user__unit",
    )

    assert list(qs) == [grant_a]


def test_get_scoped_or_404_hides_rows_outside_the_scope(world: dict[str, User]) -> None:
    grant = ModuleRoleGrant.objects.create(user=world["citizen"], code="pelaku_umkm")
    kwargs = {"citizen_field": "user", "agency_field": "user__agency"}

    found = get_scoped_or_404(
        ModuleRoleGrant.objects.all(), actor=world["citizen"], pk=grant.pk, **kwargs
    )
    assert found == grant
    with pytest.raises(Http404):
        get_scoped_or_404(
            ModuleRoleGrant.objects.all(), actor=world["other_citizen"], pk=grant.pk, **kwargs
        )
    with pytest.raises(Http404):
        get_scoped_or_404(
            ModuleRoleGrant.objects.all(), actor=world["officer_b"], pk=grant.pk, **kwargs
        )
