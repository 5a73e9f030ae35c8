"""Expire unanswered orders and send certificate expiry reminders (run daily from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kotapintar.umkm.services import umkm_housekeeping


class Command(BaseCommand):
    help = "Expire unanswered UMKM orders and remind owners of expiring certificates."

    def handle(self, *args: Any, **options: Any) -> None:
        result = umkm_housekeeping()
        self.stdout.write(
            f"orders_expired={result.orders_expired} reminders_sent={result.reminders_sent}"
        )
