"""An approval publishes exactly what the moderator reviewed, and never alone their own text.

The version a moderator approves (a hidden field on the review page, `If-Match` on the API)
covers the case's content, its files and the edit waiting for approval: anything changed after
the page was opened makes the approval a refusal that publishes nothing. A moderator who is a
member of the owner organisation does not approve its case or edit (four eyes) unless the
installation allows it.
"""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, CaseRevision
from cases.vocabularies import CaseStatus, MembershipRole
from tests import factories
from tests.conftest import person
from tests.test_attachments import png_bytes

pytestmark = pytest.mark.django_db


def submitted_case(owner, author) -> Case:
    return factories.CaseFactory(
        organisation=owner,
        created_by=author,
        status=CaseStatus.SUBMITTED,
        stage="in-use",
        sectors=["health-care"],
        innovation_types=["service"],
    )


def opened(client, url: str) -> str:
    """The version the review page shows (what an approval from it names)."""
    page = client.get(url).content.decode()
    return re.search(r'name="version" value="([^"]+)"', page)[1]


def review_case_url(case) -> str:
    return reverse("moderation-case", kwargs={"slug": case.slug})


@pytest.fixture
def author(owner):
    return person(owner, MembershipRole.EDITOR)


# --- the moderator saw one version; the author changed it meanwhile ----------------------------


def test_an_edit_of_a_submitted_case_after_the_page_opened_is_not_published(
    client, moderator, owner, author
):
    case = submitted_case(owner, author)
    client.force_login(moderator)
    seen = opened(client, review_case_url(case))
    services.case_update(actor=author, case=case, data={"title": "Endret etterpå"})

    client.post(review_case_url(case), {"action": "approve", "version": seen})

    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_a_file_added_to_a_submitted_case_after_the_page_opened_is_not_published(
    client, moderator, owner, author
):
    case = submitted_case(owner, author)
    client.force_login(moderator)
    seen = opened(client, review_case_url(case))
    services.attachment_add(
        actor=author,
        case=case,
        upload=SimpleUploadedFile("bilde.png", png_bytes(), "image/png"),
        alt_text="Et bilde",
    )

    client.post(review_case_url(case), {"action": "approve", "version": seen})

    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_an_approval_without_a_version_publishes_nothing(client, moderator, owner, author):
    case = submitted_case(owner, author)
    client.force_login(moderator)
    client.post(review_case_url(case), {"action": "approve"})
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_a_pending_edit_changed_after_the_page_opened_is_not_published(
    client, moderator, owner, author
):
    case = factories.CaseFactory(organisation=owner, published=True, title="Publisert")
    revision = services.case_update(actor=author, case=case, data={"title": "Første forslag"})
    url = reverse("moderation-revision", kwargs={"pk": revision.pk})
    client.force_login(moderator)
    seen = opened(client, url)
    services.case_update(actor=author, case=case, data={"title": "Andre forslag"})

    client.post(url, {"action": "approve", "version": seen})

    case.refresh_from_db()
    revision.refresh_from_db()
    assert case.title == "Publisert"
    assert revision.status == CaseRevision.Status.PENDING

    client.post(url, {"action": "approve", "version": opened(client, url)})
    case.refresh_from_db()
    assert case.title == "Andre forslag"


# --- the API names the version with If-Match ------------------------------------------------


def api_client(user) -> APIClient:
    _token, key = services.api_token_create(user=user, name="Skript")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_api_approval_needs_if_match_and_refuses_a_stale_one(moderator, owner, author):
    case = submitted_case(owner, author)
    api = api_client(moderator)
    path = f"/api/v1/cases/{case.pk}/"
    etag = api.get(path)["ETag"]

    assert api.post(path + "approve/").status_code == 428
    services.case_update(actor=author, case=case, data={"summary": "Endret etterpå."})
    assert api.post(path + "approve/", HTTP_IF_MATCH=etag).status_code == 412
    assert api.post(path + "approve/", HTTP_IF_MATCH="*").status_code == 412
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED

    approved = api.post(path + "approve/", HTTP_IF_MATCH=api.get(path)["ETag"])
    assert approved.status_code == 200
    assert approved.json()["status"] == "published"


# --- four eyes ------------------------------------------------------------------------------


@pytest.fixture
def moderator_of_owner(moderator, owner):
    factories.MembershipFactory(user=moderator, organisation=owner)
    return moderator


def test_a_moderator_does_not_approve_their_own_organisations_case(
    client, moderator_of_owner, owner, author
):
    case = submitted_case(owner, author)
    client.force_login(moderator_of_owner)
    page = client.get(review_case_url(case)).content.decode()
    assert 'value="approve"' not in page
    version = services.case_version(case)

    client.post(review_case_url(case), {"action": "approve", "version": version})
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED

    api = api_client(moderator_of_owner)
    response = api.post(f"/api/v1/cases/{case.pk}/approve/", HTTP_IF_MATCH=f'"{version}"')
    assert response.status_code == 403
    assert "another moderator" in response.json()["detail"]


def test_a_moderator_does_not_approve_an_edit_of_their_own_organisations_case(
    client, moderator_of_owner, owner, author
):
    case = factories.CaseFactory(organisation=owner, published=True, title="Publisert")
    revision = services.case_update(actor=author, case=case, data={"title": "Eget forslag"})
    with pytest.raises(PermissionDenied):
        services.revision_approve(
            actor=moderator_of_owner,
            revision=revision,
            reviewed_version=services.case_version(case),
        )
    case.refresh_from_db()
    assert case.title == "Publisert"


def test_a_single_moderator_installation_can_allow_it(
    client, settings, moderator_of_owner, owner, author
):
    settings.MODERATION_SELF_APPROVAL = True
    case = submitted_case(owner, author)
    client.force_login(moderator_of_owner)
    factories.approve_on_page(client, review_case_url(case))
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED


def test_a_moderator_does_not_approve_an_edit_they_proposed(moderator, owner):
    """An operator who is also a moderator corrects a case in the admin: another approves."""
    moderator.is_staff = True
    moderator.is_superuser = True
    moderator.save()
    case = factories.CaseFactory(organisation=owner, published=True, title="Publisert")
    revision = services.case_update(actor=moderator, case=case, data={"title": "Rettet"})
    with pytest.raises(PermissionDenied):
        factories.approve_edit(moderator, revision)
    other = factories.UserFactory()
    other.groups.add(*moderator.groups.all())
    factories.approve_edit(other, revision)
    case.refresh_from_db()
    assert case.title == "Rettet"
