"""Encryption at rest, blind indexes, the encrypted field and key rotation."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from kotapintar.accounts.models import User
from kotapintar.core import crypto
from kotapintar.core.fields import EncryptedTextField
from kotapintar.testing.factories import UserFactory

NIK = "1271011708850001"
OLD_KEY = "r8Wq3lGq7o2mJc3wN1N1oQy0hM3Hc4x0VnJ0sJ6yq1Y="  # the test key from testing/env.py
NEW_KEY = Fernet.generate_key().decode()


def _raw_column(user: User, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM accounts_user WHERE id = %s", [user.pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_encrypt_decrypt_round_trip_and_ciphertexts_differ() -> None:
    first, second = crypto.encrypt(NIK), crypto.encrypt(NIK)
    assert first != second
    assert NIK not in first
    assert crypto.decrypt(first) == crypto.decrypt(second) == NIK


def test_decrypt_failure_does_not_carry_the_token() -> None:
    token = crypto.encrypt(NIK)
    with override_settings(PERSONAL_DATA_KEYS=[NEW_KEY]), pytest.raises(ValueError) as excinfo:
        crypto.decrypt(token)
    assert token not in str(excinfo.value)
    assert excinfo.value.__cause__ is None
    assert excinfo.value.__suppress_context__


def test_old_key_still_decrypts_after_a_new_key_is_put_first() -> None:
    token = crypto.encrypt(NIK)
    with override_settings(PERSONAL_DATA_KEYS=[NEW_KEY, OLD_KEY]):
        assert crypto.decrypt(token) == NIK
        assert not crypto.is_current(token)
        rotated = crypto.rotate(token)
        assert crypto.is_current(rotated)
    with override_settings(PERSONAL_DATA_KEYS=[NEW_KEY]):
        assert crypto.decrypt(rotated) == NIK


@pytest.mark.parametrize("keys", [[], [" "], ["not-a-fernet-key"]])
def test_missing_or_malformed_keys_are_a_configuration_error_without_the_key(
    keys: list[str],
) -> None:
    with override_settings(PERSONAL_DATA_KEYS=keys), pytest.raises(ImproperlyConfigured) as exc:
        crypto.encrypt(NIK)
    assert "not-a-fernet-key" not in str(exc.value)
    assert exc.value.__cause__ is None


def test_blind_index_is_keyed() -> None:
    index = crypto.blind_index(NIK)
    assert index == crypto.blind_index(NIK)
    with override_settings(PERSONAL_DATA_HASH_KEY="another-key"):
        assert crypto.blind_index(NIK) != index
    with override_settings(PERSONAL_DATA_HASH_KEY=""), pytest.raises(ImproperlyConfigured):
        crypto.blind_index(NIK)


@pytest.mark.django_db
def test_encrypted_field_stores_ciphertext_and_reads_plaintext() -> None:
    user = UserFactory(nik=NIK, phone="081234565678")
    assert NIK not in _raw_column(user, "nik")
    assert "081234565678" not in _raw_column(user, "phone")
    assert crypto.decrypt(_raw_column(user, "nik")) == NIK
    assert User.objects.get(pk=user.pk).nik == NIK


@pytest.mark.django_db
def test_encrypted_field_keeps_empty_values_plain() -> None:
    user = UserFactory(nik="")
    assert _raw_column(user, "nik") == ""
    assert list(User.objects.filter(nik="")) == [user]


@pytest.mark.django_db
def test_filtering_an_encrypted_field_by_value_raises_instead_of_matching_nothing() -> None:
    UserFactory(nik=NIK)
    with pytest.raises(FieldError):
        list(User.objects.filter(nik=NIK))
    with pytest.raises(FieldError):
        list(User.objects.filter(nik__startswith="1271"))
    assert User.objects.filter(nik__isnull=False).count() == 1


def test_an_encrypted_field_cannot_be_unique_or_indexed() -> None:
    field = EncryptedTextField(unique=True)
    field.set_attributes_from_name("nik")
    field.model = User
    assert [e.id for e in field.check() if e.id.startswith("kotapintar")] == ["kotapintar.E001"]


@pytest.mark.django_db
def test_key_rotation_re_encrypts_every_value_and_is_idempotent() -> None:
    users = [UserFactory(nik=NIK, phone="081234565678"), UserFactory(nik="", phone="")]
    before = _raw_column(users[0], "nik")
    out = io.StringIO()
    with override_settings(PERSONAL_DATA_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("rotate_personal_data_keys", "--batch-size", "1", stdout=out)
        assert "accounts.User.nik: 1 re-encrypted, 0 already current, 0 unreadable" in (
            out.getvalue()
        )
        out = io.StringIO()
        call_command("rotate_personal_data_keys", stdout=out)
        assert "accounts.User.nik: 0 re-encrypted, 1 already current" in out.getvalue()
    after = _raw_column(users[0], "nik")
    assert after != before
    assert NIK not in out.getvalue()
    with override_settings(PERSONAL_DATA_KEYS=[NEW_KEY]):
        reloaded = User.objects.get(pk=users[0].pk)
        assert (reloaded.nik, reloaded.phone) == (NIK, "081234565678")
        assert User.objects.get(pk=users[1].pk).nik == ""


@pytest.mark.django_db
def test_key_rotation_dry_run_writes_nothing() -> None:
    user = UserFactory(nik=NIK)
    before = _raw_column(user, "nik")
    out = io.StringIO()
    with override_settings(PERSONAL_DATA_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("rotate_personal_data_keys", "--dry-run", stdout=out)
    assert "accounts.User.nik: 1 re-encrypted" in out.getvalue()
    assert "Dry run" in out.getvalue()
    assert _raw_column(user, "nik") == before
