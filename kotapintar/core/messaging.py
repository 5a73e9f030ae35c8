"""SMS/WhatsApp gateway: one small interface, adapters chosen by ``settings.MESSAGING_GATEWAY``.

* ``console``: logs one line with the number masked (development, tests, no provider).
* ``webhook``: POSTs ``{"to": ..., "text": ...}`` as JSON with a bearer token to
  ``MESSAGING_WEBHOOK_URL``; the receiving side (a provider's HTTP API or a small relay) does the
  actual sending. Any non-2xx answer raises :class:`GatewayError`, so the delivery task fails
  visibly and the notification is marked failed.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_SECONDS = 10


class GatewayError(Exception):
    """The gateway did not accept the message. The text never contains the number."""


class MessageGateway(Protocol):
    def send(self, to: str, text: str) -> None: ...


def mask_phone(phone: str) -> str:
    """``081234567890`` -> ``0812******90``: enough to tell numbers apart, not to dial."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    if len(digits) <= 6:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 6) + digits[-2:]


class ConsoleGateway:
    def send(self, to: str, text: str) -> None:
        logger.info("Message to %s (%d characters): %s", mask_phone(to), len(text), text)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect would re-send (or silently drop) the message: treat it as a failure instead.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class WebhookGateway:
    def __init__(self, url: str, token: str, timeout: float = WEBHOOK_TIMEOUT_SECONDS) -> None:
        if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
            raise ImproperlyConfigured("MESSAGING_WEBHOOK_URL must be an http(s) URL.")
        self.url = url
        self.token = token
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect())

    def send(self, to: str, text: str) -> None:
        payload = json.dumps({"to": to, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.token}",
                "User-Agent": "KotaPintar/1.0",
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            exc.close()
            raise GatewayError(f"Messaging webhook answered HTTP {exc.code}.") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise GatewayError(f"Messaging webhook unreachable ({type(exc).__name__}).") from exc
        if not 200 <= status < 300:
            raise GatewayError(f"Messaging webhook answered HTTP {status}.")


def get_gateway() -> MessageGateway:
    name = settings.MESSAGING_GATEWAY
    if name == "console":
        return ConsoleGateway()
    if name == "webhook":
        if not settings.MESSAGING_WEBHOOK_URL:
            raise ImproperlyConfigured("MESSAGING_GATEWAY=webhook needs MESSAGING_WEBHOOK_URL.")
        return WebhookGateway(settings.MESSAGING_WEBHOOK_URL, settings.MESSAGING_WEBHOOK_TOKEN)
    raise ImproperlyConfigured(f"Unknown MESSAGING_GATEWAY {name!r} (use console or webhook).")
