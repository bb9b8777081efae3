"""`manage.py generate_synthetic`: realistic, deterministic bulk data for load tests.

Small numbers here (the benchmark loads 100 000 cases): the same seed gives the same rows, the
barometer's proportions hold roughly, every case is published and findable, adoptions respect
the model's rules and have a long tail, and the change feed sees everything, as if every row had
been saved one by one. Runs on SQLite and on PostgreSQL (where the loader drops and rebuilds
indexes and foreign keys around its bulk writes).
"""

from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count, F
from django.test import Client

from cases import search
from cases.models import (
    Adoption,
    Case,
    CaseEvent,
    CaseTerm,
    Change,
    Organisation,
    SpreadActivity,
)
from cases.vocabularies import CaseStatus, OrganisationKind, Origin
from demo import synthetic

# The repository sits beside ../shared, locally and in CI.
MUNICIPALITIES_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "municipalities.csv"


def generate(*, cases: int, adoptions: int, seed: int) -> synthetic.Report:
    return synthetic.generate(
        cases=cases, adoptions=adoptions, seed=seed, municipalities=MUNICIPALITIES_CSV
    )


def snapshot() -> dict:
    """The generated rows by natural keys (ids depend on the database's sequences)."""
    slug = dict(Case.all_objects.values_list("pk", "slug"))
    org = dict(Organisation.all_objects.values_list("pk", "slug"))
    return {
        "organisations": sorted(
            Organisation.all_objects.values_list(
                "slug", "name", "kind", "workplace_type", "employee_band", "parent__slug"
            )
        ),
        "cases": sorted(
            (
                c.slug,
                c.title,
                c.summary,
                c.problem,
                c.solution,
                c.results,
                c.reuse_guide,
                c.contact,
                org[c.organisation_id],
                c.workplace_type,
                c.stage,
                c.origin,
                slug.get(c.source_case_id),
                c.source_description,
                c.search_extra,
                str(c.links),
                c.created_at,
                c.updated_at,
                c.submitted_at,
                c.published_at,
            )
            for c in Case.all_objects.all()
        ),
        "terms": sorted(
            (slug[case_id], vocabulary, code)
            for case_id, vocabulary, code in CaseTerm.objects.values_list(
                "case_id", "vocabulary", "code"
            )
        ),
        "partners": sorted(
            (slug[case_id], org[organisation_id])
            for case_id, organisation_id in Case.partners.through.objects.values_list(
                "case_id", "organisation_id"
            )
        ),
        "adoptions": sorted(
            (
                slug[a.case_id],
                org[a.organisation_id],
                a.mode,
                a.channel,
                a.adopted_on,
                a.status,
                a.note,
                slug.get(a.derived_case_id),
                a.confirmed,
                a.created_at,
            )
            for a in Adoption.all_objects.all()
        ),
        "spread": sorted(
            (org[s.organisation_id], slug[s.case_id], s.kind, s.channel, s.occurred_on)
            for s in SpreadActivity.objects.all()
        ),
    }


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_rows():
    start = transaction.savepoint_create()
    generate(cases=120, adoptions=360, seed=7)
    first = snapshot()
    transaction.savepoint_rollback(start)
    assert not Case.all_objects.exists()

    generate(cases=120, adoptions=360, seed=7)
    assert snapshot() == first

    transaction.savepoint_rollback(start)
    generate(cases=120, adoptions=360, seed=8)
    other = snapshot()
    assert other["cases"] != first["cases"]
    assert other["adoptions"] != first["adoptions"]


@pytest.mark.django_db
def test_the_data_look_like_the_barometer():
    report = generate(cases=600, adoptions=1800, seed=11)
    assert (report.cases, report.adoptions) == (600, 1800)

    # The registry: all municipalities and counties, each with its workplaces.
    municipalities = Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
    assert municipalities.count() == 357
    assert Organisation.objects.filter(kind=OrganisationKind.COUNTY).count() == 15
    with_units = municipalities.filter(children__kind=OrganisationKind.UNIT).distinct().count()
    assert with_units == 357
    units = Organisation.objects.filter(kind=OrganisationKind.UNIT)
    assert not units.filter(workplace_type="").exists()
    assert not units.filter(employee_band="").exists()
    assert not units.filter(municipality=None, county=None).exists()

    # Every case is published, with its terms and the words search needs from other tables.
    cases = Case.objects.published()
    assert cases.count() == 600 == Case.all_objects.count()
    assert not Case.all_objects.exclude(status=CaseStatus.PUBLISHED).exists()
    assert not cases.filter(published_at=None).exists()
    for case in cases.select_related("organisation").prefetch_related("terms", "partners"):
        assert case.sectors, case.slug
        assert case.innovation_types, case.slug
        assert case.organisation.name in case.search_extra
        for word in [*case.tags, *(p.name for p in case.partners.all())]:
            assert word in case.search_extra
        assert case.created_at <= case.submitted_at <= case.published_at <= case.updated_at
    assert CaseEvent.objects.filter(to_status=CaseStatus.PUBLISHED).count() == 600

    # Origin: about 10 % first, 51 % adapted, 32 % copied, 7 % unknown.
    origins = Counter(cases.values_list("origin", flat=True))
    share = {origin: origins[origin] / 600 for origin in Origin.values}
    assert 0.05 <= share[Origin.FIRST] <= 0.17
    assert 0.44 <= share[Origin.ADAPTED] <= 0.58
    assert 0.25 <= share[Origin.COPIED] <= 0.39
    assert 0.03 <= share[Origin.UNKNOWN] <= 0.12
    assert not cases.filter(origin=Origin.FIRST).exclude(source_case=None).exists()
    assert not cases.filter(origin=Origin.FIRST).exclude(source_description="").exists()

    # Adoptions: one per case and organisation, never of one's own case, after publication.
    adoptions = Adoption.objects.public()
    assert adoptions.count() == 1800
    assert not (
        Adoption.objects.values("case", "organisation").annotate(n=Count("pk")).filter(n__gt=1)
    ).exists()
    assert not adoptions.filter(organisation=F("source_organisation")).exists()
    assert not adoptions.exclude(source_organisation=F("case__organisation")).exists()
    assert not adoptions.filter(adopted_on__lt=F("case__published_at__date")).exists()
    # A case naming a platform source is that source's adoption by the case's owner.
    for case in cases.exclude(source_case=None):
        assert adoptions.filter(
            case=case.source_case_id, organisation=case.organisation_id, derived_case=case
        ).exists()

    # A long tail: many cases never reused, most a few times, a few very often.
    per_case = Counter(adoptions.values_list("case", flat=True))
    counts = [per_case.get(pk, 0) for pk in cases.values_list("pk", flat=True)]
    assert 0.2 <= counts.count(0) / 600 <= 0.7
    assert max(counts) >= 8 * (sum(counts) / 600)
    channels = Counter(adoptions.values_list("channel", flat=True))
    assert channels.most_common(1)[0][0] == "network"

    # About four in ten of the organisations owning cases have spread one actively.
    owners = set(cases.values_list("organisation", flat=True))
    spreaders = set(SpreadActivity.objects.values_list("organisation", flat=True))
    assert spreaders <= owners
    assert 0.25 <= len(spreaders) / len(owners) <= 0.6

    # Search finds the cases by their text and by the words of other tables (search_extra).
    case = cases.select_related("organisation").order_by("pk")[17]
    assert case in search.apply(cases, search.parse(case.tags[0]))
    longest_word = max(case.title.replace(":", " ").split(), key=len)
    assert case in search.apply(cases, search.parse(longest_word))
    if connection.vendor == "postgresql":
        # Owner names too (SQLite's LIKE folds only ASCII case: "Østre" is not "østre").
        assert case in search.apply(cases, search.parse(case.organisation.name))
        # Stemming: the plural definite form finds the word as the cases write it.
        assert search.apply(cases, search.parse("sykehjemmene")).exists()

    # The change feed has an entry for every case and every adoption.
    assert set(
        Change.objects.filter(kind=Change.Kind.CASE).values_list("object_id", flat=True)
    ) == set(cases.values_list("pk", flat=True))
    assert set(
        Change.objects.filter(kind=Change.Kind.ADOPTION).values_list("object_id", flat=True)
    ) == set(adoptions.values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_sync_of_the_change_feed_sees_everything():
    generate(cases=80, adoptions=200, seed=5)
    client = Client()
    seen = {"case": set(), "adoption": set(), "organisation": set()}
    cursor = ""
    for _page in range(100):
        body = client.get("/api/v1/changes/", {"since": cursor, "limit": 100}).json()
        for entry in body["results"]:
            assert entry["action"] == "upsert"
            seen[entry["kind"]].add(entry["id"])
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break
    assert seen["case"] == set(Case.objects.published().values_list("pk", flat=True))
    assert seen["adoption"] == set(Adoption.objects.public().values_list("pk", flat=True))
    assert len(seen["adoption"]) == 200
    assert seen["organisation"] == set(Organisation.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_the_command_refuses_a_database_that_has_cases(published_case):
    with pytest.raises(CommandError, match="already holds cases"):
        call_command(
            "generate_synthetic",
            cases=10,
            adoptions=10,
            municipalities=MUNICIPALITIES_CSV,
            verbosity=0,
        )
    assert Case.all_objects.count() == 1


@pytest.mark.django_db
def test_the_command_refuses_more_adoptions_than_fit_and_writes_nothing():
    with pytest.raises(CommandError, match="do not fit"):
        call_command(
            "generate_synthetic",
            cases=3,
            adoptions=100_000,
            municipalities=MUNICIPALITIES_CSV,
            verbosity=0,
        )
    assert not Case.all_objects.exists()
    assert not Organisation.objects.exists()
