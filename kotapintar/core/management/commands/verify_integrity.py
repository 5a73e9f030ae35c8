"""Integrity snapshot: ``manage.py verify_integrity [--output F] [--compare F] [--no-files]``.

Counts rows per table and per status, checksums every table's content and the accounts'
password hashes, and re-hashes every stored file. ``--output`` writes the snapshot (JSON, no
personal data); ``--compare before.json`` prints every difference and exits with status 1 when
anything differs (0 when identical). Without ``--compare`` it exits 1 when a stored file is
missing or damaged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotapintar.core.backup.integrity import (
    FileProblem,
    integrity_snapshot,
    snapshot_compare,
    snapshot_dumps,
)


class Command(BaseCommand):
    help = "Record counts and checksums of every table and stored file; compare with a snapshot."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="Write the snapshot (JSON) to this file.")
        parser.add_argument(
            "--compare", type=Path, help="Compare with an earlier snapshot; exit 1 on differences."
        )
        parser.add_argument(
            "--no-files", action="store_true", help="Skip re-hashing the stored files."
        )
        parser.add_argument(
            "--ignore",
            action="append",
            default=[],
            metavar="APP.MODEL",
            help="With --compare: a table whose changes are expected (repeatable).",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        before: dict[str, Any] | None = None
        if options["compare"]:
            try:
                before = json.loads(Path(options["compare"]).read_text())
            except (OSError, ValueError) as exc:
                raise CommandError(f"Cannot read snapshot {options['compare']}: {exc}") from exc
        snapshot, problems = integrity_snapshot(
            using=options["database"], check_files=not options["no_files"]
        )
        if options["output"]:
            Path(options["output"]).write_text(snapshot_dumps(snapshot))
        self._print_summary(snapshot, problems)
        if before is not None:
            try:
                differences = snapshot_compare(before, snapshot, ignore=options["ignore"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            if differences:
                self.stdout.write(f"DIFFERENT from {options['compare']}:")
                width = max(len(d.subject) for d in differences)
                self.stdout.write(f"  {'table / check'.ljust(width)}  expected -> found")
                for difference in differences:
                    self.stdout.write(
                        f"  {difference.subject.ljust(width)}  "
                        f"{difference.expected} -> {difference.found}"
                    )
                raise CommandError(f"{len(differences)} difference(s).", returncode=1)
            self.stdout.write(f"IDENTICAL to {options['compare']}.")
        elif problems:
            raise CommandError(f"{len(problems)} stored file problem(s).", returncode=1)

    def _print_summary(self, snapshot: dict[str, Any], problems: list[FileProblem]) -> None:
        tables = snapshot["tables"]
        rows = sum(t["rows"] for t in tables.values())
        self.stdout.write(f"{len(tables)} tables, {rows} rows.")
        for label, table in tables.items():
            if table["rows"] and "status" in table:
                statuses = ", ".join(f"{k}={v}" for k, v in table["status"].items())
                self.stdout.write(f"  {label}: {table['rows']} ({statuses})")
        accounts = snapshot["accounts"]
        self.stdout.write(f"Accounts: {accounts['users']} ({accounts['active']} active).")
        files = snapshot["files"]
        if not files["checked"]:
            self.stdout.write(f"Files: {files['count']} (not checked: --no-files).")
            return
        self.stdout.write(
            f"Files: {files['count']}, {files['total_bytes']} bytes, "
            f"{len(files['missing'])} missing, {len(files['mismatched'])} damaged."
        )
        for problem in problems:
            self.stdout.write(f"  stored file {problem.file_id}: {problem.problem}")
