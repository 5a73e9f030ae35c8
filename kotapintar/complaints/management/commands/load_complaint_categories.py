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
    help = "Load complaint categories from data/categories.json (idempotent; run after "
    help += "load_reference_data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=CATEGORIES_FILE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = complaint_categories_load(path=options["file"])
        except (CategoryDataError, OSError, ValueError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"groups={result.groups} categories={result.categories} "
            f"questions={result.questions} options={result.options} "
            f"routing_rules={result.rules} templates={result.templates}"
        )
