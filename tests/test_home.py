"""The front page: Norwegian by default, public data only, and a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.selectors import case_list_latest, headline_figures
from cases.vocabularies import CaseStatus, Sector
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_case(municipality):
    return factories.CaseFactory(organisation=municipality, title="Hemmelig utkast")


def get_home(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_home_is_norwegian_by_default(client):
    html = get_home(client)
    assert '<html lang="nb"' in html
    assert "Del innovasjon, gjenbruk det som virker" in html
    assert "Hopp til hovedinnholdet" in html
    assert 'href="#main"' in html
    assert 'id="main"' in html
    assert "<title>Innovasjonsdeling</title>" in html


def test_home_has_landmarks_and_a_labelled_search(client):
    html = get_home(client)
    for landmark in ("<header", "<main", "<footer", '<nav class="site-nav" aria-label="'):
        assert landmark in html
    assert '<label class="ds-label" for="home-search-q">' in html
    assert 'name="q"' in html
    assert 'action="/i18n/setlang/"' in html
    assert 'lang="nb"' in html
    assert 'lang="en"' in html


def test_home_shows_published_cases_only(client, published_case, draft_case, municipality):
    archived = factories.CaseFactory(
        organisation=municipality, title="Arkivert sak", status=CaseStatus.ARCHIVED
    )
    deleted = factories.CaseFactory(
        organisation=municipality, title="Slettet sak", published=True, deleted_at=timezone.now()
    )
    html = get_home(client)
    assert published_case.title in html
    for hidden in (draft_case, archived, deleted):
        assert hidden.title not in html


def test_case_card_shows_organisation_translated_sectors_and_reuse(client, municipality):
    factories.CaseFactory(
        organisation=municipality,
        published=True,
        title="Mobilt røntgen",
        summary="Røntgen på sykehjemmet.",
        sectors=[Sector.HEALTH_CARE, Sector.TECHNICAL],
        adopters=2,
    )
    html = get_home(client)
    assert "Mobilt røntgen" in html
    assert municipality.name in html
    assert "Røntgen på sykehjemmet." in html
    assert "Helse og omsorg" in html
    assert "Tekniske tjenester og miljø" in html
    assert "Gjenbrukt av 2 organisasjoner" in html


def test_latest_cases_are_the_six_newest(municipality):
    now = timezone.now()
    cases = [
        factories.CaseFactory(
            organisation=municipality, published=True, published_at=now - timedelta(days=i)
        )
        for i in range(8)
    ]
    assert [c.pk for c in case_list_latest(limit=6)] == [c.pk for c in cases[:6]]


def test_figures_count_published_data_only(municipality, county):
    other = factories.MunicipalityFactory(parent=county)
    unit_elsewhere = factories.UnitFactory(parent=other)
    third = factories.MunicipalityFactory(parent=county)

    published = factories.CaseFactory(organisation=municipality, published=True)
    factories.CaseFactory(organisation=other, published=True)
    archived = factories.CaseFactory(
        organisation=municipality,
        status=CaseStatus.ARCHIVED,
        published_at=timezone.now(),
    )
    factories.CaseFactory(organisation=third)  # a draft: neither a case nor an organisation

    factories.AdoptionFactory(case=published, organisation=other)
    # A unit counts as its municipality: "other" is reached only once.
    factories.AdoptionFactory(case=published, organisation=unit_elsewhere)
    # Adoptions of an archived case and withdrawn adoptions are not counted.
    factories.AdoptionFactory(case=archived, organisation=third)
    withdrawn = factories.AdoptionFactory(case=published, organisation=third)
    withdrawn.deleted_at = timezone.now()
    withdrawn.save()

    assert headline_figures() == {
        "cases": 2,
        "adoptions": 2,
        "organisations": 2,
        "municipalities": 1,
    }


def test_figures_are_shown(client, published_case):
    factories.AdoptionFactory(case=published_case)
    html = get_home(client)
    assert '<span class="figure__number">1</span> <span class="figure__label">publisert' in html
    assert "registrert gjenbruk" in html


def test_empty_site_says_so(client):
    html = get_home(client)
    assert "Ingen innovasjoner er publisert ennå." in html


@pytest.mark.parametrize("number_of_cases", [3, 12])
def test_home_query_count_does_not_grow(
    client, django_assert_num_queries, municipality, number_of_cases
):
    """Intended to prevent an n+1 issue: the data version (1), the figures when not cached
    (2), the cases (1) and their terms (1)."""
    for _ in range(number_of_cases):
        factories.CaseFactory(
            organisation=factories.MunicipalityFactory(),
            published=True,
            sectors=[Sector.EDUCATION],
            adopters=1,
        )
    with django_assert_num_queries(5):
        get_home(client)
    with django_assert_num_queries(3):
        get_home(client)


def test_figures_are_cached_until_the_data_change(published_case, county):
    adopter = factories.MunicipalityFactory(parent=county)
    first = headline_figures()
    assert (
        headline_figures()
        == first
        == {
            "cases": 1,
            "adoptions": 0,
            "organisations": 1,
            "municipalities": 0,
        }
    )
    adoption = factories.AdoptionFactory(case=published_case, organisation=adopter)
    assert headline_figures()["adoptions"] == 1
    assert headline_figures()["municipalities"] == 1
    adoption.deleted_at = timezone.now()
    adoption.save()
    assert headline_figures()["adoptions"] == 0
    published_case.status = CaseStatus.ARCHIVED
    published_case.save()
    assert headline_figures() == {
        "cases": 0,
        "adoptions": 0,
        "organisations": 0,
        "municipalities": 0,
    }


def test_logged_in_header_shows_the_user(client, user):
    client.force_login(user)
    html = get_home(client)
    assert user.get_full_name() in html


def test_unknown_page_gives_the_norwegian_404(client):
    response = client.get("/finnes-ikke/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="nb"' in html
    assert "Vi fant ikke siden" in html
    assert "<title>Fant ikke siden – Innovasjonsdeling</title>" in html


def test_error_pages_render_without_a_request():
    from django.template.loader import get_template

    for name in ("500.html", "503.html"):
        html = get_template(name).render()
        assert '<html lang="nb"' in html
        assert 'lang="en"' in html
