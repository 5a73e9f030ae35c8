"""Paginators shared by the modules' officer queues."""

from __future__ import annotations

from typing import Any, cast

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


class CachedCountPaginator(Paginator):
    """A paginator whose count of a long list is reused for a while.

    Counting years of records on every page view costs more than the page itself, and the total
    of a list that long may be a minute old. A count at or above ``cache_from`` is kept under
    ``count_key`` for ``cache_seconds``; shorter lists are always counted exactly. The key must
    name the list: who looks (visibility) and the filters, not the page.
    """

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        *,
        count_key: str,
        cache_from: int,
        cache_seconds: int,
    ) -> None:
        super().__init__(object_list, per_page)
        self.count_key = count_key
        self.cache_from = cache_from
        self.cache_seconds = cache_seconds

    @cached_property
    def count(self) -> int:
        cached = cache.get(self.count_key)
        if cached is not None:
            return int(cached)
        count = int(cast(QuerySet[Any], self.object_list).count())
        if count >= self.cache_from:
            cache.set(self.count_key, count, self.cache_seconds)
        return count
