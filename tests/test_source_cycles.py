"""A case is never its own ancestor: naming a source that builds on the case is refused, when
it is proposed and again when it is approved (two edits approved one after the other)."""

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Case
from cases.vocabularies import CaseStatus, MembershipRole
from tests import factories
from tests.conftest import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(owner, county, moderator):
    other = factories.MunicipalityFactory(parent=county)
    first = factories.CaseFactory(organisation=owner, published=True, origin="unknown")
    second = factories.CaseFactory(organisation=other, published=True, origin="unknown")
    return {
        "first": first,
        "second": second,
        "first_editor": person(owner, MembershipRole.EDITOR),
        "second_editor": person(other, MembershipRole.EDITOR),
        "moderator": moderator,
    }


def adapted_from(source: Case) -> dict:
    return {"origin": "adapted", "source_case": source.pk}


def test_two_edits_approved_in_turn_cannot_close_a_loop(world):
    first, second = world["first"], world["second"]
    one = services.case_update(actor=world["first_editor"], case=first, data=adapted_from(second))
    two = services.case_update(actor=world["second_editor"], case=second, data=adapted_from(first))
    factories.approve_edit(world["moderator"], one)
    with pytest.raises(ValidationError) as refused:
        factories.approve_edit(world["moderator"], two)
    assert "source_case" in refused.value.message_dict
    second.refresh_from_db()
    assert second.source_case_id is None


def test_proposing_a_source_that_builds_on_the_case_is_refused(world):
    first, second = world["first"], world["second"]
    one = services.case_update(actor=world["first_editor"], case=first, data=adapted_from(second))
    factories.approve_edit(world["moderator"], one)
    with pytest.raises(ValidationError):
        services.case_update(actor=world["second_editor"], case=second, data=adapted_from(first))


def test_a_submitted_case_whose_source_came_to_build_on_it_is_not_published(world, owner):
    draft = factories.CaseFactory(
        organisation=owner,
        status=CaseStatus.SUBMITTED,
        stage="in-use",
        sectors=["health-care"],
        innovation_types=["service"],
        origin="adapted",
        source_case=world["second"],
    )
    Case.objects.filter(pk=world["second"].pk).update(source_case=draft, origin="adapted")
    with pytest.raises(ValidationError):
        factories.approve_case(world["moderator"], draft)
    draft.refresh_from_db()
    assert draft.status == CaseStatus.SUBMITTED
