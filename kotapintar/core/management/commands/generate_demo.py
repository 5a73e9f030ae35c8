"""``manage.py generate_demo --scale small|medan-5y [--seed N]``: demo data for every module."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotapintar.core.demo.registry import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, SCALES, DemoDataError
from kotapintar.core.demo.runner import demo_data_generate
from kotapintar.core.demo.users import DEMO_LOGINS

DEFAULT_SEED = 20240101


class Command(BaseCommand):
    help = (
        "Generate demo data with every registered generator (kotapintar/<app>/demo.py). "
        "Deterministic for a given --seed and safe to run again: existing data is kept, "
        "nothing is duplicated. Loads the reference data first if there are no agencies."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="small",
            help="; ".join(f"{s.name}: {s.description}" for s in SCALES.values()),
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--only",
            default="",
            help="Comma-separated generator names to run (default: all).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        only = [name.strip() for name in options["only"].split(",") if name.strip()]
        try:
            runs = demo_data_generate(
                scale=options["scale"],
                seed=options["seed"],
                batch_size=options["batch_size"],
                only=only or None,
            )
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        for run in runs:
            counts = ", ".join(f"{key}={value}" for key, value in run.counts.items())
            self.stdout.write(f"{run.name:<20} {run.seconds:7.1f} s  {counts}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready (scale {options['scale']}, seed {options['seed']}). "
                f"Demo logins, password {DEMO_PASSWORD}:"
            )
        )
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.role.label!s:<20} {login.local_part}@{DEMO_EMAIL_DOMAIN}")
