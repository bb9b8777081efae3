"""The background work in a real thread (cases/background.py; every other test runs it at once,
see tests/conftest.py): the request is answered with what the cache has, the thread brings it
up to date on a database connection of its own, and a thread that fails is logged.

Threads read what is committed: these tests commit (transaction=True) and join every thread
they started before they end, so none outlives its test.
"""

import datetime as dt
import logging
import threading

import pytest
from django.core.cache import cache

from cases import background, filters, search, selectors
from cases.models import Case
from cases.statistics import caching
from tests.conftest import speaking
from tests.factories import AdoptionFactory, CaseFactory, CountyFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _in_threads(settings):
    settings.BACKGROUND_INLINE = False
    cache.clear()
    yield
    join()
    cache.clear()


def join() -> int:
    threads = background.take_started_threads()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive()
    return len(threads)


@pytest.fixture
def case(db):
    owner = MunicipalityFactory(parent=CountyFactory())
    return CaseFactory(organisation=owner, published=True, title="Velferdsteknologi i hjemmet")


def adoptions() -> int:
    return caching.diffusion()["adoptions"]["total"]


def test_a_thread_brings_the_figures_up_to_date_while_the_request_is_served(case):
    assert adoptions() == 0
    assert join() == 0  # a cold cache: computed in the request
    AdoptionFactory(case=case, organisation=MunicipalityFactory(), adopted_on=dt.date(2024, 3, 1))
    assert adoptions() == 0
    assert join() == 1
    assert adoptions() == 1
    assert join() == 0


def test_a_thread_a_request_asks_for_starts_once_the_response_is_sent():
    """The visitor who sets the work off does not share the worker with it."""
    done = threading.Event()
    background.request_started()
    background.refresh("test:lock", done.set, lock_seconds=60)
    [thread] = background.take_started_threads()
    assert thread.ident is None  # not started while the request is answered
    background.request_finished()
    thread.join(timeout=60)
    assert done.is_set()


def test_a_server_can_finish_the_work_a_request_set_off_before_the_next_request():
    """gunicorn.conf.py's post_request: the worker waits for the thread, within a bound."""
    may_finish, done = threading.Event(), threading.Event()

    def work():
        assert may_finish.wait(timeout=60)
        done.set()

    background.request_started()
    background.refresh("test:lock", work, lock_seconds=60)
    background.request_finished()
    background.finish_started(timeout=0.01)  # the bound passes: the work goes on
    assert not done.is_set()
    may_finish.set()
    background.finish_started(timeout=60)
    assert done.is_set()


def test_a_failing_thread_is_logged_and_the_figures_stay(case, monkeypatch, caplog):
    assert adoptions() == 0
    AdoptionFactory(case=case, organisation=MunicipalityFactory(), adopted_on=dt.date(2024, 3, 1))

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(caching, "compute", broken)
    with caplog.at_level(logging.ERROR, logger="cases.background"):
        assert adoptions() == 0
        assert join() == 1
    assert [record.exc_info[0] for record in caplog.records] == [RuntimeError]
    assert adoptions() == 0  # and another thread tries again


def test_a_thread_builds_the_search_lexicon_while_searches_go_on(case, monkeypatch):
    may_finish = threading.Event()
    build = search._build_lexicon

    def held_back():
        assert may_finish.wait(timeout=60)
        return build()

    monkeypatch.setattr(search, "_build_lexicon", held_back)
    # No lexicon yet: the search goes without, it does not wait for the build.
    assert search.parse("velferdsteknolgi").suggestion == ""
    assert search.parse("velferdsteknolgi").suggestion == ""
    may_finish.set()
    assert join() == 1
    assert search.parse("velferdsteknolgi").suggestion == "velferdsteknologi"


def found(response) -> int:
    return response.context["total"]


def held_back(monkeypatch, module, name: str) -> threading.Event:
    """Make `module.name` wait for the returned event before it counts: the request that
    starts the thread answers before the thread is done."""
    may_finish = threading.Event()
    count = getattr(module, name)

    def waiting(*args, **kwargs):
        assert may_finish.wait(timeout=60)
        return count(*args, **kwargs)

    monkeypatch.setattr(module, name, waiting)
    return may_finish


def test_browsing_shows_the_older_counts_while_a_thread_counts_again(
    case, client, settings, monkeypatch
):
    """The catalogue without words is what every write changes: the visitor after a write is
    served the answer from before it, which neither the site nor a proxy keeps, while one
    thread counts again; a search with words is answered afresh."""
    settings.RESPONSE_CACHE = True
    settings.RESPONSE_CACHE_MARK = True
    assert found(client.get("/saker/")) == 1
    assert found(client.get("/saker/?q=velferdsteknologi")) == 1
    join()
    CaseFactory(
        organisation=case.organisation, published=True, title="Velferdsteknologi på sykehjem"
    )
    may_finish = held_back(monkeypatch, filters, "count_and_page")

    behind = client.get("/saker/")
    assert found(behind) == 1
    assert "private" in behind["Cache-Control"]
    assert behind.get("X-Response-Cache") is None  # not kept
    may_finish.set()
    join()
    assert found(client.get("/saker/?q=velferdsteknologi")) == 2
    made_again = client.get("/saker/")
    assert found(made_again) == 2
    assert "public" in made_again["Cache-Control"]
    assert made_again["X-Response-Cache"] == "miss"
    assert client.get("/saker/")["X-Response-Cache"] == "hit"


def test_the_home_page_shows_the_figures_from_before_a_write_while_a_thread_counts(
    case, client, settings, monkeypatch
):
    settings.RESPONSE_CACHE = True
    settings.RESPONSE_CACHE_MARK = True
    assert client.get("/").context["figures"]["adoptions"] == 0
    AdoptionFactory(case=case, organisation=MunicipalityFactory(), adopted_on=dt.date(2024, 3, 1))
    may_finish = held_back(monkeypatch, selectors, "_count_headline_figures")
    behind = client.get("/")
    assert behind.context["figures"]["adoptions"] == 0
    assert "private" in behind["Cache-Control"]
    may_finish.set()
    assert join() >= 1
    made_again = client.get("/")
    assert made_again.context["figures"]["adoptions"] == 1
    assert made_again["X-Response-Cache"] == "miss"


def test_a_case_page_shows_its_reuse_from_before_a_write_while_a_thread_makes_it_again(
    case, client, settings, monkeypatch
):
    """The case's family, spread and places: after a write, those from before it (kept neither
    whole nor by a proxy) while one thread makes them again; the adopters' list is read as it
    is."""
    settings.RESPONSE_CACHE = True
    settings.RESPONSE_CACHE_MARK = True
    AdoptionFactory(case=case, organisation=MunicipalityFactory(), adopted_on=dt.date(2024, 3, 1))
    url = case.get_absolute_url()
    assert client.get(url).context["diffusion"]["total"] == 1
    join()
    AdoptionFactory(case=case, organisation=MunicipalityFactory(), adopted_on=dt.date(2024, 4, 1))
    may_finish = held_back(monkeypatch, selectors, "_count_spread")
    behind = client.get(url)
    assert behind.context["diffusion"]["total"] == 1
    assert len(behind.context["adoptions"]) == 2
    # The count beside the list says what the list shows, not the figures from before.
    assert behind.context["adoption_total"] == 2
    assert "2 organisasjoner" in behind.content.decode()
    assert "private" in behind["Cache-Control"]
    assert behind.get("X-Response-Cache") is None  # not kept
    may_finish.set()
    assert join() >= 1
    made_again = client.get(url)
    assert made_again.context["diffusion"]["total"] == 2
    assert "public" in made_again["Cache-Control"]
    assert made_again["X-Response-Cache"] == "miss"


def test_the_thread_also_makes_the_case_pages_reuse_markup_in_every_language(case, client):
    """The family tree, spread and places of a case reused by hundreds take longer to render
    than the rest of the page: the thread that makes them again renders them too, so the
    visitors who first get them (in either language) do not."""
    CaseFactory(
        organisation=MunicipalityFactory(), published=True, origin="adapted", source_case=case
    )
    AdoptionFactory(case=case, organisation=MunicipalityFactory(), adopted_on=dt.date(2024, 3, 1))
    url = case.get_absolute_url()
    client.get(url)
    join()
    AdoptionFactory(case=case, organisation=MunicipalityFactory(), adopted_on=dt.date(2024, 4, 1))
    assert client.get(url).context["diffusion"]["total"] == 1  # from before; a thread starts
    assert join() >= 1
    for language in ("nb", "en"):
        page = speaking(client, language).get(url)
        assert page.context["diffusion"]["total"] == 2
        assert page.context["relations"].said
        rendered = {template.name for template in page.templates}
        assert "cases/_lineage_tree.html" in rendered
        assert "cases/_lineage_node.html" not in rendered, language


def test_a_case_reused_for_the_first_time_shows_it_at_once(case, client, settings, monkeypatch):
    """Figures from before that show no reuse would contradict the list of adopters: made in
    the request instead."""
    settings.RESPONSE_CACHE = True
    url = case.get_absolute_url()
    assert client.get(url).context["diffusion"]["total"] == 0
    join()
    AdoptionFactory(case=case, organisation=MunicipalityFactory(), adopted_on=dt.date(2024, 3, 1))
    may_finish = threading.Event()
    count = selectors._count_spread
    test = threading.current_thread()  # the one the test client answers in

    def slow_in_a_thread(*args, **kwargs):
        if threading.current_thread() is not test:
            assert may_finish.wait(timeout=60)
        return count(*args, **kwargs)

    monkeypatch.setattr(selectors, "_count_spread", slow_in_a_thread)
    page = client.get(url)
    may_finish.set()
    assert page.context["diffusion"]["total"] == 1
    assert "private" not in page["Cache-Control"]


def test_a_case_page_never_shows_a_family_member_that_left_public_view(case, client):
    derived = CaseFactory(
        organisation=MunicipalityFactory(), published=True, origin="adapted", source_case=case
    )
    AdoptionFactory(case=case, organisation=derived.organisation, derived_case=derived)
    url = case.get_absolute_url()
    assert derived.pk in [node.case.pk for node in client.get(url).context["lineage"].children]
    join()
    Case.objects.filter(pk=derived.pk).update(status="archived")  # a version replacement lost
    AdoptionFactory(case=case, organisation=MunicipalityFactory(), adopted_on=dt.date(2024, 4, 1))
    page = client.get(url)
    assert derived.pk not in [node.case.pk for node in page.context["lineage"].children]


def test_a_burst_of_writes_is_counted_again_once_per_spacing(case, settings):
    """After a thread has counted, the next write within the spacing starts no other: the
    figures lag by at most that much while writes keep coming."""
    settings.BACKGROUND_SPACING_SECONDS = 60
    assert adoptions() == 0
    AdoptionFactory(case=case, organisation=MunicipalityFactory(), adopted_on=dt.date(2024, 3, 1))
    assert adoptions() == 0
    assert join() == 1
    assert adoptions() == 1
    AdoptionFactory(case=case, organisation=MunicipalityFactory(), adopted_on=dt.date(2024, 4, 1))
    assert adoptions() == 1
    assert join() == 0


def test_a_failed_count_does_not_hold_back_the_next(case, settings, monkeypatch, caplog):
    settings.BACKGROUND_SPACING_SECONDS = 60
    assert adoptions() == 0
    AdoptionFactory(case=case, organisation=MunicipalityFactory(), adopted_on=dt.date(2024, 3, 1))
    compute = caching.compute
    monkeypatch.setattr(caching, "compute", lambda *a, **k: 1 / 0)
    with caplog.at_level(logging.ERROR, logger="cases.background"):
        assert adoptions() == 0
        assert join() == 1
    monkeypatch.setattr(caching, "compute", compute)
    assert adoptions() == 0
    assert join() == 1
    assert adoptions() == 1
