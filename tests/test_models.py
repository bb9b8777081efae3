"""The model layer: every database constraint refuses what it should, Organisation.save derives
the geography, and the soft-delete managers and custom querysets return what they promise.

Constraints are proven by inserts the database itself refuses (IntegrityError), each inside its
own savepoint so the test's transaction stays usable. Rows are written with plain ORM calls or
factories, never through the services, whose own validation would stop them earlier.
"""

from contextlib import contextmanager

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import (
    Adoption,
    Case,
    CaseRevision,
    CaseTerm,
    Membership,
    Organisation,
)
from cases.vocabularies import (
    AdoptionMode,
    CaseStatus,
    Channel,
    OrganisationKind,
    Origin,
    Region,
)
from tests import factories

pytestmark = pytest.mark.django_db


@contextmanager
def refused():
    """The write inside must be refused by the database (in a savepoint of its own)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


_seq = iter(range(10**6))


def organisation(**fields) -> Organisation:
    n = next(_seq)
    fields.setdefault("name", f"Organisasjon {n}")
    fields.setdefault("slug", f"organisasjon-{n}")
    return Organisation.objects.create(**fields)


# --- Organisation constraints --------------------------------------------------------------


@pytest.mark.parametrize("number", ["0301", "5001", "9999"])
def test_municipality_number_of_four_digits_is_accepted(number):
    municipality = organisation(kind=OrganisationKind.MUNICIPALITY, number=number)
    assert Organisation.objects.get(pk=municipality.pk).number == number


@pytest.mark.parametrize("number", ["301", "03x1", "", "abcd", "30 1"])
def test_municipality_number_must_have_four_digits(number):
    with refused():
        organisation(kind=OrganisationKind.MUNICIPALITY, number=number)


@pytest.mark.parametrize("number", ["3", "030", "x3", ""])
def test_county_number_must_have_two_digits(number):
    with refused():
        organisation(kind=OrganisationKind.COUNTY, number=number)


def test_county_number_of_two_digits_is_accepted():
    county = organisation(kind=OrganisationKind.COUNTY, number="03")
    assert Organisation.objects.get(pk=county.pk).number == "03"


@pytest.mark.parametrize(
    "kind",
    [
        OrganisationKind.UNIT,
        OrganisationKind.STATE_AGENCY,
        OrganisationKind.RESEARCH,
        OrganisationKind.COMPANY,
        OrganisationKind.OTHER,
    ],
)
def test_only_municipalities_and_counties_have_a_number(kind):
    with refused():
        organisation(kind=kind, number="12")


def test_official_number_is_unique_per_kind():
    organisation(kind=OrganisationKind.MUNICIPALITY, number="0301")
    with refused():
        organisation(kind=OrganisationKind.MUNICIPALITY, number="0301")


def test_empty_numbers_do_not_collide():
    organisation(kind=OrganisationKind.UNIT)
    organisation(kind=OrganisationKind.UNIT)
    organisation(kind=OrganisationKind.COMPANY)
    assert Organisation.objects.filter(number="").count() == 3


def test_number_stays_taken_by_a_soft_deleted_organisation():
    """The unique constraint has no deleted_at condition: a deleted municipality keeps its
    number (the admin's form checks all_objects for this reason)."""
    first = organisation(kind=OrganisationKind.MUNICIPALITY, number="0301")
    Organisation.all_objects.filter(pk=first.pk).update(deleted_at=timezone.now())
    with refused():
        organisation(kind=OrganisationKind.MUNICIPALITY, number="0301")


@pytest.mark.parametrize("centrality_class", [0, 7])
def test_centrality_class_is_1_to_6(centrality_class):
    with refused():
        organisation(
            kind=OrganisationKind.MUNICIPALITY, number="0301", centrality_class=centrality_class
        )


@pytest.mark.parametrize("centrality_class", [1, 6, None])
def test_centrality_classes_1_to_6_and_none_are_accepted(centrality_class):
    municipality = organisation(
        kind=OrganisationKind.MUNICIPALITY, number="0301", centrality_class=centrality_class
    )
    assert Organisation.objects.get(pk=municipality.pk).centrality_class == centrality_class


def test_organisation_is_not_its_own_parent(unit):
    with refused():
        Organisation.all_objects.filter(pk=unit.pk).update(parent=unit)


# --- Case constraints ------------------------------------------------------------------------


def test_case_is_not_its_own_source(published_case):
    with refused():
        Case.all_objects.filter(pk=published_case.pk).update(source_case=published_case)


def test_first_of_its_kind_has_no_source_case(published_case, municipality):
    with refused():
        factories.CaseFactory(
            organisation=municipality, origin=Origin.FIRST, source_case=published_case
        )


def test_first_of_its_kind_has_no_source_description(municipality):
    with refused():
        factories.CaseFactory(
            organisation=municipality,
            origin=Origin.FIRST,
            source_description="A Danish solution",
        )


def test_first_of_its_kind_without_source_and_adapted_with_source_are_accepted(published_case):
    first = factories.CaseFactory(origin=Origin.FIRST)
    adapted = factories.CaseFactory(
        origin=Origin.ADAPTED, source_case=published_case, source_description="and Denmark"
    )
    assert Case.objects.filter(pk__in=[first.pk, adapted.pk]).count() == 2


def test_published_case_has_published_at(municipality):
    with refused():
        factories.CaseFactory(
            organisation=municipality, status=CaseStatus.PUBLISHED, published_at=None
        )


def test_unpublished_case_may_lack_published_at(municipality):
    case = factories.CaseFactory(organisation=municipality, status=CaseStatus.SUBMITTED)
    assert case.published_at is None


def test_case_term_is_unique(published_case):
    CaseTerm.objects.create(case=published_case, vocabulary="sector", code="health-care")
    CaseTerm.objects.create(case=published_case, vocabulary="sector", code="education")
    CaseTerm.objects.create(case=published_case, vocabulary="tag", code="health-care")
    with refused():
        CaseTerm.objects.create(case=published_case, vocabulary="sector", code="health-care")


def test_one_pending_revision_per_case(published_case):
    CaseRevision.objects.create(case=published_case, data={}, status=CaseRevision.Status.APPROVED)
    CaseRevision.objects.create(case=published_case, data={}, status=CaseRevision.Status.REJECTED)
    CaseRevision.objects.create(case=published_case, data={})
    with refused():
        CaseRevision.objects.create(case=published_case, data={"title": "Another edit"})


def test_other_cases_may_each_have_a_pending_revision(published_case):
    other = factories.CaseFactory(published=True)
    CaseRevision.objects.create(case=published_case, data={})
    CaseRevision.objects.create(case=other, data={})
    assert CaseRevision.objects.filter(status="pending").count() == 2


# --- Adoption constraints --------------------------------------------------------------------


def test_one_alive_adoption_per_case_and_organisation(published_case):
    adopter = factories.MunicipalityFactory()
    factories.AdoptionFactory(case=published_case, organisation=adopter)
    with refused():
        factories.AdoptionFactory(case=published_case, organisation=adopter)


def test_a_withdrawn_adoption_does_not_block_a_new_one(published_case):
    adopter = factories.MunicipalityFactory()
    first = factories.AdoptionFactory(case=published_case, organisation=adopter)
    Adoption.all_objects.filter(pk=first.pk).update(deleted_at=timezone.now())

    second = factories.AdoptionFactory(case=published_case, organisation=adopter)

    assert Adoption.all_objects.filter(case=published_case, organisation=adopter).count() == 2
    assert list(Adoption.objects.filter(case=published_case)) == [second]
    with refused():
        factories.AdoptionFactory(case=published_case, organisation=adopter)


def test_save_fills_the_source_organisation_from_the_case(published_case):
    adoption = factories.AdoptionFactory(case=published_case)
    adoption.refresh_from_db()
    assert adoption.source_organisation_id == published_case.organisation_id


def test_no_adoption_of_own_case(published_case):
    with refused():
        Adoption.objects.create(
            case=published_case,
            organisation=published_case.organisation,
            mode=AdoptionMode.COPIED,
            channel=Channel.NETWORK,
        )


def test_derived_case_differs_from_the_source_case(published_case):
    with refused():
        factories.AdoptionFactory(case=published_case, derived_case=published_case)


def test_derived_case_of_the_adopter_is_accepted(published_case):
    adopter = factories.MunicipalityFactory()
    derived = factories.CaseFactory(organisation=adopter, published=True)
    adoption = factories.AdoptionFactory(
        case=published_case, organisation=adopter, derived_case=derived
    )
    assert adoption.derived_case == derived


# --- Membership constraint -------------------------------------------------------------------


def test_one_membership_per_user_and_organisation(user, municipality):
    Membership.objects.create(user=user, organisation=municipality)
    Membership.objects.create(user=user, organisation=factories.MunicipalityFactory())
    with refused():
        Membership.objects.create(user=user, organisation=municipality, role="editor")


# --- Organisation.save derives the geography ---------------------------------------------------


def test_unit_under_municipality_under_county_takes_the_municipality_geography():
    county = organisation(kind=OrganisationKind.COUNTY, number="46", region=Region.VESTLANDET)
    municipality = organisation(
        kind=OrganisationKind.MUNICIPALITY,
        number="4601",
        parent=county,
        population=291_000,
        centrality_class=1,
    )
    unit = organisation(kind=OrganisationKind.UNIT, parent=municipality)
    unit.refresh_from_db()

    assert unit.municipality == municipality
    assert unit.county == county
    assert unit.region == Region.VESTLANDET
    assert unit.size_class == "large"
    assert unit.centrality_class == 1


def test_unit_under_a_unit_walks_up_to_the_municipality(unit):
    team = organisation(kind=OrganisationKind.UNIT, parent=unit)
    team.refresh_from_db()
    assert team.municipality == unit.municipality
    assert team.county == unit.county
    assert team.size_class == unit.size_class
    assert team.centrality_class == unit.centrality_class


def test_unit_under_a_county_has_the_county_region_but_no_municipality(county):
    school = organisation(kind=OrganisationKind.UNIT, parent=county)
    school.refresh_from_db()
    assert school.municipality is None
    assert school.county == county
    assert school.region == county.region
    assert school.size_class == ""
    assert school.centrality_class is None


def test_municipality_and_county_point_at_themselves(county):
    municipality = organisation(
        kind=OrganisationKind.MUNICIPALITY, number="4602", parent=county, population=6000
    )
    municipality.refresh_from_db()
    county.refresh_from_db()

    assert municipality.municipality_id == municipality.pk
    assert municipality.county_id == county.pk
    assert municipality.region == county.region  # taken from the county when not set
    assert county.county_id == county.pk
    assert county.municipality_id is None


def test_a_municipality_keeps_its_own_region(county):
    municipality = organisation(
        kind=OrganisationKind.MUNICIPALITY,
        number="4603",
        parent=county,
        region=Region.NORD_NORGE,
    )
    municipality.refresh_from_db()
    assert municipality.region == Region.NORD_NORGE


@pytest.mark.parametrize(
    ("population", "size_class"),
    [
        (0, "small"),
        (4999, "small"),
        (5000, "medium"),
        (19999, "medium"),
        (20000, "large"),
        (None, ""),
    ],
)
def test_size_class_follows_population(population, size_class):
    municipality = organisation(
        kind=OrganisationKind.MUNICIPALITY, number="1111", population=population
    )
    municipality.refresh_from_db()
    assert municipality.size_class == size_class


# --- Soft delete and the custom querysets ------------------------------------------------------


def _soft_delete(instance):
    type(instance).all_objects.filter(pk=instance.pk).update(deleted_at=timezone.now())


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: factories.CaseFactory(published=True), id="case"),
        pytest.param(lambda: factories.AdoptionFactory(), id="adoption"),
        pytest.param(lambda: factories.UnitFactory(), id="organisation"),
    ],
)
def test_objects_hides_soft_deleted_rows_and_all_objects_sees_them(make):
    alive, deleted = make(), make()
    model = type(alive)
    _soft_delete(deleted)

    assert set(model.objects.filter(pk__in=[alive.pk, deleted.pk])) == {alive}
    assert set(model.all_objects.filter(pk__in=[alive.pk, deleted.pk])) == {alive, deleted}
    assert not model.objects.filter(pk=deleted.pk).exists()
    assert model.all_objects.get(pk=deleted.pk).deleted_at is not None


def test_published_returns_only_alive_published_cases(municipality):
    published = factories.CaseFactory(organisation=municipality, published=True)
    deleted = factories.CaseFactory(organisation=municipality, published=True)
    _soft_delete(deleted)
    for status in (
        CaseStatus.DRAFT,
        CaseStatus.SUBMITTED,
        CaseStatus.CHANGES_REQUESTED,
    ):
        factories.CaseFactory(organisation=municipality, status=status)
    factories.CaseFactory(
        organisation=municipality, status=CaseStatus.ARCHIVED, published_at=timezone.now()
    )

    assert list(Case.objects.published()) == [published]
    assert list(Case.all_objects.published()) == [published]


def test_adoption_counts_leave_out_withdrawn_adoptions(published_case):
    other = factories.CaseFactory(published=True)
    # Two terms join in two rows per case: the count must not double.
    for code in ("health-care", "education"):
        CaseTerm.objects.create(case=published_case, vocabulary="sector", code=code)
    factories.AdoptionFactory(case=published_case)
    factories.AdoptionFactory(case=published_case)
    withdrawn = factories.AdoptionFactory(case=published_case)
    withdrawn.deleted_at = timezone.now()  # through save(), which keeps the case's counters
    withdrawn.save()

    counts = dict(
        Case.objects.published()
        .filter(terms__vocabulary="sector")
        .values_list("pk", "adoption_count")
        .distinct()
    )
    plain = dict(Case.objects.values_list("pk", "adoption_count"))

    assert counts == {published_case.pk: 2}
    assert plain[published_case.pk] == 2
    assert plain[other.pk] == 0


def test_public_adoptions_are_alive_adoptions_of_alive_published_cases(municipality):
    shown = factories.AdoptionFactory()
    withdrawn = factories.AdoptionFactory()
    _soft_delete(withdrawn)
    of_archived = factories.AdoptionFactory(
        case=factories.CaseFactory(published=True, status=CaseStatus.ARCHIVED)
    )
    of_draft = factories.AdoptionFactory(case=factories.CaseFactory(status=CaseStatus.DRAFT))
    of_deleted = factories.AdoptionFactory()
    _soft_delete(of_deleted.case)

    public = set(Adoption.objects.public())

    assert shown in public
    assert public.isdisjoint({withdrawn, of_archived, of_draft, of_deleted})
    assert set(Adoption.all_objects.public()) == public
