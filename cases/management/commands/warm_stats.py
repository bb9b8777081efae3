from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from cases.statistics.caching import BUSY, COMPUTED, UP_TO_DATE, warm
from cases.statistics.filters import StatsFilter

WORDS = {
    COMPUTED: "computed",
    UP_TO_DATE: "up to date",
    BUSY: "being computed by another process",
}


class Command(BaseCommand):
    help = (
        "Bring the cached diffusion statistics up to date, so that visitors find them ready. "
        "Run it after bulk writes (imports) or every minute from cron: when nothing has "
        "changed it costs one query."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--filters",
            action="append",
            default=[],
            metavar="QUERY",
            help="A filtered view to warm as well, as the dashboard's query string "
            '(e.g. "sector=health-care&region=vestlandet"); may be given more than once. '
            "The view of all cases is always warmed.",
        )

    def handle(self, *args, filters, **options):
        views = [("", {})]
        for query in filters:
            filterset = StatsFilter(QueryDict(query))
            if not filterset.is_valid():
                problems = "; ".join(
                    f"{name}: {' '.join(messages)}" for name, messages in filterset.errors.items()
                )
                raise CommandError(f"Not valid filters: {query} ({problems})")
            views.append((query, filterset.form.cleaned_data))
        for query, cleaned in views:
            outcome = warm(cleaned)
            what = f"?{query}" if query else "all cases"
            self.stdout.write(f"{what}: {WORDS[outcome]}")
