"""Organisation pages: published cases, who reused them, what the organisation reused, reach,
spread activities; nothing unpublished; a number of queries that does not grow with the data."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Membership
from cases.views.organisations import CASES_SHOWN
from cases.vocabularies import CaseStatus, MembershipRole, Region
from tests import factories

pytestmark = pytest.mark.django_db


def page(client, organisation, status=200) -> str:
    response = client.get(organisation.get_absolute_url())
    assert response.status_code == status
    return response.content.decode()


def figures(html: str) -> dict[str, int]:
    section = html[html.index('id="reach-heading"') : html.index("</dl>")]
    return {dt: int(dd) for dt, dd in re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", section)}


@pytest.fixture
def county(db):
    return factories.CountyFactory(name="Agder", number="42", region=Region.AGDER_SOR_OSTLANDET)


@pytest.fixture
def organisation(county):
    return factories.MunicipalityFactory(
        name="Kristiansand", slug="kristiansand", number="4204", parent=county, population=117000
    )


@pytest.fixture
def published(organisation):
    return factories.CaseFactory(
        organisation=organisation, title="Medisinrobot", published=True, sectors=["health-care"]
    )


@pytest.fixture
def hidden(organisation):
    now = timezone.now()
    return [
        factories.CaseFactory(organisation=organisation, title="Skjult utkast"),
        factories.CaseFactory(
            organisation=organisation, title="Skjult innsendt", status=CaseStatus.SUBMITTED
        ),
        factories.CaseFactory(
            organisation=organisation,
            title="Skjult endring",
            status=CaseStatus.CHANGES_REQUESTED,
        ),
        factories.CaseFactory(
            organisation=organisation,
            title="Skjult arkivert",
            status=CaseStatus.ARCHIVED,
            published_at=now,
        ),
        factories.CaseFactory(
            organisation=organisation, title="Skjult slettet", published=True, deleted_at=now
        ),
    ]


def test_the_page_shows_the_organisation_and_its_public_record(client, organisation, published):
    adopter = factories.MunicipalityFactory(name="Vevelstad", slug="vevelstad")
    factories.AdoptionFactory(case=published, organisation=adopter, mode="copied")
    factories.CaseFactory(title="Mobil røntgen", published=True, adopters=[organisation])
    factories.SpreadActivityFactory(
        organisation=organisation, case=published, description="Nettverksmøte i Agder"
    )
    html = page(client, organisation)
    assert "Kristiansand" in html
    assert "Agder" in html
    assert "4204" in html
    assert 'href="/saker/' + published.slug + '/"' in html
    assert 'href="/organisasjoner/vevelstad/">Vevelstad</a>' in html
    assert "Mobil røntgen" in html
    assert "Nettverksmøte i Agder" in html
    assert list(figures(html).values()) == [1, 1, 1, 1, 1]


def test_unpublished_cases_never_show(client, organisation, published, hidden):
    outsider = factories.UserFactory()
    Membership.objects.create(user=outsider, organisation=factories.MunicipalityFactory())
    # The adoptions and spread activities of hidden cases are hidden with them.
    adopter = factories.MunicipalityFactory(name="Skjult gjenbruker")
    for case in hidden:
        factories.AdoptionFactory(case=case, organisation=adopter)
        factories.SpreadActivityFactory(
            organisation=organisation, case=case, description=f"Spredning av {case.title}"
        )
    factories.CaseFactory(
        title="Skjult fremmed", status=CaseStatus.ARCHIVED, adopters=[organisation]
    )
    for user in (None, outsider):
        if user:
            client.force_login(user)
        html = page(client, organisation)
        assert "Skjult" not in html
        assert list(figures(html).values()) == [1, 0, 0, 0, 0]
        html = page(client, adopter)
        assert "Skjult" not in html.replace("Skjult gjenbruker", "")


def test_a_deleted_organisation_is_not_found(client, organisation):
    organisation.deleted_at = timezone.now()
    organisation.save()
    page(client, organisation, status=404)


def test_many_cases_are_capped_with_a_link_to_all(client, organisation):
    for n in range(CASES_SHOWN + 3):
        factories.CaseFactory(organisation=organisation, title=f"Sak {n}", published=True)
    html = page(client, organisation)
    assert html.count('class="ds-card case-card"') == CASES_SHOWN
    assert figures(html)[next(iter(figures(html)))] == CASES_SHOWN + 3
    link = f'href="{reverse("case-list")}?organisation={organisation.pk}"'
    assert link in html
    # The link's search shows them all.
    response = client.get(reverse("case-list"), {"organisation": organisation.pk})
    assert re.search(rf'id="results-heading">{CASES_SHOWN + 3} ', response.content.decode())


def test_the_cases_it_took_part_in_as_a_partner_are_listed(client, organisation):
    owner = factories.MunicipalityFactory(name="Vennesla")
    factories.CaseFactory(
        organisation=owner, title="Felles legevakt", published=True, partners=[organisation]
    )
    factories.CaseFactory(organisation=owner, title="Skjult utkast", partners=[organisation])
    html = page(client, organisation)
    section = html[html.index('id="partner-cases-heading"') : html.index('id="reusers-heading"')]
    assert "Felles legevakt" in section
    assert "Vennesla" in section  # the card names the owner
    assert "Skjult" not in html
    # The owner's page lists the case among its own, not as a partner's.
    assert 'id="partner-cases-heading"' not in page(client, owner)


def test_many_partner_cases_are_capped_with_their_count(client, organisation):
    for n in range(CASES_SHOWN + 2):
        factories.CaseFactory(title=f"Samarbeid {n}", published=True, partners=[organisation])
    html = page(client, organisation)
    section = html[html.index('id="partner-cases-heading"') : html.index('id="reusers-heading"')]
    assert section.count('class="ds-card case-card"') == CASES_SHOWN
    assert f"De siste {CASES_SHOWN} av {CASES_SHOWN + 2} innovasjoner." in section


def test_spread_button_for_members_only(client, organisation):
    url = reverse("spread-create", kwargs={"slug": organisation.slug})
    assert url not in page(client, organisation)
    member = factories.UserFactory()
    Membership.objects.create(user=member, organisation=organisation, role=MembershipRole.MEMBER)
    client.force_login(member)
    assert url in page(client, organisation)


def build(organisation, n: int):
    for i in range(n):
        case = factories.CaseFactory(
            organisation=organisation,
            published=True,
            sectors=["health-care", "education"],
            adopters=[factories.UnitFactory()],
        )
        factories.CaseFactory(published=True, adopters=[organisation])
        factories.CaseFactory(published=True, partners=[organisation], sectors=["culture"])
        factories.SpreadActivityFactory(organisation=organisation, case=case if i % 2 else None)
        factories.UnitFactory(parent=organisation)


def test_queries_do_not_grow_with_cases_or_adopters(
    client, organisation, django_assert_max_num_queries
):
    """The organisation; its cases (capped) with their terms; the case count; the records
    of reuse both ways and their counts; reach; spread activities; units. Intended to prevent
    an n+1 over cases, adopters and activities."""
    build(organisation, 3)
    with django_assert_max_num_queries(10):
        page(client, organisation)
    build(organisation, 12)
    with django_assert_max_num_queries(10):
        html = page(client, organisation)
    assert next(iter(figures(html).values())) == 15
