"""Restore a backup made by ``backup_data``: ``manage.py restore_data --from DIR [--yes]``.

Before touching anything it checks that ``manifest.json`` exists, that every part it lists is
present with the same size and SHA-256, and that the database dump and the file archive are
readable. If not, it refuses with exit status 2 and the target is left exactly as it was.
A target database that already holds data is only replaced with ``--yes`` (without it the
command lists what it would wipe and exits with status 3). After the restore it compares the
result with the backup's ``snapshot.json``: exit 0 when identical, 1 on any difference.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotapintar.core.backup.archive import (
    BackupError,
    backup_check,
    backup_restore,
    target_contents,
)

EXIT_DIFFERENT = 1
EXIT_BACKUP_INCOMPLETE = 2
EXIT_NOT_CONFIRMED = 3


class Command(BaseCommand):
    help = "Check a backup completely, then restore the database and uploads, then verify."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="source", required=True, type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="Replace a target database that holds data."
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["source"]
        using: str = options["database"]
        try:
            manifest = backup_check(source=source, using=using)
        except BackupError as exc:
            raise CommandError(
                f"REFUSED: {exc} Nothing was changed.", returncode=EXIT_BACKUP_INCOMPLETE
            ) from exc
        self.stdout.write(
            f"Backup {source} is complete: {len(manifest['parts'])} parts match the manifest "
            f"of {manifest['created_at']}."
        )
        existing = target_contents(using=using)
        if existing and not options["yes"]:
            self.stdout.write("The target database holds data that the restore would replace:")
            for label, rows in existing.items():
                self.stdout.write(f"  {label}: {rows} rows")
            raise CommandError(
                "REFUSED: the target is not empty; run again with --yes to replace it. "
                "Nothing was changed.",
                returncode=EXIT_NOT_CONFIRMED,
            )
        try:
            result = backup_restore(source=source, using=using)
        except BackupError as exc:
            raise CommandError(f"Restore FAILED: {exc}", returncode=EXIT_DIFFERENT) from exc
        self.stdout.write(f"Database restored; {result.files_restored} file(s) unpacked.")
        if result.differences:
            self.stdout.write("DIFFERENT from the backup's snapshot.json:")
            for difference in result.differences:
                self.stdout.write(f"  {difference}")
            raise CommandError(
                f"{len(result.differences)} difference(s) after restore.",
                returncode=EXIT_DIFFERENT,
            )
        self.stdout.write("IDENTICAL: counts, checksums and files match the backup's snapshot.")
