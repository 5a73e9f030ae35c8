"""Load the UMKM reference data: scale thresholds, certification types, categories, synonyms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotapintar.umkm.services import DATA_DIR, umkm_reference_load


class Command(BaseCommand):
    help = (
        "Load UMKM reference data from umkm/data/*.json: creates what is missing and keeps what "
        "administrators changed (--update puts the file's values back)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
        parser.add_argument(
            "--update",
            action="store_true",
            help="overwrite existing thresholds, types, categories, synonyms and the policy",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = umkm_reference_load(
                data_dir=options["data_dir"], update_existing=options["update"]
            )
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"thresholds={result.thresholds} certification_types={result.certification_types} "
            f"categories={result.categories} synonyms={result.synonyms}"
        )
