"""The one command a new deployment runs: regions, the city's map box, and agencies."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotapintar.agencies.services import AgencyDataError, reference_data_load
from kotapintar.regions.management.commands.load_regions import report_regions_load
from kotapintar.regions.services import RegionDataError


class Command(BaseCommand):
    help = (
        "Load the reference data of the deployment region (settings.KOTAPINTAR_REGION_CODE): "
        "the regions of all of Indonesia (only the deployment's province with --province-only), "
        "the city's bounding box, the OPD list and one office per kecamatan. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # All provinces by default: newcomers' NIKs and addresses come from everywhere, and an
        # unknown NIK prefix would otherwise raise a needless warning for the officer.
        parser.add_argument(
            "--province-only",
            action="store_true",
            help="Load only the deployment's province (faster; for tests and trials).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        code = settings.KOTAPINTAR_REGION_CODE
        try:
            result = reference_data_load(
                regency_code=code, all_regions=not options["province_only"]
            )
        except (RegionDataError, AgencyDataError) as exc:
            raise CommandError(str(exc)) from exc
        report_regions_load(self, result.regions, seconds=time.monotonic() - started)

        bounds = result.bounds
        if bounds.created:
            self.stdout.write(f"City bounding box seeded for {', '.join(bounds.created)}.")
        elif bounds.kept:
            self.stdout.write("City boundary already present, left as it is.")
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"No bounding box shipped for {code}: import a polygon "
                    "(import_boundaries --level city) or add the box in the admin."
                )
            )

        agencies = result.agencies
        if agencies.opd_file is None:
            self.stdout.write(
                self.style.WARNING(
                    f"No opd_{code}.csv: only kecamatan offices were created. Add the OPD "
                    "in the admin or ship the file in kotapintar/agencies/data/."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Agencies: {agencies.agencies_created} created, {agencies.agencies_updated} "
                f"updated; service units: {agencies.units_created} created, "
                f"{agencies.units_updated} updated."
            )
        )
