"""The statistics' cache (cases/statistics/caching.py): a data version that changes with every write that can
change a figure and with no other, a lock that lets one process compute while the others serve
the figures they have, and `manage.py warm_stats`.

Whether the figures were computed or served from the cache is told by the number of queries (a
cached result costs the data version's one query) and by `_compute` refusing to run.
"""

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from cases import services
from cases.models import MODERATORS_GROUP, ApiToken, Change, Membership
from cases.statistics import caching, months
from cases.statistics.filters import normalise_filters
from tests import factories
from tests.factories import (
    AdoptionFactory,
    CaseFactory,
    CountyFactory,
    MunicipalityFactory,
    SpreadActivityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

COMPLETE = {
    "title": "Mobil røntgen",
    "summary": "Røntgen som kommer til sykehjemmet.",
    "problem": "Lange turer til sykehuset.",
    "solution": "En bil med røntgenutstyr.",
    "sectors": ["health-care"],
    "innovation_types": ["service"],
    "stage": "in-use",
    "origin": "first",
}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def member_of(organisation):
    user = UserFactory()
    Membership.objects.create(user=user, organisation=organisation)
    return user


@pytest.fixture
def world(db):
    """Two published cases of Owner, one adopted by Adopter; a draft of Owner; people."""
    county = CountyFactory(number="46", region="vestlandet")
    owner = MunicipalityFactory(parent=county)
    adopter = MunicipalityFactory(parent=county)
    newcomer = MunicipalityFactory(parent=county)
    case = CaseFactory(organisation=owner, published=True, sectors=["health-care"])
    other = CaseFactory(organisation=owner, published=True, sectors=["education"])
    adoption = AdoptionFactory(case=case, organisation=adopter, adopted_on=dt.date(2024, 3, 1))
    author = member_of(owner)
    draft = services.case_create(actor=author, organisation=owner, data={"title": "Et utkast"})
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return SimpleNamespace(
        county=county,
        owner=owner,
        adopter=adopter,
        newcomer=newcomer,
        case=case,
        other=other,
        adoption=adoption,
        draft=draft,
        author=author,
        moderator=moderator,
    )


def forbid_computing(monkeypatch):
    """From here on the figures must come from the cache: computing them fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the figures were computed, not served from the cache")

    monkeypatch.setattr(caching, "compute", refuse)


def figures(**filters):
    return caching.diffusion(filters=filters)


def cached_figures(django_assert_num_queries, **filters):
    with django_assert_num_queries(1):  # the data version
        return caching.diffusion(filters=filters)


# ------------------------------------------------------------------------------------------
# What invalidates the figures, and what does not
# ------------------------------------------------------------------------------------------


def test_cached_figures_cost_the_data_version_only(world, django_assert_num_queries, monkeypatch):
    first = figures()
    forbid_computing(monkeypatch)
    assert cached_figures(django_assert_num_queries) == first


def record_adoption(world):
    services.adoption_record(
        actor=member_of(world.newcomer),
        case=world.other,
        organisation=world.newcomer,
        mode="copied",
        channel="network",
        adopted_on=dt.date(2024, 4, 1),
    )


def withdraw_adoption(world):
    services.adoption_withdraw(actor=member_of(world.adopter), adoption=world.adoption)


def publish_a_case(world):
    case = services.case_create(actor=world.author, organisation=world.owner, data=COMPLETE)
    services.case_submit(actor=world.author, case=case)
    factories.approve_case(world.moderator, case)


def archive_a_case(world):
    services.case_archive(actor=world.moderator, case=world.other, reason="Utdatert.")


def delete_the_adopter(world):
    world.adopter.deleted_at = timezone.now()
    world.adopter.save()


def record_a_spread_activity(world):
    SpreadActivityFactory(organisation=world.owner, case=world.case)


def move_the_owner(world):
    world.owner.region = "nord-norge"
    world.owner.save()


def region_cases(result, code):
    return next(row["cases"] for row in result["breakdowns"]["region"] if row["code"] == code)


WRITES_THAT_COUNT = {
    "an adoption recorded": (record_adoption, lambda r: r["adoptions"]["total"], 1, 2),
    "an adoption withdrawn": (withdraw_adoption, lambda r: r["adoptions"]["total"], 1, 0),
    "a case published": (publish_a_case, lambda r: r["cases"]["total"], 2, 3),
    "a case archived": (archive_a_case, lambda r: r["cases"]["total"], 2, 1),
    "an adopter deleted": (delete_the_adopter, lambda r: r["adoptions"]["total"], 1, 0),
    "a spread activity": (
        record_a_spread_activity,
        lambda r: r["spreaders"]["active"]["numerator"],
        0,
        1,
    ),
    "an owner moved": (move_the_owner, lambda r: region_cases(r, "nord-norge"), 0, 2),
}


@pytest.mark.parametrize("name", WRITES_THAT_COUNT)
def test_a_write_that_changes_a_figure_shows_once_brought_up_to_date(world, name):
    """The first request after the write is served the figures from before and starts
    bringing them up to date (at once here, see tests/conftest.py); the next one has them."""
    write, figure, before, after = WRITES_THAT_COUNT[name]
    assert figure(figures()) == before
    assert figure(figures(sector=["health-care", "education"])) == before
    write(world)
    assert figure(figures()) == before
    assert figure(figures(sector=["health-care", "education"])) == before
    assert figure(figures()) == after
    assert figure(figures(sector=["health-care", "education"])) == after


def refreshed_figures(**filters):
    """The figures after a write, once brought up to date (the first request starts that)."""
    figures(**filters)
    return figures(**filters)


def save_a_draft(world, summary="Litt mer."):
    services.case_update(actor=world.author, case=world.draft, data={"summary": summary})


def submit_and_send_back_a_draft(world):
    services.case_update(actor=world.author, case=world.draft, data=COMPLETE)
    services.case_submit(actor=world.author, case=world.draft)
    services.case_request_changes(actor=world.moderator, case=world.draft, reason="Mer, takk.")


def create_a_new_draft(world):
    services.case_create(actor=world.author, organisation=world.owner, data={"title": "Nytt"})


def propose_a_revision(world):
    # An edit of a published case waits for approval: nothing public changes yet.
    services.case_update(actor=world.author, case=world.case, data={"sectors": ["transport"]})


def issue_a_token(world):
    ApiToken.objects.create(user=world.author, name="Intranett")


WRITES_THAT_DO_NOT_COUNT = {
    "a draft saved": save_a_draft,
    "a draft submitted and sent back": submit_and_send_back_a_draft,
    "a new draft": create_a_new_draft,
    "a revision proposed": propose_a_revision,
    "a token issued": issue_a_token,
}


@pytest.mark.parametrize("name", WRITES_THAT_DO_NOT_COUNT)
def test_a_write_that_changes_no_figure_keeps_the_cached_figures(
    world, name, django_assert_num_queries, monkeypatch
):
    first = figures()
    WRITES_THAT_DO_NOT_COUNT[name](world)
    forbid_computing(monkeypatch)
    assert cached_figures(django_assert_num_queries) == first


def test_a_write_that_commits_after_a_later_one_is_seen(world):
    """Change-log ids are taken when an entry is written, not when it commits: an entry can
    appear below the newest one."""
    *_earlier, late, newest = Change.objects.order_by("id")
    assert newest.pk > late.pk
    Change.objects.filter(pk=late.pk).delete()  # not committed yet
    before = caching._data_version(DEFAULT_DB_ALIAS)
    Change.objects.create(pk=late.pk, kind=late.kind, object_id=late.object_id, txid=late.txid)
    assert caching._data_version(DEFAULT_DB_ALIAS) != before


def test_a_draft_saved_after_other_writes_keeps_the_cached_figures(
    world, django_assert_num_queries, monkeypatch
):
    """Each save of the draft replaces its earlier entries in the change log, also those below
    newer relevant ones: still no figure changes."""
    save_a_draft(world)
    record_adoption(world)
    first = figures()
    entries = Change.objects.count()
    save_a_draft(world, "Enda litt mer.")
    assert Change.objects.count() >= entries  # written, and compacted
    forbid_computing(monkeypatch)
    assert cached_figures(django_assert_num_queries) == first


def test_a_draft_that_is_published_counts_from_then_on(world):
    assert figures()["cases"]["total"] == 2
    save_a_draft(world)
    services.case_update(actor=world.author, case=world.draft, data=COMPLETE)
    services.case_submit(actor=world.author, case=world.draft)
    factories.approve_case(world.moderator, world.draft)
    assert refreshed_figures()["cases"]["total"] == 3
    # Once published, every save of it counts, also after it has left the public view.
    services.case_archive(actor=world.moderator, case=world.draft, reason="Utdatert.")
    assert refreshed_figures()["cases"]["total"] == 2


def test_a_new_month_is_a_new_data_version(world, monkeypatch):
    """The current month ends the series the Bass fits see (from the first adoption on)."""
    before = figures()["bass"]["all"]["months"]
    today = timezone.localdate()
    monkeypatch.setattr(months, "current_month", lambda: f"{today.year + 1:04d}-{today.month:02d}")
    assert refreshed_figures()["bass"]["all"]["months"] == before + 12


def test_the_dashboard_shows_a_new_adoption_once_brought_up_to_date(client, world):
    def total():
        return client.get("/statistikk/").context["result"]["adoptions"]["total"]

    assert total() == 1
    assert total() == 1
    record_adoption(world)
    assert total() == 1  # served at once, brought up to date behind it
    assert total() == 2


def page(client, language="nb", **params):
    """The figures part of the dashboard (the rest carries per-request tokens)."""
    client.cookies.load({"django_language": language})
    response = client.get("/statistikk/", params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<section class="figures"') : html.index("</main>")]


def test_the_dashboards_tables_are_rendered_once_per_data_version(client, world, monkeypatch):
    from cases.views import stats as views

    build_tables = views.build_tables
    first = page(client)
    rendered = []

    def counted(result):
        rendered.append(result["adoptions"]["total"])
        return build_tables(result)

    monkeypatch.setattr(views, "build_tables", counted)
    assert page(client) == first
    assert rendered == []
    # A write that changes a figure: the figures from before, and their tables, are served
    # while the new figures are computed, and then while their tables are rendered, once.
    record_adoption(world)
    assert page(client) == first
    assert page(client) == first
    assert rendered == [2]
    second = page(client)
    assert second != first
    assert page(client) == second
    assert rendered == [2]


def test_the_rendered_tables_follow_the_language_and_the_filters(client, world):
    norwegian, english = page(client, "nb"), page(client, "en")
    assert "Nøkkeltall" in norwegian
    assert "Key figures" in english
    assert 'id="table-breakdown-sector"' in norwegian
    assert 'id="table-breakdown-sector"' in english
    filtered = page(client, "nb", sector="education")
    assert "/statistikk/breakdown-sector.csv?sector=education" in filtered
    assert "/statistikk/breakdown-sector.csv?sector=education" not in page(client, "nb")


# ------------------------------------------------------------------------------------------
# One process computes, the others serve what they have
# ------------------------------------------------------------------------------------------


def lock_of(**filters):
    return caching._cache_keys(normalise_filters(filters))[1]


def test_while_another_process_computes_the_previous_figures_are_served(
    world, django_assert_num_queries, monkeypatch
):
    assert figures()["adoptions"]["total"] == 1
    record_adoption(world)
    cache.add(lock_of(), "another process", 60)
    compute = caching.compute
    forbid_computing(monkeypatch)
    assert cached_figures(django_assert_num_queries)["adoptions"]["total"] == 1
    assert cache.get(lock_of()) == "another process"
    # When that process is done (here: gives up), the next request starts the refresh again.
    cache.delete(lock_of())
    monkeypatch.setattr(caching, "compute", compute)
    assert refreshed_figures()["adoptions"]["total"] == 2


def key_of(**filters):
    return caching._cache_keys(normalise_filters(filters))[0]


def test_without_previous_figures_a_request_waits_for_the_lock_holders(world, monkeypatch):
    cache.add(lock_of(), "another process", 60)
    theirs = {"version": "theirs", "result": {"computed": "by the other process"}}
    monkeypatch.setattr(caching, "_pause", lambda: cache.set(key_of(), theirs))
    forbid_computing(monkeypatch)
    assert figures() == {"computed": "by the other process"}


def test_a_request_computes_itself_when_the_lock_holder_gives_up(world, monkeypatch):
    cache.add(lock_of(), "another process", 60)
    monkeypatch.setattr(caching, "_pause", lambda: cache.delete(lock_of()))
    assert figures()["adoptions"]["total"] == 1


def test_a_request_computes_itself_when_the_lock_holder_takes_too_long(world, monkeypatch):
    cache.add(lock_of(), "another process", 60)
    monkeypatch.setattr(caching, "WAIT_SECONDS", 0)
    assert figures()["adoptions"]["total"] == 1
    # It leaves storing the figures to the lock's holder.
    assert cache.get(lock_of()) == "another process"
    assert cache.get(key_of()) is None


def test_the_lock_is_released_after_computing(world):
    figures()
    assert cache.get(lock_of()) is None
    record_adoption(world)
    figures()
    assert cache.get(lock_of()) is None


def test_the_lock_is_released_when_computing_fails(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    compute = caching.compute
    monkeypatch.setattr(caching, "compute", broken)
    with pytest.raises(RuntimeError):
        figures()
    assert cache.get(lock_of()) is None
    monkeypatch.setattr(caching, "compute", compute)
    assert figures()["adoptions"]["total"] == 1


def test_a_lock_taken_over_after_it_expired_is_left_to_its_new_holder(world, monkeypatch):
    """A computation that outlived LOCK_SECONDS must not release the next holder's lock."""
    compute = caching.compute

    def slow(*args, **kwargs):
        cache.set(lock_of(), "the next process", 60)  # ours expired; another took it
        return compute(*args, **kwargs)

    monkeypatch.setattr(caching, "compute", slow)
    figures()
    assert cache.get(lock_of()) == "the next process"


def test_filtered_views_are_cached_and_locked_apart(world, django_assert_num_queries, monkeypatch):
    all_cases = figures()
    health = figures(sector=["health-care"])
    assert (all_cases["cases"]["total"], health["cases"]["total"]) == (2, 1)
    cache.add(lock_of(), "another process", 60)
    forbid_computing(monkeypatch)
    assert cached_figures(django_assert_num_queries, sector=["health-care"]) == health
    assert cached_figures(django_assert_num_queries) == all_cases


# ------------------------------------------------------------------------------------------
# manage.py warm_stats
# ------------------------------------------------------------------------------------------


def warm(*args) -> str:
    out = io.StringIO()
    call_command("warm_stats", *args, stdout=out)
    return out.getvalue()


def test_warm_stats_computes_after_a_write_and_then_serves(
    world, django_assert_num_queries, monkeypatch
):
    assert warm() == "all cases: computed\n"
    assert warm() == "all cases: up to date\n"
    record_adoption(world)
    assert warm() == "all cases: computed\n"
    forbid_computing(monkeypatch)
    assert cached_figures(django_assert_num_queries)["adoptions"]["total"] == 2


def test_warm_stats_warms_filtered_views_too(world, django_assert_num_queries, monkeypatch):
    output = warm("--filters", "sector=health-care&region=vestlandet")
    assert output == ("all cases: computed\n?sector=health-care&region=vestlandet: computed\n")
    forbid_computing(monkeypatch)
    result = cached_figures(
        django_assert_num_queries, sector=["health-care"], region=["vestlandet"]
    )
    assert result["cases"]["total"] == 1


def test_warm_stats_says_when_another_process_is_computing(world):
    figures()
    record_adoption(world)
    cache.add(lock_of(), "another process", 60)
    assert warm() == "all cases: being computed by another process\n"


def test_warm_stats_refuses_filters_it_does_not_know(world):
    with pytest.raises(CommandError, match="county"):
        warm("--filters", "county=99")
