"""The committed OpenAPI document matches the code, and the API docs pages work offline."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.utils import translation

COMMITTED_SCHEMA = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.yaml"
REGENERATE = (
    "make schema   (= python manage.py spectacular --file docs/api/openapi.yaml --validate)"
)
MAX_DIFF_LINES = 120


def _generate_schema(tmp_path: Path) -> str:
    target = tmp_path / "openapi.yaml"
    # The command runs with no language activated, i.e. in LANGUAGE_CODE; an earlier test's
    # request may have left another language active in this thread.
    with translation.override(settings.LANGUAGE_CODE):
        call_command("spectacular", "--file", str(target), "--validate")
    return target.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_committed_openapi_schema_matches_the_code(tmp_path: Path) -> None:
    generated = _generate_schema(tmp_path)
    committed = COMMITTED_SCHEMA.read_text(encoding="utf-8") if COMMITTED_SCHEMA.exists() else ""

    if generated != committed:
        diff = list(
            difflib.unified_diff(
                committed.splitlines(),
                generated.splitlines(),
                fromfile="docs/api/openapi.yaml (committed)",
                tofile="generated from the code",
                lineterm="",
            )
        )
        shown = "\n".join(diff[:MAX_DIFF_LINES])
        more = (
            f"\n... {len(diff) - MAX_DIFF_LINES} more diff lines"
            if len(diff) > MAX_DIFF_LINES
            else ""
        )
        pytest.fail(
            "The API changed but docs/api/openapi.yaml was not regenerated.\n"
            f"Review the change, then run:\n\n    {REGENERATE}\n\nand commit the file.\n\n"
            f"{shown}{more}",
            pytrace=False,
        )


@pytest.mark.django_db
def test_schema_endpoint_serves_the_document(client: Client) -> None:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Kota Pintar API"
    assert "/api/v1/meta/" in document["paths"]


_URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_ABSOLUTE = re.compile(r"(?:https?:)?//[A-Za-z0-9.\-]+", re.IGNORECASE)


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
@pytest.mark.django_db
def test_api_docs_pages_load_their_assets_locally(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assets = _URL.findall(html)
    assert any(url.startswith("/static/") for url in assets)
    assert "cdn" not in html.lower()
    external = [m for m in _ABSOLUTE.findall(html) if not m.endswith("//testserver")]
    assert external == [], f"{path} references external hosts: {external}"
    for url in assets:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), f"missing static asset {url}"
