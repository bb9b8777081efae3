"""Language of parts (WCAG 3.1.2): the organisations write their cases in Norwegian. In the
English interface every piece of case text says so (lang="nb"), and the interface's own words
around it stay English; in the bokmål interface, where <html lang="nb"> says it already, no
element repeats it."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from cases import services
from cases.models import CaseRevision
from cases.templatetags.presentation import case_text, content_lang
from cases.vocabularies import AdoptionMode, CaseStatus, Origin
from tests import factories

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Languages(HTMLParser):
    """Each piece of text on a page with the language it is in: the nearest lang attribute."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.texts: list[tuple[str, str | None]] = []

    def _language(self) -> str | None:
        return next((lang for _tag, lang in reversed(self.stack) if lang is not None), None)

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        # The <title> is plain text, where no part can have a language of its own.
        if data.strip() and not any(tag in {"head", "script", "style"} for tag, _ in self.stack):
            self.texts.append((data.strip(), self._language()))


def languages(html: str, fragment: str) -> set[str | None]:
    """The languages of the pieces of text on the page that contain `fragment`."""
    parser = _Languages()
    parser.feed(html)
    found = {lang for text, lang in parser.texts if fragment in text}
    assert found, f"{fragment!r} is not on the page"
    return found


def explicit_nb(html: str) -> list[str]:
    """Elements below <html> that say lang="nb" themselves, less the language switch's own
    button (which names bokmål in bokmål in either interface)."""
    return [
        tag
        for tag in re.findall(r"<(?!html\b)[a-z][a-z0-9]*\b[^>]*\slang=\"nb\"[^>]*>", html)
        if 'name="language"' not in tag
    ]


def get(client, url: str, lang: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert f'<html lang="{lang}"' in html
    return html


@pytest.fixture
def source(db):
    return factories.CaseFactory(
        organisation=factories.MunicipalityFactory(name="Kildekommune", slug="kildekommune"),
        title="Kildesaken om velferdsteknologi",
        summary="Sammendraget av kildesaken.",
        published=True,
        sectors=["health-care"],
    )


@pytest.fixture
def case(source):
    owner = factories.MunicipalityFactory(name="Bjørnafjorden", slug="bjornafjorden")
    return factories.CaseFactory(
        organisation=owner,
        title="Mobil røntgen på sykehjemmet",
        summary="Røntgen tas der beboeren bor.",
        problem="Beboerne måtte **fraktes** til sykehuset.",
        solution="Et team kommer med utstyret.",
        results="Færre innleggelser.",
        reuse_guide="Start med ett sykehjem.",
        contact="Kari Nordmann, avdelingsleder",
        origin=Origin.ADAPTED,
        source_case=source,
        source_description="Idé fra et nettverksmøte i fylket",
        links=[{"url": "https://example.no/rapport", "title": "Sluttrapporten"}],
        published=True,
        sectors=["health-care"],
        tags=["bildediagnostikk"],
    )


CASE_TEXTS = [
    "Mobil røntgen på sykehjemmet",
    "Røntgen tas der beboeren bor.",
    "fraktes",
    "Et team kommer med utstyret.",
    "Færre innleggelser.",
    "Start med ett sykehjem.",
    "Kari Nordmann, avdelingsleder",
    "Idé fra et nettverksmøte i fylket",
    "Sluttrapporten",
    "bildediagnostikk",
    "Kildesaken om velferdsteknologi",
]


def test_case_page_in_english_marks_the_case_text_as_norwegian(client, case):
    html = get(client, case.get_absolute_url(), "en")
    for text in CASE_TEXTS:
        assert languages(html, text) == {"nb"}, text
    # The interface's words around it stay English.
    for text in (
        "The problem",
        "The solution",
        "Facts",
        "Tags",
        "Origin",
        "Where the idea came from and where it went",
    ):
        assert languages(html, text) == {"en"}, text


def test_case_page_in_bokmal_does_not_repeat_the_language(client, case):
    html = get(client, case.get_absolute_url(), "nb")
    for text in CASE_TEXTS:
        assert languages(html, text) == {"nb"}, text
    assert explicit_nb(html) == []


def test_reuse_records_on_the_case_page_in_english(client, source):
    adopter = factories.MunicipalityFactory(name="Askøy", slug="askoy")
    derived = factories.CaseFactory(
        organisation=adopter, title="Velferdsteknologi på Askøy", published=True
    )
    factories.AdoptionFactory(
        case=source,
        organisation=adopter,
        derived_case=derived,
        note="Vi brukte sjekklisten deres.",
    )
    html = get(client, source.get_absolute_url(), "en")
    for text in ("Velferdsteknologi på Askøy", "Vi brukte sjekklisten deres."):
        assert languages(html, text) == {"nb"}, text
    assert languages(html, "Reused by") == {"en"}
    assert explicit_nb(get(client, source.get_absolute_url(), "nb")) == []


def test_search_results_and_cards_in_english(client, case):
    url = reverse("case-list") + "?q=sykehjemmet"
    html = get(client, url, "en")
    assert languages(html, "Mobil") == {"nb"}
    # The snippet is cut from whichever text matched best (the databases choose differently).
    (result,) = client.get(url).context["results"]
    snippet = _Languages()
    snippet.feed(str(result["snippet"] or result["case"].summary))
    # Its longest piece between the marked words (which the interface repeats in English).
    piece = max((text for text, _lang in snippet.texts if "sykehjem" not in text), key=len)
    assert languages(html, piece) == {"nb"}
    assert languages(html, "case found") == {"en"}
    assert explicit_nb(get(client, url, "nb")) == []

    html = get(client, "/", "en")
    assert languages(html, "Mobil røntgen på sykehjemmet") == {"nb"}
    assert languages(html, "Røntgen tas der beboeren bor.") == {"nb"}
    assert languages(html, "Latest cases") == {"en"}
    assert explicit_nb(get(client, "/", "nb")) == []


def test_organisation_page_in_english(client, case, source):
    adopter = factories.MunicipalityFactory(name="Askøy", slug="askoy")
    factories.AdoptionFactory(case=source, organisation=adopter, mode=AdoptionMode.COPIED)
    factories.SpreadActivityFactory(
        organisation=source.organisation, case=source, description="Vi holdt et webinar."
    )
    for org, texts in (
        (source.organisation, ["Kildesaken om velferdsteknologi", "Vi holdt et webinar."]),
        (adopter, ["Kildesaken om velferdsteknologi"]),
    ):
        url = org.get_absolute_url()
        html = get(client, url, "en")
        for text in texts:
            assert languages(html, text) == {"nb"}, (url, text)
        assert languages(html, "Published cases") == {"en"}
        assert explicit_nb(get(client, url, "nb")) == []


def test_moderation_pages_in_english(client, moderator, source):
    submitted = factories.CaseFactory(
        organisation=source.organisation,
        title="Chatbot for innbyggerne",
        summary="Svarer på spørsmål døgnet rundt.",
        problem="Mange ringer om det samme.",
        status=CaseStatus.SUBMITTED,
    )
    client.force_login(moderator)
    url = reverse("moderation-case", kwargs={"slug": submitted.slug})
    html = get(client, url, "en")
    for text in ("Chatbot for innbyggerne", "Svarer på spørsmål", "Mange ringer om det samme."):
        assert languages(html, text) == {"nb"}, text
    # The heading is the interface's sentence with the title inside it.
    assert languages(html, "Review “") == {"en"}
    assert explicit_nb(get(client, url, "nb")) == []
    assert languages(get(client, reverse("moderation-queue"), "en"), "Chatbot for") == {"nb"}

    data = services.case_snapshot(source)
    data.update(summary="Et nytt sammendrag.", sectors=["health-care", "education"])
    revision = CaseRevision.objects.create(case=source, data=data)
    url = reverse("moderation-revision", kwargs={"pk": revision.pk})
    html = get(client, url, "en")
    assert languages(html, "nytt") == {"nb"}
    # Sectors are shown by their codes, which are no Norwegian text.
    assert languages(html, "education") == {"en"}
    assert explicit_nb(get(client, url, "nb")) == []


@pytest.mark.parametrize(("language", "attribute"), [("en", ' lang="nb"'), ("nb", "")])
def test_the_rule_in_one_place(language, attribute):
    with translation.override(language):
        assert content_lang() == attribute
        assert content_lang("summary") == attribute
        assert content_lang("sectors") == ""  # codes, not text
        assert content_lang("tags") == attribute  # free words the authors chose
        expected = "Sykehjem &amp; omsorg"
        wrapped = f"<span{attribute}>{expected}</span>" if attribute else expected
        assert case_text("Sykehjem & omsorg") == wrapped
