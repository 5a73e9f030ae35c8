"""Back up the database and the private uploads: ``manage.py backup_data --to DIR``.

Writes ``database.dump`` (PostgreSQL, ``pg_dump -Fc``) or ``database.sqlite3`` (SQLite online
backup), ``files.tar`` (the private upload folder), ``snapshot.json`` (``verify_integrity`` of
exactly the dumped state) and, last, ``manifest.json`` with each part's size and SHA-256. A
folder without a manifest is an incomplete backup. Exit status 1 when the backup failed.
The key file (``PERSONAL_DATA_KEYS`` ...) is NOT part of it: keep it separately.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotapintar.core.backup.archive import BackupError, backup_create


class Command(BaseCommand):
    help = "Write a verifiable backup (database, uploads, integrity snapshot, manifest)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", required=True, type=Path, help="A new or empty folder.")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        target: Path = options["to"]
        try:
            manifest = backup_create(target=target, using=options["database"])
        except BackupError as exc:
            raise CommandError(f"Backup FAILED (no manifest written): {exc}", returncode=1) from exc
        for name, part in sorted(manifest["parts"].items()):
            self.stdout.write(f"  {name}: {part['size']} bytes, sha256 {part['sha256']}")
        self.stdout.write(f"OK: backup complete in {target} (manifest.json written last).")
