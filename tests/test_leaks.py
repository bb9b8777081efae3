"""Nothing that is not public reaches the public, on any surface.

One world holds a case in every non-public state — a draft, a submitted case, one sent back, an
archived one, a soft-deleted one, and an edit of a published case waiting for approval — each
with its own marker word in every text it has (title, summary, the long texts, contact, tags,
links, the outside source, reasons, attachment names), hidden-only vocabulary codes that the
facet counts and statistics would show, and a published case as its source and neighbour so
that lineage and similar cases would reach it. Around them: reuse records of a case that left
the public view and a withdrawn one, a spread activity and a report about hidden cases, a
private API token, and questions to a case's owner that wait for their answer, that a moderator
hid (or hid the answer of), or whose case left the public view, each with a marker too.

Then every named route of the site is requested, as an anonymous visitor and as a member of
another organisation, in bokmål and English: pages, search results and facet counts, similar
cases, lineage, organisation pages, the Atom feed, the sitemap, the statistics and every CSV,
every API endpoint (lists, details, the change feed from the start to its end, the OpenAPI
schema and docs), and every address of a hidden object. No marker appears in any answer
(HTML, JSON, CSV, XML), hidden objects are 404, and the figures count only public data.

A new route fails `test_every_route_is_visited` until this file requests it (or names it in
EXCLUDED with a reason): that is how new surfaces join the test.
"""

import io
from urllib.parse import urlsplit

import openpyxl
import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cases import services
from cases.models import (
    MODERATORS_GROUP,
    Adoption,
    Case,
    CaseRevision,
    Membership,
    Question,
    SavedSearch,
)
from cases.services import accounts as account_services
from cases.statistics.caching import diffusion
from cases.statistics.tables import build_tables
from cases.vocabularies import (
    AdoptionMode,
    Channel,
    MembershipRole,
    MembershipStatus,
    Region,
    SpreadKind,
)
from tests import factories
from tests.conftest import person

# The world is committed for real: on PostgreSQL the change feed hands out only what committed
# transactions wrote (see cases/api/changes.py), and a long test transaction could hold it back.
pytestmark = pytest.mark.django_db(transaction=True)

# Routes that this test does not request, and why. Everything else must be requested.
EXCLUDED = {
    "admin:": "the admin site is for staff only, behind its own login (tests/test_admin.py)",
    "account_login": "another name of `login` (the same path), for allauth's redirects",
    "account_logout": "another name of `logout` (the same path), for allauth's redirects",
    "account_signup": "another name of `register` (the same path), for allauth's redirects",
}

# The RDF variants of the catalogue and of a case page (cases/catalogue.py).
RDF_TYPES = ("text/turtle", "application/ld+json", "application/rdf+xml")
# Codes that only hidden content uses: any count above zero for them is a leak.
HIDDEN_CODES = {
    "sector": "culture",
    "innovation_type": "product",
    "benefit": "business",
    "workplace_type": "child-welfare",
    "stage": "discontinued",
}
# Codes that the published cases use too: their counts must be the published cases' alone.
SHARED_SECTOR = "health-care"
SHARED_TYPE = "service"


def marker(name: str) -> str:
    """A word found nowhere else: lower-case letters only, so it survives slugs, tags,
    Markdown, search normalisation and every output format unchanged."""
    return f"zqx{name}lekk"


# One marker per hidden thing. Search words differ from the markers, because a search page
# shows the words it was asked for.
MARKERS = {
    name: marker(name)
    for name in (
        "draft",
        "submitted",
        "changes",
        "archived",
        "deleted",
        "revision",
        "reason",
        "attachment",
        "pendingfile",
        "adoptionnote",
        "withdrawnnote",
        "spreadnote",
        "report",
        "token",
        "waitingquestion",
        "hiddenquestion",
        "hiddenanswer",
        "archivedquestion",
        "hidereason",
    )
}
SEARCH_WORDS = {
    "draft": "fjellutkast",
    "submitted": "fjellinnsendt",
    "changes": "fjellretur",
    "archived": "fjellarkiv",
    "deleted": "fjellslettet",
    "revision": "fjellrevisjon",
}


def secret_content(state: str, source: Case, partner) -> dict:
    """Case content with the state's marker in every text and the hidden-only codes."""
    m = MARKERS[state]
    word = SEARCH_WORDS[state]
    return {
        "title": f"Hemmelig sak {m}",
        "summary": f"Sammendrag {m} {word}",
        "problem": f"Problemet **{m}** {word}",
        "solution": f"Løsningen {m} {word}",
        "results": f"Resultatene {m}",
        "reuse_guide": f"Slik gjenbruker du {m}",
        "contact": f"Kontakt {m}",
        "contact_name": f"Person {m}",
        "contact_role": f"Rolle {m}",
        "contact_email": f"{m}@example.no",
        "contact_phone": "+47 000 00 000",
        "tags": [m, f"{m}-tagg"],
        "links": [{"url": f"https://example.no/{m}", "title": f"Lenke {m}"}],
        "sectors": [SHARED_SECTOR, HIDDEN_CODES["sector"]],
        "innovation_types": [SHARED_TYPE, HIDDEN_CODES["innovation_type"]],
        "benefits": [HIDDEN_CODES["benefit"]],
        "workplace_type": HIDDEN_CODES["workplace_type"],
        "stage": HIDDEN_CODES["stage"],
        "origin": "adapted",
        "source_case": source.pk,
        "source_description": f"Kilde {m}",
        "partners": [partner.pk],
    }


PUBLIC_CONTENT = {
    "summary": "Et kort og offentlig sammendrag.",
    "problem": "Et offentlig problem.",
    "solution": "En offentlig løsning.",
    "sectors": [SHARED_SECTOR],
    "innovation_types": [SHARED_TYPE],
    "benefits": ["quality"],
    "workplace_type": "nursing-home",
    "stage": "pilot",
    "origin": "first",
}


def pdf(name: str) -> SimpleUploadedFile:
    content = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class World:
    """Everything the test needs, built with the services as people would build it."""

    def __init__(self):
        cache.clear()
        west = factories.CountyFactory(name="Vestfylket", region=Region.VESTLANDET)
        north = factories.CountyFactory(name="Nordfylket", region=Region.NORD_NORGE)
        self.publisher = factories.MunicipalityFactory(parent=west, name="Publiseringsvik")
        self.owner = factories.MunicipalityFactory(parent=north, name="Skjulestad")
        self.other = factories.MunicipalityFactory(parent=west, name="Annenby")
        self.third = factories.MunicipalityFactory(parent=west, name="Tredjeby")
        self.partner = factories.MunicipalityFactory(parent=west, name="Partnerby")
        self.moderator = factories.UserFactory()
        self.moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
        self.publisher_editor = person(self.publisher, MembershipRole.EDITOR)
        self.author = person(self.owner, MembershipRole.EDITOR)
        # The persona: an editor of another organisation, with reuse records of its own.
        self.outsider = person(self.other, MembershipRole.EDITOR)
        self.third_editor = person(self.third, MembershipRole.EDITOR)

        # Published cases: the sources and neighbours of the hidden ones.
        self.source = self._published(self.publisher_editor, self.publisher, "Kildesaken")
        self.neighbour = self._published(self.publisher_editor, self.publisher, "Nabosaken")
        self.revised = self._published(self.author, self.owner, "Revidert sak")
        self.published = [self.source, self.neighbour, self.revised]

        def hidden(state):
            return services.case_create(
                actor=self.author,
                organisation=self.owner,
                data=secret_content(state, self.source, self.partner),
            )

        self.draft = hidden("draft")
        services.attachment_add(
            actor=self.author,
            case=self.draft,
            upload=pdf(f"{MARKERS['attachment']}.pdf"),
            title=f"Vedlegg {MARKERS['attachment']}",
        )
        self.submitted = services.case_submit(actor=self.author, case=hidden("submitted"))
        self.changes = services.case_submit(actor=self.author, case=hidden("changes"))
        self.changes = services.case_request_changes(
            actor=self.moderator, case=self.changes, reason=f"Rett dette {MARKERS['reason']}"
        )
        archived = services.case_submit(actor=self.author, case=hidden("archived"))
        self.archived = factories.approve_case(self.moderator, archived)
        # While it was public, others reused it and its owner spread it.
        self.hidden_adoption = services.adoption_record(
            actor=self.third_editor,
            case=self.archived,
            organisation=self.third,
            mode=AdoptionMode.COPIED,
            channel=Channel.NETWORK,
            note=f"Notat {MARKERS['adoptionnote']}",
        )
        services.spread_activity_record(
            actor=self.author,
            organisation=self.owner,
            kind=SpreadKind.NETWORK_MEETING,
            channel=Channel.NETWORK,
            occurred_on=timezone.localdate(),
            case=self.archived,
            description=f"Spredning {MARKERS['spreadnote']}",
        )
        # While it was public, a question was asked and answered.
        self.archived_question = self._answered(
            self.archived, f"Spørsmål {MARKERS['archivedquestion']}"
        )
        self.archived = services.case_archive(
            actor=self.author, case=self.archived, reason=f"Utdatert {MARKERS['reason']}"
        )
        self.deleted = services.case_delete(actor=self.author, case=hidden("deleted"))
        # An edit of a published case waits for a moderator, with a file of its own.
        self.revision = services.case_update(
            actor=self.author,
            case=self.revised,
            data={
                key: value
                for key, value in secret_content("revision", self.source, self.partner).items()
                if key not in {"partners"}
            },
        )
        assert isinstance(self.revision, CaseRevision)
        self.pending_file = services.attachment_add(
            actor=self.author,
            case=self.revised,
            upload=pdf(f"{MARKERS['pendingfile']}.pdf"),
            title=f"Ny fil {MARKERS['pendingfile']}",
        )
        self.hidden_cases = {
            "draft": self.draft,
            "submitted": self.submitted,
            "changes": self.changes,
            "archived": self.archived,
            "deleted": self.deleted,
        }

        # Reuse: one public record of each published source, one withdrawn (with a marker),
        # and one whose derived case is a draft.
        self.public_adoption = services.adoption_record(
            actor=self.outsider,
            case=self.source,
            organisation=self.other,
            mode=AdoptionMode.ADAPTED,
            channel=Channel.CONFERENCE,
            note="Vi tok den i bruk.",
        )
        withdrawn = services.adoption_record(
            actor=self.third_editor,
            case=self.neighbour,
            organisation=self.third,
            mode=AdoptionMode.ADAPTED,
            channel=Channel.NETWORK,
            note=f"Notat {MARKERS['withdrawnnote']}",
        )
        self.withdrawn_adoption = services.adoption_withdraw(
            actor=self.third_editor, adoption=withdrawn
        )
        self.derived_adoption = services.adoption_record(
            actor=self.author,
            case=self.neighbour,
            organisation=self.owner,
            mode=AdoptionMode.ADAPTED,
            channel=Channel.PLATFORM,
            derived_case=self.draft,
        )
        # Questions to the owner of a published case: one answered (public), one waiting, one
        # hidden by a moderator and one whose answer a moderator hid.
        self.shown_question = self._answered(self.revised, "Hvor lang tid tok det?")
        self.waiting_question = services.question_ask(
            actor=self.third_editor,
            case=self.revised,
            organisation=self.third,
            text=f"Venter {MARKERS['waitingquestion']}",
        )
        self.hidden_question = services.question_hide(
            actor=self.moderator,
            question=self._answered(self.revised, f"Skjult {MARKERS['hiddenquestion']}"),
            reason=f"Reklame {MARKERS['hidereason']}",
        )
        self.hidden_answer = services.question_hide_answer(
            actor=self.moderator,
            question=self._answered(
                self.revised, "Hva heter saksbehandleren?", f"Svar {MARKERS['hiddenanswer']}"
            ),
            reason=f"Personopplysninger {MARKERS['hidereason']}",
        )
        self.hidden_questions = [
            self.waiting_question,
            self.hidden_question,
            self.hidden_answer,
            self.archived_question,
        ]
        self.report = services.case_report(
            actor=self.third_editor, case=self.source, reason=f"Feil {MARKERS['report']}"
        )
        self.token, _key = account_services.api_token_create(
            user=self.author, name=f"Nøkkel {MARKERS['token']}"
        )
        self.author_membership = Membership.objects.get(user=self.author, organisation=self.owner)
        self.hidden_attachments = [self.draft.attachments.get(), self.pending_file]
        self.hidden_adoptions = [self.hidden_adoption, self.withdrawn_adoption]
        for case in [*self.published, *self.hidden_cases.values()]:
            case.refresh_from_db()
        cache.clear()

    def _answered(self, case, text, answer="Det tok et halvt år.") -> Question:
        """A question the third organisation asked, answered by the case's owner."""
        question = services.question_ask(
            actor=self.third_editor, case=case, organisation=self.third, text=text
        )
        editor = self.author if case.organisation_id == self.owner.pk else self.publisher_editor
        return services.question_answer(actor=editor, question=question, answer=answer)

    def _published(self, author, organisation, title) -> Case:
        case = services.case_create(
            actor=author, organisation=organisation, data={"title": title, **PUBLIC_CONTENT}
        )
        services.case_submit(actor=author, case=case)
        return factories.approve_case(self.moderator, case)

    @property
    def public_adoptions(self) -> set[int]:
        """What the public may see of reuse, by construction: the outsider's record of the
        source, the owner's record of the neighbour (derived from a draft), and the record the
        archived case left when it was published, naming the source."""
        origin = Adoption.objects.get(case=self.source, organisation=self.owner)
        return {self.public_adoption.pk, self.derived_adoption.pk, origin.pk}


@pytest.fixture
def world(db):
    return World()


class Visitor:
    """Requests pages as one persona and checks every answer for markers."""

    def __init__(self, client, world):
        self.client = client
        self.world = world
        self.visited: set[str] = set()
        self.requests = 0

    def get(self, url, data=None, **headers):
        return self.check(url, self.client.get(url, data, **headers))

    def post(self, url, data=None, **extra):
        return self.check(url, self.client.post(url, data or {}, **extra))

    def check(self, url, response):
        self.requests += 1
        path = urlsplit(url).path
        self.visited.add(resolve(path).view_name)
        assert response.status_code < 500, f"{url}: {response.status_code}"
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode("utf-8", "replace")
        if response.get("Content-Type", "").startswith(XLSX):
            body = workbook_text(response.content)
        # A page may show its own address (the language switch, a login link, a redirect's
        # `next`): an address made from a hidden case's slug is not a leak of it.
        headers = "\n".join(f"{name}: {value}" for name, value in response.items())
        text = f"{headers}\n{body}".lower().replace(path.lower(), "")
        found = [m for m in MARKERS.values() if m in text]
        assert not found, f"{url} shows {found} ({response.status_code})"
        return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_text(content: bytes) -> str:
    """Every cell of an Excel download, as text (the file itself is compressed)."""
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def route_names() -> set[str]:
    names = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix,
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(prefix + pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def excluded(name: str) -> bool:
    return any(name == key or (key.endswith(":") and name.startswith(key)) for key in EXCLUDED)


# --- what the public may see, computed from the world rather than by the site's own code -------


def expected_facet_count(world, name: str, value: str) -> int:
    adopters: dict[int, list] = {}
    for adoption in Adoption.all_objects.filter(pk__in=world.public_adoptions).select_related(
        "organisation__county"
    ):
        adopters.setdefault(adoption.case_id, []).append(adoption.organisation)

    def of_adopters(case, attribute) -> set[str]:
        return {str(attribute(organisation)) for organisation in adopters.get(case.pk, [])}

    def county_number(organisation) -> str | None:
        return organisation.county.number if organisation.county is not None else None

    def matches(case) -> bool:
        organisation = case.organisation
        if name.startswith("adopter_"):
            attribute = {
                "adopter_size_class": lambda o: o.size_class,
                "adopter_centrality_class": lambda o: o.centrality_class,
                "adopter_region": lambda o: o.region,
                "adopter_county": county_number,
            }[name]
            return value in of_adopters(case, attribute)
        return {
            "sector": value in case.sectors,
            "innovation_type": value in case.innovation_types,
            "benefit": value in case.benefits,
            "workplace_type": case.workplace_type == value,
            "stage": case.stage == value,
            "origin": case.origin == value,
            "region": organisation.region == value,
            "county": organisation.county is not None and organisation.county.number == value,
            "size_class": organisation.size_class == value,
            "centrality_class": str(organisation.centrality_class) == value,
        }[name]

    return sum(1 for case in world.published if matches(case))


def lineage_cases(node) -> set[int]:
    return {node.case.pk}.union(*(lineage_cases(child) for child in node.children))


# --- the visits ---------------------------------------------------------------------------------


def visit_public_pages(visitor, world):
    """Every page anyone may read, with the checks of its figures."""
    v, w = visitor, world
    published_ids = {case.pk for case in w.published}

    home = v.get(reverse("home"))
    assert home.context["figures"] == {
        "cases": 3,
        "adoptions": 3,
        "organisations": 2,
        "municipalities": 2,
    }
    assert {case.pk for case in home.context["latest_cases"]} == published_ids

    search = v.get(reverse("case-list"))
    assert search.context["total"] == 3
    assert {r["case"].pk for r in search.context["results"]} == published_ids
    for facet in search.context["facets"]:
        for option in facet["options"]:
            expected = expected_facet_count(w, facet["name"], option["value"])
            assert option["count"] == expected, (facet["name"], option["value"])
    assert search.context["reused_count"] == 2
    v.get(reverse("case-list"), HTTP_HX_REQUEST="true")
    for name, code in HIDDEN_CODES.items():
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            narrowed = v.get(reverse("case-list"), {name: code}, **headers)
            assert narrowed.context["total"] == 0, name
    for word in [*SEARCH_WORDS.values(), "hemmelig"]:
        for ordering in ("relevance", "-adoption_count"):
            found = v.get(reverse("case-list"), {"q": word, "ordering": ordering})
            assert found.context["total"] == 0, word
        v.get(reverse("case-list"), {"q": word}, HTTP_HX_REQUEST="true")
        v.get(reverse("feed-cases"), {"q": word})
    v.get(reverse("case-list"), {"organisation": w.owner.pk, "ordering": "title"})
    v.get(reverse("case-list"), {"updated_since": "2000-01-01T00:00:00Z", "page": "2"})

    feed = v.get(reverse("feed-cases"))
    assert feed.content.count(b"<entry>") == 3
    v.get(reverse("feed-cases"), {"sector": HIDDEN_CODES["sector"]})

    sitemap = v.get(reverse("sitemap")).content.decode()
    for case in w.published:
        assert case.get_absolute_url() in sitemap
    assert w.partner.get_absolute_url() not in sitemap
    # They name no case at all: the crawlers' rules and the icon.
    assert b"/saker/" not in v.get(reverse("robots-txt")).content
    v.get(reverse("favicon"))

    for case in w.published:
        page = v.get(case.get_absolute_url())
        assert page.status_code == 200
        assert {c.pk for c in page.context["similar"]} <= published_ids - {case.pk}
        assert lineage_cases(page.context["lineage"]) <= published_ids
        assert {a.pk for a in page.context["adoptions"]} <= w.public_adoptions
        adopters = v.get(reverse("case-adopters", kwargs={"slug": case.slug}))
        assert {a.pk for a in adopters.context["adoptions"]} <= w.public_adoptions
    # The source's lineage reaches its public reuse, never the archived or draft cases.
    assert lineage_cases(v.get(w.source.get_absolute_url()).context["lineage"]) == {w.source.pk}
    # The open-data catalogue and each published case as RDF, in every format.
    for accept in RDF_TYPES:
        assert v.get(reverse("catalogue"), HTTP_ACCEPT=accept).status_code == 200
        for case in w.published:
            assert v.get(case.get_absolute_url(), HTTP_ACCEPT=accept).status_code == 200
    # No snapshot was made in this world: its address answers 404, and names nothing hidden.
    assert (
        v.get(reverse("snapshot-file", kwargs={"name": "innovasjonsdeling-siste.zip"})).status_code
        == 404
    )
    revised_rdf = v.get(w.revised.get_absolute_url(), HTTP_ACCEPT="text/turtle").content
    assert b"Revidert sak" in revised_rdf
    revised = v.get(w.revised.get_absolute_url())
    assert revised.context["case"].title == "Revidert sak"
    assert revised.context["pending_revision"] is None
    assert revised.context["attachments"] == []

    for organisation in (w.owner, w.publisher, w.other, w.third, w.partner):
        page = v.get(organisation.get_absolute_url())
        assert {c.pk for c in page.context["cases"]} <= published_ids
        assert {a.pk for a in page.context["reused"]} <= w.public_adoptions
        assert {a.pk for a in page.context["reusers"]} <= w.public_adoptions
        assert all(
            a.case_id is None or a.case_id in published_ids
            for a in page.context["spread_activities"]
        )
    owner_page = v.get(w.owner.get_absolute_url())
    assert owner_page.context["case_count"] == 1
    assert owner_page.context["reused_count"] == 2
    assert v.get(w.publisher.get_absolute_url()).context["reach"]["adoptions"] == 3
    assert v.get(w.partner.get_absolute_url()).context["case_count"] == 0

    for name in ("accessibility", "about", "contact", "privacy"):
        v.get(reverse(name))
    v.get(reverse("health"))
    visit_statistics(v, w)
    for name in (
        "login",
        "register",
        "register-done",
        "verify-email-resend",
        "password_reset",
        "password_reset_done",
        "password_reset_complete",
        "membership-request",
        "profile",
        "password_change",
        "my-work",
        "saved-search-follow",
        "case-create",
        "moderation-queue",
        "identity-welcome",
        "account_inactive",
        "socialaccount_signup",
        "socialaccount_connections",
        "socialaccount_login_cancelled",
        "socialaccount_login_error",
    ):
        v.get(reverse(name))
    # A provider id no app has (the logins themselves: tests/oidc/).
    for name in ("openid_connect_login", "openid_connect_callback"):
        assert v.get(reverse(name, kwargs={"provider_id": "ukjent"})).status_code == 404
    v.get(reverse("logout"))


def visit_statistics(v, w):
    # The overview and the method page show the same figures, in more or less detail.
    for name in ("stats-dashboard", "stats-method"):
        page = v.get(reverse(name))
        figures = page.context["result"]
        assert figures["cases"]["total"] == 3
        assert figures["adoptions"]["total"] == 3
        # The owner organisation spread only its archived case: that does not count.
        assert figures["spreaders"]["active"]["numerator"] == 0
        sectors = {row["code"]: row for row in figures["breakdowns"]["sector"]}
        assert sectors[SHARED_SECTOR]["cases"] == 3
        assert sectors.get(HIDDEN_CODES["sector"], {"cases": 0})["cases"] == 0
        assert sum(month["cases"] for month in figures["monthly"]["months"]) == 3
        narrowed = v.get(reverse(name), {"sector": HIDDEN_CODES["sector"]})
        assert narrowed.context["result"]["cases"]["total"] == 0
        assert narrowed.context["result"]["adoptions"]["total"] == 0
    for table in build_tables(diffusion(filters={})):
        csv = v.get(reverse("stats-csv", kwargs={"table": table}))
        assert csv["Content-Type"].startswith("text/csv")
        v.get(reverse("stats-csv", kwargs={"table": table}), {"sector": HIDDEN_CODES["sector"]})
        v.get(reverse("stats-csv-norwegian", kwargs={"table": table}))
        v.get(reverse("stats-xlsx", kwargs={"table": table}), {"sector": HIDDEN_CODES["sector"]})
    v.get(reverse("stats-xlsx-all"))


def visit_hidden_objects(visitor, world):
    """Every address of a hidden thing: 404 for what shows it, and no marker anywhere."""
    v, w = visitor, world
    slugs = [case.slug for case in w.hidden_cases.values()]
    for slug in slugs:
        for name in ("case-detail", "case-adopters"):
            assert v.get(reverse(name, kwargs={"slug": slug})).status_code == 404, name
        for accept in RDF_TYPES:
            url = reverse("case-detail", kwargs={"slug": slug})
            assert v.get(url, HTTP_ACCEPT=accept).status_code == 404, accept
            assert v.get(url, {"format": "ttl"}).status_code == 404
        for name in ("case-edit", "case-history", "adoption-create", "moderation-case"):
            response = v.get(reverse(name, kwargs={"slug": slug}))
            assert response.status_code in (302, 403, 404), (name, response.status_code)
        for name in (
            "case-submit",
            "case-archive",
            "case-restore",
            "case-delete",
            "case-report",
            "attachment-add",
        ):
            response = v.post(reverse(name, kwargs={"slug": slug}), {"reason": "x"})
            assert response.status_code in (302, 403, 404), (name, response.status_code)
    for name in ("case-edit", "case-history"):
        response = v.get(reverse(name, kwargs={"slug": w.revised.slug}))
        assert response.status_code in (302, 404), (name, response.status_code)
    for attachment in w.hidden_attachments:
        assert v.get(attachment.get_absolute_url()).status_code == 404
        v.post(
            reverse("attachment-remove", kwargs={"slug": attachment.case.slug, "pk": attachment.pk})
        )
    for adoption in w.hidden_adoptions:
        for name in ("adoption-edit", "adoption-withdraw", "adoption-confirm"):
            response = v.get(reverse(name, kwargs={"pk": adoption.pk}))
            assert response.status_code in (302, 403, 404, 405), (name, response.status_code)
    for question in w.hidden_questions:
        place = {"slug": question.case.slug, "pk": question.pk}
        response = v.get(reverse("question-answer", kwargs=place))
        assert response.status_code in (302, 404), ("question-answer", response.status_code)
        response = v.post(reverse("question-answer", kwargs=place), {"answer": "x"})
        assert response.status_code in (302, 404), ("question-answer", response.status_code)
        response = v.post(reverse("question-hide", kwargs=place), {"part": "question"})
        assert response.status_code in (302, 404), ("question-hide", response.status_code)
    for slug in slugs:
        response = v.post(reverse("question-ask", kwargs={"slug": slug}), {"question-text": "x"})
        assert response.status_code in (302, 404), ("question-ask", response.status_code)
    assert not Question.objects.filter(text="x").exists()
    assert Question.objects.filter(hidden_at__isnull=False).count() == 1
    v.get(reverse("question-ask", kwargs={"slug": w.revised.slug}))
    # The formatting preview renders only the text it is sent; it reads nothing stored.
    v.post(reverse("text-preview"), {"text": "Bare det som sendes, **vises**."})
    v.get(reverse("moderation-revision", kwargs={"pk": w.revision.pk}))
    v.post(reverse("moderation-report-resolve", kwargs={"pk": w.report.pk}))
    v.get(reverse("spread-create", kwargs={"slug": w.owner.slug}))
    members = {"slug": w.owner.slug}
    v.get(reverse("organisation-members", kwargs=members))
    for name in (
        "membership-approve",
        "membership-decline",
        "membership-role",
        "membership-remove",
    ):
        v.post(reverse(name, kwargs={**members, "pk": w.author_membership.pk}))
    v.post(reverse("membership-leave", kwargs={"pk": w.author_membership.pk}))
    v.post(reverse("api-token-revoke", kwargs={"pk": w.token.pk}))
    v.post(reverse("api-token-create"), {"name": "ny"})
    uid = urlsafe_base64_encode(force_bytes(w.author.pk))
    v.get(reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": "feil-nokkel"}))
    v.get(reverse("verify-email", kwargs={"token": "feil-nokkel"}))
    # Someone else's saved search: neither changed nor deleted, and a made-up link stops nothing.
    saved, _new = services.saved_search_follow(
        user=w.author, data=QueryDict("q=robot"), frequency="weekly"
    )
    for name in ("saved-search-frequency", "saved-search-delete"):
        response = v.post(reverse(name, kwargs={"pk": saved.pk}), {"frequency": "off"})
        assert response.status_code in (302, 404), (name, response.status_code)
    for name in ("saved-search-unsubscribe", "saved-search-unsubscribe-one-click"):
        response = v.post(
            reverse(name, kwargs={"token": f"{saved.pk}:feil-nokkel"}),
            {"List-Unsubscribe": "One-Click"},
        )
        assert response.status_code in (400, 403), (name, response.status_code)
    assert SavedSearch.objects.filter(pk=saved.pk, active=True).exists()
    assert (
        Case.all_objects.filter(pk__in=[c.pk for c in w.hidden_cases.values()])
        .exclude(status__in=["draft", "submitted", "changes-requested", "archived"])
        .count()
        == 0
    ), "a refused request changed a hidden case"


def visit_api(visitor, world, persona):
    v, w = visitor, world
    published_ids = {case.pk for case in w.published}

    cases = v.get("/api/v1/cases/", {"page_size": 200}).json()
    assert cases["count"] == 3
    assert {c["id"] for c in cases["results"]} == published_ids
    for params in (
        *({name: code} for name, code in HIDDEN_CODES.items()),
        *({"q": word} for word in SEARCH_WORDS.values()),
        {"organisation": w.owner.pk},
        {"ordering": "-adoption_count"},
        {"updated_since": "2000-01-01T00:00:00Z"},
    ):
        listed = v.get("/api/v1/cases/", params).json()
        assert {c["id"] for c in listed["results"]} <= published_ids, params
        if "q" in params or params.keys() & HIDDEN_CODES.keys():
            assert listed["count"] == 0, params
    for case in w.published:
        detail = v.get(f"/api/v1/cases/{case.pk}/").json()
        assert detail["source_case"] in (None, *published_ids)
        for adoption in v.get(f"/api/v1/cases/{case.pk}/adoptions/").json():
            assert adoption["id"] in w.public_adoptions
            assert adoption["derived_case"] in (None, *published_ids)
    revised = v.get(f"/api/v1/cases/{w.revised.pk}/").json()
    assert revised["title"] == "Revidert sak"
    assert revised["question_count"] == 1
    questions = v.get(f"/api/v1/cases/{w.revised.pk}/questions/").json()
    assert [q["id"] for q in questions] == [w.shown_question.pk]
    for case in w.published:
        v.get(f"/api/v1/cases/{case.pk}/questions/")
    for case in w.hidden_cases.values():
        assert v.get(f"/api/v1/cases/{case.pk}/").status_code == 404
        assert v.get(f"/api/v1/cases/{case.pk}/adoptions/").status_code == 404
        assert v.get(f"/api/v1/cases/{case.pk}/questions/").status_code == 404
        for action in (
            "submit",
            "approve",
            "request-changes",
            "archive",
            "adoptions",
            "restore",
            "pending-edit/approve",
            "pending-edit/reject",
        ):
            response = v.post(
                f"/api/v1/cases/{case.pk}/{action}/",
                {"reason": "x"},
                content_type="application/json",
            )
            expected = 401 if persona == "anonymous" else 404
            assert response.status_code in (expected, 403), (action, response.status_code)

    # The edit waiting beside a published case is its owner's and the moderators' business.
    pending = v.get(f"/api/v1/cases/{w.revised.pk}/pending-edit/")
    assert pending.status_code == (401 if persona == "anonymous" else 403)
    for case in w.hidden_cases.values():
        response = v.get(f"/api/v1/cases/{case.pk}/pending-edit/")
        assert response.status_code == (401 if persona == "anonymous" else 404)

    adoptions = v.get("/api/v1/adoptions/", {"page_size": 200}).json()
    assert {a["id"] for a in adoptions["results"]} == w.public_adoptions
    for adoption in adoptions["results"]:
        v.get(f"/api/v1/adoptions/{adoption['id']}/")
    for adoption in w.hidden_adoptions:
        assert v.get(f"/api/v1/adoptions/{adoption.pk}/").status_code == 404
        response = v.post(f"/api/v1/adoptions/{adoption.pk}/withdraw/")
        assert response.status_code == (401 if persona == "anonymous" else 404)
    v.get("/api/v1/adoptions/", {"case": w.archived.pk})

    organisations = v.get("/api/v1/organisations/", {"page_size": 200}).json()
    for organisation in organisations["results"]:
        v.get(f"/api/v1/organisations/{organisation['id']}/")
    v.get("/api/v1/vocabularies/")
    v.get("/api/v1/")
    me = v.get("/api/v1/me/")
    if persona == "anonymous":
        assert me.status_code == 401
    else:
        assert [o["id"] for o in me.json()["organisations"]] != [w.owner.pk]

    figures = v.get("/api/v1/stats/diffusion/").json()
    assert figures["cases"]["total"] == 3
    assert figures["adoptions"]["total"] == 3
    hidden_sector = v.get("/api/v1/stats/diffusion/", {"sector": HIDDEN_CODES["sector"]}).json()
    assert hidden_sector["cases"]["total"] == 0
    places = v.get("/api/v1/stats/municipalities/").json()["municipalities"]
    assert sum(row["cases"] for row in places) <= 3
    hidden_places = v.get("/api/v1/stats/municipalities/", {"sector": HIDDEN_CODES["sector"]})
    assert sum(row["cases"] for row in hidden_places.json()["municipalities"]) == 0

    # The change feed, from the start to the end, a few entries at a time.
    cursor, pages, upserted = "", 0, {"case": set(), "adoption": set(), "organisation": set()}
    while True:
        page = v.get("/api/v1/changes/", {"since": cursor, "limit": 7}).json()
        pages += 1
        for entry in page["results"]:
            if entry["action"] == "upsert":
                upserted[entry["kind"]].add(entry["id"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
        assert pages < 100
    assert pages > 1
    assert upserted["case"] == published_ids
    assert upserted["adoption"] == w.public_adoptions

    # What left the public view names only what was public once.
    removed = v.get(reverse("api-removed"), {"page_size": 200}).json()["results"]
    once_public = set(
        Case.all_objects.filter(published_at__isnull=False).values_list("pk", flat=True)
    )
    assert {entry["id"] for entry in removed if entry["kind"] == "case"} <= once_public

    v.get(reverse("api-schema"))
    v.get(reverse("api-schema"), {"format": "json"})
    v.get(reverse("api-docs"))
    v.get(reverse("api-explorer"))
    v.get(reverse("api-explorer"), {"script": ""})


# The outsider who came through an identity provider: no password, a login keyed by
# provider and subject, an editor of the other organisation as the mapping made them.
PERSONAS = ["anonymous", "outsider", "outsider-from-provider"]


def signed_in_as(world, persona):
    if persona == "outsider-from-provider":
        world.outsider.set_unusable_password()
        world.outsider.save()
        SocialAccount.objects.get_or_create(
            user=world.outsider,
            provider="entra-annen",
            uid="subject-1",
            defaults={"extra_data": {}},
        )
    return world.outsider if persona != "anonymous" else None


@pytest.mark.parametrize("persona", PERSONAS)
def test_nothing_hidden_reaches_any_surface(client, world, persona):
    user = signed_in_as(world, persona)
    if user is not None:
        client.force_login(user)
    visitor = Visitor(client, world)
    for language in ("nb", "en"):
        visitor.post(reverse("set_language"), {"language": language, "next": "/"})
        visit_public_pages(visitor, world)
        if user is not None:
            client.force_login(user)
    visit_hidden_objects(visitor, world)
    visit_api(visitor, world, persona)
    missing = {name for name in route_names() if not excluded(name)} - visitor.visited
    assert not missing, f"routes this test never requested: {sorted(missing)}"


def test_every_route_is_visited_or_excluded_with_a_reason():
    """The list of exclusions names only routes that exist, each with a reason."""
    names = route_names()
    for key, reason in EXCLUDED.items():
        assert reason
        assert any(name == key or (key.endswith(":") and name.startswith(key)) for name in names)
    # The API and the feeds are in the list of routes this test walks.
    assert {"api-changes", "api-case-list", "feed-cases", "sitemap", "stats-csv"} <= names


def test_hidden_states_are_what_the_world_says(world):
    """The world really holds every non-public state (a guard for the test itself)."""
    states = {name: case.status for name, case in world.hidden_cases.items()}
    assert states == {
        "draft": "draft",
        "submitted": "submitted",
        "changes": "changes-requested",
        "archived": "archived",
        "deleted": "draft",
    }
    assert world.deleted.deleted_at is not None
    assert world.withdrawn_adoption.deleted_at is not None
    assert world.revision.status == CaseRevision.Status.PENDING
    assert world.pending_file.pending
    assert world.owner.memberships.filter(status=MembershipStatus.ACTIVE).exists()
