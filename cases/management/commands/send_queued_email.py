from django.core.management.base import BaseCommand

from cases import notifications


class Command(BaseCommand):
    help = "Send queued email that could not be sent when it was written (run from cron)."

    def handle(self, *args, **options):
        sent, failed = notifications.send_queued()
        self.stdout.write(f"Sent {sent}, still failing {failed}.")
