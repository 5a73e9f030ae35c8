"""Load Kota Medan's complaint categories, questions, routing rules and response templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotapintar.complaints.services import (
    CATEGORIES_FILE,
    CategoryDataError,
    complaint_categories_load,
)


class Command(BaseCommand):
    help = "Load complaint categories from data/categories.json (run after load_reference_data): "
    help += "creates what is missing, keeps what administrators changed (--update: the file wins)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=CATEGORIES_FILE)
        parser.add_argument(
            "--update",
            action="store_true",
            help="overwrite existing categories, questions, routing and templates with the file",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = complaint_categories_load(
                path=options["file"], update_existing=options["update"]
            )
        except (CategoryDataError, OSError, ValueError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"groups={result.groups} categories={result.categories} "
            f"questions={result.questions} options={result.options} "
            f"routing_rules={result.rules} templates={result.templates}"
        )
