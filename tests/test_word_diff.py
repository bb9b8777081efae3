"""The moderator's comparison of an edit costs what a bounded comparison costs.

difflib without its junk heuristic took 2.75 s for 6,000 repeated words: the comparison grew
with the square of what an author wrote. Now the common beginning and end are set aside in one
pass, the comparer gets at most `textdiff.MAX_TOKENS` words and spaces of each side (what lies
beyond is shown removed and added in whole, and the page says so), and it compares them with a
bit-parallel algorithm whose work is bounded by the product of those two lengths over 64.
"""

import pytest

from cases import services, textdiff
from cases.models import CaseRevision
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def compared(monkeypatch):
    """The lengths of the two token lists each comparison received."""
    seen: list[tuple[int, int]] = []
    original = textdiff._opcodes

    def wrapper(old, new):
        seen.append((len(old), len(new)))
        return original(old, new)

    monkeypatch.setattr(textdiff, "_opcodes", wrapper)
    return seen


def test_words_removed_and_added_are_marked():
    assert textdiff.word_diff("Publisert tittel", "Endret tittel") == (
        "<del>Publisert</del><ins>Endret</ins> tittel"
    )
    assert textdiff.word_diff("a b c", "a c") == "a <del>b </del>c"
    assert textdiff.word_diff("", "ny") == "<ins>ny</ins>"
    assert textdiff.word_diff("<b>x</b>", "<i>x</i>") == (
        "<del>&lt;b&gt;x&lt;/b&gt;</del><ins>&lt;i&gt;x&lt;/i&gt;</ins>"
    )


def test_repeated_words_are_compared_in_bounded_work(compared):
    old = "ord " * 6_000
    new = "ord " * 3_000 + "nytt " + "ord " * 3_000
    html = textdiff.word_diff(old, new)
    assert html.count("<ins>") == 1
    assert "<del>" not in html
    assert html.replace("<ins>", "").replace("</ins>", "") == new
    # The common beginning and end never reach the comparer.
    assert compared
    assert max(a + b for a, b in compared) <= 4


def test_texts_that_differ_throughout_are_compared_up_to_the_cap(compared):
    old = " ".join(f"gammel{i % 97}" for i in range(20_000))
    new = " ".join(f"ny{i % 89}" for i in range(20_000))
    html = textdiff.word_diff(old, new)
    assert max(max(a, b) for a, b in compared) <= textdiff.MAX_TOKENS
    # Everything is still shown: the old words struck through, the new ones added.
    shown = html.replace("<del>", "").replace("</del>", "").replace("<ins>", "")
    shown = shown.replace("</ins>", "")
    for word in ("gammel96", "ny88"):
        assert word in shown
    assert html.endswith(textdiff.truncation_note())
    assert textdiff.truncation_note() not in textdiff.word_diff("a b", "a c")


def test_the_review_page_compares_a_long_repetitive_edit(client, compared):
    owner = factories.MunicipalityFactory()
    member = factories.UserFactory()
    factories.MembershipFactory(user=member, organisation=owner, status="active")
    moderator = factories.UserFactory(is_superuser=True)
    case = factories.CaseFactory(
        organisation=owner, published=True, title="Sak", solution=" ".join(["ord"] * 6_000)
    )
    services.case_update(
        actor=member,
        case=case,
        data={"solution": " ".join(["ord"] * 3_000 + ["nytt"] + ["ord"] * 3_000)},
    )
    revision = CaseRevision.objects.get()
    client.force_login(moderator)
    html = client.get(f"/moderering/endringer/{revision.pk}/").content.decode()
    assert "<ins>nytt </ins>" in html
    assert "<del>" not in html
    assert max(max(a, b) for a, b in compared) <= 4
