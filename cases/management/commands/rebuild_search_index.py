"""Compute every case's search terms again (cases/search.py): after a change of the analyser or
of cases/search_vocabulary.json, or after loading rows that bypassed the services."""

from django.core.management.base import BaseCommand
from django.db import transaction

from cases import caching, search
from cases.models import refresh_facet_masks


class Command(BaseCommand):
    help = "Recompute the search index terms of every case."

    def handle(self, *args, **options):
        with transaction.atomic():
            count = search.rebuild()
            # The facet masks too: after a change of a vocabulary's values, or of rows written
            # around the services.
            refresh_facet_masks()
            # Every kept search and page may read differently now.
            transaction.on_commit(lambda: caching.bump([caching.EVERYTHING]))
        # With a shared cache (Redis) the site's next searches find the new lexicon ready.
        search.warm_lexicon()
        self.stdout.write(f"Search terms recomputed for {count} cases.")
