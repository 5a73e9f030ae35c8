"""Public reference numbers: format, randomness, forgiving input, uniqueness under collision."""

from __future__ import annotations

import re
from collections.abc import Iterator
from unittest import mock

import pytest
from django.db import IntegrityError

from kotapintar.agencies.models import Agency
from kotapintar.core import reference_numbers
from kotapintar.core.reference_numbers import (
    ALPHABET,
    REFERENCE_MAX_LENGTH,
    create_with_reference,
    new_reference,
    normalize_reference,
    unique_reference,
)
from kotapintar.testing.factories import AgencyFactory

_FORMAT = re.compile(
    r"^ADU-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}$"
)


def test_alphabet_has_30_symbols_without_confusable_characters() -> None:
    assert len(ALPHABET) == len(set(ALPHABET)) == 30
    assert not set(ALPHABET) & set("0O1ILU")


def test_new_reference_has_the_prefix_and_two_groups_of_four() -> None:
    reference = new_reference("ADU")
    assert _FORMAT.match(reference)
    assert len(reference) == 13 <= REFERENCE_MAX_LENGTH
    assert len(new_reference("ABCDE")) == REFERENCE_MAX_LENGTH


def test_new_references_do_not_repeat_and_use_the_whole_alphabet() -> None:
    references = [new_reference("ADU") for _ in range(3000)]
    assert len(set(references)) == 3000
    assert set("".join(r[4:] for r in references)) - {"-"} == set(ALPHABET)


@pytest.mark.parametrize("prefix", ["", "A", "ABCDEF", "ad", "A1", "AD-U"])
def test_a_malformed_prefix_is_a_programming_error(prefix: str) -> None:
    with pytest.raises(ValueError):
        new_reference(prefix)


@pytest.mark.parametrize(
    "typed",
    [
        "ADU-7K3M-Q9XA",
        "adu-7k3m-q9xa",
        "ADU7K3MQ9XA",
        " adu 7k3m q9xa ",
        "ADU 7K3M-Q9XA",
        "ADU–7K3M–Q9XA",  # en dashes from a word processor
        "AD U.7K3M.Q9XA",
    ],
)
def test_typed_references_are_normalised(typed: str) -> None:
    assert normalize_reference(typed) == "ADU-7K3M-Q9XA"


def test_zero_and_one_in_the_prefix_are_read_as_o_and_i() -> None:
    assert normalize_reference("1N0-7K3M-Q9XA") == "INO-7K3M-Q9XA"


def test_with_a_prefix_it_may_be_omitted_but_not_different() -> None:
    assert normalize_reference("7k3m q9xa", prefix="ADU") == "ADU-7K3M-Q9XA"
    assert normalize_reference("ADU-7K3M-Q9XA", prefix="ADU") == "ADU-7K3M-Q9XA"
    assert normalize_reference("PGD-7K3M-Q9XA", prefix="ADU") is None


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "ADU",
        "ADU-7K3M-Q9X",  # 7 symbols
        "ADU-7K3M-Q9XAB",  # 9 symbols: the prefix would be ADU7
        "ADU-7K3M-Q0XA",  # 0 is never in a body
        "ADU-7K3M-QIXA",
        "7K3M-Q9XA",  # no prefix and none given
        "ADU-7K3M-Q9XA" + " " * 40,
        "<script>-7K3M-Q9XA",
    ],
)
def test_impossible_input_gives_none(typed: str) -> None:
    assert normalize_reference(typed) is None


@pytest.fixture
def scripted_references() -> Iterator[mock.MagicMock]:
    with mock.patch.object(reference_numbers, "new_reference") as patched:
        yield patched


@pytest.mark.django_db
def test_unique_reference_skips_a_reference_already_used(
    scripted_references: mock.MagicMock,
) -> None:
    AgencyFactory(code="ADU-2222-2222")
    scripted_references.side_effect = ["ADU-2222-2222", "ADU-3333-3333"]
    assert unique_reference(Agency, "code", "ADU") == "ADU-3333-3333"


@pytest.mark.django_db
def test_unique_reference_gives_up_after_the_attempts(
    scripted_references: mock.MagicMock,
) -> None:
    AgencyFactory(code="ADU-2222-2222")
    scripted_references.return_value = "ADU-2222-2222"
    with pytest.raises(RuntimeError):
        unique_reference(Agency, "code", "ADU", attempts=3)
    assert scripted_references.call_count == 3


@pytest.mark.django_db
def test_create_with_reference_retries_when_the_insert_collides() -> None:
    # A concurrent insert took the reference between the check and our insert.
    AgencyFactory(code="ADU-2222-2222")
    calls: list[str] = []

    def create(reference: str) -> Agency:
        calls.append(reference)
        return Agency.objects.create(code=reference, name="Disdukcapil")

    with mock.patch.object(
        reference_numbers, "unique_reference", side_effect=["ADU-2222-2222", "ADU-3333-3333"]
    ):
        agency = create_with_reference(Agency, "code", "ADU", create)
    assert agency.code == "ADU-3333-3333"
    assert calls == ["ADU-2222-2222", "ADU-3333-3333"]
    assert Agency.objects.filter(name="Disdukcapil").count() == 1


@pytest.mark.django_db
def test_create_with_reference_re_raises_other_integrity_errors(
    scripted_references: mock.MagicMock,
) -> None:
    scripted_references.side_effect = ["ADU-2222-2222", "ADU-3333-3333"]

    def create(reference: str) -> Agency:
        raise IntegrityError("another constraint")

    with pytest.raises(IntegrityError):
        create_with_reference(Agency, "code", "ADU", create)
    assert scripted_references.call_count == 1
