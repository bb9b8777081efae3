"""Two people acting at once: exactly one outcome wins, the other is told, nothing is
half-written, and the history shows what happened. Real parallel connections on PostgreSQL
(SQLite has a single writer, so these races cannot happen there)."""

import threading

import pytest
from django.contrib.auth.models import Group
from django.db import close_old_connections, connection

from cases import services
from cases.models import MODERATORS_GROUP, Adoption, Case, CaseEvent, Membership
from cases.vocabularies import CaseStatus
from tests import factories
from tests.factories import CaseFactory, MunicipalityFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs real parallel transactions; run with DATABASE_URL=postgres://...",
    ),
]

COMPLETE = {
    "title": "Velferdsteknologi i hjemmetjenesten",
    "summary": "Sensorer som varsler.",
    "problem": "For mange unødige besøk.",
    "solution": "Sensorer og en felles responstjeneste.",
    "sectors": ["health-care"],
    "innovation_types": ["service"],
    "stage": "pilot",
    "origin": "first",
}


def race(*actions):
    """Run the actions in parallel threads, started together; return each outcome."""
    barrier = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", action())
        except Exception as error:  # the loser's error is the point of the test
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


@pytest.fixture
def owner(db):
    return MunicipalityFactory(name="Asker")


@pytest.fixture
def author(owner):
    user = UserFactory()
    Membership.objects.create(user=user, organisation=owner)
    return user


def moderator():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


@pytest.fixture
def submitted(owner, author):
    case = services.case_create(actor=author, organisation=owner, data=COMPLETE)
    return services.case_submit(actor=author, case=case)


def test_two_moderators_approving_at_once(submitted):
    first, second = moderator(), moderator()
    outcomes = race(
        lambda: factories.approve_case(first, submitted),
        lambda: factories.approve_case(second, submitted),
    )
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["error", "ok"]
    loser = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(loser, services.Conflict)
    assert CaseEvent.objects.filter(case=submitted, kind="approved").count() == 1
    assert Case.objects.get(pk=submitted.pk).status == CaseStatus.PUBLISHED


def test_approve_and_request_changes_at_once(submitted):
    first, second = moderator(), moderator()
    outcomes = race(
        lambda: factories.approve_case(first, submitted),
        lambda: services.case_request_changes(actor=second, case=submitted, reason="Mangler tall"),
    )
    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"]
    case = Case.objects.get(pk=submitted.pk)
    events = set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    if case.status == CaseStatus.PUBLISHED:
        assert "approved" in events
        assert "changes-requested" not in events
    else:
        assert case.status == CaseStatus.CHANGES_REQUESTED
        assert "changes-requested" in events
        assert "approved" not in events


def test_an_edit_during_review_is_never_published_unseen(submitted, author):
    """The moderator reviewed version V; the author edits meanwhile. Either the approval came
    first (the edit then waits as a revision) or the approval is refused as stale."""
    reviewer = moderator()
    reviewed = services.case_version(submitted)
    outcomes = race(
        lambda: services.case_update(actor=author, case=submitted, data={"title": "Endret"}),
        lambda: services.case_approve(actor=reviewer, case=submitted, reviewed_version=reviewed),
    )
    edit, approval = outcomes
    assert edit[0] == "ok"
    case = Case.objects.get(pk=submitted.pk)
    if approval[0] == "ok":
        # Approved first: the published text is what was reviewed; the edit waits.
        assert case.status == CaseStatus.PUBLISHED
        assert case.title == COMPLETE["title"]
        assert case.revisions.filter(status="pending", data__title="Endret").exists()
    else:
        assert isinstance(approval[1], services.Conflict)
        assert case.status == CaseStatus.SUBMITTED
        assert case.title == "Endret"


def test_the_same_adoption_recorded_twice_at_once(owner):
    source = CaseFactory(organisation=owner, published=True)
    adopter_org = MunicipalityFactory(name="Bærum")
    people = []
    for _ in range(2):
        person = UserFactory()
        Membership.objects.create(user=person, organisation=adopter_org)
        people.append(person)
    outcomes = race(
        *[
            (
                lambda p=p: services.adoption_record(
                    actor=p, case=source, organisation=adopter_org, mode="copied", channel="network"
                )
            )
            for p in people
        ]
    )
    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"]
    loser = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(loser, services.Conflict)
    assert Adoption.objects.filter(case=source, organisation=adopter_org).count() == 1
    assert CaseEvent.objects.filter(case=source, kind="adoption-recorded").count() == 1
