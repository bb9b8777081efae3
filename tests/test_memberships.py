"""Memberships: asking to join an organisation, and its editors (or moderators) deciding.

Personas: `requester` (verified, no organisation), `editor` of `organisation`, `member` of it,
`outsider` (an editor of another organisation) and `moderator`.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import permissions, services
from cases.models import MODERATORS_GROUP, Membership
from cases.services import Conflict
from cases.vocabularies import MembershipRole, MembershipStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(db):
    return factories.MunicipalityFactory(name="Vestby kommune", slug="vestby")


@pytest.fixture
def editor(organisation):
    user = factories.UserFactory(email="editor@vestby.kommune.no", full_name="Eva Editor")
    factories.MembershipFactory(user=user, organisation=organisation, role=MembershipRole.EDITOR)
    return user


@pytest.fixture
def member(organisation):
    user = factories.UserFactory(email="member@vestby.kommune.no", full_name="Mons Medlem")
    factories.MembershipFactory(user=user, organisation=organisation)
    return user


@pytest.fixture
def outsider(db):
    user = factories.UserFactory(email="editor@annen.kommune.no")
    factories.MembershipFactory(
        user=user, organisation=factories.MunicipalityFactory(), role=MembershipRole.EDITOR
    )
    return user


@pytest.fixture
def moderator(db):
    user = factories.UserFactory(email="moderator@example.no")
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


@pytest.fixture
def requester(db):
    return factories.UserFactory(email="ny@example.no", full_name="Nina Ny")


@pytest.fixture
def pending(requester, organisation, editor):
    return Membership.objects.create(
        user=requester, organisation=organisation, status=MembershipStatus.PENDING
    )


def _members_url(organisation):
    return reverse("organisation-members", kwargs={"slug": organisation.slug})


def _action_url(name, membership):
    return reverse(name, kwargs={"slug": membership.organisation.slug, "pk": membership.pk})


# Asking ---------------------------------------------------------------------------------------


def test_request_notifies_editors_and_moderators(
    client, requester, organisation, editor, member, moderator, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    client.force_login(requester)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("membership-request"), {"organisation": organisation.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("profile")

    membership = Membership.objects.get(user=requester, organisation=organisation)
    assert membership.status == MembershipStatus.PENDING
    assert membership.role == MembershipRole.MEMBER
    assert not permissions.is_member(requester, organisation)

    assert len(mailoutbox) == 1
    assert sorted(mailoutbox[0].to) == sorted([editor.email, moderator.email])
    assert member.email not in mailoutbox[0].to
    assert _members_url(organisation) in mailoutbox[0].body
    assert requester.email in mailoutbox[0].body


def test_request_twice_is_refused_with_a_message(client, pending, requester, organisation):
    client.force_login(requester)
    response = client.post(reverse("membership-request"), {"organisation": organisation.pk})
    assert response.status_code == 200
    assert "organisation" in response.context["join_form"].errors
    assert Membership.objects.filter(user=requester).count() == 1
    with pytest.raises(ValidationError) as error:
        services.membership_request(actor=requester, organisation=organisation)
    assert "organisation" in error.value.message_dict


def test_request_needs_login(client, organisation):
    response = client.post(reverse("membership-request"), {"organisation": organisation.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Membership.objects.exists()


def test_unverified_user_cannot_request(organisation):
    user = factories.UserFactory(email_verified_at=None)
    with pytest.raises(PermissionDenied):
        services.membership_request(actor=user, organisation=organisation)


def test_join_list_is_filtered_by_q(client, requester, organisation):
    factories.MunicipalityFactory(name="Bergen kommune", slug="bergen")
    client.force_login(requester)
    response = client.get(reverse("profile"), {"q": "berg"})
    html = response.content.decode()
    assert "Bergen kommune" in html
    assert "Vestby kommune" not in html
    same = client.get(reverse("membership-request"), {"q": "VESTBY"}).content.decode()
    assert "Vestby kommune" in same
    assert "Bergen kommune" not in same


def test_join_list_leaves_out_organisations_one_belongs_to(client, member, organisation):
    client.force_login(member)
    html = client.get(reverse("membership-request")).content.decode()
    assert f'value="{organisation.pk}"' not in html


def test_withdraw_own_request(client, pending, requester):
    client.force_login(requester)
    response = client.post(reverse("membership-leave", kwargs={"pk": pending.pk}))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=pending.pk).exists()


def test_cannot_withdraw_someone_elses_membership(client, pending, outsider):
    client.force_login(outsider)
    response = client.post(reverse("membership-leave", kwargs={"pk": pending.pk}))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=pending.pk).exists()


# Deciding -------------------------------------------------------------------------------------


def test_editor_sees_pending_requests(client, pending, editor, organisation):
    client.force_login(editor)
    response = client.get(_members_url(organisation))
    assert response.status_code == 200
    assert response.context["pending"] == [pending]
    html = response.content.decode()
    assert _action_url("membership-approve", pending) in html
    assert _action_url("membership-decline", pending) in html


def test_editor_approves(
    client, pending, editor, requester, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_action_url("membership-approve", pending))
    assert response.status_code == 302
    assert response["Location"] == _members_url(organisation)

    pending.refresh_from_db()
    assert pending.status == MembershipStatus.ACTIVE
    assert pending.approved_by == editor
    assert pending.approved_at is not None
    assert permissions.is_member(requester, organisation)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [requester.email]
    assert reverse("profile") in mailoutbox[0].body


def test_editor_declines_with_a_reason(
    client, pending, editor, requester, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _action_url("membership-decline", pending), {"reason": "Du jobber ikke her & nå."}
        )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=pending.pk).exists()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [requester.email]
    # Plain text: not HTML-escaped.
    assert "Du jobber ikke her & nå." in mailoutbox[0].body


def test_deciding_twice_is_a_conflict(pending, editor):
    services.membership_approve(actor=editor, membership=pending)
    with pytest.raises(Conflict):
        services.membership_approve(actor=editor, membership=pending)
    with pytest.raises(Conflict):
        services.membership_decline(actor=editor, membership=pending)


@pytest.mark.parametrize("action", ["membership-approve", "membership-decline"])
def test_editor_of_another_organisation_gets_404(client, pending, outsider, action):
    client.force_login(outsider)
    assert client.get(_members_url(pending.organisation)).status_code == 404
    assert client.post(_action_url(action, pending)).status_code == 404
    pending.refresh_from_db()
    assert pending.status == MembershipStatus.PENDING


def test_plain_member_gets_404(client, pending, member):
    client.force_login(member)
    assert client.get(_members_url(pending.organisation)).status_code == 404
    assert client.post(_action_url("membership-approve", pending)).status_code == 404
    pending.refresh_from_db()
    assert pending.status == MembershipStatus.PENDING


def test_the_requester_cannot_approve_themselves(client, pending, requester):
    client.force_login(requester)
    assert client.post(_action_url("membership-approve", pending)).status_code == 404
    with pytest.raises(PermissionDenied):
        services.membership_approve(actor=requester, membership=pending)


def test_anonymous_is_sent_to_login(client, pending):
    response = client.get(_members_url(pending.organisation))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_unknown_organisation_and_membership_are_404(client, editor, organisation, outsider):
    client.force_login(editor)
    assert client.get(reverse("organisation-members", kwargs={"slug": "nope"})).status_code == 404
    # A membership of another organisation, addressed through this organisation's page.
    other = Membership.objects.get(user=outsider)
    url = reverse("membership-approve", kwargs={"slug": organisation.slug, "pk": other.pk})
    assert client.post(url).status_code == 404


def test_moderator_approves(client, pending, moderator, requester, organisation):
    client.force_login(moderator)
    assert client.get(_members_url(organisation)).status_code == 200
    assert client.post(_action_url("membership-approve", pending)).status_code == 302
    pending.refresh_from_db()
    assert pending.status == MembershipStatus.ACTIVE
    assert pending.approved_by == moderator


def test_actions_are_post_only(client, pending, editor):
    client.force_login(editor)
    assert client.get(_action_url("membership-approve", pending)).status_code == 405
    pending.refresh_from_db()
    assert pending.status == MembershipStatus.PENDING


# Roles and removal ----------------------------------------------------------------------------


def _membership(user, organisation):
    return Membership.objects.get(user=user, organisation=organisation)


def test_editor_promotes_and_demotes(client, editor, member, organisation):
    client.force_login(editor)
    membership = _membership(member, organisation)
    url = _action_url("membership-role", membership)
    assert client.post(url, {"role": "editor"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == MembershipRole.EDITOR
    assert client.post(url, {"role": "member"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == MembershipRole.MEMBER


def test_bad_role_changes_nothing(client, editor, member, organisation):
    client.force_login(editor)
    membership = _membership(member, organisation)
    client.post(_action_url("membership-role", membership), {"role": "owner"})
    membership.refresh_from_db()
    assert membership.role == MembershipRole.MEMBER


def test_last_editor_stays_unless_a_moderator_acts(client, editor, organisation, moderator):
    own = _membership(editor, organisation)
    with pytest.raises(Conflict):
        services.membership_set_role(actor=editor, membership=own, role=MembershipRole.MEMBER)
    with pytest.raises(Conflict):
        services.membership_remove(actor=editor, membership=own)
    client.force_login(editor)
    response = client.post(_action_url("membership-role", own), {"role": "member"}, follow=True)
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.role == MembershipRole.EDITOR

    services.membership_set_role(actor=moderator, membership=own, role=MembershipRole.MEMBER)
    own.refresh_from_db()
    assert own.role == MembershipRole.MEMBER


def test_roles_cache_is_forgotten(editor, member, organisation):
    membership = _membership(member, organisation)
    membership.user = member  # the caller's own copy of the user
    assert not permissions.is_editor(member, organisation)
    services.membership_set_role(actor=editor, membership=membership, role=MembershipRole.EDITOR)
    assert permissions.is_editor(member, organisation)


def test_editor_removes_a_member(client, editor, member, organisation):
    client.force_login(editor)
    membership = _membership(member, organisation)
    assert client.post(_action_url("membership-remove", membership)).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_outsider_cannot_change_roles_or_remove(client, outsider, member, organisation):
    client.force_login(outsider)
    membership = _membership(member, organisation)
    assert (
        client.post(_action_url("membership-role", membership), {"role": "editor"}).status_code
        == 404
    )
    assert client.post(_action_url("membership-remove", membership)).status_code == 404
    membership.refresh_from_db()
    assert membership.role == MembershipRole.MEMBER
    with pytest.raises(PermissionDenied):
        services.membership_set_role(actor=outsider, membership=membership, role="editor")
    with pytest.raises(PermissionDenied):
        services.membership_remove(actor=outsider, membership=membership)


def test_member_can_leave(client, member, organisation, editor):
    client.force_login(member)
    membership = _membership(member, organisation)
    assert client.post(reverse("membership-leave", kwargs={"pk": membership.pk})).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


# Profile --------------------------------------------------------------------------------------


def test_profile_shows_memberships_and_requests(client, member, organisation):
    other = factories.MunicipalityFactory(name="Ås kommune", slug="as")
    Membership.objects.create(user=member, organisation=other, status=MembershipStatus.PENDING)
    client.force_login(member)
    response = client.get(reverse("profile"))
    assert response.status_code == 200
    assert [m.organisation for m in response.context["memberships"]] == [organisation]
    assert [m.organisation for m in response.context["pending"]] == [other]
    html = response.content.decode()
    assert "Vestby kommune" in html
    assert "Ås kommune" in html
    assert member.email in html
    assert reverse("membership-leave", kwargs={"pk": _membership(member, other).pk}) in html


def test_profile_links_editors_to_the_members_page(client, editor, organisation):
    client.force_login(editor)
    html = client.get(reverse("profile")).content.decode()
    assert _members_url(organisation) in html


def test_members_page_lists_members_with_role_actions(client, editor, member, organisation):
    client.force_login(editor)
    response = client.get(_members_url(organisation))
    assert [m.user for m in response.context["active"]] == [editor, member]
    html = response.content.decode()
    assert _action_url("membership-role", _membership(member, organisation)) in html
    assert _action_url("membership-remove", _membership(member, organisation)) in html


def test_members_page_query_count_does_not_grow(
    client, editor, organisation, django_assert_max_num_queries
):
    """Intended to prevent an n+1 over members and requests. Six today: session, user,
    organisation, the editor's roles, the memberships with their users, the moderator check."""
    for _ in range(10):
        factories.MembershipFactory(organisation=organisation)
        Membership.objects.create(
            user=factories.UserFactory(), organisation=organisation, status="pending"
        )
    client.force_login(editor)
    with django_assert_max_num_queries(8):
        assert client.get(_members_url(organisation)).status_code == 200


# --- memberships the site or an operator gives ------------------------------------------------


def test_a_grant_makes_activates_and_raises_but_never_lowers(owner):
    user = factories.UserFactory()
    granted = services.membership_grant(user=user, organisation=owner, role=MembershipRole.MEMBER)
    assert (granted.role, granted.status) == (MembershipRole.MEMBER, MembershipStatus.ACTIVE)

    raised = services.membership_grant(user=user, organisation=owner, role=MembershipRole.EDITOR)
    assert raised.pk == granted.pk
    assert raised.role == MembershipRole.EDITOR

    kept = services.membership_grant(user=user, organisation=owner, role=MembershipRole.MEMBER)
    assert kept.role == MembershipRole.EDITOR

    Membership.objects.filter(pk=kept.pk).update(status=MembershipStatus.PENDING)
    active = services.membership_grant(user=user, organisation=owner, role=MembershipRole.MEMBER)
    assert active.status == MembershipStatus.ACTIVE
    assert Membership.objects.filter(user=user, organisation=owner).count() == 1
