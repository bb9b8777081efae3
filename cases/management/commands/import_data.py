"""Import a file written by `export_data` into an empty, migrated database, all or nothing."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases.models import (
    Case,
    Organisation,
    User,
    refresh_adoption_counters,
    refresh_owner_columns,
    refresh_term_masks,
)


class Command(BaseCommand):
    help = "Import an export_data file into an empty database (in one transaction)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        if User.objects.exists() or Organisation.all_objects.exists() or Case.all_objects.exists():
            raise CommandError(
                "The database is not empty. Import into a freshly migrated database, so that "
                "nothing is mixed or overwritten."
            )
        with transaction.atomic():
            call_command("loaddata", file, stdout=self.stdout)
            # Counted again from the adoptions themselves: loaddata goes around Adoption.save,
            # and a file from an older version has no counters.
            refresh_adoption_counters()
            refresh_term_masks()
            refresh_owner_columns()
        self.stdout.write("Imported.")
