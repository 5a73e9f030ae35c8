"""Small cache-based rate limits for anonymous forms (registration, resend confirmation).

Counters live in the shared cache (Redis in production) so that every web process sees them.
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    # Same resolution as the login lockout, so both agree on who the client is.
    return get_client_ip_address(request) or "unknown"


def rate_limit_hit(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt; ``True`` when the attempt is over ``limit`` within the window."""
    cache_key = f"ratelimit:{scope}:{key}"
    # add() only sets the counter when absent, so the window starts at the first attempt.
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count > limit
