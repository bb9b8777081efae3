"""Export every record as JSON: `export_data [--output FILE]` (standard output by default).

Everything that is data is included, history and the change log too; what is derived or
transient (content types, permissions, sessions, login-attempt counters) is not, since a fresh
database makes its own. `import_data` reads the file back into an empty database.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]


class Command(BaseCommand):
    help = "Export all data as JSON (for backups across versions and for moving sites)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")

    def handle(self, *args, output=None, **options):
        call_command(
            "dumpdata",
            natural_foreign=True,
            exclude=EXCLUDED,
            indent=1,
            output=output,
            stdout=self.stdout,
        )
