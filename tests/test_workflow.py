"""The moderation workflow through the services: each transition, its history, its guards."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from cases import services
from cases.models import MODERATORS_GROUP, Adoption, Case, CaseEvent, CaseRevision, Membership
from cases.vocabularies import CaseStatus, MembershipRole
from tests import factories
from tests.factories import CaseFactory, MunicipalityFactory, UserFactory

pytestmark = pytest.mark.django_db

COMPLETE = {
    "title": "Mobil røntgen",
    "summary": "Røntgen som kommer til sykehjemmet.",
    "problem": "Lange turer til sykehuset.",
    "solution": "En bil med røntgenutstyr.",
    "sectors": ["health-care"],
    "innovation_types": ["service"],
    "stage": "in-use",
    "origin": "first",
}


@pytest.fixture
def owner(db):
    return MunicipalityFactory(name="Oslo")


@pytest.fixture
def author(owner):
    user = UserFactory()
    Membership.objects.create(user=user, organisation=owner)
    return user


@pytest.fixture
def editor(owner):
    user = UserFactory()
    Membership.objects.create(user=user, organisation=owner, role=MembershipRole.EDITOR)
    return user


@pytest.fixture
def moderator(db):
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


def kinds(case):
    return list(case.events.order_by("created_at", "id").values_list("kind", flat=True))


def publish(case, *, author, moderator):
    services.case_submit(actor=author, case=case)
    return factories.approve_case(moderator, case)


def test_full_loop_is_recorded(owner, author, moderator):
    case = services.case_create(actor=author, organisation=owner, data=COMPLETE)
    assert case.status == CaseStatus.DRAFT
    services.case_submit(actor=author, case=case)
    services.case_request_changes(actor=moderator, case=case, reason="Legg til resultater.")
    case.refresh_from_db()
    assert case.status == CaseStatus.CHANGES_REQUESTED
    services.case_update(actor=author, case=case, data={"results": "Færre turer."})
    services.case_submit(actor=author, case=case)
    factories.approve_case(moderator, case)
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED
    assert case.published_at is not None
    assert kinds(case) == [
        "created",
        "submitted",
        "changes-requested",
        "edited",
        "submitted",
        "approved",
    ]
    request = case.events.get(kind="changes-requested")
    assert request.actor == moderator
    assert request.reason == "Legg til resultater."
    assert (request.from_status, request.to_status) == ("submitted", "changes-requested")


def test_submit_names_what_is_missing(owner, author):
    case = services.case_create(actor=author, organisation=owner, data={"title": "Halvferdig"})
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.case_submit(actor=author, case=case)
    message = " ".join(error.value.messages)
    assert "summary" in message
    assert "sector" in message
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    assert kinds(case) == ["created"]


def test_adapted_case_needs_its_source(owner, author):
    data = {**COMPLETE, "origin": "adapted"}
    case = services.case_create(actor=author, organisation=owner, data=data)
    with translation.override("en"):
        assert "the source it was adapted or copied from" in services.missing_for_submission(case)


def test_request_changes_needs_a_reason(owner, author, moderator):
    case = services.case_create(actor=author, organisation=owner, data=COMPLETE)
    services.case_submit(actor=author, case=case)
    with pytest.raises(ValidationError):
        services.case_request_changes(actor=moderator, case=case, reason="  ")
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_authors_cannot_approve_their_own_case(owner, author, editor):
    case = services.case_create(actor=author, organisation=owner, data=COMPLETE)
    services.case_submit(actor=author, case=case)
    for actor in (author, editor):
        with pytest.raises(PermissionDenied):
            factories.approve_case(actor, case)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_second_approval_is_a_conflict(owner, author, moderator):
    case = services.case_create(actor=author, organisation=owner, data=COMPLETE)
    services.case_submit(actor=author, case=case)
    factories.approve_case(moderator, case)
    with pytest.raises(services.Conflict):
        factories.approve_case(moderator, case)
    assert kinds(case).count("approved") == 1


def test_outsiders_cannot_write_for_an_organisation(owner):
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        services.case_create(actor=stranger, organisation=owner, data=COMPLETE)
    assert not Case.objects.exists()


def test_unknown_codes_are_refused_with_the_allowed_ones(owner, author):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.case_create(
            actor=author, organisation=owner, data={**COMPLETE, "sectors": ["space"]}
        )
    assert "health-care" in str(error.value.message_dict["sectors"])
    assert not Case.objects.exists()


def test_edit_of_published_case_waits_for_approval(owner, author, moderator):
    case = services.case_create(actor=author, organisation=owner, data=COMPLETE)
    publish(case, author=author, moderator=moderator)
    revision = services.case_update(
        actor=author, case=case, data={"title": "Mobil røntgen 2.0", "sectors": ["education"]}
    )
    assert isinstance(revision, CaseRevision)
    assert revision.status == "pending"
    case.refresh_from_db()
    assert case.title == "Mobil røntgen"
    assert case.sectors == ["health-care"]

    # A further edit updates the same pending revision.
    again = services.case_update(actor=author, case=case, data={"summary": "Nytt sammendrag."})
    assert again.pk == revision.pk
    assert CaseRevision.objects.filter(case=case, status="pending").count() == 1

    factories.approve_edit(moderator, revision)
    case.refresh_from_db()
    assert case.title == "Mobil røntgen 2.0"
    assert case.summary == "Nytt sammendrag."
    assert case.sectors == ["education"]
    assert case.status == CaseStatus.PUBLISHED
    assert "revision-approved" in kinds(case)


def test_rejected_revision_leaves_the_published_text(owner, author, moderator):
    case = services.case_create(actor=author, organisation=owner, data=COMPLETE)
    publish(case, author=author, moderator=moderator)
    revision = services.case_update(actor=author, case=case, data={"title": "Feil tittel"})
    services.revision_reject(actor=moderator, revision=revision, reason="Tittelen er feil.")
    case.refresh_from_db()
    assert case.title == "Mobil røntgen"
    revision.refresh_from_db()
    assert revision.status == "rejected"
    assert revision.reason == "Tittelen er feil."


def test_a_save_that_changes_nothing_writes_nothing(owner, author, moderator):
    case = services.case_create(actor=author, organisation=owner, data=COMPLETE)
    before = kinds(case)
    services.case_update(actor=author, case=case, data={"title": "Mobil røntgen"})
    assert kinds(case) == before
    publish(case, author=author, moderator=moderator)
    services.case_update(actor=author, case=case, data={"title": "Mobil røntgen"})
    assert not CaseRevision.objects.exists()


def test_archive_needs_an_editor_and_a_reason(owner, author, editor, moderator):
    case = services.case_create(actor=author, organisation=owner, data=COMPLETE)
    publish(case, author=author, moderator=moderator)
    with pytest.raises(PermissionDenied):
        services.case_archive(actor=author, case=case, reason="Utdatert")
    with pytest.raises(ValidationError):
        services.case_archive(actor=editor, case=case, reason="")
    services.case_archive(actor=editor, case=case, reason="Utdatert")
    case.refresh_from_db()
    assert case.status == CaseStatus.ARCHIVED
    event = case.events.get(kind="archived")
    assert event.reason == "Utdatert"
    assert event.actor == editor


def test_an_archived_case_is_restored_as_it_was_approved(owner, author, editor, moderator):
    case = services.case_create(actor=author, organisation=owner, data=COMPLETE)
    publish(case, author=author, moderator=moderator)
    published_at = Case.objects.get(pk=case.pk).published_at
    with pytest.raises(services.Conflict):
        services.case_restore(actor=editor, case=case)
    services.case_archive(actor=editor, case=case, reason="Pause")
    with pytest.raises(PermissionDenied):
        services.case_restore(actor=author, case=case)
    with pytest.raises(PermissionDenied):
        services.case_restore(actor=UserFactory(), case=case)
    services.case_restore(actor=moderator, case=case, reason="  I bruk igjen ")
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED
    assert case.published_at == published_at
    event = case.events.get(kind="restored")
    assert (event.actor, event.reason) == (moderator, "I bruk igjen")
    assert (event.from_status, event.to_status) == (CaseStatus.ARCHIVED, CaseStatus.PUBLISHED)


def test_restoring_from_the_case_page(client, owner, author, editor, moderator):
    case = services.case_create(actor=author, organisation=owner, data=COMPLETE)
    case = publish(case, author=author, moderator=moderator)
    services.case_archive(actor=editor, case=case, reason="Pause")
    client.force_login(author)
    assert "case-restore" not in str(client.get(case.get_absolute_url()).content)
    url = f"/saker/{case.slug}/gjenopprett/"
    assert client.post(url).status_code == 404  # a member who is not an editor may not
    assert Case.all_objects.get(pk=case.pk).status == CaseStatus.ARCHIVED
    client.force_login(editor)
    page = client.get(case.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert f'action="{url}"' in page
    response = client.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="nb")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.PUBLISHED
    assert "offentlig igjen" in response.content.decode()
    client.logout()
    assert client.get(case.get_absolute_url()).status_code == 200


def test_publishing_an_adaptation_records_the_adoption(owner, author, moderator):
    source_owner = MunicipalityFactory(name="Bergen")
    source = CaseFactory(organisation=source_owner, published=True)
    data = {**COMPLETE, "origin": "adapted", "source_case": source.pk}
    case = services.case_create(actor=author, organisation=owner, data=data)
    assert not Adoption.objects.exists()
    publish(case, author=author, moderator=moderator)
    adoption = Adoption.objects.get()
    assert adoption.case == source
    assert adoption.organisation == owner
    assert adoption.mode == "adapted"
    assert adoption.derived_case == case
    assert CaseEvent.objects.filter(case=source, kind="adoption-recorded").exists()


def test_a_first_of_its_kind_case_cannot_have_a_source(owner, author):
    source = CaseFactory(organisation=MunicipalityFactory(), published=True)
    with pytest.raises(ValidationError) as error:
        services.case_create(
            actor=author, organisation=owner, data={**COMPLETE, "source_case": source.pk}
        )
    assert "origin" in error.value.message_dict


def test_a_draft_cannot_be_a_source(owner, author):
    draft = CaseFactory(organisation=MunicipalityFactory())
    with pytest.raises(ValidationError):
        services.case_create(
            actor=author,
            organisation=owner,
            data={**COMPLETE, "origin": "copied", "source_case": draft.pk},
        )


def test_adoption_rules(owner, author):
    other = MunicipalityFactory()
    adopter = UserFactory()
    Membership.objects.create(user=adopter, organisation=other)
    published = CaseFactory(organisation=owner, published=True)
    draft = CaseFactory(organisation=owner)

    with pytest.raises(ValidationError):
        services.adoption_record(
            actor=author, case=published, organisation=owner, mode="copied", channel="network"
        )
    with pytest.raises(ValidationError):
        services.adoption_record(
            actor=adopter, case=draft, organisation=other, mode="copied", channel="network"
        )
    with pytest.raises(PermissionDenied):
        services.adoption_record(
            actor=author, case=published, organisation=other, mode="copied", channel="network"
        )
    assert not Adoption.objects.exists()

    services.adoption_record(
        actor=adopter, case=published, organisation=other, mode="copied", channel="network"
    )
    with pytest.raises(services.Conflict):
        services.adoption_record(
            actor=adopter, case=published, organisation=other, mode="adapted", channel="media"
        )
    assert Adoption.objects.count() == 1


def test_withdrawn_adoption_is_kept_and_can_be_recorded_again(owner):
    other = MunicipalityFactory()
    adopter = UserFactory()
    Membership.objects.create(user=adopter, organisation=other)
    case = CaseFactory(organisation=owner, published=True)
    adoption = services.adoption_record(
        actor=adopter, case=case, organisation=other, mode="copied", channel="network"
    )
    services.adoption_withdraw(actor=adopter, adoption=adoption)
    assert not Adoption.objects.exists()
    assert Adoption.all_objects.filter(pk=adoption.pk, deleted_at__isnull=False).exists()
    assert "adoption-withdrawn" in kinds(case)
    services.adoption_record(
        actor=adopter, case=case, organisation=other, mode="adapted", channel="platform"
    )
    assert Adoption.objects.count() == 1


def test_owner_editor_confirms_an_adoption(owner, editor):
    other = MunicipalityFactory()
    adopter = UserFactory()
    Membership.objects.create(user=adopter, organisation=other)
    case = CaseFactory(organisation=owner, published=True)
    adoption = services.adoption_record(
        actor=adopter, case=case, organisation=other, mode="copied", channel="network"
    )
    with pytest.raises(PermissionDenied):
        services.adoption_confirm(actor=adopter, adoption=adoption)
    services.adoption_confirm(actor=editor, adoption=adoption)
    adoption.refresh_from_db()
    assert adoption.confirmed
    assert adoption.confirmed_by == editor
    with pytest.raises(services.Conflict):
        services.adoption_confirm(actor=editor, adoption=adoption)
