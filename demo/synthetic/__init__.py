"""Synthetic data for load tests and benchmarks: realistic, deterministic and bulk-inserted.

`generate()` (and `manage.py generate_synthetic`) fills an empty database with

- the counties and municipalities of a registry file, loaded through `cases.registry` exactly as
  `load_municipalities` loads them, and the workplaces (units) of every municipality and county
  in numbers that follow the population: schools, kindergartens, nursing homes, home care ...;
  a few research institutions, state agencies and companies to be partners;
- `cases` published cases, owned by units, municipalities and counties, in the proportions of
  KS' innovation barometer: origin about 10 % first of its kind, 51 % adapted, 32 % copied, 7 %
  unknown (more first-of-kind in larger workplaces), more innovation in larger workplaces and in
  medium-sized, medium-central municipalities; sectors, innovation types, stages, benefits and
  tags that fit the workplace; Norwegian text built from topics, so that full-text search,
  stemming ("sykehjemmene") and trigram matching have real words to work on;
- `adoptions` reuse records with a long tail (most reused cases a few times, a few by hundreds),
  mostly by workplaces of the same kind and often in the same county, through the barometer's
  channels (networks first), dated over ten years along S-shaped (Bass) diffusion curves; a share
  of the adapted and copied cases name their platform source, and their adoption says so;
- spread activities for about four in ten of the organisations that own cases;
- one history entry per case and the change feed's entries for every case and adoption (bulk
  inserts send no signals, so they are written here, stamped with the loading transaction), and
  each case's adoption counters (`adoption_count`, `first_adopted_on`), counted once at the end.

Everything comes from the seed: the same seed and registry give the same rows (organisations'
`created_at` aside, which records when the rows were loaded). Dates lie between START and END,
fixed, so the data do not depend on the day they are generated.

Each phase has its module, by what it writes: `organisations`, `cases` (their words in `texts`),
`adoptions` and `spread_activities`; `bulk` writes the rows, `common` holds what they share.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from django.db import connection, transaction

from cases.models import (
    Adoption,
    Case,
    CaseTerm,
    Change,
    Organisation,
    SpreadActivity,
    refresh_adoption_counters,
    refresh_owner_columns,
    refresh_term_masks,
)
from cases.vocabularies import OrganisationKind

from .adoptions import write_adoptions
from .bulk import drop_for_load, restore_after_load
from .cases import write_cases
from .common import Report, SyntheticError
from .organisations import load_registry, write_organisations
from .spread_activities import write_spread_activities


def _changes(txid: int, report: Report) -> None:
    """The change feed's entries for every case, adoption and organisation, stamped with this
    transaction:
    what the post_save handlers of cases/changes.py would have written, in one statement per
    kind (bulk inserts send no signals)."""
    change = Change._meta.db_table
    before = Change.objects.count()
    with connection.cursor() as cursor:
        for kind, model in ((Change.Kind.CASE, Case), (Change.Kind.ADOPTION, Adoption)):
            cursor.execute(
                f"INSERT INTO {change} (kind, object_id, txid, created_at) "
                f"SELECT %s, id, %s, updated_at FROM {model._meta.db_table} ORDER BY id",
                [kind, txid],
            )
        # Organisations: the registry's came through save() and have their entry; the units
        # made here in bulk get theirs.
        organisation = Organisation._meta.db_table
        cursor.execute(
            f"INSERT INTO {change} (kind, object_id, txid, created_at) "
            f"SELECT %s, o.id, %s, o.updated_at FROM {organisation} AS o WHERE NOT EXISTS ("
            f"SELECT 1 FROM {change} AS c WHERE c.kind = %s AND c.object_id = o.id) ORDER BY o.id",
            [Change.Kind.ORGANISATION, txid, Change.Kind.ORGANISATION],
        )
    report.changes = Change.objects.count() - before


def generate(
    *,
    cases: int,
    adoptions: int,
    seed: int,
    municipalities: Path,
    counties: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Fill an empty database (no cases) with synthetic data; see the module docstring.

    Runs in one transaction: a failure leaves nothing behind. Raises SyntheticError when the
    database already holds cases, or when the adoptions cannot fit the cases.
    """
    if cases < 1 or adoptions < 0:
        raise SyntheticError("Ask for at least one case and no negative number of adoptions.")
    if Case.all_objects.exists():
        raise SyntheticError(
            "The database already holds cases; synthetic data go into an empty database "
            "(create one, migrate it, then run this command)."
        )
    report = Report()
    say = progress or (lambda message: None)
    rnd = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        report.seconds[name] = round(now - clock, 2)
        say(f"{name}: {report.seconds[name]:.1f} s")
        clock = now

    postgresql = connection.vendor == "postgresql"
    with transaction.atomic():
        report.counties, report.municipalities = load_registry(municipalities, counties)
        numbers = list(
            Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
            .order_by("number")
            .values_list("number", flat=True)
        )
        orgs = write_organisations(rnd, numbers)
        report.units = len(orgs["units"])
        report.other_organisations = orgs["new_others"]
        lap("organisations")
        dropped = drop_for_load() if postgresql else []
        facts = write_cases(rnd, np_rng, n=cases, max_derived=adoptions, orgs=orgs, report=report)
        # The terms were inserted in bulk: their facet masks (the adopters' come below), and
        # the owners' facets.
        refresh_term_masks()
        refresh_owner_columns()
        lap("cases")
        txid = 0
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_current_xact_id()::text::bigint")
                txid = cursor.fetchone()[0]
        write_adoptions(rnd, np_rng, m=adoptions, facts=facts, orgs=orgs, report=report)
        # Bulk inserts go around Adoption.save, which keeps the cases' counters.
        refresh_adoption_counters()
        lap("adoptions")
        write_spread_activities(rnd, facts, report)
        lap("spread activities")
        _changes(txid, report)
        lap("change feed")
        if dropped:
            restore_after_load(dropped)
            lap("indexes and foreign keys")
    if postgresql:
        with connection.cursor() as cursor:
            for model in (Organisation, Case, CaseTerm, Adoption, Change, SpreadActivity):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
        lap("analyze")
    return report


__all__ = ["Report", "SyntheticError", "generate"]
