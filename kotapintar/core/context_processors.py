from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from kotapintar.core.maintenance import maintenance_context
from kotapintar.core.notifications import unread_count
from kotapintar.regions.selectors import deployment_city_name


def platform(request: HttpRequest) -> dict[str, Any]:
    """Values every page needs: the city name, and the user's unread notification count.

    The count is a memoised callable: templates call it, so pages that never show it (and
    requests of anonymous users) run no query, and pages that show it twice run one.
    """
    return {
        "city_name": deployment_city_name(),
        "unread_notification_count": _unread_count_for(request),
        **maintenance_context(),
    }


def _unread_count_for(request: HttpRequest) -> Callable[[], int] | int:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    cached: list[int] = []

    def count() -> int:
        if not cached:
            cached.append(unread_count(user))
        return cached[0]

    return count
