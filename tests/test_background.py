"""Nobody waits for a recomputation of what existed before a write (cases/background.py): the
statistics, their rendered tables and the search lexicon are served as they were while one
process brings them up to date outside the request.

The work meant for a background thread is held back here (`deferred`) and run when the test
says, so that what the request did and what the background did can be told apart; the real
thread is in tests/test_background_threads.py.
"""

import datetime as dt
import io
import logging
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.core.management import call_command

from cases import background, search, services
from cases.models import Membership
from cases.statistics import caching
from cases.statistics.filters import normalise_filters
from tests.factories import (
    AdoptionFactory,
    CaseFactory,
    CountyFactory,
    MunicipalityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


class Deferred:
    """The background work started, held until `run_all`."""

    def __init__(self) -> None:
        self.waiting: list[tuple[Callable[[], None], str]] = []

    def hold(self, work: Callable[[], None], name: str) -> None:
        self.waiting.append((work, name))

    def run_all(self) -> int:
        ran = 0
        while self.waiting:
            work, name = self.waiting.pop(0)
            background._logged(work, name)
            ran += 1
        return ran


@pytest.fixture
def deferred(monkeypatch) -> Deferred:
    held = Deferred()
    monkeypatch.setattr(background, "_now_or_in_thread", held.hold)
    return held


class Counted:
    """`caching.compute`, counting its calls."""

    def __init__(self, compute) -> None:
        self.compute = compute
        self.calls = 0
        self.broken = False

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.broken:
            raise RuntimeError("the database went away")
        return self.compute(*args, **kwargs)


@pytest.fixture
def computing(monkeypatch) -> Counted:
    counted = Counted(caching.compute)
    monkeypatch.setattr(caching, "compute", counted)
    return counted


@pytest.fixture
def owner(db):
    return MunicipalityFactory(parent=CountyFactory())


@pytest.fixture
def case(owner):
    case = CaseFactory(organisation=owner, published=True)
    AdoptionFactory(case=case, organisation=MunicipalityFactory(), adopted_on=dt.date(2024, 3, 1))
    return case


def record_adoption(case) -> None:
    adopter = MunicipalityFactory()
    actor = UserFactory()
    Membership.objects.create(user=actor, organisation=adopter)
    services.adoption_record(
        actor=actor,
        case=case,
        organisation=adopter,
        mode="copied",
        channel="network",
        adopted_on=dt.date(2024, 4, 1),
    )


def adoptions(**filters) -> int:
    return caching.diffusion(filters=filters)["adoptions"]["total"]


def lock() -> str:
    return caching._cache_keys(normalise_filters({}))[1]


# ------------------------------------------------------------------------------------------
# The statistics
# ------------------------------------------------------------------------------------------


def test_after_a_write_the_previous_figures_are_served_without_computing(
    case, deferred, computing, django_assert_num_queries
):
    assert adoptions() == 1
    record_adoption(case)
    computing.calls = 0
    with django_assert_num_queries(1):  # the data version; nothing computed in the request
        assert adoptions() == 1
    assert computing.calls == 0
    assert len(deferred.waiting) == 1
    # The background run computes the new figures once and stores them.
    assert deferred.run_all() == 1
    assert computing.calls == 1
    assert cache.get(lock()) is None
    with django_assert_num_queries(1):
        assert adoptions() == 2
    assert computing.calls == 1
    assert deferred.waiting == []


def test_requests_while_one_brings_the_figures_up_to_date_start_nothing(case, deferred, computing):
    assert adoptions() == 1
    record_adoption(case)
    assert [adoptions(), adoptions(), adoptions()] == [1, 1, 1]
    assert len(deferred.waiting) == 1  # one lock, one run
    deferred.run_all()
    computing.calls = 0
    assert adoptions() == 2
    assert computing.calls == 0


def test_another_process_bringing_them_up_to_date_holds_the_lock(case, deferred, computing):
    assert adoptions() == 1
    record_adoption(case)
    cache.add(lock(), "another process", 60)
    assert adoptions() == 1
    assert deferred.waiting == []
    assert cache.get(lock()) == "another process"


def test_a_failing_background_run_keeps_the_previous_figures_and_is_logged(
    case, deferred, computing, caplog
):
    assert adoptions() == 1
    record_adoption(case)
    computing.broken = True
    assert adoptions() == 1
    with caplog.at_level(logging.ERROR, logger="cases.background"):
        deferred.run_all()
    [record] = caplog.records
    assert "the previous figures stay in use" in record.getMessage()
    assert record.exc_info[0] is RuntimeError
    # The lock is released: the next request tries again, and is served the figures it has.
    assert cache.get(lock()) is None
    assert adoptions() == 1
    assert len(deferred.waiting) == 1
    computing.broken = False
    deferred.run_all()
    assert adoptions() == 2


def test_a_cold_cache_computes_in_the_request(case, deferred, computing):
    assert adoptions() == 1
    assert computing.calls == 1
    assert deferred.waiting == []


def test_background_work_is_never_refused_by_the_rate_limit(case, deferred, computing):
    """`before_computing` (a rate limit) is for the requests that compute themselves."""

    def refuse() -> None:
        raise AssertionError("a request was made to wait for a computation")

    assert adoptions() == 1
    record_adoption(case)
    assert caching.diffusion(before_computing=refuse)["adoptions"]["total"] == 1
    deferred.run_all()
    assert caching.diffusion(before_computing=refuse)["adoptions"]["total"] == 2


def test_warm_stats_computes_figures_that_are_behind_itself(case, deferred, computing):
    assert caching.warm() == caching.COMPUTED
    record_adoption(case)
    assert caching.warm() == caching.COMPUTED
    assert deferred.waiting == []
    assert adoptions() == 2


def dashboard_figures(client) -> str:
    html = client.get("/statistikk/").content.decode()
    return html[html.index('<section class="figures"') : html.index("</main>")]


def test_the_dashboard_shows_one_version_while_the_next_is_made(
    client, case, deferred, monkeypatch
):
    from cases.views import stats as views

    first = dashboard_figures(client)
    record_adoption(case)
    rendered: list[int] = []
    build_tables = views.build_tables

    def counted(result):
        rendered.append(result["adoptions"]["total"])
        return build_tables(result)

    monkeypatch.setattr(views, "build_tables", counted)
    # The figures are behind: the tables made of them are served as they are.
    assert dashboard_figures(client) == first
    deferred.run_all()  # the new figures
    # The figures are new, their tables not yet: still the whole of the previous page.
    assert dashboard_figures(client) == first
    assert rendered == []
    deferred.run_all()  # their tables
    assert rendered == [2]
    second = dashboard_figures(client)
    assert second != first
    assert rendered == [2]


# ------------------------------------------------------------------------------------------
# The search lexicon
# ------------------------------------------------------------------------------------------


def test_after_a_change_a_search_uses_the_previous_lexicon_and_starts_the_next(
    owner, deferred, django_assert_num_queries
):
    CaseFactory(organisation=owner, published=True, title="Velferdsteknologi i hjemmet")
    search.warm_lexicon()
    assert search.parse("velferdsteknolgi").suggestion == "velferdsteknologi"
    CaseFactory(organisation=owner, published=True, title="Multidoserobot på sykehjemmet")
    search.lexicon_changed()
    with django_assert_num_queries(0):  # nothing built in the request
        assert search.parse("multidoserbot").suggestion == ""
    assert len(deferred.waiting) == 1
    search.parse("multidoserbot")
    assert len(deferred.waiting) == 1  # one build at a time
    deferred.run_all()
    with django_assert_num_queries(0):
        assert search.parse("multidoserbot").suggestion == "multidoserobot"


def test_with_no_lexicon_at_all_a_search_goes_without_until_it_is_built(
    owner, deferred, django_assert_num_queries
):
    CaseFactory(organisation=owner, published=True, title="Velferdsteknologi i hjemmet")
    with django_assert_num_queries(0):
        parsed = search.parse("velferdsteknolgi")
    assert parsed.suggestion == ""
    # The word as typed only: no compound parts, no correction.
    assert [len(term.alternatives) for term in parsed.terms] == [1]
    assert len(deferred.waiting) == 1
    deferred.run_all()
    assert search.parse("velferdsteknolgi").suggestion == "velferdsteknologi"


def test_a_failing_lexicon_build_keeps_the_previous_one_and_is_logged(
    owner, deferred, monkeypatch, caplog
):
    CaseFactory(organisation=owner, published=True, title="Velferdsteknologi i hjemmet")
    search.warm_lexicon()
    search.lexicon_changed()
    build = search._build_lexicon

    def broken():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(search, "_build_lexicon", broken)
    assert search.parse("velferdsteknolgi").suggestion == "velferdsteknologi"
    with caplog.at_level(logging.ERROR, logger="cases.background"):
        deferred.run_all()
    assert caplog.records[0].exc_info[0] is RuntimeError
    assert cache.get(search.LEXICON_LOCK) is None
    assert search.parse("velferdsteknolgi").suggestion == "velferdsteknologi"
    monkeypatch.setattr(search, "_build_lexicon", build)
    assert deferred.run_all() == 1
    assert search._memo["lexicon"][0] != cache.get(search.LEXICON_VERSION_KEY)
    search.parse("velferdsteknolgi")
    assert search._memo["lexicon"][0] == cache.get(search.LEXICON_VERSION_KEY)


def test_another_process_building_the_lexicon_holds_the_lock(owner, deferred):
    cache.add(search.LEXICON_LOCK, "another process", 60)
    assert search.parse("velferdsteknolgi").suggestion == ""
    assert deferred.waiting == []
    search.warm_lexicon()  # leaves it to that process too
    assert search.lexicon() is None


def test_rebuilding_the_search_index_leaves_the_lexicon_ready(owner, deferred):
    CaseFactory(organisation=owner, published=True, title="Velferdsteknologi i hjemmet")
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert search.parse("velferdsteknolgi").suggestion == "velferdsteknologi"
    assert deferred.waiting == []


def test_a_search_made_without_the_lexicon_is_answered_again_once_it_is_built(
    client, owner, deferred
):
    CaseFactory(organisation=owner, published=True, title="Velferdsteknologi i hjemmet")
    before = client.get("/saker/", {"q": "velferdsteknolgi"})
    assert before.context["total"] == 0
    assert "velferdsteknologi" not in before.content.decode()
    deferred.run_all()
    after = client.get("/saker/", {"q": "velferdsteknolgi"})
    assert after.context["total"] == 1
    assert "Mente du" in after.content.decode()
