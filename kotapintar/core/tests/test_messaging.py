"""SMS/WhatsApp gateway adapters, the webhook one against a real local HTTP server."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from kotapintar.core.messaging import (
    ConsoleGateway,
    GatewayError,
    WebhookGateway,
    get_gateway,
    mask_phone,
)

PHONE = "081234567890"


@dataclass
class Received:
    status: int = 204
    location: str = ""
    requests: list[dict[str, object]] = field(default_factory=list)


@pytest.fixture
def webhook() -> Iterator[tuple[str, Received]]:
    """A tiny HTTP server on 127.0.0.1 that records each request and answers ``status``."""
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.requests.append(
                {
                    "path": self.path,
                    "headers": dict(self.headers.items()),
                    "body": self.rfile.read(length),
                }
            )
            self.send_response(received.status)
            if received.location:
                self.send_header("Location", received.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/kirim", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_webhook_posts_exact_json_with_bearer_token(webhook: tuple[str, Received]) -> None:
    url, received = webhook
    WebhookGateway(url, "rahasia-token").send(PHONE, "Laporan Anda selesai ✓ <b>&")
    assert len(received.requests) == 1
    request = received.requests[0]
    headers = request["headers"]
    assert isinstance(headers, dict)
    assert request["path"] == "/kirim"
    assert headers["Authorization"] == "Bearer rahasia-token"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(request["body"]) == {
        "to": PHONE,
        "text": "Laporan Anda selesai ✓ <b>&",
    }


@pytest.mark.parametrize("status", [400, 401, 500, 503])
def test_webhook_error_status_raises_without_the_number(
    webhook: tuple[str, Received], status: int
) -> None:
    url, received = webhook
    received.status = status
    with pytest.raises(GatewayError) as excinfo:
        WebhookGateway(url, "t").send(PHONE, "halo")
    assert str(excinfo.value) == f"Messaging webhook answered HTTP {status}."
    assert PHONE not in str(excinfo.value)


def test_webhook_redirect_is_a_failure_not_a_resend(webhook: tuple[str, Received]) -> None:
    url, received = webhook
    received.status, received.location = 302, url
    with pytest.raises(GatewayError, match="HTTP 302"):
        WebhookGateway(url, "t").send(PHONE, "halo")
    assert len(received.requests) == 1


def test_webhook_unreachable_raises_gateway_error() -> None:
    # Port 9 (discard) on localhost: nothing listens there in the test environment.
    with pytest.raises(GatewayError, match="unreachable"):
        WebhookGateway("http://127.0.0.1:9/", "t", timeout=2).send(PHONE, "halo")


def test_webhook_rejects_non_http_urls() -> None:
    with pytest.raises(ImproperlyConfigured):
        WebhookGateway("file:///etc/passwd", "t")


def test_console_gateway_logs_the_number_masked(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="kotapintar.core.messaging"):
        ConsoleGateway().send(PHONE, "Kode Anda 1234")
    assert caplog.messages == ["Message to 0812******90 (14 characters): Kode Anda 1234"]
    assert PHONE not in caplog.text


def test_mask_phone_keeps_only_the_ends() -> None:
    assert mask_phone("081234567890") == "0812******90"
    assert mask_phone("+62 812-3456-7890") == "+628********90"
    assert mask_phone("12345") == "*****"


@override_settings(MESSAGING_GATEWAY="console")
def test_get_gateway_console() -> None:
    assert isinstance(get_gateway(), ConsoleGateway)


@override_settings(
    MESSAGING_GATEWAY="webhook",
    MESSAGING_WEBHOOK_URL="https://gateway.example/send",
    MESSAGING_WEBHOOK_TOKEN="tok",
)
def test_get_gateway_webhook_uses_the_settings() -> None:
    gateway = get_gateway()
    assert isinstance(gateway, WebhookGateway)
    assert (gateway.url, gateway.token, gateway.timeout) == (
        "https://gateway.example/send",
        "tok",
        10,
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"MESSAGING_GATEWAY": "webhook", "MESSAGING_WEBHOOK_URL": ""},
        {"MESSAGING_GATEWAY": "carrier-pigeon"},
    ],
)
def test_get_gateway_misconfiguration_is_reported(overrides: dict[str, str]) -> None:
    with override_settings(**overrides), pytest.raises(ImproperlyConfigured):
        get_gateway()
