"""A case's adoption counters (`adoption_count`, `first_adopted_on`) stay what the adoptions
table says, through every way an adoption is written: the services, saves outside them, bulk
loads, the demo and an import. Each test recounts from the table and compares."""

import datetime as dt
import io
import json
import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.db.models import Count, Min, Q
from django.utils import timezone

from cases import services
from cases.models import (
    MODERATORS_GROUP,
    Adoption,
    Case,
    Membership,
    refresh_adoption_counters,
)
from cases.vocabularies import AdoptionMode, Channel, MembershipRole
from demo import synthetic
from tests import factories

MUNICIPALITIES_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "municipalities.csv"


def recounted() -> dict[int, tuple[int, dt.date | None]]:
    """Every case's counters as the adoptions table has them."""
    alive = Q(adoptions__deleted_at__isnull=True)
    return {
        pk: (n, first)
        for pk, n, first in Case.all_objects.annotate(
            n=Count("adoptions", filter=alive),
            first=Min("adoptions__adopted_on", filter=alive),
        ).values_list("pk", "n", "first")
    }


def stored() -> dict[int, tuple[int, dt.date | None]]:
    return {
        pk: (n, first)
        for pk, n, first in Case.all_objects.values_list("pk", "adoption_count", "first_adopted_on")
    }


def assert_counters_right():
    assert stored() == recounted()


def member_of(organisation, role=MembershipRole.EDITOR):
    user = factories.UserFactory()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def moderator(db):
    user = factories.UserFactory()
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


@pytest.fixture
def story(db, moderator):
    """A published case and three organisations that will reuse it, each with an editor."""
    owner = factories.MunicipalityFactory(name="Eier")
    case = factories.CaseFactory(organisation=owner, published=True, sectors=["health-care"])
    adopters = {
        name: factories.MunicipalityFactory(name=name) for name in ("Alfa", "Bravo", "Charlie")
    }
    people = {name: member_of(org) for name, org in adopters.items()}
    return {"case": case, "adopters": adopters, "people": people, "moderator": moderator}


def record(story, name, adopted_on):
    return services.adoption_record(
        actor=story["people"][name],
        case=story["case"],
        organisation=story["adopters"][name],
        mode=AdoptionMode.COPIED,
        channel=Channel.NETWORK,
        adopted_on=adopted_on,
    )


def counters(case) -> tuple[int, dt.date | None]:
    case.refresh_from_db(fields=["adoption_count", "first_adopted_on"])
    return case.adoption_count, case.first_adopted_on


@pytest.mark.django_db
def test_the_services_keep_the_counters(story):
    case = story["case"]
    assert counters(case) == (0, None)

    alfa = record(story, "Alfa", dt.date(2024, 5, 1))
    bravo = record(story, "Bravo", dt.date(2024, 3, 1))
    charlie = record(story, "Charlie", None)
    assert counters(case) == (3, dt.date(2024, 3, 1))
    assert_counters_right()

    # A later date than the earliest leaves it; an earlier one becomes it.
    services.adoption_update(actor=story["people"]["Alfa"], adoption=alfa, note="Endret")
    services.adoption_update(
        actor=story["people"]["Charlie"], adoption=charlie, adopted_on=dt.date(2024, 2, 1)
    )
    assert counters(case) == (3, dt.date(2024, 2, 1))
    services.adoption_update(
        actor=story["people"]["Charlie"], adoption=charlie, adopted_on=dt.date(2024, 6, 1)
    )
    assert counters(case) == (3, dt.date(2024, 3, 1))

    # Withdrawing the earliest gives the next one; restoring it brings it back.
    services.adoption_withdraw(actor=story["people"]["Bravo"], adoption=bravo)
    assert counters(case) == (2, dt.date(2024, 5, 1))
    assert_counters_right()
    services.adoption_restore(actor=story["people"]["Bravo"], adoption=bravo)
    assert counters(case) == (3, dt.date(2024, 3, 1))
    # Restoring twice changes nothing.
    services.adoption_restore(actor=story["moderator"], adoption=bravo)
    assert counters(case) == (3, dt.date(2024, 3, 1))

    # A withdrawn record cannot come back while the organisation has recorded the reuse again.
    services.adoption_withdraw(actor=story["people"]["Alfa"], adoption=alfa)
    again = record(story, "Alfa", dt.date(2024, 7, 1))
    with pytest.raises(services.Conflict):
        services.adoption_restore(actor=story["people"]["Alfa"], adoption=alfa)
    assert counters(case) == (3, dt.date(2024, 3, 1))
    assert_counters_right()

    # Publishing a case that names this one as its source records an adoption of it.
    adapter = factories.MunicipalityFactory(name="Delta")
    author = member_of(adapter)
    derived = services.case_create(
        actor=author,
        organisation=adapter,
        data={
            "title": "Tilpasset",
            "summary": "Kort.",
            "problem": "Problem.",
            "solution": "Løsning.",
            "sectors": ["health-care"],
            "innovation_types": ["service"],
            "stage": "in-use",
            "origin": "adapted",
            "source_case": case.pk,
        },
    )
    services.case_submit(actor=author, case=derived)
    factories.approve_case(story["moderator"], derived)
    assert counters(case) == (4, dt.date(2024, 3, 1))
    assert Adoption.objects.get(case=case, organisation=adapter).derived_case_id == derived.pk
    assert counters(derived) == (0, None)
    assert_counters_right()

    services.adoption_withdraw(actor=story["people"]["Alfa"], adoption=again)
    services.adoption_withdraw(actor=story["people"]["Bravo"], adoption=bravo)
    services.adoption_withdraw(actor=story["people"]["Charlie"], adoption=charlie)
    assert counters(case) == (1, timezone.localdate())
    assert_counters_right()


@pytest.mark.django_db
def test_saves_outside_the_services_keep_the_counters(story):
    """The admin and the tests save adoptions directly; a save is enough."""
    case, other = story["case"], factories.CaseFactory(published=True)
    adoption = factories.AdoptionFactory(case=case, adopted_on=dt.date(2023, 1, 1))
    factories.AdoptionFactory(case=case, adopted_on=dt.date(2023, 4, 1))
    assert counters(case) == (2, dt.date(2023, 1, 1))
    # Its case changes: one case loses it, the other gains it.
    adoption.case = other
    adoption.source_organisation = other.organisation
    adoption.save()
    assert counters(case) == (1, dt.date(2023, 4, 1))
    assert counters(other) == (1, dt.date(2023, 1, 1))
    # A save that leaves out the date keeps what the row has.
    adoption.adopted_on = dt.date(2020, 1, 1)
    adoption.save(update_fields=["note"])
    assert counters(other) == (1, dt.date(2023, 1, 1))
    adoption.delete()
    assert counters(other) == (0, None)
    # Saving a case read before the adoptions changed does not write old counters back.
    stale = Case.objects.get(pk=case.pk)
    factories.AdoptionFactory(case=case, adopted_on=dt.date(2022, 1, 1))
    stale.title = "Ny tittel"
    stale.save()
    assert counters(case) == (2, dt.date(2022, 1, 1))
    assert_counters_right()


@pytest.mark.django_db
def test_refresh_counts_again_after_writes_around_save(story):
    case = story["case"]
    first = factories.AdoptionFactory(case=case, adopted_on=dt.date(2023, 1, 1))
    factories.AdoptionFactory(case=case, adopted_on=dt.date(2023, 2, 1))
    Adoption.all_objects.filter(pk=first.pk).update(deleted_at=timezone.now())
    Case.all_objects.filter(pk=story["case"].pk).update(adoption_count=7)
    assert stored() != recounted()
    refresh_adoption_counters([case.pk])
    assert counters(case) == (1, dt.date(2023, 2, 1))
    Case.all_objects.update(adoption_count=5, first_adopted_on=dt.date(2000, 1, 1))
    refresh_adoption_counters()
    assert_counters_right()


@pytest.mark.django_db
def test_refresh_moves_the_case_time_to_its_last_reuse_write_only(story):
    """What clients read with `updated_since`: a case whose reuse changed around save (a
    withdrawal too) is newer by the last write of its reuse; the others keep their time."""
    case = story["case"]
    untouched = factories.CaseFactory(published=True)
    long_ago = timezone.now() - dt.timedelta(days=30)
    Case.all_objects.update(updated_at=long_ago)
    withdrawn = factories.AdoptionFactory(case=case, adopted_on=dt.date(2023, 1, 1))
    Case.all_objects.update(updated_at=long_ago, adoption_count=0, first_adopted_on=None)
    later = timezone.now() + dt.timedelta(minutes=1)
    Adoption.all_objects.filter(pk=withdrawn.pk).update(deleted_at=later, updated_at=later)
    refresh_adoption_counters()
    assert_counters_right()
    assert Case.all_objects.get(pk=case.pk).updated_at == later
    assert Case.all_objects.get(pk=untouched.pk).updated_at == long_ago
    # Asked again, nothing is written: the time stays.
    refresh_adoption_counters()
    assert Case.all_objects.get(pk=case.pk).updated_at == later


@pytest.mark.django_db(transaction=True)
def test_an_import_counts_the_adoptions(story, tmp_path):
    """A file from before the counters existed (or with wrong ones) imports right."""
    for name, day in (("Alfa", 3), ("Bravo", 1), ("Charlie", 2)):
        record(story, name, dt.date(2024, 1, day))
    bravo = Adoption.objects.get(organisation=story["adopters"]["Bravo"])
    services.adoption_withdraw(actor=story["people"]["Bravo"], adoption=bravo)
    expected = stored()
    assert expected == recounted()
    assert expected[story["case"].pk] == (2, dt.date(2024, 1, 2))

    path = tmp_path / "export.json"
    call_command("export_data", output=str(path))
    rows = json.loads(path.read_text())
    for row in rows:
        if row["model"] == "cases.case":
            row["fields"].pop("adoption_count", None)
            row["fields"].pop("first_adopted_on", None)
    path.write_text(json.dumps(rows))
    call_command("flush", interactive=False)
    call_command("import_data", str(path), stdout=io.StringIO())
    assert stored() == expected


@pytest.mark.django_db
def test_the_demo_has_right_counters():
    """The demo moves its adoptions' dates back with update(), around Adoption.save."""
    call_command("seed_demo", stdout=io.StringIO())
    assert Case.objects.filter(adoption_count__gt=1).exists()
    assert_counters_right()


@pytest.mark.django_db
def test_the_synthetic_data_have_right_counters():
    synthetic.generate(cases=120, adoptions=300, seed=7, municipalities=MUNICIPALITIES_CSV)
    assert Case.objects.filter(adoption_count__gt=1).exists()
    assert_counters_right()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real parallel transactions; run with DATABASE_URL=postgres://...",
)
def test_parallel_adoption_writes_keep_the_counters(story):
    """Records and withdrawals of the same case in parallel transactions: every count and the
    earliest date still agree with the table once they have all committed."""
    case = story["case"]
    early = record(story, "Alfa", dt.date(2024, 1, 1))
    others = {
        name: factories.MunicipalityFactory(name=name) for name in ("Delta", "Echo", "Foxtrot")
    }
    people = {name: member_of(org) for name, org in others.items()}

    def adopt(name, day):
        def action():
            return services.adoption_record(
                actor=people[name],
                case=case,
                organisation=others[name],
                mode=AdoptionMode.ADAPTED,
                channel=Channel.PLATFORM,
                adopted_on=dt.date(2024, 2, day),
            )

        return action

    outcomes = race(
        lambda: services.adoption_withdraw(actor=story["people"]["Alfa"], adoption=early),
        adopt("Delta", 3),
        adopt("Echo", 1),
        adopt("Foxtrot", 2),
    )
    assert [outcome for outcome, _result in outcomes] == ["ok"] * 4
    assert counters(case) == (3, dt.date(2024, 2, 1))
    assert_counters_right()


def race(*actions):
    """Run the actions in parallel threads, started together; return each outcome."""
    barrier = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", action())
        except Exception as error:
            outcomes[index] = ("error", error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
