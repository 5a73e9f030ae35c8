"""Re-encrypt every encrypted personal-data value with the newest key.

Run after putting a new key first in ``PERSONAL_DATA_KEYS``; then the old key can be removed.
Values already encrypted with the newest key are left alone, so the command can be re-run
after an interruption. Prints counts only, never a value.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models.functions import Cast

from kotapintar.core import crypto
from kotapintar.core.fields import EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt personal data (EncryptedTextField columns) with the newest key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would change; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = max(1, options["batch_size"])
        dry_run = options["dry_run"]
        failures = 0
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, EncryptedTextField):
                    rotated, current, failed = _rotate_column(
                        model, field, batch_size=batch_size, dry_run=dry_run
                    )
                    failures += failed
                    self.stdout.write(
                        f"{model._meta.label}.{field.name}: {rotated} re-encrypted, "
                        f"{current} already current, {failed} unreadable"
                    )
        if failures:
            raise CommandError(
                f"{failures} values could not be decrypted with any configured key.",
                returncode=1,
            )
        self.stdout.write("Dry run: nothing written." if dry_run else "Done.")


def _rotate_column(
    model: type[models.Model], field: EncryptedTextField, *, batch_size: int, dry_run: bool
) -> tuple[int, int, int]:
    manager = model._base_manager
    # Cast to a plain TextField reads the stored token without the field's decryption.
    raw = Cast(field.name, output_field=models.TextField())
    rotated = current = failed = 0
    cursor: Any = None
    while True:
        rows = manager.exclude(**{field.name: ""}).filter(**{f"{field.name}__isnull": False})
        if cursor is not None:
            rows = rows.filter(pk__gt=cursor)
        batch = list(
            rows.order_by("pk").annotate(_token=raw).values_list("pk", "_token")[:batch_size]
        )
        if not batch:
            return rotated, current, failed
        with transaction.atomic():
            for pk, token in batch:
                cursor = pk
                if crypto.is_current(token):
                    current += 1
                    continue
                try:
                    new_token = crypto.rotate(token)
                except ValueError:
                    failed += 1
                    continue
                rotated += 1
                if not dry_run:
                    # A Value with a plain TextField is written as is (no second encryption).
                    manager.filter(pk=pk).update(
                        **{field.name: models.Value(new_token, output_field=models.TextField())}
                    )
