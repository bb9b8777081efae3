"""Whole answers kept for anonymous readers (cases/caching.py): each kind of write makes fresh
the pages and API answers that show what it changed, and leaves the others kept; a kept answer
is always the answer the site would make now; members' answers are never kept."""

import random
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.cache.backends.dummy import DummyCache
from django.test import override_settings
from django.utils import timezone

from cases import filters, services
from cases.models import Adoption, Case
from cases.vocabularies import Channel, SpreadKind
from tests import factories
from tests.change_feed_helpers import adopt, edit_and_approve, publish, world  # noqa: F401
from tests.conftest import speaking


@pytest.fixture(autouse=True)
def _response_cache(settings):
    settings.RESPONSE_CACHE = True
    settings.CACHE_VERSIONS_SHARED = True
    settings.RESPONSE_CACHE_MARK = True


@pytest.fixture
def site(world, django_capture_on_commit_callbacks):  # noqa: F811
    """Hamar's kiosk, and Hamar's later case taken from it (one family); Lillehammer's
    night watch, which Gjøvik has reused. Every write below commits (its callbacks run)."""
    with django_capture_on_commit_callbacks(execute=True):
        kiosk = publish(world, "Hamar", "Digital innbyggerkiosk")
        ferry = publish(world, "Hamar", "Kiosk på ferja", source_case=kiosk.pk, origin="adapted")
        watch = publish(
            world,
            "Lillehammer",
            "Sensorbasert nattevakt",
            sectors=["culture"],
            innovation_types=["product"],
        )
        adopt(world, watch, "Gjøvik")
    return {**world, "cases": {"kiosk": kiosk, "ferry": ferry, "watch": watch}}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    @contextmanager
    def write():
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return write


def pages(site) -> dict[str, str]:
    cases = site["cases"]
    return {
        "home": "/",
        "search": "/saker/",
        "feed": "/saker/feed/",
        "kiosk": f"/saker/{cases['kiosk'].slug}/",
        "ferry": f"/saker/{cases['ferry'].slug}/",
        "watch": f"/saker/{cases['watch'].slug}/",
        "hamar": "/organisasjoner/hamar/",
        "lillehammer": "/organisasjoner/lillehammer/",
        "gjovik": "/organisasjoner/gjovik/",
        "api-cases": "/api/v1/cases/",
        "api-kiosk": f"/api/v1/cases/{cases['kiosk'].pk}/",
        "api-watch": f"/api/v1/cases/{cases['watch'].pk}/",
        "api-organisations": "/api/v1/organisations/",
        "api-hamar": f"/api/v1/organisations/{site['organisations']['Hamar'].pk}/",
        "api-adoptions": "/api/v1/adoptions/",
    }


def warm(client, urls: dict[str, str]) -> None:
    """Every page asked twice: made, then served kept."""
    for name, url in urls.items():
        client.get(url)
        response = client.get(url)
        assert response.status_code == 200, name
        assert response.get("X-Response-Cache") == "hit", name


def made_afresh(client, urls: dict[str, str]) -> set[str]:
    """The pages that are made again on the next request (not served kept)."""
    return {name for name, url in urls.items() if client.get(url).get("X-Response-Cache") != "hit"}


def fresh(client, url: str):
    """The answer made now with nothing kept: no whole response and no search answer (whose
    own cache is keyed on the same scopes)."""
    with (
        override_settings(RESPONSE_CACHE=False),
        mock.patch.object(filters, "cache", DummyCache("", {})),
    ):
        return client.get(url)


PUBLIC_LISTS = {"home", "search", "feed", "api-cases", "api-adoptions"}


# --- What each kind of write makes fresh -----------------------------------------------------


def test_publishing_a_case_makes_its_owner_and_the_lists_fresh(client, site, committed):
    urls = pages(site)
    warm(client, urls)
    with committed():
        new = publish(site, "Gjøvik", "Skyss for eldre", sectors=["culture"])
    again = made_afresh(client, urls)
    assert again >= PUBLIC_LISTS | {"gjovik"}
    # Another case's page shows similar cases, which a new case can be one of.
    assert {"hamar", "lillehammer", "api-kiosk", "api-watch", "api-hamar"}.isdisjoint(again)
    assert new.title.encode() in client.get("/").content
    assert new.title.encode() in client.get("/organisasjoner/gjovik/").content


def test_an_approved_edit_makes_the_case_its_family_and_its_adopters_fresh(client, site, committed):
    urls = pages(site)
    warm(client, urls)
    with committed():
        edit_and_approve(site, site["cases"]["watch"], "Lillehammer", "Nattevakt med sensorer")
    again = made_afresh(client, urls)
    assert again >= PUBLIC_LISTS | {"watch", "api-watch", "lillehammer", "gjovik"}
    assert {"hamar", "api-kiosk", "api-hamar"}.isdisjoint(again)
    assert b"Nattevakt med sensorer" in client.get(urls["gjovik"]).content


def test_archiving_hides_the_case_at_once_and_refreshes_its_family(client, site, committed):
    urls = pages(site)
    warm(client, urls)
    kiosk = site["cases"]["kiosk"]
    with committed():
        services.case_archive(actor=site["people"]["moderator"], case=kiosk, reason="Utdatert")
    assert client.get(urls["kiosk"]).status_code == 404
    assert client.get(urls["api-kiosk"]).status_code == 404
    again = made_afresh(client, {k: v for k, v in urls.items() if k not in ("kiosk", "api-kiosk")})
    # The later case's page showed the archived one as its source, in its lineage.
    assert again >= PUBLIC_LISTS | {"ferry", "hamar"}
    assert {"lillehammer", "gjovik", "api-watch"}.isdisjoint(again)
    assert kiosk.title.encode() not in client.get(urls["ferry"]).content
    assert kiosk.title.encode() not in client.get(urls["search"]).content

    with committed():
        services.case_restore(actor=site["people"]["moderator"], case=kiosk)
    assert client.get(urls["kiosk"]).status_code == 200
    assert kiosk.title.encode() in client.get(urls["ferry"]).content


def test_a_draft_written_or_deleted_changes_no_public_page(client, site, committed):
    """Only a case that was never public may be deleted; it was shown nowhere."""
    urls = pages(site)
    with committed():
        draft = services.case_create(
            actor=site["people"]["Gjøvik"],
            organisation=site["organisations"]["Gjøvik"],
            data={"title": "Utkast om skyss"},
        )
    warm(client, urls)
    with committed():
        services.case_update(actor=site["people"]["Gjøvik"], case=draft, data={"title": "Skyss"})
        services.case_delete(actor=site["people"]["Gjøvik"], case=draft)
    assert made_afresh(client, urls) == set()


def test_each_kind_of_adoption_write_refreshes_the_case_and_both_organisations(
    client, site, committed
):
    urls = pages(site)
    kiosk = site["cases"]["kiosk"]
    people = site["people"]
    shown = {"kiosk", "api-kiosk", "hamar", "lillehammer", "api-cases", "home", "search"}
    untouched = {"watch", "api-watch", "gjovik"}

    def check(write) -> None:
        warm(client, urls)
        with committed():
            write()
        again = made_afresh(client, urls)
        assert again >= shown, write
        assert untouched.isdisjoint(again), " ".join(sorted(again))

    check(lambda: adopt(site, kiosk, "Lillehammer"))
    adoption = Adoption.objects.get(case=kiosk, organisation=site["organisations"]["Lillehammer"])
    assert b"Lillehammer" in client.get(urls["kiosk"]).content
    check(
        lambda: services.adoption_update(
            actor=people["Lillehammer"], adoption=adoption, note="Tatt i bruk på biblioteket."
        )
    )
    check(lambda: services.adoption_confirm(actor=people["Hamar"], adoption=adoption))
    check(lambda: services.adoption_withdraw(actor=people["Lillehammer"], adoption=adoption))
    assert adoption.case.title.encode() not in client.get(urls["lillehammer"]).content


def test_an_adoption_leaves_the_pages_of_the_cases_other_adopters_kept(client, site, committed):
    """Gjøvik's page lists that it reused the night watch, not who else did: Hamar reusing
    it too changes Hamar's page, the owner's and the case's, not Gjøvik's."""
    urls = pages(site)
    warm(client, urls)
    with committed():
        adopt(site, site["cases"]["watch"], "Hamar")
    again = made_afresh(client, urls)
    assert again >= {"watch", "api-watch", "hamar", "lillehammer", "home", "search"}
    assert "gjovik" not in again


def test_an_organisations_new_name_reaches_its_cases_and_the_lists(client, site, committed):
    urls = pages(site)
    warm(client, urls)
    lillehammer = site["organisations"]["Lillehammer"]
    lillehammer.name = "Lillehammer kommune"
    with committed():
        services.organisation_save(
            actor=site["people"]["moderator"], organisation=lillehammer, changed=["name"]
        )
    again = made_afresh(client, urls)
    # Gjøvik's page names the owner of the case it reused.
    assert again >= {"lillehammer", "watch", "api-watch", "gjovik", "api-organisations"}
    assert again >= {"home", "search", "api-cases"}
    assert {"hamar", "api-kiosk", "api-hamar"}.isdisjoint(again), again
    assert b"Lillehammer kommune" in client.get(urls["gjovik"]).content


def test_a_partner_added_or_removed_makes_its_page_fresh(client, site, committed):
    """A partner's page lists the cases it took part in, whichever side the partners are
    written from: the case's own entry in the change feed finds its partners after the
    write, not the one it lost."""
    urls = pages(site)
    watch, hamar = site["cases"]["watch"], site["organisations"]["Hamar"]
    writes = [
        (
            lambda: edit_and_approve(site, watch, "Lillehammer", watch.title, partners=[hamar.pk]),
            True,
        ),
        (lambda: watch.partners.remove(hamar), False),
        (lambda: hamar.partner_cases.add(watch), True),
        (lambda: hamar.partner_cases.clear(), False),
        (lambda: watch.partners.add(hamar), True),
        (lambda: watch.partners.clear(), False),
    ]
    for write, shown in writes:
        warm(client, urls)
        with committed():
            write()
        assert made_afresh(client, urls) >= {"hamar", "watch", "api-watch", "lillehammer"}
        assert (watch.title.encode() in client.get(urls["hamar"]).content) is shown


def test_spread_activity_refreshes_its_organisations_page_only(client, site, committed):
    urls = pages(site)
    warm(client, urls)
    with committed():
        services.spread_activity_record(
            actor=site["people"]["Hamar"],
            organisation=site["organisations"]["Hamar"],
            kind=SpreadKind.NETWORK_MEETING,
            channel=Channel.NETWORK,
            occurred_on=timezone.localdate(),
            case=site["cases"]["kiosk"],
            description="Fortalt om kiosken på nettverksmøtet.",
        )
    assert made_afresh(client, urls) == {"hamar"}


def test_a_membership_changes_no_public_page(client, site, committed):
    urls = pages(site)
    warm(client, urls)
    with committed():
        factories.MembershipFactory(organisation=site["organisations"]["Hamar"])
    assert made_afresh(client, urls) == set()


# --- Kept answers are the answers the site makes now ----------------------------------------


def test_kept_answers_equal_fresh_ones_after_any_writes(client, site, committed):
    """After each of a random sequence of writes, every page served (kept or made) is the
    page the site makes with nothing kept."""
    rng = random.Random(17)
    people, organisations, cases = site["people"], site["organisations"], site["cases"]
    names = ["Hamar", "Lillehammer", "Gjøvik"]
    counter = iter(range(1000))

    def new_case():
        owner = rng.choice(names)
        cases[f"new-{next(counter)}"] = publish(site, owner, f"Ny løsning {next(counter)}")

    def adoption():
        case = rng.choice([c for c in cases.values() if c.status == "published"])
        adopters = [n for n in names if organisations[n].pk != case.organisation_id]
        adopter = rng.choice(adopters)
        existing = Adoption.all_objects.filter(case=case, organisation=organisations[adopter])
        if existing.exists():
            record = existing.get()
            if record.deleted_at is None:
                services.adoption_withdraw(actor=people[adopter], adoption=record)
            else:
                services.adoption_restore(actor=people[adopter], adoption=record)
        else:
            adopt(site, case, adopter)

    def edit():
        case = rng.choice([c for c in cases.values() if c.status == "published"])
        owner = next(n for n in names if organisations[n].pk == case.organisation_id)
        edit_and_approve(site, case, owner, f"Endret tittel {next(counter)}")

    def partner():
        case = rng.choice([c for c in cases.values() if c.status == "published"])
        owner = next(n for n in names if organisations[n].pk == case.organisation_id)
        others = [organisations[n].pk for n in names if n != owner]
        edit_and_approve(site, case, owner, case.title, partners=rng.sample(others, 1))

    def archive_or_restore():
        case = Case.all_objects.get(pk=rng.choice(list(cases.values())).pk)
        if case.status == "published":
            services.case_archive(actor=people["moderator"], case=case, reason="Gammel")
        elif case.status == "archived":
            services.case_restore(actor=people["moderator"], case=case)

    def rename():
        organisation = organisations[rng.choice(names)]
        organisation.name = f"{organisation.name.split()[0]} {next(counter)}"
        services.organisation_save(
            actor=people["moderator"], organisation=organisation, changed=["name"]
        )

    writes = [new_case, adoption, adoption, edit, partner, archive_or_restore, rename]
    for _ in range(8):
        with committed():
            rng.choice(writes)()
        for case in cases.values():
            case.refresh_from_db()
        urls = pages(site)
        for case in cases.values():
            urls[case.slug] = f"/saker/{case.slug}/"
        # Searches with words and facets, whose counts and pages are cached apart.
        urls["search-words"] = "/saker/?q=kiosk&ordering=-published_at"
        urls["search-words-one"] = "/saker/?q=l%C3%B8sning"
        urls["search-facets"] = "/saker/?sector=culture&reused=true"
        urls["api-search"] = "/api/v1/cases/?q=l%C3%B8sning&sector=culture"
        for name, url in urls.items():
            served = client.get(url)
            made = fresh(client, url)
            assert served.status_code == made.status_code, name
            assert served.content == made.content, name


# --- Who gets kept answers, and what they say ------------------------------------------------


def test_members_are_never_served_or_given_a_kept_page(client, site):
    url = f"/saker/{site['cases']['kiosk'].slug}/"
    client.get(url)
    assert client.get(url)["X-Response-Cache"] == "hit"
    client.force_login(site["people"]["Hamar"])
    for _ in range(2):
        response = client.get(url)
        assert "X-Response-Cache" not in response
        assert "public" not in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
        # The editor's page has the editor's own actions.
        assert b"csrfmiddlewaretoken" in response.content


def test_an_api_token_is_never_served_a_kept_answer(client, site):
    client.get("/api/v1/cases/")
    response = client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Token nothing-valid")
    assert response.get("X-Response-Cache") != "hit"


def test_kept_pages_hold_no_csrf_token_and_say_they_may_be_shared(client, site):
    for name, url in pages(site).items():
        client.get(url)
        response = client.get(url)
        assert response.get("X-Response-Cache") == "hit", name
        assert b"csrfmiddlewaretoken" not in response.content, name
        assert "Set-Cookie" not in response, name
        control = response["Cache-Control"]
        assert "public" in control, name
        assert "max-age" in control, name
        vary = {part.strip().lower() for part in response["Vary"].split(",")}
        assert {"cookie", "accept", "accept-language"} <= vary, name
        if not url.startswith("/api/"):
            assert {"hx-request", "hx-target"} <= vary, name
            assert "stale-while-revalidate" in control, name


def test_an_answer_that_holds_a_csrf_token_or_a_nonce_is_not_kept(rf):
    from django.http import HttpResponse
    from django.middleware.csrf import get_token
    from django.utils.csp import LazyNonce

    from cases import caching

    plain = rf.get("/")
    assert caching._keepable(plain, HttpResponse("Side"))
    with_token = rf.get("/")
    assert not caching._keepable(with_token, HttpResponse(f"Side {get_token(with_token)}"))
    with_nonce = rf.get("/")
    with_nonce._csp_nonce = LazyNonce()
    assert caching._keepable(with_nonce, HttpResponse("Side"))
    assert not caching._keepable(with_nonce, HttpResponse(f"Side {with_nonce._csp_nonce}"))
    cookie = HttpResponse("Side")
    cookie.set_cookie("valgt", "ja")
    assert not caching._keepable(plain, cookie)


def test_conditional_requests_get_304(client, site):
    url = f"/saker/{site['cases']['watch'].slug}/"
    first = client.get(url)
    kept = client.get(url)
    assert kept["ETag"] == first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=kept["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=kept["Last-Modified"]).status_code == 304
    api = client.get("/api/v1/cases/")
    assert client.get("/api/v1/cases/", HTTP_IF_NONE_MATCH=api["ETag"]).status_code == 304


def test_languages_and_variants_are_kept_apart(client, site):
    url = f"/saker/{site['cases']['watch'].slug}/"
    norwegian = client.get(url)
    speaking(client, "en")
    english = client.get(url)
    assert english["X-Response-Cache"] == "miss"
    assert english.content != norwegian.content
    assert client.get(url)["X-Response-Cache"] == "hit"
    assert client.get(url).content == english.content

    whole = client.get("/saker/")
    partial = client.get("/saker/", HTTP_HX_REQUEST="true")
    assert partial["X-Response-Cache"] == "miss"
    assert partial.content != whole.content
    rdf = client.get(url, HTTP_ACCEPT="text/turtle")
    assert rdf["X-Response-Cache"] == "miss"
    assert rdf["Content-Type"].startswith("text/turtle")
    assert client.get(url, HTTP_ACCEPT="text/turtle").content == rdf.content


def test_without_a_shared_cache_any_write_makes_everything_fresh(client, site, settings):
    """Processes with one cache each cannot tell each other what changed: every version is
    then the data version, which every write changes."""
    settings.CACHE_VERSIONS_SHARED = False
    urls = pages(site)
    warm(client, urls)
    factories.MembershipFactory(organisation=site["organisations"]["Hamar"])
    assert made_afresh(client, urls) == set()
    factories.AdoptionFactory(case=site["cases"]["kiosk"])
    assert made_afresh(client, urls) == set(urls)


def test_a_write_to_many_cases_at_once_makes_everything_fresh(client, site, committed, monkeypatch):
    """Past a few cases a write walks no families: every kept answer, and every cached
    family, spread and similar cases, is made again instead."""
    from cases import caching, selectors

    monkeypatch.setattr(caching, "MOST_FAMILIES_WALKED", 1)
    urls = pages(site)
    warm(client, urls)
    # Lillehammer's case is in no family of Hamar's.
    watch = site["cases"]["watch"]
    before = selectors.case_version(watch)
    hamar = site["organisations"]["Hamar"]
    hamar.name = "Hamar kommune"
    with committed():
        services.organisation_save(
            actor=site["people"]["moderator"], organisation=hamar, changed=["name"]
        )
    assert selectors.case_version(watch) != before
    assert made_afresh(client, urls) == set(urls)
