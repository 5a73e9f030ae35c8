"""Public reference numbers such as ``ADU-7K3M-Q9XA``: unguessable, readable, URL-safe.

The body is 8 symbols from a 30-symbol alphabet (Crockford-style, without the easily confused
0/O, 1/I/L and U): 30**8 ~ 6.6e11 values, about 39 bits, drawn with :mod:`secrets`. The prefix
names the module (2-5 letters, e.g. ``ADU`` for pengaduan, complaints).

Typing is forgiving: case, spaces, dots and missing or extra dashes do not matter, and in the
prefix a 0 is read as O and a 1 as I. The body never contains 0/O/1/I/L/U, so such a character
there means a mistyped number.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, models, transaction

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 8
GROUP_LENGTH = 4
#: Longest reference (5-letter prefix): use it as the ``max_length`` of reference columns.
REFERENCE_MAX_LENGTH = 5 + 1 + BODY_LENGTH + 1
DEFAULT_ATTEMPTS = 5

_PREFIX = re.compile(r"[A-Z]{2,5}")
_BODY = re.compile(f"[{ALPHABET}]{{{BODY_LENGTH}}}")
_NOISE = re.compile(r"[\s.\-_/\u2010-\u2015]")
_PREFIX_LOOKALIKES = str.maketrans({"0": "O", "1": "I"})
_MAX_INPUT = 40

M = TypeVar("M", bound=models.Model)


def _check_prefix(prefix: str) -> str:
    if not _PREFIX.fullmatch(prefix):
        raise ValueError("A reference prefix is 2 to 5 capital letters A-Z.")
    return prefix


def _format(prefix: str, body: str) -> str:
    return f"{prefix}-{body[:GROUP_LENGTH]}-{body[GROUP_LENGTH:]}"


def new_reference(prefix: str) -> str:
    """A fresh random reference, e.g. ``new_reference("ADU") == "ADU-7K3M-Q9XA"``."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return _format(_check_prefix(prefix), body)


def normalize_reference(user_input: str, *, prefix: str | None = None) -> str | None:
    """The canonical form of what a citizen typed, or ``None`` if it cannot be a reference.

    ``"adu 7k3m q9xa"``, ``"ADU7K3MQ9XA"`` and ``"AdU-7K3M-Q9XA"`` all give ``"ADU-7K3M-Q9XA"``.
    With ``prefix``, the prefix may be left out and a different prefix gives ``None``.
    """
    if not isinstance(user_input, str) or len(user_input) > _MAX_INPUT:
        return None
    compact = _NOISE.sub("", user_input).upper()
    body = compact[-BODY_LENGTH:]
    typed_prefix = compact[:-BODY_LENGTH].translate(_PREFIX_LOOKALIKES)
    if prefix is not None:
        _check_prefix(prefix)
        if typed_prefix in ("", prefix):
            typed_prefix = prefix
        else:
            return None
    if len(compact) < BODY_LENGTH or not _PREFIX.fullmatch(typed_prefix):
        return None
    if not _BODY.fullmatch(body):
        return None
    return _format(typed_prefix, body)


def unique_reference(
    model: type[models.Model], field: str, prefix: str, *, attempts: int = DEFAULT_ATTEMPTS
) -> str:
    """A reference not yet used in ``model.field``.

    A collision is very unlikely, and checking first still leaves a race: the column must be
    ``unique=True`` and the insert wrapped with :func:`create_with_reference` where a
    collision must never surface as an error.
    """
    for _ in range(attempts):
        reference = new_reference(prefix)
        if not model._default_manager.filter(**{field: reference}).exists():
            return reference
    raise RuntimeError(f"No free {prefix} reference after {attempts} attempts.")


def create_with_reference(
    model: type[M],
    field: str,
    prefix: str,
    create: Callable[[str], M],
    *,
    attempts: int = DEFAULT_ATTEMPTS,
) -> M:
    """Call ``create(reference)`` and retry with a new reference if the unique column collides.

    ``create`` runs in a savepoint; an ``IntegrityError`` for another reason is re-raised.
    Example: ``create_with_reference(Application, "reference", "ADU",
    lambda ref: Application.objects.create(reference=ref, ...))``.
    """
    for attempt in range(attempts):
        reference = unique_reference(model, field, prefix)
        try:
            with transaction.atomic():
                return create(reference)
        except IntegrityError:
            collided = model._default_manager.filter(**{field: reference}).exists()
            if not collided or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")
