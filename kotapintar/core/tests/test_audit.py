"""Audit log: recording, masking, append-only enforcement and the hash chain check."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory, override_settings

from kotapintar.core.audit import (
    ChainVerification,
    audit_chain_verify,
    audit_entries_for_object,
    audit_personal_data_read,
    audit_record,
    client_ip,
    mask_personal_data,
)
from kotapintar.core.logging import request_id_var
from kotapintar.core.models.audit import (
    GENESIS_HASH,
    AuditChainHead,
    AuditEntry,
    AuditLogImmutableError,
)
from kotapintar.testing.factories import AgencyFactory, CityAdminFactory, OfficerFactory

pytestmark = pytest.mark.django_db

NIK = "1271011708850001"
TABLE = AuditEntry._meta.db_table


@pytest.fixture
def rf() -> RequestFactory:
    return RequestFactory()


def _tamper(sql: str, params: list[object]) -> None:
    """Raw SQL, as an attacker with database access would run it (triggers bypassed)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def _three_entries() -> list[AuditEntry]:
    officer = OfficerFactory()
    agency = AgencyFactory()
    return [
        audit_record(actor=officer, action="agency.update", obj=agency, summary=f"change {n}")
        for n in range(3)
    ]


# --- Recording ------------------------------------------------------------------------------


def test_entries_are_chained_from_the_genesis_hash(rf: RequestFactory) -> None:
    first, second, third = _three_entries()
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.entry_hash
    assert third.prev_hash == second.entry_hash
    assert len({first.entry_hash, second.entry_hash, third.entry_hash}) == 3
    head = AuditChainHead.objects.get()
    assert (head.last_entry_id, head.last_hash, head.entry_count) == (
        third.pk,
        third.entry_hash,
        3,
    )


def test_entry_records_who_what_when_and_from_where(rf: RequestFactory) -> None:
    officer = OfficerFactory(email="petugas@pemko.contoh.id")
    agency = AgencyFactory()
    request = rf.get("/", REMOTE_ADDR="203.0.113.7")
    token = request_id_var.set("abc123def456")
    try:
        entry = audit_record(
            actor=officer,
            action="agency.update",
            obj=agency,
            before={"name": "Lama"},
            after={"name": "Baru"},
            request=request,
            summary="Renamed",
        )
    finally:
        request_id_var.reset(token)
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor, entry.actor_role) == (officer, "officer")
    assert entry.actor_label == f"petugas@pemko.contoh.id (#{officer.pk})"
    assert (entry.action, entry.object_type, entry.object_id) == (
        "agency.update",
        "agencies.agency",
        str(agency.pk),
    )
    assert (entry.ip_address, entry.request_id, entry.summary) == (
        "203.0.113.7",
        "abc123def456",
        "Renamed",
    )
    assert (entry.before, entry.after) == ({"name": "Lama"}, {"name": "Baru"})
    assert entry.entry_hash == entry.compute_hash()


def test_a_citizen_actor_is_labelled_by_id_only_and_the_system_as_system() -> None:
    from kotapintar.testing.factories import CitizenFactory

    citizen = CitizenFactory()
    entry = audit_record(actor=citizen, action="complaint.submit", object_type="x.y", object_id=1)
    assert (entry.actor_label, entry.actor_role) == (f"#{citizen.pk}", "citizen")
    system = audit_record(actor=None, action="sla.breach", object_type="x.y", object_id=1)
    assert (system.actor, system.actor_label) == (None, "system")


def test_personal_data_in_before_after_and_summary_is_masked() -> None:
    entry = audit_record(
        actor=None,
        action="accounts.profile_updated",
        object_type="accounts.user",
        object_id="1",
        before={"nik": NIK, "phone": "081234565678", "password": "rahasia"},
        after={
            "mother_nik": "12.71.01.570885.0002",
            "no_kk": "1271010501200003",
            "nik_hash": "ab" * 32,
            "note": f"NIK {NIK} corrected",
            "pin": 123456,
            "children": [{"nik": NIK}],
        },
        summary=f"Profile of {NIK} updated",
    )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.before == {
        "nik": "1271********0001",
        "phone": "0812****5678",
        "password": "[redacted]",
    }
    assert entry.after == {
        "mother_nik": "1271********0002",
        "no_kk": "1271********0003",
        "nik_hash": "[redacted]",
        "note": "NIK 1271********0001 corrected",
        "pin": "[redacted]",
        "children": [{"nik": "1271********0001"}],
    }
    assert entry.summary == "Profile of 1271********0001 updated"
    assert entry.entry_hash == entry.compute_hash()


def test_mask_personal_data_turns_values_json_ready() -> None:
    import datetime
    import decimal

    assert mask_personal_data(
        {"when": datetime.date(2025, 1, 2), "amount": decimal.Decimal("1.50"), "n": 1}
    ) == {"when": "2025-01-02", "amount": "1.50", "n": 1}


def test_officer_reading_personal_data_is_recorded(rf: RequestFactory) -> None:
    officer = OfficerFactory()
    citizen = CityAdminFactory()  # any saved model works as the object read
    entry = audit_personal_data_read(
        actor=officer, obj=citizen, fields=["phone", "nik", "nik"], request=rf.get("/")
    )
    assert (entry.action, entry.after, entry.summary) == (
        "personal_data.read",
        {"fields": ["nik", "phone"]},
        "Personal data read: nik, phone",
    )
    assert list(audit_entries_for_object(obj=citizen)) == [entry]


@pytest.mark.parametrize("action", ["submit", "Complaint.Submit", "complaint submit", ""])
def test_an_action_must_be_area_dot_verb(action: str) -> None:
    with pytest.raises(ValueError):
        audit_record(actor=None, action=action, object_type="x.y", object_id=1)
    assert AuditEntry.objects.count() == 0


def test_client_ip_trusts_x_forwarded_for_only_when_configured(rf: RequestFactory) -> None:
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4")
    assert client_ip(request) == "10.0.0.2"
    with override_settings(TRUST_X_FORWARDED_FOR=True):
        assert client_ip(request) == "198.51.100.4"
        assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="junk")) == (
            "10.0.0.2"
        )
    assert client_ip(rf.get("/", REMOTE_ADDR="::ffff:192.0.2.1")) == "192.0.2.1"
    assert client_ip(rf.get("/", REMOTE_ADDR="2001:DB8:0:0:0:0:0:1")) == "2001:db8::1"
    assert client_ip(None) is None


def test_ipv6_address_round_trips_with_a_valid_hash(rf: RequestFactory) -> None:
    audit_record(
        actor=None,
        action="x.y",
        object_type="x.y",
        object_id=1,
        request=rf.get("/", REMOTE_ADDR="2001:db8::8a2e:370:7334"),
        after={"big": 1e16, "small": 0.1, "whole": 2.0},
    )
    assert audit_chain_verify() == ChainVerification(True, 1)


# --- Append-only -------------------------------------------------------------------------------


def test_entries_cannot_be_changed_or_deleted_through_the_orm() -> None:
    first, second, _ = _three_entries()
    first.summary = "rewritten"
    with pytest.raises(AuditLogImmutableError):
        first.save()
    with pytest.raises(AuditLogImmutableError):
        second.delete()
    with pytest.raises(AuditLogImmutableError):
        AuditEntry.objects.filter(pk=first.pk).update(summary="rewritten")
    with pytest.raises(AuditLogImmutableError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditLogImmutableError):
        AuditEntry.objects.bulk_create([AuditEntry(action="x.y")])
    with pytest.raises(AuditLogImmutableError):
        AuditEntry(action="x.y", prev_hash=GENESIS_HASH, entry_hash="f" * 64).save()
    assert AuditEntry.objects.count() == 3
    assert list(AuditEntry.objects.order_by("id").values_list("summary", flat=True)) == [
        "change 0",
        "change 1",
        "change 2",
    ]
    assert audit_chain_verify().ok


def test_deleting_the_actor_keeps_the_entry_and_the_chain_valid() -> None:
    officer = OfficerFactory()
    label = f"{officer.email} (#{officer.pk})"
    entry = audit_record(actor=officer, action="x.y", object_type="x.y", object_id=1)
    officer.delete()
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor, entry.actor_label, entry.actor_role) == (None, label, "officer")
    assert audit_chain_verify().ok


# --- Chain verification ------------------------------------------------------------------------


def test_intact_chain_verifies_and_the_command_prints_ok() -> None:
    _three_entries()
    out = io.StringIO()
    call_command("verify_audit_chain", "--batch-size", "2", stdout=out)
    assert out.getvalue().strip() == "OK: 3 audit entries, chain intact."


def test_empty_log_verifies() -> None:
    out = io.StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert out.getvalue().strip() == "OK: 0 audit entries, chain intact."


def test_a_tampered_row_is_reported_at_its_id() -> None:
    _, second, _ = _three_entries()
    _tamper(f"UPDATE {TABLE} SET summary = %s WHERE id = %s", ["nothing happened", second.pk])  # noqa: S608
    result = audit_chain_verify(batch_size=1)
    assert (result.ok, result.broken_entry_id, result.checked) == (False, second.pk, 1)
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit_chain")
    assert excinfo.value.returncode == 1
    assert f"BROKEN at audit entry id {second.pk}:" in str(excinfo.value)


def test_a_tampered_json_value_is_detected() -> None:
    entry = audit_record(
        actor=None, action="x.y", object_type="x.y", object_id=1, after={"status": "rejected"}
    )
    audit_record(actor=None, action="x.y", object_type="x.y", object_id=1)
    _tamper(f"UPDATE {TABLE} SET after = %s WHERE id = %s", ['{"status": "approved"}', entry.pk])  # noqa: S608
    assert audit_chain_verify().broken_entry_id == entry.pk


def test_a_deleted_row_breaks_the_chain_at_the_next_entry() -> None:
    _, second, third = _three_entries()
    _tamper(f"DELETE FROM {TABLE} WHERE id = %s", [second.pk])  # noqa: S608
    result = audit_chain_verify()
    assert (result.ok, result.broken_entry_id) == (False, third.pk)
    assert "previous-hash" in result.reason


def test_deleting_the_newest_row_is_detected_by_the_chain_head() -> None:
    _, _, third = _three_entries()
    _tamper(f"DELETE FROM {TABLE} WHERE id = %s", [third.pk])  # noqa: S608
    result = audit_chain_verify()
    assert (result.ok, result.broken_entry_id, result.checked) == (False, third.pk, 2)


def test_rewriting_a_row_with_a_recomputed_hash_breaks_the_next_link() -> None:
    first, second, _ = _three_entries()
    forged = AuditEntry.objects.get(pk=first.pk)
    forged.summary = "forged"
    _tamper(
        f"UPDATE {TABLE} SET summary = %s, entry_hash = %s WHERE id = %s",  # noqa: S608
        ["forged", forged.compute_hash(), first.pk],
    )
    assert audit_chain_verify().broken_entry_id == second.pk


# --- Database triggers (PostgreSQL) ----------------------------------------------------------


@pytest.fixture
def pg_triggers() -> Iterator[None]:
    if connection.vendor != "postgresql":
        pytest.skip("audit triggers exist on PostgreSQL only")
    from kotapintar.core.audit import install_audit_triggers

    # DDL is transactional on PostgreSQL: the test's rollback removes the triggers again.
    assert install_audit_triggers(connection)
    assert install_audit_triggers(connection)  # idempotent
    yield


def test_postgres_trigger_refuses_update_and_delete(pg_triggers: None) -> None:
    from django.db import DatabaseError, transaction

    first, _, _ = _three_entries()
    for sql in (
        f"UPDATE {TABLE} SET summary = 'x' WHERE id = %s",  # noqa: S608
        f"DELETE FROM {TABLE} WHERE id = %s",  # noqa: S608
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [first.pk])
    assert AuditEntry.objects.count() == 3
    assert audit_chain_verify().ok


def test_postgres_trigger_lets_an_actor_deletion_set_null(pg_triggers: None) -> None:
    officer = OfficerFactory()
    entry = audit_record(actor=officer, action="x.y", object_type="x.y", object_id=1)
    officer.delete()
    assert AuditEntry.objects.get(pk=entry.pk).actor_id is None
    assert audit_chain_verify().ok


def test_install_audit_triggers_does_nothing_on_sqlite() -> None:
    from kotapintar.core.audit import install_audit_triggers

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert install_audit_triggers(connection) is False
