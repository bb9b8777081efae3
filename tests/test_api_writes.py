"""Writing through the REST API: cases and recorded reuse.

Writes go through the services, so a case created here is a draft, waits for a moderator and
keeps its published text while an edit waits. Reading is in test_api_reads.py.
"""

import pytest
from rest_framework.test import APIClient

from cases.models import Adoption, Case, CaseEvent, CaseRevision
from cases.vocabularies import AdoptionStatus, CaseStatus
from tests import api_helpers, factories
from tests.api_helpers import (
    ADOPTION_FIELDS,
    CASE_FIELDS,
    _fresh_throttle_counts,  # noqa: F401 - an autouse fixture
    client_for,
    invalid,
    problem,
)

pytestmark = pytest.mark.django_db

# The API tests' organisations, cases in every state and people (tests/api_helpers.py).
place = api_helpers.place
cases = api_helpers.cases
people = api_helpers.people


# --- Writing cases --------------------------------------------------------------------------

COMPLETE = {
    "title": "Digitalt tilsyn om natten",
    "summary": "Sensorer i stedet for nattlige runder.",
    "problem": "Nattlige tilsyn vekker beboerne.",
    "solution": "Sensorer varsler ved behov.",
    "results": "Bedre søvn for beboerne.",
    "reuse_guide": "Krever trådløst nett på rommene.",
    "contact": "Kari Nordmann",
    "sectors": ["health-care"],
    "innovation_types": ["service", "process"],
    "benefits": ["quality"],
    "tags": ["Velferdsteknologi", "natt"],
    "links": [{"url": "https://www.bergen.kommune.no/tilsyn", "title": "Prosjektside"}],
    "workplace_type": "nursing-home",
    "stage": "pilot",
    "origin": "adapted",
    "source_description": "Et svensk prosjekt i Västerås",
}


def test_create_makes_a_draft_through_the_service(place, people):
    client = client_for(people["member"])
    response = client.post(
        "/api/v1/cases/",
        {**COMPLETE, "organisation": place["bergen"].pk, "partners": [place["sintef"].pk]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert list(body) == CASE_FIELDS
    case = Case.objects.get(pk=body["id"])
    assert body["status"] == "draft"
    assert case.status == CaseStatus.DRAFT
    assert body["published_at"] is None
    assert body["organisation"]["id"] == place["bergen"].pk
    assert body["partners"] == [
        {"id": place["sintef"].pk, "name": "SINTEF Digital", "kind": "research", "number": ""}
    ]
    assert body["tags"] == ["natt", "velferdsteknologi"]
    assert body["innovation_types"] == ["process", "service"]
    # Provisional until first published (it must not tell of others' hidden cases).
    assert body["slug"].startswith("digitalt-tilsyn-om-natten--")
    assert body["url"] == f"http://testserver/saker/{body['slug']}/"
    assert case.created_by == people["member"]
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CREATED).exists()
    # A draft is not public.
    assert APIClient().get(f"/api/v1/cases/{case.pk}/").status_code == 404


def test_create_cannot_publish_or_set_the_status(place, people):
    """`status` is not a field a client writes: refused by name, and nothing is created."""
    response = client_for(people["member"]).post(
        "/api/v1/cases/",
        {
            "title": "Rett til publisering",
            "organisation": place["bergen"].pk,
            "status": "published",
        },
        format="json",
    )
    body = problem(response, 400, "invalid")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("status", "unknown_field")]
    assert not Case.objects.filter(title="Rett til publisering").exists()


def test_create_for_an_organisation_you_do_not_belong_to_is_refused(place, people):
    response = client_for(people["member"]).post(
        "/api/v1/cases/", {"title": "Fremmed sak", "organisation": place["voss"].pk}, format="json"
    )
    assert response.status_code == 403
    assert "detail" in response.json()
    assert not Case.objects.filter(title="Fremmed sak").exists()


def test_the_whole_moderation_path(place, people):
    author, moderator = client_for(people["member"]), client_for(people["moderator"])
    body = author.post(
        "/api/v1/cases/", {**COMPLETE, "organisation": place["bergen"].pk}, format="json"
    ).json()
    path = f"/api/v1/cases/{body['id']}/"

    submitted = author.post(path + "submit/")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"

    sent_back = moderator.post(path + "request-changes/", {"reason": "Legg til kostnader."})
    assert sent_back.status_code == 200
    assert sent_back.json()["status"] == "changes-requested"
    event = CaseEvent.objects.filter(case_id=body["id"]).latest("created_at", "id")
    assert event.reason == "Legg til kostnader."

    edited = author.patch(path, {"reuse_guide": "Om lag 50 000 kroner per avdeling."})
    assert edited.status_code == 200
    assert edited.json()["reuse_guide"] == "Om lag 50 000 kroner per avdeling."
    assert author.post(path + "submit/").json()["status"] == "submitted"

    approved = moderator.post(path + "approve/", HTTP_IF_MATCH=moderator.get(path)["ETag"])
    assert approved.status_code == 200
    assert approved.json()["status"] == "published"
    assert approved.json()["published_at"] is not None
    assert APIClient().get(path).json()["title"] == COMPLETE["title"]

    archived = client_for(people["editor"]).post(path + "archive/", {"reason": "Avsluttet."})
    assert archived.status_code == 200
    assert archived.json()["status"] == "archived"
    assert APIClient().get(path).status_code == 404


def test_request_changes_and_archive_need_a_reason(cases, place, people):
    case = factories.CaseFactory(
        organisation=place["bergen"], title="Venter", slug="venter", status=CaseStatus.SUBMITTED
    )
    moderator = client_for(people["moderator"])
    response = moderator.post(f"/api/v1/cases/{case.pk}/request-changes/", {}, format="json")
    assert "reason" in invalid(response)
    response = client_for(people["editor"]).post(
        f"/api/v1/cases/{cases['turnus'].pk}/archive/", {"reason": ""}, format="json"
    )
    assert "reason" in invalid(response)
    case.refresh_from_db()
    cases["turnus"].refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert cases["turnus"].status == CaseStatus.PUBLISHED


def test_submitting_an_incomplete_case_says_what_is_missing(place, people):
    client = client_for(people["member"])
    body = client.post(
        "/api/v1/cases/", {"title": "Halvferdig", "organisation": place["bergen"].pk}
    ).json()
    response = client.post(f"/api/v1/cases/{body['id']}/submit/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "summary" in str(response.json())
    assert "sector" in str(response.json())
    assert Case.objects.get(pk=body["id"]).status == CaseStatus.DRAFT


def test_editing_a_published_case_waits_for_a_moderator(cases, people):
    turnus = cases["turnus"]
    path = f"/api/v1/cases/{turnus.pk}/"
    response = client_for(people["member"]).patch(
        path, {"title": "Ny turnusordning med langvakter"}, format="json"
    )
    assert response.status_code == 202
    # The answer and every reader still get the published text.
    assert response.json()["title"] == "Ny turnusordning"
    assert APIClient().get(path).json()["title"] == "Ny turnusordning"
    revision = CaseRevision.objects.get(case=turnus, status=CaseRevision.Status.PENDING)
    factories.approve_edit(people["moderator"], revision)
    assert APIClient().get(path).json()["title"] == "Ny turnusordning med langvakter"


def test_patch_ignores_the_organisation_and_keeps_the_rest(cases, place, people):
    draft = cases["hidden"][CaseStatus.DRAFT]
    response = client_for(people["member"]).patch(
        f"/api/v1/cases/{draft.pk}/",
        {"organisation": place["voss"].pk, "stage": "pilot"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["organisation"]["id"] == place["bergen"].pk
    assert response.json()["stage"] == "pilot"
    assert response.json()["title"] == draft.title


# --- Recording adoptions --------------------------------------------------------------------------


def test_record_an_adoption_for_your_organisation(cases, place, people):
    client = client_for(people["trondheim"])
    response = client.post(
        f"/api/v1/cases/{cases['turnus'].pk}/adoptions/",
        {
            "organisation": place["trondheim"].pk,
            "mode": "adapted",
            "channel": "network",
            "adopted_on": "2025-09-01",
            "status": "planned",
            "note": "Tilpasset til tre skift.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert list(body) == ADOPTION_FIELDS
    assert body["case"] == cases["turnus"].pk
    assert body["organisation"]["id"] == place["trondheim"].pk
    assert (body["mode"], body["channel"], body["status"]) == ("adapted", "network", "planned")
    assert body["note"] == "Tilpasset til tre skift."
    adoption = Adoption.objects.get(pk=body["id"])
    assert adoption.recorded_by == people["trondheim"]
    assert CaseEvent.objects.filter(
        case=cases["turnus"], kind=CaseEvent.Kind.ADOPTION_RECORDED
    ).exists()
    detail = APIClient().get(f"/api/v1/cases/{cases['turnus'].pk}/").json()
    assert detail["adoption_count"] == 1
    # Once per case and organisation.
    again = client.post(
        f"/api/v1/cases/{cases['turnus'].pk}/adoptions/",
        {"organisation": place["trondheim"].pk, "mode": "copied", "channel": "direct"},
        format="json",
    )
    assert again.status_code == 409
    assert "detail" in again.json()


def test_an_adoption_defaults_to_in_use(cases, place, people):
    response = client_for(people["trondheim"]).post(
        f"/api/v1/cases/{cases['turnus'].pk}/adoptions/",
        {"organisation": place["trondheim"].pk, "mode": "copied", "channel": "direct"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == AdoptionStatus.IN_USE
    assert response.json()["adopted_on"] is None


def test_writes_of_a_case_and_a_reuse_record_honour_if_match(cases, people):
    """A write sent with the ETag the client read is made; one with an ETag the object no
    longer has is refused with 412 and changes nothing (RFC 9110: a server evaluates If-Match
    before it acts)."""
    moderator, editor = client_for(people["moderator"]), client_for(people["editor"])
    case_path = f"/api/v1/cases/{cases['turnus'].pk}/"
    read = moderator.get(case_path)["ETag"]
    problem(
        moderator.post(case_path + "archive/", {"reason": "Utgått"}, HTTP_IF_MATCH='"stale.x"'),
        412,
    )
    assert Case.objects.get(pk=cases["turnus"].pk).status == CaseStatus.PUBLISHED
    archived = moderator.post(case_path + "archive/", {"reason": "Utgått"}, HTTP_IF_MATCH=read)
    assert archived.status_code == 200, archived.content
    problem(moderator.post(case_path + "restore/", HTTP_IF_MATCH=read), 412)
    assert Case.all_objects.get(pk=cases["turnus"].pk).status == CaseStatus.ARCHIVED
    adoption = Adoption.objects.get(case=cases["rontgen"], organisation__name="Bergen")
    path = f"/api/v1/adoptions/{adoption.pk}/"
    read = APIClient().get(path)["ETag"]
    problem(editor.patch(path, {"note": "Endret"}, HTTP_IF_MATCH='"stale"'), 412)
    assert Adoption.objects.get(pk=adoption.pk).note != "Endret"
    changed = editor.patch(path, {"note": "Endret"}, HTTP_IF_MATCH=read)
    assert changed.status_code == 200, changed.content
    assert changed["Content-Type"].startswith("application/json")
    # The ETag read before the change no longer matches.
    problem(editor.post(path + "withdraw/", {"reason": "Feil"}, HTTP_IF_MATCH=read), 412)
    assert Adoption.objects.filter(pk=adoption.pk).exists()
    withdrawn = editor.post(
        path + "withdraw/", {"reason": "Feil"}, HTTP_IF_MATCH=APIClient().get(path)["ETag"]
    )
    assert withdrawn.status_code == 204, withdrawn.content
    assert not Adoption.objects.filter(pk=adoption.pk).exists()
