"""Keeping a copy in sync through the lists' `updated_since` and `/api/v1/removed/`: every change
a client's copy must follow shows in one of them, and nothing private ever does."""

import pytest
from django.utils import timezone
from django.utils.http import http_date
from rest_framework.test import APIClient

from cases import services
from cases.models import Adoption, Case, Organisation
from cases.vocabularies import AdoptionStatus, CaseStatus
from tests import api_helpers, factories
from tests.api_helpers import (
    _fresh_throttle_counts,  # noqa: F401 - an autouse fixture
    all_pages,
    client_for,
    iso,
    problem,
)

pytestmark = pytest.mark.django_db

place = api_helpers.place
cases = api_helpers.cases
people = api_helpers.people


def changed_since(moment) -> set[int]:
    return {
        item["id"]
        for item in all_pages(APIClient(), "/api/v1/cases/", {"updated_since": iso(moment)})
    }


def removed_since(moment=None, **params) -> set[tuple[str, int]]:
    if moment is not None:
        params["since"] = iso(moment)
    return {
        (item["kind"], item["id"]) for item in all_pages(APIClient(), "/api/v1/removed/", params)
    }


def test_recording_reuse_shows_the_case_as_updated_with_its_new_count(cases, people):
    moment = timezone.now()
    robot = cases["robot"]
    assert robot.pk not in changed_since(moment)
    response = client_for(people["editor"]).post(
        f"/api/v1/cases/{robot.pk}/adoptions/",
        {
            "organisation": cases["turnus"].organisation_id,
            "mode": "copied",
            "channel": "network",
            "status": AdoptionStatus.IN_USE,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert changed_since(moment) == {robot.pk}
    listed = APIClient().get(f"/api/v1/cases/{robot.pk}/").json()
    assert listed["adoption_count"] == 1


def test_withdrawing_reuse_shows_the_case_as_updated_and_the_record_as_removed(cases, people):
    moment = timezone.now()
    adoption = Adoption.objects.get(case=cases["vandreboka"])
    response = client_for(people["trondheim"]).post(
        f"/api/v1/adoptions/{adoption.pk}/withdraw/", {"reason": "Feil"}, format="json"
    )
    assert response.status_code == 204
    assert changed_since(moment) == {cases["vandreboka"].pk}
    assert removed_since(moment) == {("adoption", adoption.pk)}


def test_an_archived_case_and_its_reuse_are_named_as_removed(cases, people):
    moment = timezone.now()
    rontgen = cases["rontgen"]
    response = client_for(people["moderator"]).post(
        f"/api/v1/cases/{rontgen.pk}/archive/", {"reason": "Utgått"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert rontgen.pk not in changed_since(moment)
    assert ("case", rontgen.pk) in removed_since(moment)
    assert removed_since(moment, kind="case") == {("case", rontgen.pk)}
    # Restored: public again, so no longer removed, and updated since.
    client_for(people["moderator"]).post(f"/api/v1/cases/{rontgen.pk}/restore/", format="json")
    assert Case.objects.get(pk=rontgen.pk).status == CaseStatus.PUBLISHED
    assert ("case", rontgen.pk) not in removed_since(moment)
    assert rontgen.pk in changed_since(moment)


def adoptions_changed_since(moment) -> set[int]:
    return {
        item["id"]
        for item in all_pages(APIClient(), "/api/v1/adoptions/", {"updated_since": iso(moment)})
    }


def test_a_restored_case_brings_its_reuse_back_as_updated_since(cases, people):
    rontgen = cases["rontgen"]
    moderator = client_for(people["moderator"])
    moderator.post(f"/api/v1/cases/{rontgen.pk}/archive/", {"reason": "Utgått"}, format="json")
    reuse = set(Adoption.objects.filter(case=rontgen).values_list("pk", flat=True))
    assert reuse
    assert {("adoption", pk) for pk in reuse} <= removed_since()
    moment = timezone.now()
    response = moderator.post(f"/api/v1/cases/{rontgen.pk}/restore/", format="json")
    assert response.status_code == 200, response.content
    # Public again: a client that deleted them must find them among what changed.
    assert adoptions_changed_since(moment) == reuse
    # Robot names the X-ray service as its source, which its representation shows again.
    assert cases["robot"].pk in changed_since(moment)


def test_an_adoption_whose_derived_case_leaves_or_returns_is_updated_since(cases, people):
    rontgen, robot = cases["rontgen"], cases["robot"]
    adoption = Adoption.objects.filter(case=rontgen).first()
    Adoption.objects.filter(pk=adoption.pk).update(derived_case=robot)
    moderator = client_for(people["moderator"])
    for action, derived in (("archive", None), ("restore", robot.pk)):
        moment = timezone.now()
        response = moderator.post(
            f"/api/v1/cases/{robot.pk}/{action}/", {"reason": "Utgått"}, format="json"
        )
        assert response.status_code == 200, response.content
        assert adoption.pk in adoptions_changed_since(moment), action
        shown = APIClient().get(f"/api/v1/adoptions/{adoption.pk}/")
        assert shown.json()["derived_case"] == derived
        # Its Last-Modified moved with it: an older If-Modified-Since gets the new answer.
        again = APIClient().get(
            f"/api/v1/adoptions/{adoption.pk}/",
            HTTP_IF_MODIFIED_SINCE=http_date(moment.timestamp() - 1),
        )
        assert again.status_code == 200, action


def test_partners_changed_from_the_organisations_side_show_the_case_as_updated_since(cases, place):
    turnus = cases["turnus"]
    moment = timezone.now()
    place["sintef"].partner_cases.add(turnus)
    assert changed_since(moment) == {turnus.pk}
    moment = timezone.now()
    place["sintef"].partner_cases.remove(turnus)
    assert changed_since(moment) == {turnus.pk}


def test_only_public_dependants_move(cases, people, place):
    """A case under review keeps its updated_at (part of the version its reviewers approve)
    when its source case leaves and returns, and when its partners change from the
    organisation's side."""
    draft = services.case_create(
        actor=people["editor"],
        organisation=place["bergen"],
        data={"title": "Bygger på røntgen", "origin": "adapted"},
    )
    Case.all_objects.filter(pk=draft.pk).update(
        source_case=cases["rontgen"], status=CaseStatus.SUBMITTED
    )
    before = Case.all_objects.get(pk=draft.pk)
    version = services.case_version(before)
    moderator = client_for(people["moderator"])
    rontgen = cases["rontgen"].pk
    moderator.post(f"/api/v1/cases/{rontgen}/archive/", {"reason": "Utgått"}, format="json")
    moderator.post(f"/api/v1/cases/{rontgen}/restore/", format="json")
    place["sintef"].partner_cases.add(before)
    after = Case.all_objects.get(pk=draft.pk)
    assert after.updated_at == before.updated_at
    assert services.case_version(after) == version


def test_a_deleted_organisation_is_named_as_removed(cases, people, place):
    moment = timezone.now()
    gone = factories.UnitFactory(name="Nedlagt enhet")
    services.organisation_delete(actor=people["moderator"], organisation=gone)
    assert ("organisation", gone.pk) in removed_since(moment, kind="organisation")
    assert not Organisation.objects.filter(pk=gone.pk).exists()


def test_a_changed_organisation_is_listed_as_updated_since(cases, place):
    moment = timezone.now()
    voss = place["voss"]
    voss.name = "Voss herad"
    voss.save()
    listed = all_pages(APIClient(), "/api/v1/organisations/", {"updated_since": iso(moment)})
    assert [item["id"] for item in listed] == [voss.pk]


def test_what_was_never_public_is_never_named(cases, people, place):
    moment = timezone.now()
    draft = services.case_create(
        actor=people["editor"], organisation=place["bergen"], data={"title": "Hemmelig utkast"}
    )
    services.case_delete(actor=people["editor"], case=draft)
    named = removed_since(moment) | removed_since()
    assert ("case", draft.pk) not in named
    for hidden in cases["hidden"].values():
        if hidden.published_at is None:
            assert ("case", hidden.pk) not in named


def test_removed_refuses_a_malformed_time_and_an_unknown_kind(cases):
    problem(APIClient().get("/api/v1/removed/", {"since": "igår"}), 400)
    problem(APIClient().get("/api/v1/removed/", {"kind": "user"}), 400)
