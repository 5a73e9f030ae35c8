"""Delete stored upload objects that no StoredFile row names (left by rolled-back transactions
or crashes). Run daily, e.g. from cron: ``manage.py cleanup_orphan_files``."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand

from kotapintar.core.uploads.services import stored_file_orphans_delete


class Command(BaseCommand):
    help = "Delete orphaned upload objects older than a grace period."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--older-than-hours",
            type=float,
            default=24.0,
            help="Only objects older than this (default 24): never touch uploads in flight.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only list, delete nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        orphans = stored_file_orphans_delete(
            older_than=timedelta(hours=options["older_than_hours"]),
            dry_run=options["dry_run"],
        )
        verb = "Would delete" if options["dry_run"] else "Deleted"
        self.stdout.write(f"{verb} {len(orphans)} orphaned object(s).")
