"""Load the Kemendagri region tables shipped in ``regions/data`` (idn-area-data 4.0.1)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotapintar.regions.services import RegionDataError, RegionsLoadResult, regions_load


class Command(BaseCommand):
    help = (
        "Load provinces, kabupaten/kota, kecamatan and kelurahan/desa of Indonesia "
        "(idn-area-data 4.0.1, ODbL 1.0). Safe to run again: updates names, adds missing rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--only-province",
            metavar="CODE",
            help="Load one province only, e.g. 12 (Sumatera Utara).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            result = regions_load(province_code=options["only_province"])
        except RegionDataError as exc:
            raise CommandError(str(exc)) from exc
        report_regions_load(self, result, seconds=time.monotonic() - started)


def report_regions_load(command: BaseCommand, result: RegionsLoadResult, *, seconds: float) -> None:
    for name, counts in result.levels():
        command.stdout.write(
            f"{name}: {counts.total} in data, {counts.created} created, "
            f"{counts.updated} updated, {counts.unchanged} unchanged"
        )
    command.stdout.write(command.style.SUCCESS(f"Regions loaded in {seconds:.1f} s."))
