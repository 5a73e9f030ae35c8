"""Load the city's civil registration services, requirements and rejection reasons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotapintar.civil_registration.services import SERVICES_FILE, civil_registration_seed_load


class Command(BaseCommand):
    help = (
        "Load civil registration services from data/services.json: creates what is missing and "
        "keeps what administrators changed (--update puts the file's values back)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=SERVICES_FILE)
        parser.add_argument(
            "--update",
            action="store_true",
            help="overwrite existing services, requirements, reasons and the policy with the file",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = civil_registration_seed_load(
                path=options["file"], update_existing=options["update"]
            )
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"services={result.services} requirements={result.requirements} "
            f"rejection_reasons={result.reasons}"
        )
