from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases import registry


class Command(BaseCommand):
    help = (
        "Create or update municipalities and counties from SSB's registry: a CSV in the shape of "
        "municipalities.csv, or the JSON that KLASS returns for classification 131. Validates "
        "the whole file first; a bad file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            type=Path,
            help="Registry CSV or KLASS JSON (format detected from the extension or content).",
        )
        parser.add_argument(
            "--counties",
            type=Path,
            metavar="PATH",
            help="Counties CSV (number,name,name_official,landsdel): the authority on counties.",
        )

    def handle(self, *args, **options):
        try:
            data = registry.read_registry(path=options["path"], counties_path=options["counties"])
            report = registry.import_registry(registry=data)
        except registry.RegistryError as exc:
            raise CommandError(str(exc)) from exc

        if options["verbosity"] >= 2:
            for noun, tally in (
                ("county", report.counties),
                ("municipality", report.municipalities),
            ):
                for label in tally.created:
                    self.stdout.write(f"Created {noun} {label}")
                for label in tally.updated:
                    self.stdout.write(f"Updated {noun} {label}")
            for label in report.skipped:
                self.stdout.write(f"Skipped {label}: not a municipality")
            for label in report.not_in_file:
                self.stdout.write(f"Not in the file, left as it was: municipality {label}")

        if options["verbosity"] == 0:
            return
        municipalities, counties = report.municipalities, report.counties
        self.stdout.write(
            self.style.SUCCESS(
                f"Municipalities: {len(municipalities.created)} created, "
                f"{len(municipalities.updated)} updated, "
                f"{len(municipalities.unchanged)} unchanged. "
                f"Counties: {len(counties.created)} created, {len(counties.updated)} updated, "
                f"{len(counties.unchanged)} unchanged. "
                f"Units refreshed: {report.units_refreshed}."
            )
        )
        if report.skipped:
            self.stdout.write(f"Codes skipped as not municipalities: {len(report.skipped)}.")
        if report.not_in_file:
            # After a municipal reform the old municipalities stay (cases point at them); say so.
            self.stdout.write(
                f"{len(report.not_in_file)} municipalities in the database are not in the file "
                "and were left as they were."
            )
