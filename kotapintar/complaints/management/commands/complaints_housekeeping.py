"""Cron entry point: escalate overdue reports and close resolved ones without a reply."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kotapintar.complaints.tasks import auto_close, escalate_overdue


class Command(BaseCommand):
    help = "Escalate overdue complaints (once each) and auto-close resolved ones. Safe to rerun."

    def handle(self, *args: Any, **options: Any) -> None:
        escalated = escalate_overdue()
        closed = auto_close()
        self.stdout.write(f"escalated={escalated} closed={closed}")
