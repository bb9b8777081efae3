"""Search snippets cost what a bounded window costs, whatever an author wrote.

A run of 49,000 letters in a Markdown link's address (the moderator sees only the link text)
made the old highlighter backtrack quadratically: one anonymous search took 14 s. Now the
snippet reads at most `search.SCAN_LIMIT` characters of each text, finds the first match with
one pass over its words (no regular expression that can backtrack), and marks words only in
the excerpt it shows. These tests pin those bounds and that the right words are still marked.
"""

import pytest
from django.urls import reverse

from cases import search
from tests import factories

pytestmark = pytest.mark.django_db

RUN = "a" * 49_000
HIDDEN_RUN = f"Les [rapporten om kvantelekter](https://example.no/{RUN}) før dere starter."


def _query(*words: str) -> search.Search:
    return search.Search(text=" ".join(words), words=list(words), roots=tuple(words))


@pytest.fixture
def spy(monkeypatch):
    """The length of every text that the Markdown stripper, the matcher and the marker get."""
    seen: dict[str, list[int]] = {"plain": [], "first_match": [], "marked": []}
    for name in seen:
        original = getattr(search, f"_{name}" if name != "plain" else name)

        def wrapper(text, *args, _original=original, _name=name, **kwargs):
            seen[_name].append(len(text))
            return _original(text, *args, **kwargs)

        monkeypatch.setattr(search, f"_{name}" if name != "plain" else name, wrapper)
    return seen


def test_a_long_run_in_a_link_address_is_never_read_whole(spy):
    case = factories.CaseFactory.build(
        summary="Et sammendrag uten treff.", problem=HIDDEN_RUN, solution=RUN, results=RUN * 1
    )
    html = search.snippet(case, _query("kvantelekter", "aaa"))
    assert "<mark>kvantelekter</mark>" in html
    assert max(spy["plain"]) <= search.SCAN_LIMIT
    assert max(spy["first_match"]) <= search.SCAN_LIMIT
    # Marking works on the excerpt alone (and the few characters of "… " around it).
    assert spy["marked"]
    assert max(spy["marked"]) <= 240
    assert len(html) < 1_000


def test_highlight_reads_a_bounded_window_of_a_long_text(spy):
    text = "ord " * 20_000 + "robot"
    excerpt = search.highlight(text, _query("robot"), length=100)
    # The match lies beyond what a snippet reads: the start of the text is shown, unmarked.
    assert "<mark>" not in excerpt
    assert excerpt.endswith(" …")
    assert max(spy["first_match"]) <= search.SCAN_LIMIT
    assert max(spy["marked"]) <= 100


def test_a_run_of_letters_is_matched_in_one_pass():
    # The matcher looks at each word once; a word is marked when one of its terms starts with
    # a query root, as the index matches it: a root inside a word is no match.
    text = "b" * 9_000 + "robot" + "b" * 900 + " roboten"
    found = search._first_match(text, ("robot",))
    assert (found.start(), found.end()) == (9_906, 9_913)
    assert search._first_match("ingen treff her", ("robot",)) is None


def test_the_search_page_marks_the_link_text_not_the_address(client):
    owner = factories.MunicipalityFactory()
    factories.CaseFactory(
        organisation=owner,
        published=True,
        title="Kvantelekter i skolen",
        summary="Et sammendrag.",
        problem=HIDDEN_RUN,
    )
    html = client.get(reverse("case-list"), {"q": "kvantelekter"}).content.decode()
    results = html[html.index('id="results"') :]
    assert "<mark>Kvantelekter</mark> i skolen" in results
    assert "rapporten om <mark>kvantelekter</mark>" in results
    assert "aaaaaaaaaa" not in results


def test_markdown_is_stripped_by_patterns_that_cannot_backtrack():
    # Unclosed brackets, tags and parentheses by the thousand: each pattern stops at the next
    # bracket, so every character is read a bounded number of times, and the text survives.
    hostile = "[" * 3_000 + "<" * 3_000 + "](" * 3_000 + "\n" * 3_000 + " " * 3_000 + "x"
    assert search.plain(hostile).endswith("x")
    assert search.plain('Se [lenken](https://x.no/a "tittel") og ![bilde](b.png) nå') == (
        "Se lenken og bilde nå"
    )
    # A link whose address runs past the end of what was read shows its text only.
    assert search.plain("Les [rapporten](https://example.no/aaaa") == "Les rapporten"
    assert search.plain("   |---|:---:|\n| a |") == "a"


def test_marking_keeps_whole_words_case_and_escaping():
    query = _query("robot")
    assert search.highlight("ROBOTEN & <robot>", query) == (
        "<mark>ROBOTEN</mark> &amp; &lt;<mark>robot</mark>&gt;"
    )
    assert search.highlight_title("Multidoserobot_x", query) == "<mark>Multidoserobot</mark>_x"


def test_a_text_without_a_query_word_is_passed_over_without_reading_its_words(monkeypatch):
    """A text in which no root occurs (folded) is not analysed word by word; one that has the
    words inflected, as a compound's part or spelt without æ, ø and å is still marked."""
    looked_at: list[str] = []
    original = search._is_match

    def counting(word, roots):
        looked_at.append(word)
        return original(word, roots)

    monkeypatch.setattr(search, "_is_match", counting)
    case = factories.CaseFactory.build(
        summary="Ingen av ordene her. " * 200,
        problem="Lærlingene i eldreomsorgen fikk ny opplæring.",
    )
    shown = search.snippet(case, _query("larling", "omsorg"))
    assert "<mark>Lærlingene</mark>" in shown
    assert "<mark>eldreomsorgen</mark>" in shown
    assert "Ingen" not in looked_at
    shown = search.snippet(
        factories.CaseFactory.build(summary="Laerlingen starter i august."), _query("larling")
    )
    assert "<mark>Laerlingen</mark>" in shown
