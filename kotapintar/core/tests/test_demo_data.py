"""The demo-data generator: idempotent, deterministic, fast bulk users with protected NIKs."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kotapintar.accounts.models import User
from kotapintar.accounts.roles import Role
from kotapintar.agencies.models import AgencyKind, UnitKind
from kotapintar.core.demo import registry, runner
from kotapintar.core.demo.registry import (
    DEMO_PASSWORD,
    DemoContext,
    DemoDataError,
    ScaleSpec,
    register_generator,
    registered_generators,
)
from kotapintar.core.demo.users import demo_users
from kotapintar.core.personal_data import identity_blind_index, parse_nik
from kotapintar.testing.factories import AgencyFactory, DistrictFactory, ServiceUnitFactory

pytestmark = pytest.mark.django_db

TINY = ScaleSpec("tiny", citizens=120, officers=25, years=2)


@pytest.fixture
def reference_data() -> None:
    """The slice of load_reference_data the users generator needs."""
    for code, name in [("12.71.01", "Medan Kota"), ("12.71.02", "Medan Sunggal")]:
        DistrictFactory(code=code, name=name)
    registry_agency = AgencyFactory(
        code="disdukcapil",
        name="Dinas Kependudukan dan Pencatatan Sipil Kota Medan",
        short_name="Disdukcapil",
    )
    ServiceUnitFactory(agency=registry_agency, code="kantor", kind=UnitKind.HEAD_OFFICE)
    ServiceUnitFactory(agency=registry_agency, code="loket-127101", kind=UnitKind.KECAMATAN_DESK)
    AgencyFactory(code="diskominfo", name="Dinas Komunikasi dan Informatika")
    AgencyFactory(code="kecamatan-127101", name="Kecamatan Medan Kota", kind=AgencyKind.KECAMATAN)


def _snapshot() -> list[tuple[Any, ...]]:
    return sorted(
        (
            u.email,
            u.full_name,
            u.role,
            u.agency.code if u.agency else None,
            u.unit.code if u.unit else None,
            u.nik,
            u.phone,
            u.date_joined.date(),
        )
        for u in User.objects.select_related("agency", "unit")
    )


def _run(spec: ScaleSpec | None = None, seed: int = 7) -> dict[str, int]:
    [run] = runner.demo_data_generate(scale="small", seed=seed, only=["users"], spec=spec)
    return run.counts


def test_small_scale_creates_the_demo_logins(reference_data: None) -> None:
    counts = _run()

    assert counts == {"demo_logins": 6, "citizens": 0, "officers": 0}
    officer = User.objects.select_related("agency", "unit").get(email="petugas@demo.kotapintar.id")
    assert officer.role == Role.OFFICER
    assert officer.agency is not None and officer.agency.code == "disdukcapil"
    assert officer.unit is not None and officer.unit.kind == UnitKind.HEAD_OFFICE
    admin = User.objects.get(email="admin@demo.kotapintar.id")
    assert (admin.role, admin.is_staff, admin.is_superuser) == (Role.CITY_ADMIN, True, True)
    roles = dict(User.objects.values_list("email", "role"))
    assert roles == {
        "warga@demo.kotapintar.id": Role.CITIZEN,
        "petugas@demo.kotapintar.id": Role.OFFICER,
        "admin@demo.kotapintar.id": Role.CITY_ADMIN,
        "koordinator@demo.kotapintar.id": Role.COORDINATOR,
        "kepala@demo.kotapintar.id": Role.AGENCY_HEAD,
        "analis@demo.kotapintar.id": Role.ANALYST,
    }


def test_demo_logins_work_with_the_published_password(reference_data: None) -> None:
    _run()

    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD), user.email


def test_running_small_scale_twice_keeps_the_data_and_the_counts(reference_data: None) -> None:
    first = _run()
    before = _snapshot()
    ids = set(User.objects.values_list("pk", flat=True))

    second = _run()

    assert second == first
    assert _snapshot() == before
    assert set(User.objects.values_list("pk", flat=True)) == ids


def test_rerun_keeps_changes_made_to_demo_accounts(reference_data: None) -> None:
    _run()
    User.objects.filter(email="warga@demo.kotapintar.id").update(full_name="Nama Baru")

    _run()

    assert User.objects.get(email="warga@demo.kotapintar.id").full_name == "Nama Baru"


def test_bulk_scale_adds_citizens_and_officers_once(reference_data: None) -> None:
    first = _run(TINY)
    total = User.objects.count()

    second = _run(TINY)

    assert first == second == {"demo_logins": 6, "citizens": 120, "officers": 25}
    assert User.objects.count() == total == 6 + 120 + 25


def test_same_seed_gives_the_same_data_and_another_seed_does_not(reference_data: None) -> None:
    _run(TINY, seed=11)
    first = _snapshot()
    User.objects.all().delete()

    _run(TINY, seed=11)
    again = _snapshot()
    User.objects.all().delete()
    _run(TINY, seed=12)

    assert again == first
    assert _snapshot() != first


def test_bulk_officers_cover_every_agency_with_a_head_first(reference_data: None) -> None:
    _run(TINY)

    officers = User.objects.filter(email__startswith="petugas0")
    heads = officers.filter(role=Role.AGENCY_HEAD)
    assert sorted(heads.values_list("agency__code", flat=True)) == [
        "disdukcapil",
        "diskominfo",
        "kecamatan-127101",
    ]
    assert not heads.exclude(unit=None).exists()
    # A unit, where given, always belongs to the officer's agency (the model's constraint).
    for user in officers.exclude(unit=None).select_related("unit"):
        assert user.unit is not None and user.unit.agency_id == user.agency_id


def test_bulk_niks_are_valid_unique_encrypted_and_indexed(reference_data: None) -> None:
    _run(TINY)

    with_nik = list(User.objects.exclude(nik="").filter(email__startswith="warga0"))
    niks = [u.nik for u in with_nik]
    assert 20 <= len(niks) <= 80  # about 40 % of 120
    assert len(set(niks)) == len(niks)
    for user in [*with_nik, User.objects.get(email="warga@demo.kotapintar.id")]:
        info = parse_nik(user.nik)  # the platform's own validation: raises if impossible
        assert info.warnings == (), (user.nik, info.warnings)
        assert info.district_code in {"12.71.01", "12.71.02"}
        assert user.nik_hash == identity_blind_index(user.nik)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nik FROM {User._meta.db_table} WHERE id = %s",  # noqa: S608 - table name
            [with_nik[0].pk],
        )
        [stored] = cursor.fetchone()
    assert stored != with_nik[0].nik and with_nik[0].nik not in stored


def test_bulk_accounts_share_one_password_hash(reference_data: None) -> None:
    _run(TINY)

    hashes = set(User.objects.values_list("password", flat=True))
    assert len(hashes) == 1
    citizen = User.objects.filter(email__startswith="warga0").first()
    assert citizen is not None
    assert citizen.check_password(DEMO_PASSWORD)


def test_missing_disdukcapil_fails_with_a_clear_message() -> None:
    AgencyFactory(code="diskominfo")

    with pytest.raises(DemoDataError, match="load_reference_data"):
        demo_users(DemoContext(scale="small"))
    assert User.objects.count() == 0


def test_no_agencies_and_no_loader_fails_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing_command(name: str, *args: Any, **kwargs: Any) -> None:
        raise CommandError(f"Unknown command: '{name}'")

    monkeypatch.setattr(runner, "call_command", missing_command)

    with pytest.raises(CommandError, match=r"Run `python manage\.py load_reference_data` first"):
        call_command("generate_demo", "--scale", "small", stdout=StringIO())
    assert User.objects.count() == 0


def test_empty_agency_table_triggers_load_reference_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    def fake_loader(name: str, *args: Any, **kwargs: Any) -> None:
        calls.append(name)
        AgencyFactory(code="disdukcapil")

    monkeypatch.setattr(runner, "call_command", fake_loader)

    runner.demo_data_generate(scale="small", seed=1, only=["users"])

    assert calls == ["load_reference_data"]
    assert User.objects.filter(email="petugas@demo.kotapintar.id").exists()


def test_command_prints_counts_and_the_demo_logins(reference_data: None) -> None:
    out = StringIO()

    call_command("generate_demo", "--scale", "small", "--only", "users", stdout=out)

    text = out.getvalue()
    assert "demo_logins=6" in text
    assert "warga@demo.kotapintar.id" in text
    assert DEMO_PASSWORD in text


def test_unknown_generator_name_is_refused(reference_data: None) -> None:
    with pytest.raises(CommandError, match="Unknown generator"):
        call_command("generate_demo", "--only", "nope", stdout=StringIO())


def test_generators_run_by_order_and_get_their_own_random_stream(
    monkeypatch: pytest.MonkeyPatch, reference_data: None
) -> None:
    monkeypatch.setattr(registry, "_generators", dict(registry._generators))
    seen: list[tuple[str, str, float]] = []

    def make(name: str) -> registry.GeneratorFunc:
        def generate(ctx: DemoContext) -> dict[str, int]:
            seen.append((name, ctx.generator, ctx.rng.random()))
            return {"things": 1}

        return generate

    register_generator("late", 500, make("late"))
    register_generator("early", 5, make("early"))
    names = [g.name for g in registered_generators()]

    runner.demo_data_generate(scale="small", seed=3, only=["late", "early"])
    first = list(seen)
    seen.clear()
    runner.demo_data_generate(scale="small", seed=3, only=["late"])

    assert names.index("early") < names.index("users") < names.index("late")
    assert [(name, gen) for name, gen, _ in first] == [("early", "early"), ("late", "late")]
    assert first[0][2] != first[1][2]
    assert seen == [first[1]]  # "late" draws the same numbers with or without "early"


def test_rerun_after_partial_loss_restores_exactly_the_missing_accounts(
    reference_data: None,
) -> None:
    _run(TINY)
    complete = _snapshot()
    User.objects.filter(
        email__in=["petugas0003@demo.kotapintar.id", "warga00042@demo.kotapintar.id"]
    ).delete()

    _run(TINY)

    assert _snapshot() == complete
