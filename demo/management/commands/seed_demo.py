import textwrap

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from cases import search
from cases.links import site_url
from cases.services import Conflict
from demo import dataset, loader


class Command(BaseCommand):
    help = (
        "Add the demo content (real organisations, cases drawn from real Norwegian examples, "
        "reuse records, demo logins). Idempotent: what is already there is left as it is."
    )

    def handle(self, *args, **options):
        try:
            created = loader.seed()
        except (ValidationError, PermissionDenied, Conflict) as error:
            message = getattr(error, "message_dict", None) or getattr(error, "messages", error)
            raise CommandError(f"The demo data could not be written: {message}") from error
        # With a shared cache (Redis) the site's first searches find the lexicon ready.
        search.warm_lexicon()
        if options["verbosity"] == 0:
            return
        if created:
            summary = ", ".join(f"{count} {kind}" for kind, count in created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data written: {summary}."))
        else:
            self.stdout.write("The demo data was already there; nothing changed.")
        self._print_logins()

    def _print_logins(self):
        site = site_url("/")
        main = [
            (dataset.ADMIN_EMAIL, "administrator (superuser; also /admin/)"),
            (dataset.MODERATOR_EMAIL, "moderator (one case waits in the moderation queue)"),
            (dataset.EMPLOYEE_EMAIL, "editor of Oslo kommune (owns a draft)"),
        ]
        others = [
            spec["email"]
            for spec in dataset.USERS
            if spec["email"] not in {email for email, _role in main}
        ]
        self.stdout.write("")
        self.stdout.write(f"Demo logins at {site} (password for all: {dataset.PASSWORD}):")
        for email, role in main:
            self.stdout.write(f"  {email:<20} {role}")
        self.stdout.write(
            textwrap.fill(
                "One employee for each organisation that writes or reuses cases: "
                + ", ".join(others),
                width=100,
                initial_indent="  ",
                subsequent_indent="    ",
            )
        )
