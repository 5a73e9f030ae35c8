"""Import city or kelurahan/desa polygons from a GeoJSON file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotapintar.regions.models import BoundaryLevel
from kotapintar.regions.services import RegionDataError, boundaries_import


class Command(BaseCommand):
    help = (
        "Store GeoJSON Polygon/MultiPolygon boundaries per kabupaten/kota (--level city) or "
        "per kelurahan/desa (--level village), matched by a Kemendagri code property."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="GeoJSON FeatureCollection (WGS 84).")
        parser.add_argument("--level", required=True, choices=BoundaryLevel.values)
        parser.add_argument(
            "--code-property",
            required=True,
            help="Feature property holding the region code (12.71 or 1271; 12.71.01.1001 or "
            "1271011001).",
        )
        parser.add_argument(
            "--source", default="", help="Where the polygons come from (stored for the record)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            with path.open(encoding="utf-8") as handle:
                geojson = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            result = boundaries_import(
                geojson=geojson,
                level=options["level"],
                code_property=options["code_property"],
                source=options["source"] or path.name,
            )
        except RegionDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Boundaries: {result.created} created, {result.updated} updated.")
        )
        if result.skipped:
            shown = ", ".join(result.skipped[:20])
            more = f" and {len(result.skipped) - 20} more" if len(result.skipped) > 20 else ""
            self.stdout.write(
                self.style.WARNING(
                    f"Skipped {len(result.skipped)} feature(s) matching no loaded region: "
                    f"{shown}{more}"
                )
            )
