"""The rest of the workflow through the API: the edit waiting for approval, restoring an
archived case, deleting a draft, changing and withdrawing reuse records, `me` and the root.

Each action is the pages' service behind the same permissions: the role decides 403, the
case's state 409, and nothing changes when the answer is not 2xx.
"""

import pytest
from rest_framework.test import APIClient

from cases.models import Adoption, Case, CaseEvent, CaseRevision
from cases.vocabularies import CaseStatus
from tests import api_helpers
from tests.api_helpers import (
    _fresh_throttle_counts,  # noqa: F401 - an autouse fixture
    client_for,
)

pytestmark = pytest.mark.django_db

place = api_helpers.place
cases = api_helpers.cases
people = api_helpers.people


def _propose(people, case, title="Ny turnusordning med langvakter"):
    response = client_for(people["member"]).patch(
        f"/api/v1/cases/{case.pk}/", {"title": title}, format="json"
    )
    assert response.status_code == 202, response.content
    return CaseRevision.objects.get(case=case, status=CaseRevision.Status.PENDING)


# --- The edit waiting for approval -----------------------------------------------------------


def test_the_owner_and_moderators_read_what_a_pending_edit_changes(cases, people):
    turnus = cases["turnus"]
    revision = _propose(people, turnus)
    path = f"/api/v1/cases/{turnus.pk}/pending-edit/"
    for who in ("member", "editor", "moderator"):
        response = client_for(people[who]).get(path)
        assert response.status_code == 200, (who, response.content)
        body = response.json()
        assert body["id"] == revision.pk
        assert body["case"] == turnus.pk
        assert body["changes"] == [
            {
                "field": "title",
                "published": "Ny turnusordning",
                "proposed": "Ny turnusordning med langvakter",
            }
        ]
        assert response["ETag"]
    assert client_for(people["trondheim"]).get(path).status_code == 403
    assert APIClient().get(path).status_code == 401


def test_no_pending_edit_is_404_with_words(cases, people):
    response = client_for(people["moderator"]).get(
        f"/api/v1/cases/{cases['turnus'].pk}/pending-edit/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 404
    assert "waiting for approval" in response.json()["detail"]


def test_a_moderator_approves_exactly_the_edit_read(cases, people):
    turnus = cases["turnus"]
    _propose(people, turnus)
    moderator = client_for(people["moderator"])
    base = f"/api/v1/cases/{turnus.pk}/pending-edit/"
    etag = moderator.get(base)["ETag"]
    assert moderator.post(base + "approve/").status_code == 428
    # The authors change the edit after the moderator read it: the old ETag no longer fits.
    _propose(people, turnus, title="Turnus med langvakter i helgene")
    assert moderator.post(base + "approve/", HTTP_IF_MATCH=etag).status_code == 412
    assert Case.objects.get(pk=turnus.pk).title == "Ny turnusordning"
    etag = moderator.get(base)["ETag"]
    response = moderator.post(base + "approve/", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Turnus med langvakter i helgene"
    assert APIClient().get(f"/api/v1/cases/{turnus.pk}/").json()["title"] == (
        "Turnus med langvakter i helgene"
    )
    assert not CaseRevision.objects.filter(case=turnus, status="pending").exists()


def test_only_an_outside_moderator_approves(cases, people, place):
    turnus = cases["turnus"]
    _propose(people, turnus)
    base = f"/api/v1/cases/{turnus.pk}/pending-edit/"
    etag = client_for(people["moderator"]).get(base)["ETag"]
    # The owner's editor is no moderator; a moderator of the owner organisation is refused too.
    assert client_for(people["editor"]).post(base + "approve/", HTTP_IF_MATCH=etag).status_code == (
        403
    )
    people["editor"].groups.add(api_helpers.moderator_group())
    response = client_for(people["editor"]).post(base + "approve/", HTTP_IF_MATCH=etag)
    assert response.status_code == 403
    assert Case.objects.get(pk=turnus.pk).title == "Ny turnusordning"


def test_a_moderator_sends_an_edit_back_with_a_reason(cases, people):
    turnus = cases["turnus"]
    revision = _propose(people, turnus)
    moderator = client_for(people["moderator"])
    path = f"/api/v1/cases/{turnus.pk}/pending-edit/reject/"
    assert moderator.post(path, {}, format="json").status_code == 400
    assert CaseRevision.objects.get(pk=revision.pk).status == CaseRevision.Status.PENDING
    # With the ETag of an edit since replaced, nothing is sent back.
    read = moderator.get(f"/api/v1/cases/{turnus.pk}/pending-edit/")["ETag"]
    _propose(people, turnus, title="Turnus, andre utkast")
    stale = moderator.post(path, {"reason": "Tittelen blir for lang."}, HTTP_IF_MATCH=read)
    assert stale.status_code == 412
    assert CaseRevision.objects.get(pk=revision.pk).status == CaseRevision.Status.PENDING
    response = moderator.post(path, {"reason": "Tittelen blir for lang."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Ny turnusordning"
    revision.refresh_from_db()
    assert revision.status == CaseRevision.Status.REJECTED
    assert revision.reason == "Tittelen blir for lang."
    # Sent back: nothing waits any more.
    assert moderator.post(path, {"reason": "x"}, format="json").status_code == 404
    _propose(people, turnus, title="Turnus for alle")
    member = client_for(people["member"])
    assert member.post(path, {"reason": "x"}, format="json").status_code == 403


# --- Restoring and deleting ------------------------------------------------------------------


def test_an_archived_case_is_restored_by_its_editors(cases, people):
    turnus = cases["turnus"]
    editor = client_for(people["editor"])
    archived = editor.post(
        f"/api/v1/cases/{turnus.pk}/archive/", {"reason": "Avsluttet"}, format="json"
    )
    assert archived.status_code == 200
    path = f"/api/v1/cases/{turnus.pk}/restore/"
    # An archived case is out of others' view; the owner's members see it but do not restore.
    assert client_for(people["trondheim"]).post(path).status_code == 404
    assert client_for(people["member"]).post(path).status_code == 403
    assert Case.objects.get(pk=turnus.pk).status == CaseStatus.ARCHIVED
    response = editor.post(path, {"reason": "Tatt opp igjen"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == CaseStatus.PUBLISHED
    assert CaseEvent.objects.filter(case=turnus, kind=CaseEvent.Kind.RESTORED).exists()
    # Published again: nothing to restore.
    assert editor.post(path).status_code == 409


def test_a_draft_is_deleted_and_a_published_case_is_not(cases, people):
    draft = cases["hidden"][CaseStatus.DRAFT]
    path = f"/api/v1/cases/{draft.pk}/"
    assert client_for(people["member"]).delete(path).status_code == 403
    assert client_for(people["editor"]).delete(path, HTTP_IF_MATCH='"stale"').status_code == 412
    assert Case.objects.filter(pk=draft.pk).exists()
    response = client_for(people["editor"]).delete(path)
    assert response.status_code == 204
    assert not Case.objects.filter(pk=draft.pk).exists()
    assert Case.all_objects.get(pk=draft.pk).deleted_at is not None
    assert client_for(people["editor"]).get(path).status_code == 404
    published = client_for(people["editor"]).delete(f"/api/v1/cases/{cases['turnus'].pk}/")
    assert published.status_code == 409
    assert Case.objects.get(pk=cases["turnus"].pk).deleted_at is None


# --- Reuse records ------------------------------------------------------------------------------


def test_the_reusing_organisation_changes_its_record(cases, people):
    adoption = Adoption.objects.get(case=cases["vandreboka"])
    path = f"/api/v1/adoptions/{adoption.pk}/"
    assert APIClient().patch(path, {"note": "x"}, format="json").status_code == 401
    assert client_for(people["editor"]).patch(path, {"note": "x"}, format="json").status_code == 403
    bad = client_for(people["trondheim"]).patch(path, {"mode": "stolen"}, format="json")
    assert bad.status_code == 400
    response = client_for(people["trondheim"]).patch(
        path, {"note": "Brukt for alle lærefag", "status": "in-use"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["note"] == "Brukt for alle lærefag"
    assert response.json()["mode"] == "adapted"  # not sent, kept
    assert Adoption.objects.get(pk=adoption.pk).note == "Brukt for alle lærefag"


def test_withdrawing_a_record_takes_it_out_of_the_count(cases, people):
    adoption = Adoption.objects.get(case=cases["vandreboka"])
    case_path = f"/api/v1/cases/{cases['vandreboka'].pk}/"
    before = APIClient().get(case_path).json()["adoption_count"]
    path = f"/api/v1/adoptions/{adoption.pk}/withdraw/"
    assert client_for(people["editor"]).post(path).status_code == 403
    response = client_for(people["trondheim"]).post(
        path, {"reason": "Registrert ved en feil"}, format="json"
    )
    assert response.status_code == 204
    assert Adoption.all_objects.get(pk=adoption.pk).deleted_at is not None
    assert APIClient().get(f"/api/v1/adoptions/{adoption.pk}/").status_code == 404
    assert APIClient().get(case_path).json()["adoption_count"] == before - 1
    # Withdrawn once: a second time finds nothing.
    assert client_for(people["trondheim"]).post(path).status_code == 404


# --- Who am I, and what is here --------------------------------------------------------------


def test_me_says_whose_token_it_is(place, people):
    assert APIClient().get("/api/v1/me/").status_code == 401
    body = client_for(people["editor"]).get("/api/v1/me/").json()
    assert body["email"] == "kari.nordmann@bergen.kommune.no"
    assert body["moderator"] is False
    assert body["organisations"] == [{"id": place["bergen"].pk, "name": "Bergen", "role": "editor"}]
    moderator = client_for(people["moderator"]).get("/api/v1/me/").json()
    assert moderator["moderator"] is True
    assert moderator["organisations"] == []


def test_the_root_lists_every_resource_and_the_licence(cases):
    response = APIClient().get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert body["licence"]["url"].startswith("https://")
    assert "@" in body["contact"]
    expected = {
        "cases", "adoptions", "organisations", "vocabularies", "statistics", "changes", "removed", "me",
        "schema", "documentation", "catalogue",
    }  # fmt: skip
    assert set(body["resources"]) == expected
    for name, url in body["resources"].items():
        assert url.startswith("http://testserver/"), name
        answer = APIClient().get(url, HTTP_ACCEPT="application/json, */*")
        assert answer.status_code == (401 if name == "me" else 200), (name, answer.status_code)
