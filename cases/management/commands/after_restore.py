"""Make a restored database consistent: run once after `pg_restore` (see the README's
Operations section), before the site serves it."""

from django.core.management.base import BaseCommand

from cases.changefeed import read, record


class Command(BaseCommand):
    help = (
        "Run after restoring the database from a backup: starts the change feed anew (a new "
        "epoch), so that it serves the restored data in order and refuses cursors from before "
        "the restore (410), whose clients then sync again from the start."
    )

    def handle(self, *args, **options):
        before = read.state()
        if before.ahead:
            self.stdout.write(
                "The change log holds transaction ids of another database server: the feed "
                "was paused (503)."
            )
        epoch = record.start_epoch()
        self.stdout.write(
            f"Started change feed epoch {epoch.key}: {epoch.rebased} of {epoch.entries} log "
            "entries rebased; cursors from before it are now answered 410 Gone, and clients "
            "sync again from the start."
        )
        after = read.state()
        if after.ahead or after.epoch != epoch.key:
            # Another run started a later epoch at the same time, or a writer of another server.
            self.stderr.write("The change feed is still not consistent; run this again.")
            raise SystemExit(1)
