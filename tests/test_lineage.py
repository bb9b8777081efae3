"""Lineage: where a case came from and where it went, through source cases and adoption
records that name a derived case; only published cases, and a bounded number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import lineage
from cases.models import Membership
from cases.vocabularies import CaseStatus
from tests import factories

pytestmark = pytest.mark.django_db


def shape(node: lineage.Node) -> tuple:
    """(title, generation, mode, [children]) all the way down."""
    return (node.case.title, node.generation, node.mode, [shape(c) for c in node.children])


@pytest.fixture
def family(db):
    """original ← adaptation (source_case) ← copy (adoption record naming it), and a sibling."""
    original = factories.CaseFactory(title="Original", published=True, origin="first")
    adaptation = factories.CaseFactory(
        title="Tilpasning", published=True, origin="adapted", source_case=original
    )
    factories.AdoptionFactory(
        case=original, organisation=adaptation.organisation, derived_case=adaptation
    )
    copy = factories.CaseFactory(title="Kopi", published=True, origin="unknown")
    factories.AdoptionFactory(
        case=adaptation, organisation=copy.organisation, mode="copied", derived_case=copy
    )
    sibling = factories.CaseFactory(
        title="Søsken", published=True, origin="copied", source_case=original
    )
    return {"original": original, "adaptation": adaptation, "copy": copy, "sibling": sibling}


EXPECTED = (
    "Original",
    0,
    "",
    [
        ("Tilpasning", 1, "adapted", [("Kopi", 2, "copied", [])]),
        ("Søsken", 1, "copied", []),
    ],
)


@pytest.mark.parametrize("member", ["original", "adaptation", "copy", "sibling"])
def test_every_member_sees_the_same_family(family, member):
    assert shape(lineage.tree(family[member])) == EXPECTED


def test_generations(family):
    assert len(lineage.ancestors(family["original"])) == 0
    assert len(lineage.ancestors(family["adaptation"])) == 1
    assert len(lineage.ancestors(family["copy"])) == 2
    assert [c.title for c in lineage.ancestors(family["copy"])] == ["Tilpasning", "Original"]
    assert lineage.size(lineage.tree(family["copy"])) == 4


@pytest.mark.parametrize(
    "change",
    [
        {"status": CaseStatus.DRAFT, "published_at": None},
        {"status": CaseStatus.SUBMITTED, "published_at": None},
        {"status": CaseStatus.CHANGES_REQUESTED, "published_at": None},
        {"status": CaseStatus.ARCHIVED},
        {"deleted_at": timezone.now()},
    ],
)
def test_an_unpublished_derived_case_is_left_out(family, change):
    copy = family["copy"]
    for field, value in change.items():
        setattr(copy, field, value)
    copy.save()
    tree = shape(lineage.tree(family["original"]))
    assert "Kopi" not in str(tree)
    assert tree == (
        "Original",
        0,
        "",
        [("Tilpasning", 1, "adapted", []), ("Søsken", 1, "copied", [])],
    )


@pytest.mark.parametrize(
    "change", [{"status": CaseStatus.DRAFT}, {"status": CaseStatus.ARCHIVED}, {"deleted_at": "now"}]
)
def test_an_unpublished_source_ends_the_chain(family, change):
    original = family["original"]
    for field, value in change.items():
        setattr(original, field, timezone.now() if value == "now" else value)
    original.save()
    tree = shape(lineage.tree(family["copy"]))
    assert "Original" not in str(tree)
    assert "Søsken" not in str(tree)
    assert tree == ("Tilpasning", 0, "", [("Kopi", 1, "copied", [])])
    assert len(lineage.ancestors(family["copy"])) == 1


def test_a_withdrawn_adoption_no_longer_links(family):
    adoption = family["copy"].derived_from_adoptions.get()
    adoption.deleted_at = timezone.now()
    adoption.save()
    assert shape(lineage.tree(family["copy"])) == ("Kopi", 0, "", [])


def test_a_loop_does_not_hang(db):
    a = factories.CaseFactory(title="A", published=True)
    b = factories.CaseFactory(title="B", published=True, origin="adapted", source_case=a)
    a.source_case = b
    a.origin = "adapted"
    a.save()
    tree = lineage.tree(a)
    assert lineage.size(tree) == 2


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_the_case_page_shows_the_lineage_without_drafts(client, family, who):
    draft = factories.CaseFactory(title="Hemmelig avlegger", source_case=family["copy"])
    factories.AdoptionFactory(
        case=family["copy"], organisation=draft.organisation, derived_case=draft
    )
    if who == "outsider":
        user = factories.UserFactory()
        Membership.objects.create(user=user, organisation=factories.MunicipalityFactory())
        client.force_login(user)
    html = client.get(family["copy"].get_absolute_url()).content.decode()
    section = html[html.index('id="lineage-heading"') :]
    section = section[: section.index("</section>")]
    for title in ("Original", "Tilpasning", "Søsken"):
        assert f">{title}</a>" in section
    assert '<strong aria-current="page">Kopi</strong>' in section
    assert "Hemmelig avlegger" not in html


def test_queries_grow_neither_with_generations_nor_with_cases(db):
    """One recursive query up, one down and one for the cases, whatever the family."""

    def count(case) -> int:
        with CaptureQueriesContext(connection) as ctx:
            lineage.tree(case)
        return len(ctx.captured_queries)

    root = factories.CaseFactory(title="Rot", published=True)
    parents = [
        factories.CaseFactory(title=f"Barn {n}", published=True, source_case=root) for n in range(3)
    ]
    for parent in parents:
        factories.CaseFactory(title="Barnebarn", published=True, source_case=parent)
    assert count(parents[0]) == 3
    for n in range(12):
        child = factories.CaseFactory(title=f"Flere barn {n}", published=True, source_case=root)
        factories.AdoptionFactory(case=root, organisation=child.organisation, derived_case=child)
        factories.CaseFactory(title="Flere barnebarn", published=True, source_case=child)
    deepest = parents[0]
    for n in range(lineage.MAX_DEPTH + 3):
        deepest = factories.CaseFactory(title=f"Ledd {n}", published=True, source_case=deepest)
    assert count(parents[0]) == 3
    assert count(deepest) == 3
    assert len(lineage.ancestors(deepest)) == lineage.MAX_DEPTH


def test_the_source_case_wins_over_an_older_adoption_record(db):
    """A case names its source; an adoption record by another case also names it as derived.
    The source is its parent, in the tree and up the chain, whichever has the lower id."""
    other = factories.CaseFactory(title="Annen", published=True)
    source = factories.CaseFactory(title="Kilde", published=True)
    derived = factories.CaseFactory(
        title="Avledet", published=True, origin="adapted", source_case=source
    )
    factories.AdoptionFactory(case=other, organisation=derived.organisation, derived_case=derived)
    assert [c.title for c in lineage.ancestors(derived)] == ["Kilde"]
    assert shape(lineage.tree(derived)) == ("Kilde", 0, "", [("Avledet", 1, "adapted", [])])
