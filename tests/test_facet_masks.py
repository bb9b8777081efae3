"""The facet masks and owner columns on the case row (cases/models/facets.py) follow every
write they copy, and equal what a recomputation from the terms, adoptions and owners gives."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, CaseTerm, refresh_facet_masks
from cases.models.facets import OWNER_COLUMNS, county_bit, value_bit
from cases.services import adoption_withdraw
from cases.vocabularies import CentralityClass, Region, Sector, SizeClass

from .factories import AdoptionFactory, CaseFactory, CountyFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db

MASKS = [
    "sector_mask",
    "innovation_type_mask",
    "benefit_mask",
    "adopter_size_mask",
    "adopter_centrality_mask",
    "adopter_region_mask",
    "adopter_county_mask",
    "adopter_county_mask_high",
    "has_adopters",
]


def masks(case: Case) -> dict:
    return Case.all_objects.filter(pk=case.pk).values(*MASKS).get()


def copied(case: Case) -> dict:
    return Case.all_objects.filter(pk=case.pk).values(*MASKS, *OWNER_COLUMNS).get()


def assert_as_recomputed(*cases: Case) -> None:
    """The masks and owner columns kept by the writes are those a recomputation from scratch
    gives."""
    kept = [copied(case) for case in cases]
    refresh_facet_masks()
    assert kept == [copied(case) for case in cases]


def municipality(number: str, population: int = 3000, county: str = "46"):
    return MunicipalityFactory(
        number=number,
        population=population,
        centrality_class=5,
        parent=CountyFactory(number=county, region=Region.VESTLANDET),
    )


def test_terms_written_alone_or_by_the_services_set_the_term_masks(owner):
    case = CaseFactory(organisation=owner, published=True, sectors=["health-care"])
    health = value_bit(list(Sector.values), "health-care")
    assert masks(case)["sector_mask"] == health
    term = CaseTerm.objects.create(case=case, vocabulary="sector", code="culture")
    assert masks(case)["sector_mask"] == health | value_bit(list(Sector.values), "culture")
    term.delete()
    assert masks(case)["sector_mask"] == health
    assert_as_recomputed(case)


def test_an_edit_through_the_services_sets_the_term_masks(owner, editor):
    from cases.services import case_update

    case = CaseFactory(organisation=owner, sectors=["health-care"])
    case_update(actor=editor, case=case, data={"sectors": ["education", "transport"]})
    expected = value_bit(list(Sector.values), "education") | value_bit(
        list(Sector.values), "transport"
    )
    assert masks(case)["sector_mask"] == expected
    assert_as_recomputed(case)


def test_an_adoption_recorded_and_withdrawn_sets_the_adopter_masks(owner, moderator):
    case = CaseFactory(organisation=owner, published=True)
    assert masks(case)["has_adopters"] is False
    adopter = municipality("4601")
    adoption = AdoptionFactory(case=case, organisation=adopter)
    kept = masks(case)
    assert kept["has_adopters"] is True
    assert kept["adopter_size_mask"] == value_bit(list(SizeClass.values), adopter.size_class)
    assert kept["adopter_centrality_mask"] == value_bit(list(CentralityClass.values), 5)
    assert kept["adopter_region_mask"] == value_bit(list(Region.values), Region.VESTLANDET)
    assert kept["adopter_county_mask"] == county_bit("46")[1]
    assert_as_recomputed(case)

    adoption_withdraw(actor=moderator, adoption=adoption)
    assert masks(case) == dict.fromkeys(MASKS, 0) | {"has_adopters": False}


def test_two_adopters_of_one_class_set_its_bit_once(owner):
    case = CaseFactory(organisation=owner, published=True)
    AdoptionFactory(case=case, organisation=municipality("4602"))
    AdoptionFactory(case=case, organisation=municipality("4603"))
    assert masks(case)["adopter_size_mask"] == value_bit(list(SizeClass.values), "small")
    assert_as_recomputed(case)


def test_an_adopter_that_changes_class_or_is_deleted_changes_the_masks(owner):
    case = CaseFactory(organisation=owner, published=True)
    adopter = municipality("4604", population=3000)
    AdoptionFactory(case=case, organisation=adopter)
    small = value_bit(list(SizeClass.values), adopter.size_class)
    assert masks(case)["adopter_size_mask"] == small

    adopter = type(adopter).all_objects.get(pk=adopter.pk)
    adopter.population = 200_000
    adopter.save()
    assert masks(case)["adopter_size_mask"] == value_bit(list(SizeClass.values), "large")
    assert_as_recomputed(case)

    adopter.parent = CountyFactory(number="11", region=Region.VESTLANDET)
    adopter.save()
    assert masks(case)["adopter_county_mask"] == county_bit("11")[1]
    adopter.parent = CountyFactory(number="87", region=Region.VESTLANDET)
    adopter.save()
    assert masks(case)["adopter_county_mask"] == 0
    assert masks(case)["adopter_county_mask_high"] == county_bit("87")[1]

    adopter.deleted_at = timezone.now()
    adopter.save()
    assert masks(case)["has_adopters"] is False
    assert masks(case)["adopter_size_mask"] == 0
    assert_as_recomputed(case)


def test_a_save_that_changes_nothing_searched_refreshes_nothing(owner):
    adopter = municipality("4605")
    adopter = type(adopter).all_objects.get(pk=adopter.pk)
    adopter.name = "Nytt navn"
    with CaptureQueriesContext(connection) as saved:
        adopter.save()
    assert not [q for q in saved.captured_queries if "cases_adoption r" in q["sql"]]
    adopter.centrality_class = 2
    with CaptureQueriesContext(connection) as saved:
        adopter.save()
    assert [q for q in saved.captured_queries if "cases_adoption r" in q["sql"]]


def owner_columns(case: Case) -> tuple:
    return Case.all_objects.filter(pk=case.pk).values_list(*OWNER_COLUMNS).get()


def test_a_new_case_copies_its_owners_facets():
    owner = municipality("4606", population=3000, county="46")
    case = CaseFactory(organisation=owner, published=True)
    assert owner_columns(case) == (Region.VESTLANDET, "small", 5, "46")
    assert_as_recomputed(case)


def test_the_owners_facets_follow_the_owner_and_its_county():
    owner = municipality("4607", population=3000, county="46")
    case = CaseFactory(organisation=owner, published=True)
    owner = type(owner).all_objects.get(pk=owner.pk)
    owner.population = 200_000
    owner.centrality_class = 2
    owner.save()
    assert owner_columns(case)[1:3] == ("large", 2)

    county = owner.county
    county.number = "47"
    county.save()
    assert owner_columns(case)[3] == "47"

    owner.parent = CountyFactory(number="11", region=Region.VESTLANDET)
    owner.save()
    assert owner_columns(case)[3] == "11"
    assert_as_recomputed(case)


def test_a_case_given_another_owner_copies_the_new_owners_facets():
    case = CaseFactory(organisation=municipality("4608", county="46"), published=True)
    case = Case.all_objects.get(pk=case.pk)
    case.organisation = municipality("1101", population=200_000, county="11")
    case.save()
    assert owner_columns(case) == (Region.VESTLANDET, "large", 5, "11")
    assert_as_recomputed(case)


def test_a_case_saved_with_its_owner_unchanged_copies_nothing(owner):
    case = Case.all_objects.get(pk=CaseFactory(organisation=owner).pk)
    case.title = "Ny tittel"
    with CaptureQueriesContext(connection) as saved:
        case.save()
    assert not [q for q in saved.captured_queries if "owner_region" in q["sql"]]
