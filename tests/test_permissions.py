"""Who may do what: every role x case state x action, each cell asserted."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import translation

from cases import permissions, services
from cases.models import MODERATORS_GROUP, IdentitySource, Membership
from cases.vocabularies import CaseStatus, IdentitySourceKind, MembershipRole
from tests.factories import CaseFactory, MunicipalityFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "editor", "moderator"]
FROM_PROVIDER = ["member-from-provider", "editor-from-provider"]
STATES = [
    CaseStatus.DRAFT,
    CaseStatus.SUBMITTED,
    CaseStatus.PUBLISHED,
    CaseStatus.CHANGES_REQUESTED,
    CaseStatus.ARCHIVED,
]
D, S, P, C, A = STATES

# action -> the states in which each role may do it (absent role: never).
MATRIX = {
    "view": {
        "anonymous": {P},
        "outsider": {P},
        "member": set(STATES),
        "editor": set(STATES),
        "moderator": set(STATES),
    },
    "edit": {"member": {D, S, P, C}, "editor": {D, S, P, C}},
    "submit": {"member": {D, C}, "editor": {D, C}},
    "moderate": {"moderator": {S}},
    "review-edit": {"moderator": {P}},
    "archive": {"editor": {P}, "moderator": {P}},
    "restore": {"editor": {A}, "moderator": {A}},
    "delete": {"editor": {D, C}, "moderator": {D, C}},
    "report": {"outsider": {P}, "member": {P}, "editor": {P}, "moderator": {P}},
    "history": {"member": set(STATES), "editor": set(STATES), "moderator": set(STATES)},
    "adopt": {"outsider": {P}},
}

CHECKS = {
    "view": permissions.can_view_case,
    "edit": permissions.can_edit_case,
    "submit": permissions.can_submit_case,
    "moderate": permissions.can_moderate_case,
    "review-edit": permissions.can_review_edit,
    "archive": permissions.can_archive_case,
    "restore": permissions.can_restore_case,
    "delete": permissions.can_delete_case,
    "report": permissions.can_report_case,
    "history": permissions.can_view_history,
    "adopt": permissions.can_record_adoption,
}


@pytest.fixture
def world(db):
    owner = MunicipalityFactory()
    other = MunicipalityFactory()
    people = {"anonymous": AnonymousUser()}
    people["outsider"] = UserFactory()
    Membership.objects.create(user=people["outsider"], organisation=other)
    people["member"] = UserFactory()
    Membership.objects.create(user=people["member"], organisation=owner)
    people["editor"] = UserFactory()
    Membership.objects.create(user=people["editor"], organisation=owner, role=MembershipRole.EDITOR)
    people["moderator"] = UserFactory()
    people["moderator"].groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    for role in (MembershipRole.MEMBER, MembershipRole.EDITOR):
        people[f"{role}-from-provider"] = from_provider(owner, role)
    return owner, people


def from_provider(organisation, role: str):
    """Someone who came through an identity provider: no password, a login keyed by provider
    and subject, and the membership a mapping of their tenant gave at their first login."""
    tenant = f"tenant-of-{organisation.pk}"
    IdentitySource.objects.get_or_create(
        provider_id="entra-test",
        kind=IdentitySourceKind.TENANT,
        value=tenant,
        defaults={"organisation": organisation, "role": role, "status": "active"},
    )
    IdentitySource.objects.filter(provider_id="entra-test", value=tenant).update(role=role)
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    SocialAccount.objects.create(user=user, provider="entra-test", uid=f"subject-{user.pk}")
    claims = {"tid": tenant, "email": user.email, "email_verified": True}
    services.identity_first_login(user=user, provider_id="entra-test", claims=claims)
    return user


@pytest.mark.parametrize("action", list(MATRIX))
@pytest.mark.parametrize("state", STATES)
def test_permission_matrix(world, action, state):
    owner, people = world
    case = CaseFactory(organisation=owner, status=state)
    # Someone who came through an identity provider has exactly the cells of their role.
    for role in [*ROLES, *FROM_PROVIDER]:
        expected = state in MATRIX[action].get(role.removesuffix("-from-provider"), set())
        allowed = CHECKS[action](people[role], case)
        assert allowed == expected, f"{role} {action} {state}: expected {expected}"


def test_a_soft_deleted_case_allows_nothing(world):
    owner, people = world
    case = CaseFactory(organisation=owner, status=CaseStatus.DRAFT)
    case.deleted_at = case.created_at
    for role in ROLES:
        for action, check in CHECKS.items():
            assert not check(people[role], case), f"{role} may {action} a deleted case"


def test_a_pending_membership_grants_nothing(world):
    owner, _people = world
    applicant = UserFactory()
    Membership.objects.create(user=applicant, organisation=owner, status="pending")
    case = CaseFactory(organisation=owner, status=CaseStatus.DRAFT)
    assert not permissions.can_view_case(applicant, case)
    assert not permissions.can_edit_case(applicant, case)


def test_inactive_moderator_is_no_moderator(world):
    _owner, people = world
    moderator = people["moderator"]
    moderator.is_active = False
    moderator.save()
    permissions.forget(moderator)
    assert not permissions.is_moderator(moderator)


def test_adoption_rights(world):
    owner, people = world
    case = CaseFactory(organisation=owner, status=CaseStatus.PUBLISHED)
    from cases.models import Adoption

    adoption = Adoption.objects.create(
        case=case,
        organisation=people["outsider"].memberships.get().organisation,
        mode="adapted",
        channel="network",
    )
    assert permissions.can_change_adoption(people["outsider"], adoption)
    assert permissions.can_change_adoption(people["moderator"], adoption)
    assert not permissions.can_change_adoption(people["member"], adoption)
    assert permissions.can_confirm_adoption(people["editor"], adoption)
    assert not permissions.can_confirm_adoption(people["member"], adoption)
    assert not permissions.can_confirm_adoption(people["outsider"], adoption)


# case_action splits the rule in two for the API (403 for the role, 409 for the state): action ->
# the row of the matrix above it follows.
CASE_ACTION_ROWS = {
    "edit": "edit",
    "submit": "submit",
    "approve": "moderate",
    "request_changes": "moderate",
    "archive": "archive",
    "restore": "restore",
    "delete": "delete",
    "read_pending_edit": "history",
    "review_edit": "review-edit",
}


@pytest.mark.parametrize("state", STATES)
def test_case_action_tells_the_role_from_the_state(world, state):
    owner, people = world
    case = CaseFactory(organisation=owner, status=state)
    assert set(CASE_ACTION_ROWS) == set(permissions.CASE_ACTIONS)
    for action, row in CASE_ACTION_ROWS.items():
        for role in ROLES:
            with translation.override("en"):
                answer = permissions.case_action(people[role], case, action)
            ever = bool(MATRIX[row].get(role))
            assert answer.role_allows == ever, f"{role} {action}"
            assert answer.state_allows == (state in MATRIX[row].get(role, set())), (
                f"{role} {action} {state}"
            )
            assert answer.allowed == CHECKS[row](people[role], case)
            assert answer.refusal.startswith("Only "), answer.refusal


def test_case_action_refuses_in_the_users_language(world):
    owner, people = world
    case = CaseFactory(organisation=owner, status=CaseStatus.SUBMITTED)
    with translation.override("nb"):
        answer = permissions.case_action(people["member"], case, "approve")
    assert not answer.role_allows
    assert answer.refusal == "Bare moderatorer kan godkjenne innovasjoner."
    with translation.override("en"):
        assert permissions.case_action(people["member"], case, "approve").refusal == (
            "Only moderators can approve cases."
        )
