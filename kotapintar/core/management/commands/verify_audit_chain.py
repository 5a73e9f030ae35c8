"""Verify the audit log's hash chain: ``manage.py verify_audit_chain [--batch-size N]``.

Prints ``OK`` with the number of entries checked, or the id of the first broken link and
exits with status 1 (for cron and monitoring).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotapintar.core.audit import audit_chain_verify


class Command(BaseCommand):
    help = "Walk the audit log's hash chain and report the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_chain_verify(batch_size=max(1, options["batch_size"]))
        if not result.ok:
            raise CommandError(
                f"BROKEN at audit entry id {result.broken_entry_id}: {result.reason} "
                f"({result.checked} entries before it are intact).",
                returncode=1,
            )
        self.stdout.write(f"OK: {result.checked} audit entries, chain intact.")
