"""The small map on a case page: where the case has been reused, the owner marked and the
adopters by generation, with the list of places beside it; nothing when no one reused it."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from cases import selectors
from cases.statistics.places import reuse_places
from cases.vocabularies import Origin
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(db):
    """Oslo's case, reused by Bergen (who published an adaptation of it), by a school in
    Trondheim and by Vestland county municipality. Bergen's adaptation is reused by Voss and by
    Trondheim municipality (an organisation apart from its school: generation 2); Oslo's
    adoption of the adaptation was deleted."""
    cache.clear()
    oslo_county = factories.CountyFactory(number="03", name="Oslo fylke")
    vestland = factories.CountyFactory(number="46", name="Vestland")
    trondelag = factories.CountyFactory(number="50", name="Trøndelag")
    oslo = factories.MunicipalityFactory(number="0301", name="Oslo", parent=oslo_county)
    bergen = factories.MunicipalityFactory(number="4601", name="Bergen", parent=vestland)
    voss = factories.MunicipalityFactory(number="4621", name="Voss", parent=vestland)
    trondheim = factories.MunicipalityFactory(number="5001", name="Trondheim", parent=trondelag)
    school = factories.UnitFactory(name="Lade skole", parent=trondheim)
    original = factories.CaseFactory(
        organisation=oslo, published=True, adopters=[bergen, school, vestland]
    )
    adaptation = factories.CaseFactory(
        organisation=bergen,
        published=True,
        origin=Origin.ADAPTED,
        source_case=original,
        adopters=[voss, trondheim],
    )
    gone = factories.AdoptionFactory(case=adaptation, organisation=oslo)
    gone.deleted_at = timezone.now()
    gone.save(update_fields=["deleted_at"])
    return {"original": original, "adaptation": adaptation}


def places_of(case):
    version = selectors.data_version()
    return reuse_places(case, tree=selectors.case_lineage(case, version=version), version=version)


def test_the_places_by_generation(family):
    places = places_of(family["original"])
    assert places["owner"] == {"name": "Oslo", "number": "0301", "place": "Oslo"}
    assert [(a["name"], a["generation"], a["number"]) for a in places["adopters"]] == [
        ("Bergen", 1, "4601"),
        ("Lade skole", 1, "5001"),
        ("Vestland", 1, ""),
        ("Trondheim", 2, "5001"),
        ("Voss", 2, "4621"),
    ]
    assert places["generations"] == [1, 2]
    # From the adaptation's own page, its adopters are its first generation; the owner of the
    # original is not listed as an adopter (its adoption of the adaptation was deleted).
    places = places_of(family["adaptation"])
    assert [(a["name"], a["generation"]) for a in places["adopters"]] == [
        ("Trondheim", 1),
        ("Voss", 1),
    ]
    assert places["owner"]["number"] == "4601"


def test_the_case_page_lists_owner_and_adopters_beside_the_map(family):
    html = Client().get(family["original"].get_absolute_url()).content.decode()
    section = html[html.index('id="reuse-map-heading"') :]
    assert "data-case-map" in section
    assert 'data-number="0301" data-role="owner"' in section
    items = re.findall(
        r'<li data-number="(\d{4})" data-role="adopter" data-generation="(\d)"', section
    )
    assert items == [("4601", "1"), ("5001", "1"), ("5001", "2"), ("4621", "2")]
    # The county municipality has no place on the map, and the list says so.
    assert "Vestland (ikke på kartet: hører ikke til en kommune)" in section
    assert "Generasjon 2: har gjenbrukt en innovasjon som bygger på den" in section
    assert "© Kartverket" in section
    assert "js/map.js" in section


def test_no_map_for_a_case_no_one_reused(db):
    case = factories.CaseFactory(published=True)
    html = Client().get(case.get_absolute_url()).content.decode()
    assert "data-case-map" not in html
    assert "js/map.js" not in html
    assert places_of(case) is None


def test_the_places_are_read_once_per_data_version(family, django_assert_num_queries):
    """One query for the adopters of the case and its descendants; none while the data stay
    the same."""
    version = selectors.data_version()
    tree = selectors.case_lineage(family["original"], version=version)
    with django_assert_num_queries(1):
        first = reuse_places(family["original"], tree=tree, version=version)
    with django_assert_num_queries(0):
        assert reuse_places(family["original"], tree=tree, version=version) == first
