from django.core.management.base import BaseCommand

from cases import notifications, services


class Command(BaseCommand):
    help = (
        "Email every weekly saved search the cases published since its last email (nothing when "
        "there are none). Each search is emailed at most once a week, however often this runs."
    )

    def handle(self, *args, **options):
        queued = services.saved_search_digests()
        sent = sum(1 for pk in queued if notifications.send(pk))
        self.stdout.write(
            f"Queued {len(queued)} digests, sent {sent}; "
            f"send_queued_email retries {len(queued) - sent}."
        )
