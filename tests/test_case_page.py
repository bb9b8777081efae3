"""The case page: all its content, its owner and partners, who reused it, lineage, similar
cases, history for those allowed, schema.org JSON-LD, nothing unpublished, and a number of
queries that does not grow with adopters or cases."""

import datetime
import json
import re
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from cases import selectors
from cases.models import MODERATORS_GROUP, Membership
from cases.views import cases as case_views
from cases.views.cases import ADOPTERS_SHOWN
from cases.vocabularies import AdoptionStatus, CaseStatus, MembershipRole, Region
from tests import factories
from tests.conftest import speaking

pytestmark = pytest.mark.django_db


def nb(message: str) -> str:
    with translation.override("nb"):
        return gettext(message)


def page(client, case, status=200) -> str:
    response = client.get(case.get_absolute_url())
    assert response.status_code == status
    return response.content.decode()


def page_at(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@contextmanager
def override(**values):
    """Set module constants of the case views for the block (smaller pages for the test)."""
    before = {name: getattr(case_views, name) for name in values}
    for name, value in values.items():
        setattr(case_views, name, value)
    try:
        yield
    finally:
        for name, value in before.items():
            setattr(case_views, name, value)


def json_ld_of(html: str) -> dict | None:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1)) if match else None


@pytest.fixture
def county(db):
    return factories.CountyFactory(
        name="Vestland", number="46", slug="vestland", region=Region.VESTLANDET
    )


@pytest.fixture
def municipality(county):
    return factories.MunicipalityFactory(
        name="Bjørnafjorden", slug="bjornafjorden", number="4624", parent=county
    )


@pytest.fixture
def unit(municipality):
    return factories.UnitFactory(name="Os sjukeheim", slug="os-sjukeheim", parent=municipality)


@pytest.fixture
def editor(unit):
    user = factories.UserFactory()
    Membership.objects.create(user=user, organisation=unit, role=MembershipRole.EDITOR)
    return user


@pytest.fixture
def outsider(db):
    user = factories.UserFactory()
    Membership.objects.create(user=user, organisation=factories.MunicipalityFactory())
    return user


@pytest.fixture
def moderator(db):
    user = factories.UserFactory()
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


@pytest.fixture
def source(municipality):
    return factories.CaseFactory(
        organisation=factories.MunicipalityFactory(name="Kildekommune"),
        title="Kildesaken",
        published=True,
        sectors=["health-care"],
    )


@pytest.fixture
def case(unit, source):
    partner = factories.MunicipalityFactory(name="Partnerkommune", slug="partnerkommune")
    return factories.CaseFactory(
        organisation=unit,
        title="Mobil røntgen </script><script>alert(1)</script>",
        summary="Et kort sammendrag.",
        problem="Problemet med **fet** tekst.",
        solution="Løsningen *kursiv*.",
        results="Resultatene.",
        reuse_guide="Slik gjenbruker du det.",
        contact="Ola Nordmann, ola@example.no",
        workplace_type="nursing-home",
        stage="in-use",
        origin="adapted",
        source_case=source,
        links=[{"url": "https://example.no/rapport", "title": "Rapporten"}],
        published=True,
        sectors=["health-care"],
        innovation_types=["service"],
        benefits=["quality"],
        tags=["røntgen"],
        partners=[partner],
    )


def test_the_page_shows_all_content(client, case):
    html = page(client, case)
    for text in (
        "Mobil røntgen &lt;/script&gt;",
        "Et kort sammendrag.",
        "Problemet med <strong>fet</strong> tekst.",
        "Løsningen <em>kursiv</em>.",
        "Resultatene.",
        "Slik gjenbruker du det.",
        "Ola Nordmann",
        'href="https://example.no/rapport"',
        "Rapporten",
        "røntgen",
        nb("Health and care"),
        nb("Service"),
        nb("Better quality"),
        nb("Nursing home"),
        nb("In use"),
        'href="/saker/' + case.source_case.slug + '/">Kildesaken</a>',
    ):
        assert text in html, text
    assert "<script>alert(1)</script>" not in html


def test_owner_with_municipality_county_and_region_and_partners(client, case):
    html = page(client, case)
    facts = html[html.index('id="facts-heading"') :]
    assert 'href="/organisasjoner/os-sjukeheim/">Os sjukeheim</a>' in facts
    assert 'href="/organisasjoner/bjornafjorden/">Bjørnafjorden</a>' in facts
    assert 'href="/organisasjoner/vestland/">Vestland</a>' in facts
    assert nb("Vestlandet") in facts
    assert 'href="/organisasjoner/partnerkommune/">Partnerkommune</a>' in facts


def test_reused_by_lists_adopters_with_their_details(client, case, editor):
    confirmed = factories.AdoptionFactory(
        case=case,
        organisation=factories.MunicipalityFactory(name="Askøy"),
        mode="copied",
        channel="conference",
        status=AdoptionStatus.PLANNED,
        adopted_on=timezone.localdate().replace(year=2024, month=3, day=5),
        confirmed=True,
    )
    factories.AdoptionFactory(
        case=case, organisation=factories.MunicipalityFactory(name="Fjell"), mode="adapted"
    )
    withdrawn = factories.AdoptionFactory(
        case=case,
        organisation=factories.MunicipalityFactory(name="Trukket kommune"),
        deleted_at=timezone.now(),
    )
    gone = factories.MunicipalityFactory(name="Nedlagt kommune")
    factories.AdoptionFactory(case=case, organisation=gone)
    gone.deleted_at = timezone.now()
    gone.save()
    html = page(client, case)
    section = html[html.index('id="reused-heading"') : html.index("</table>")]
    rows = re.findall(r"<tr><td>.*?</tr>", section, re.S)
    assert len(rows) == 2
    askoy = next(row for row in rows if "Askøy" in row)
    for text in (
        nb("Copied"),
        nb("Seminars and conferences"),
        "5.3.2024",
        nb("Planned"),
        nb("Yes"),
    ):
        assert text in askoy, text
    assert "Trukket kommune" not in html
    assert "Nedlagt kommune" not in html
    assert withdrawn.organisation.name not in html
    # The owner's editor may confirm the unconfirmed one only.
    client.force_login(editor)
    html = page(client, case)
    assert f'action="/gjenbruk/{confirmed.pk}/bekreft/"' not in html
    assert len(re.findall(r'action="/gjenbruk/\d+/bekreft/"', html)) == 1


def test_history_only_for_those_allowed(client, case, editor, outsider, moderator):
    history = f'href="/saker/{case.slug}/historikk/"'
    assert history not in page(client, case)
    client.force_login(outsider)
    assert history not in page(client, case)
    client.force_login(editor)
    assert history in page(client, case)
    client.force_login(moderator)
    assert history in page(client, case)


def test_json_ld_is_valid_schema_org(client, case):
    html = page(client, case)
    assert "</script><script>alert(1)" not in html.split('type="application/ld+json">')[1][:500]
    data = json_ld_of(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "CreativeWork"
    assert data["name"] == case.title
    assert data["url"] == f"http://testserver/saker/{case.slug}/"
    assert data["author"] == {
        "@type": "GovernmentOrganization",
        "name": "Os sjukeheim",
        "url": "http://testserver/organisasjoner/os-sjukeheim/",
    }
    assert data["contributor"][0]["name"] == "Partnerkommune"
    assert data["isBasedOn"] == f"http://testserver/saker/{case.source_case.slug}/"
    assert data["datePublished"].startswith(str(case.published_at.year))
    assert data["spatialCoverage"] == {"@type": "AdministrativeArea", "name": "Vestland"}
    assert "røntgen" in data["keywords"]
    assert None not in data.values()


def test_json_ld_leaves_out_an_unpublished_source_and_missing_values(client, case, source):
    source.status = CaseStatus.ARCHIVED
    source.save()
    case.partners.clear()
    case.summary = ""
    case.problem = ""
    case.save()
    data = json_ld_of(page(client, case))
    assert "isBasedOn" not in data
    assert "contributor" not in data
    assert "description" not in data
    assert "Kildesaken" not in page(client, case)


def test_similar_cases(client, case, municipality):
    both = factories.CaseFactory(
        organisation=municipality,
        title="Deler to",
        published=True,
        sectors=["health-care"],
        innovation_types=["service"],
    )
    one = factories.CaseFactory(
        organisation=municipality, title="Deler en", published=True, sectors=["health-care"]
    )
    factories.CaseFactory(
        organisation=municipality, title="Deler ingen", published=True, sectors=["culture"]
    )
    factories.CaseFactory(
        organisation=municipality, title="Lignende utkast", sectors=["health-care"]
    )
    factories.CaseFactory(
        organisation=municipality,
        title="Lignende slettet",
        published=True,
        deleted_at=timezone.now(),
        sectors=["health-care"],
    )
    html = page(client, case)
    section = html[html.index('id="similar-heading"') :]
    section = section[: section.index("</section>")]
    titles = re.findall(r'<a class="ds-link" href="[^"]+">([^<]+)</a>', section)
    assert titles[:2] == [both.title, one.title]
    assert "Deler ingen" not in titles
    assert case.title not in titles
    assert "Lignende utkast" not in html
    assert "Lignende slettet" not in html


@pytest.mark.parametrize(
    "status",
    [CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.CHANGES_REQUESTED, CaseStatus.ARCHIVED],
)
def test_unpublished_case_is_not_found_by_outsiders(client, case, outsider, editor, status):
    case.status = status
    case.save()
    page(client, case, status=404)
    client.force_login(outsider)
    page(client, case, status=404)
    client.force_login(editor)
    html = page(client, case)
    assert json_ld_of(html) is None
    assert 'id="similar-heading"' not in html
    assert 'id="reused-heading"' not in html


def test_deleted_case_is_not_found(client, case, editor):
    case.deleted_at = timezone.now()
    case.save()
    page(client, case, status=404)
    client.force_login(editor)
    page(client, case, status=404)


def add_data(case, n: int):
    for i in range(n):
        adopter = factories.UnitFactory()
        factories.AdoptionFactory(case=case, organisation=adopter, confirmed=i % 2 == 0)
        factories.CaseFactory(
            organisation=adopter,
            published=True,
            sectors=["health-care"],
            innovation_types=["service"],
        )
        partner = factories.MunicipalityFactory()
        case.partners.add(partner)


def queries_of(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "editor", "outsider"])
def test_queries_do_not_grow_with_adopters_or_cases(client, case, who, request):
    """The case with its owner, terms, partners and attachments; the first adopters; the
    owner's municipality; the lineage (one query up, one down, one for the cases); the
    diffusion figures (two); the data version and the similar cases; and for a logged-in user
    the session, the user, the roles, the moderator check and the pending revision. Intended
    to prevent an n+1 over adopters, partners and similar cases."""
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    add_data(case, 3)
    client.get(case.get_absolute_url())  # fills the cache of similar cases
    few, _html = queries_of(client, case.get_absolute_url())
    add_data(case, 12)
    client.get(case.get_absolute_url())
    many, html = queries_of(client, case.get_absolute_url())
    assert few == many <= 20
    reused = html[html.index('id="reused-heading"') : html.index("</table>")]
    # The first ten, then the way to all fifteen.
    assert reused.count("<tr><td>") == ADOPTERS_SHOWN == 10
    link = f'href="/saker/{case.slug}/gjenbrukt-av/"'
    assert link in html[html.index("</table>") :]


def test_the_adopters_list_pages_through_every_public_adopter(client, case, editor):
    adopters = []
    for day in range(1, 13):
        adopter = factories.MunicipalityFactory(name=f"Kommune {day:02d}")
        factories.AdoptionFactory(
            case=case, organisation=adopter, adopted_on=datetime.date(2024, 1, day)
        )
        adopters.append(adopter)
    withdrawn = factories.AdoptionFactory(
        case=case, organisation=factories.MunicipalityFactory(name="Trukket kommune")
    )
    withdrawn.deleted_at = timezone.now()
    withdrawn.save()
    gone = factories.MunicipalityFactory(name="Nedlagt kommune")
    factories.AdoptionFactory(case=case, organisation=gone)
    gone.deleted_at = timezone.now()
    gone.save()
    url = reverse("case-adopters", kwargs={"slug": case.slug})
    with override(ADOPTERS_PER_PAGE=5):
        first = page_at(client, url)
        second = page_at(client, url + "?page=2")
        third = page_at(client, url + "?page=3")
        queries = [queries_of(client, url + f"?page={n}")[0] for n in (1, 3)]
    rows = [
        re.findall(r"<tr><td>(\d+)</td><td><a[^>]*>([^<]+)</a>", html)
        for html in (first, second, third)
    ]
    assert [len(r) for r in rows] == [5, 5, 2]
    everyone = [row for page_rows in rows for row in page_rows]
    assert everyone == [(str(n), f"Kommune {n:02d}") for n in range(1, 13)]
    # Twelve adopters: each gets its Rogers category by its place in the order.
    assert nb("Early adopters") in first
    assert nb("Laggards") in third
    for html in (first, second, third):
        assert "Trukket kommune" not in html
        assert "Nedlagt kommune" not in html
    assert 'rel="next"' in first
    assert 'rel="prev"' in third
    assert queries[0] == queries[1]
    # The owner's editor can confirm from here too.
    client.force_login(editor)
    assert len(re.findall(r'action="/gjenbruk/\d+/bekreft/"', page_at(client, url))) == 12


def test_the_adopters_list_is_reached_from_the_case_page(client, case):
    for _ in range(ADOPTERS_SHOWN + 1):
        factories.AdoptionFactory(case=case, organisation=factories.MunicipalityFactory())
    html = page(client, case)
    url = reverse("case-adopters", kwargs={"slug": case.slug})
    link = re.search(rf'<a class="ds-link" href="{url}">([^<]+)</a>', html)
    assert link
    assert str(ADOPTERS_SHOWN + 1) in link.group(1)
    listing = page_at(client, url)
    assert listing.count("<tr><td>") == ADOPTERS_SHOWN + 1
    assert f'href="{case.get_absolute_url()}"' in listing


@pytest.mark.parametrize(
    "change", [{"status": CaseStatus.DRAFT}, {"status": CaseStatus.ARCHIVED}, {"deleted": True}]
)
def test_the_adopters_list_of_an_unpublished_case_is_not_found(client, case, editor, change):
    factories.AdoptionFactory(case=case, organisation=factories.MunicipalityFactory())
    if change.get("deleted"):
        case.deleted_at = timezone.now()
    else:
        case.status = change["status"]
    case.save()
    url = reverse("case-adopters", kwargs={"slug": case.slug})
    assert client.get(url).status_code == 404
    client.force_login(editor)
    assert client.get(url).status_code == 404


def test_similar_cases_follow_the_data(client, case, municipality):
    """Cached by data version: a newly published case shows at once, an archived one goes."""
    html = page(client, case)
    assert 'id="similar-heading"' not in html or "Ny lignende" not in html
    newcomer = factories.CaseFactory(
        organisation=municipality,
        title="Ny lignende",
        published=True,
        sectors=["health-care"],
        innovation_types=["service"],
    )
    assert "Ny lignende" in page(client, case)
    newcomer.status = CaseStatus.ARCHIVED
    newcomer.save()
    assert "Ny lignende" not in page(client, case)


def test_cached_parts_of_the_page_follow_the_language(client, case):
    """The lineage and diffusion markup is cached by case, data version and language."""
    factories.AdoptionFactory(case=case, organisation=factories.MunicipalityFactory())
    derived = factories.CaseFactory(published=True, source_case=case, origin="copied")
    url = case.get_absolute_url()
    english = speaking(client, "en").get(url).content.decode()
    norwegian = speaking(client, "nb").get(url).content.decode()
    assert "How this case has spread" in english
    assert "(generation 2, copied)" in english
    for html in (english, norwegian):
        assert f'href="{derived.get_absolute_url()}"' in html
    assert nb("How this case has spread") in norwegian
    assert "How this case has spread" not in norwegian
    # A change to the family shows at once.
    derived.status = CaseStatus.ARCHIVED
    derived.save()
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert f'href="{derived.get_absolute_url()}"' not in html


def test_a_cached_family_never_shows_a_case_that_left_public_view(client, case):
    """A write can commit after a later one was read, leaving the data version as it was
    (here: an update that writes no change feed entry). The cached family is checked against
    what is published now."""
    derived = factories.CaseFactory(
        published=True, source_case=case, origin="copied", title="Snart arkivert"
    )
    assert "Snart arkivert" in page(client, case)
    type(derived).all_objects.filter(pk=derived.pk).update(status=CaseStatus.ARCHIVED)
    assert "Snart arkivert" not in page(client, case)


def test_a_case_nobody_reused_says_so_in_one_line_with_the_action(client, case, outsider):
    html = page(client, case)
    reused = html[html.index('id="reused-heading"') :]
    assert nb("No one has recorded reusing this case yet — have you taken it into use?") in reused
    assert "figure__number" not in html
    assert "case-diffusion" not in html
    adopt = reverse("adoption-create", kwargs={"slug": case.slug})
    # Logged out, the action leads through the login to recording the reuse.
    assert f'href="{reverse("login")}?next={adopt}">{nb("We have reused this")}</a>' in reused

    client.force_login(outsider)
    html = page(client, case)
    reused = html[html.index('id="reused-heading"') :]
    assert f'href="{adopt}">{nb("We have reused this")}</a>' in reused


def test_a_reused_case_shows_its_figures(client, case):
    factories.AdoptionFactory(case=case, organisation=factories.MunicipalityFactory())
    html = page(client, case)
    assert "figure__number" in html
    assert nb("No one has recorded reusing this case yet — have you taken it into use?") not in html


def test_the_lineage_is_said_in_sentences(client, case, source):
    copy = factories.CaseFactory(
        organisation=factories.MunicipalityFactory(name="Kopikommune"),
        title="Kopien",
        published=True,
        origin="copied",
        source_case=case,
    )
    factories.CaseFactory(
        organisation=factories.MunicipalityFactory(name="Barnebarn"),
        title="Barnebarnet",
        published=True,
        origin="adapted",
        source_case=copy,
    )
    html = page(client, case)
    start = html.index('id="lineage-heading"')
    words = html[start : html.index("<details", start)]
    source_link = f'<a class="ds-link" href="{source.get_absolute_url()}">Kildesaken</a>'
    assert f"{nb('Adapted from')} {source_link} (Kildekommune)." in words
    copy_link = f'<a class="ds-link" href="{copy.get_absolute_url()}">Kopien</a>'
    assert f"{nb('Copied by')} Kopikommune ({copy_link})." in words
    with translation.override("nb"):
        further = translation.ngettext(
            "%(counter)s more case builds on those in turn.",
            "%(counter)s more cases build on those in turn.",
            1,
        ) % {"counter": 1}
    assert further in words


def test_the_owner_is_not_offered_to_ask_itself(client, case, editor):
    assert 'href="#spor-eieren"' in page(client, case)
    client.force_login(editor)
    assert 'href="#spor-eieren"' not in page(client, case)


def test_similar_cases_are_ranked_from_what_one_index_holds(case, municipality):
    """Ranking similar cases reads every published case's term masks: the partial index
    case_public_similar holds every column the statement reads and its condition is the
    statement's, so PostgreSQL can answer it from the index alone (a twentieth of the table
    at 100,000 cases) instead of scanning the case rows."""
    factories.CaseFactory(organisation=municipality, published=True, sectors=["health-care"])
    terms = sorted((t.vocabulary, t.code) for t in case.terms.all() if t.vocabulary != "tag")
    with CaptureQueriesContext(connection) as ranked:
        selectors._rank_similar(case, terms, 4)
    (statement,) = ranked.captured_queries
    read = set(re.findall(r'"cases_case"\."(\w+)"', statement["sql"]))
    with connection.cursor() as cursor:
        index = connection.introspection.get_constraints(cursor, "cases_case")[
            "case_public_similar"
        ]
    # status and deleted_at are the index's condition, which the statement repeats.
    assert {"sector_mask", "published_at"} <= read
    assert read <= {*index["columns"], "status", "deleted_at"}
    assert "\"status\" = 'published'" in statement["sql"]
    assert '"deleted_at" IS NULL' in statement["sql"]
