import datetime

from django.core.management.base import BaseCommand

from cases.uploads import discard_held_uploads


class Command(BaseCommand):
    help = (
        "Delete files the editor kept for an author who never came back to use them "
        "(run daily from cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours", type=int, default=24, help="Keep files younger than this (default 24)."
        )

    def handle(self, *args, **options):
        deleted = discard_held_uploads(datetime.timedelta(hours=options["hours"]))
        self.stdout.write(f"Deleted {deleted} kept uploads.")
