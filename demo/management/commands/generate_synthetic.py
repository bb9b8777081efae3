import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import synthetic

DEFAULT_REGISTRY = settings.BASE_DIR.parent / "shared" / "data" / "municipalities.csv"


class Command(BaseCommand):
    help = (
        "Fill an empty database with realistic, deterministic synthetic data for load tests: "
        "the registry's counties and municipalities with their workplaces, published cases, "
        "adoptions with a long tail, spread activities and the change feed. Bulk inserts in one "
        "transaction; the same seed gives the same rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1000, help="Published cases (1000).")
        parser.add_argument(
            "--adoptions", type=int, help="Adoption records (default: three per case)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (1).")
        parser.add_argument(
            "--municipalities",
            type=Path,
            default=DEFAULT_REGISTRY,
            metavar="PATH",
            help="Registry CSV or KLASS JSON of the municipalities (default: %(default)s). "
            "A counties.csv beside it is used for the counties' names.",
        )
        parser.add_argument(
            "--counties", type=Path, metavar="PATH", help="Counties CSV (optional)."
        )

    def handle(self, *args, **options):
        cases = options["cases"]
        adoptions = options["adoptions"] if options["adoptions"] is not None else 3 * cases
        verbose = options["verbosity"] >= 1
        started = time.monotonic()
        try:
            report = synthetic.generate(
                cases=cases,
                adoptions=adoptions,
                seed=options["seed"],
                municipalities=options["municipalities"],
                counties=options["counties"],
                progress=self.stdout.write if options["verbosity"] >= 2 else None,
            )
        except synthetic.SyntheticError as exc:
            raise CommandError(str(exc)) from exc
        if not verbose:
            return
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated in {elapsed:.1f} s: {report.cases} cases, {report.adoptions} "
                f"adoptions, {report.spread_activities} spread activities, {report.changes} "
                f"change feed entries; {report.municipalities} municipalities, "
                f"{report.counties} counties, {report.units} workplaces, "
                f"{report.other_organisations} other organisations."
            )
        )
