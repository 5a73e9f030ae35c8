"""Finding one record for a URL or API id without revealing anything."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def get_or_404(queryset: QuerySet[M], **lookup: Any) -> M:
    """The one object of ``queryset`` matching ``lookup``, or ``Http404``.

    A malformed id (not a UUID, not a number) is a 404 too, exactly like a record that does not
    exist or is outside the caller's scope, so a URL never tells an existing record from a bad one.
    """
    try:
        return queryset.get(**lookup)
    except (
        ObjectDoesNotExist,
        MultipleObjectsReturned,
        ValidationError,
        ValueError,
        TypeError,
    ) as exc:
        raise Http404 from exc
