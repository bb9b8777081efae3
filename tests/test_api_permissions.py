"""Who may do what through the API: role x case state x action, every cell, compared with
`cases.permissions` (which the web pages ask too), so that web and API agree.

Roles: anonymous, a member of another organisation, a member and an editor of the owner
organisation, a moderator. States: draft, submitted, published, changes requested, archived.
Actions: retrieve, patch, submit, approve, request changes, archive, record an adoption.

What a refusal looks like says why: 401 without credentials, 404 for a case you may not see,
403 when your role can never do this, 409 when it cannot be done in the case's present state,
400 when the request itself is wrong (recording your own organisation's reuse of its own case).
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.cache import cache
from rest_framework.test import APIClient

from cases import permissions, services
from cases.models import MODERATORS_GROUP, Adoption, Case, CaseTerm, Membership
from cases.vocabularies import CaseStatus, MembershipRole
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "editor", "moderator"]
STATES = [
    CaseStatus.DRAFT,
    CaseStatus.SUBMITTED,
    CaseStatus.PUBLISHED,
    CaseStatus.CHANGES_REQUESTED,
    CaseStatus.ARCHIVED,
]
D, S, P, C, A = STATES

# action -> the states in which each role may do it (a role not named: never). The same
# cells as tests/test_permissions.py asserts for the web.
MATRIX = {
    "retrieve": {
        "anonymous": {P},
        "outsider": {P},
        "member": set(STATES),
        "editor": set(STATES),
        "moderator": set(STATES),
    },
    "patch": {"member": {D, S, P, C}, "editor": {D, S, P, C}},
    "submit": {"member": {D, C}, "editor": {D, C}},
    "approve": {"moderator": {S}},
    "request-changes": {"moderator": {S}},
    "archive": {"editor": {P}, "moderator": {P}},
    "adopt": {"outsider": {P}},
}

CHECKS = {
    "retrieve": permissions.can_view_case,
    "patch": permissions.can_edit_case,
    "submit": permissions.can_submit_case,
    "approve": permissions.can_approve_case,
    "request-changes": permissions.can_moderate_case,
    "archive": permissions.can_archive_case,
    "adopt": permissions.can_record_adoption,
}

# The roles that may ever do an action, in some state (otherwise: 403).
ROLE_CAN_EVER = {action: set(cells) for action, cells in MATRIX.items()}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    owner = factories.MunicipalityFactory(name="Bodø", number="1804", slug="bodo")
    other = factories.MunicipalityFactory(name="Tromsø", number="5501", slug="tromso")
    people = {"anonymous": AnonymousUser()}
    people["outsider"] = factories.UserFactory(email="ansatt@tromso.kommune.no")
    Membership.objects.create(user=people["outsider"], organisation=other)
    people["member"] = factories.UserFactory(email="ansatt@bodo.kommune.no")
    Membership.objects.create(user=people["member"], organisation=owner)
    people["editor"] = factories.UserFactory(email="redaktor@bodo.kommune.no")
    Membership.objects.create(user=people["editor"], organisation=owner, role=MembershipRole.EDITOR)
    people["moderator"] = factories.UserFactory(email="moderator@ks.no")
    people["moderator"].groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    clients = {"anonymous": APIClient()}
    for role in ROLES[1:]:
        _token, key = services.api_token_create(user=people[role], name="Matrise")
        clients[role] = APIClient()
        clients[role].credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return {"owner": owner, "other": other, "people": people, "clients": clients}


def request(world, role, action, case):
    """Do `action` on `case` as `role` through the API; the response."""
    client = world["clients"][role]
    path = f"/api/v1/cases/{case.pk}/"
    if action == "retrieve":
        return client.get(path)
    if action == "patch":
        return client.patch(path, {"summary": "Et nytt sammendrag."}, format="json")
    if action == "approve":
        # The moderator names the version they reviewed (If-Match); see test_api_approval.py.
        return client.post(
            f"{path}{action}/",
            HTTP_IF_MATCH=f'"{services.case_version(Case.objects.get(pk=case.pk))}"',
        )
    if action == "submit":
        return client.post(f"{path}{action}/")
    if action in ("request-changes", "archive"):
        return client.post(f"{path}{action}/", {"reason": "Fordi."}, format="json")
    if action == "adopt":
        # Everyone records for the organisation they belong to (the moderator belongs to none
        # and tries the other one).
        organisation = world["owner"] if role in ("member", "editor") else world["other"]
        return client.post(
            f"{path}adoptions/",
            {"organisation": organisation.pk, "mode": "copied", "channel": "network"},
            format="json",
        )
    raise AssertionError(action)


SUCCESS = {
    "retrieve": {200},
    "patch": {200, 202},  # 202: an edit of a published case waits for a moderator
    "submit": {200},
    "approve": {200},
    "request-changes": {200},
    "archive": {200},
    "adopt": {201},
}


def expected_refusal(role, action, state) -> int:
    if action == "retrieve":
        return 404
    if role == "anonymous":
        return 401
    if state not in MATRIX["retrieve"][role]:
        return 404
    if action == "adopt" and role in ("member", "editor"):
        # Their organisation owns the case: they can see it, but not reuse it.
        return 400 if state == P else 409
    if role not in ROLE_CAN_EVER[action]:
        return 403
    return 409


def resulting_status(action, state) -> str:
    return {
        "patch": state,
        "submit": S,
        "approve": P,
        "request-changes": C,
        "archive": A,
        "adopt": state,
        "retrieve": state,
    }[action]


@pytest.mark.parametrize("action", list(MATRIX))
@pytest.mark.parametrize("state", STATES)
def test_api_permission_matrix(world, action, state):
    for role in ROLES:
        case = factories.CaseFactory(organisation=world["owner"], status=state, ready=True)
        user = world["people"][role]
        allowed = state in MATRIX[action].get(role, set())
        # The table is what cases.permissions says, which is what the web pages ask.
        assert CHECKS[action](user, case) == allowed, (role, action, state)
        response = request(world, role, action, case)
        body = response.json()
        cell = (role, action, state, response.status_code, body)
        media_type = "application/json" if allowed else "application/problem+json"
        assert response["Content-Type"] == media_type, cell
        case.refresh_from_db()
        if allowed:
            assert response.status_code in SUCCESS[action], cell
            if action == "adopt":
                assert Adoption.objects.filter(case=case).count() == 1
            else:
                assert body["status"] == case.status == resulting_status(action, state), cell
        else:
            assert response.status_code == expected_refusal(role, action, state), cell
            # A message and its code, never an empty body.
            assert body["detail"], cell
            assert body["code"], cell
            # Nothing changed.
            assert case.status == state, cell
            assert not Adoption.all_objects.filter(case=case).exists(), cell
            if action == "patch":
                assert case.summary == "Et kort sammendrag.", cell


def test_anonymous_writes_ask_for_credentials(world):
    case = factories.CaseFactory(organisation=world["owner"], status=P, ready=True)
    response = APIClient().post(f"/api/v1/cases/{case.pk}/archive/", {"reason": "x"})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_the_api_and_the_case_page_agree_on_who_sees_what(world, client):
    """The web's case page and the API's detail answer the same people."""
    for state in STATES:
        case = factories.CaseFactory(organisation=world["owner"], status=state, ready=True)
        for role in ROLES:
            user = world["people"][role]
            client.logout()
            if role != "anonymous":
                client.force_login(user)
            page = client.get(case.get_absolute_url())
            api = world["clients"][role].get(f"/api/v1/cases/{case.pk}/")
            assert (page.status_code == 200) == (api.status_code == 200), (role, state)
            assert (api.status_code == 200) == permissions.can_view_case(user, case)


def test_a_soft_deleted_case_is_gone_for_everyone(world):
    case = factories.CaseFactory(organisation=world["owner"], status=D, ready=True)
    services.case_delete(actor=world["people"]["editor"], case=case)
    for role in ROLES:
        response = world["clients"][role].get(f"/api/v1/cases/{case.pk}/")
        assert response.status_code == 404, role


def test_moderators_do_not_write_other_organisations_cases(world):
    case = factories.CaseFactory(organisation=world["owner"], status=D, ready=True)
    response = world["clients"]["moderator"].patch(
        f"/api/v1/cases/{case.pk}/", {"title": "Moderators tittel"}, format="json"
    )
    assert response.status_code == 403
    create = world["clients"]["moderator"].post(
        "/api/v1/cases/", {"title": "Moderators sak", "organisation": world["owner"].pk}
    )
    assert create.status_code == 403
    assert not Case.objects.filter(title__startswith="Moderators").exists()


def test_a_pending_membership_grants_nothing(world):
    applicant = factories.UserFactory(email="soker@bodo.kommune.no")
    Membership.objects.create(user=applicant, organisation=world["owner"], status="pending")
    _token, key = services.api_token_create(user=applicant, name="Venter")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    draft = factories.CaseFactory(organisation=world["owner"], status=D, ready=True)
    assert client.get(f"/api/v1/cases/{draft.pk}/").status_code == 404
    response = client.post(
        "/api/v1/cases/", {"title": "Søkers sak", "organisation": world["owner"].pk}
    )
    assert response.status_code == 403


def test_an_inactive_users_token_does_not_work(world):
    world["people"]["editor"].is_active = False
    world["people"]["editor"].save()
    response = world["clients"]["editor"].get("/api/v1/cases/")
    assert response.status_code == 401


def test_terms_of_a_hidden_case_do_not_leak_through_lists(world):
    """A draft's words do not reach anyone through search or filters of the list."""
    draft = factories.CaseFactory(organisation=world["owner"], status=D, ready=True)
    factories.add_terms(draft, CaseTerm.Vocabulary.TAG, ["hemmelig"])
    for role in ROLES:
        for params in (
            {"q": draft.title},
            {"sector": "health-care"},
            {"organisation": world["owner"].pk},
        ):
            results = world["clients"][role].get("/api/v1/cases/", params).json()["results"]
            assert draft.pk not in {item["id"] for item in results}, (role, params)
