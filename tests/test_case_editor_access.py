"""Who may see and change a case through the web pages: drafts stay within their
organisation, editors and moderators archive, editors delete drafts never published, logged-in
users report, members read the history. Writing a case is in test_case_editor_writing.py.

Personas: anonymous, outsider (member of another municipality), member and editor of the owner
municipality, moderator (in the site-wide moderators group).
"""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cases import services
from cases.models import Case, CaseEvent, CaseReport, CaseRevision
from cases.vocabularies import CaseStatus, MembershipRole, MembershipStatus
from tests import factories
from tests.case_editor_helpers import (
    edit_data,
    full_create_data,
    login_redirect,
    messages_of,
    nb,
    nb_label,
)

pytestmark = pytest.mark.django_db


# The personas (owner, member, editor, outsider, moderator) come from conftest.py.


# --- drafts do not leak -----------------------------------------------------------------------


@pytest.mark.parametrize("page", ["case-detail", "case-edit", "case-history"])
def test_outsider_gets_404_for_a_draft(client, outsider, member, owner, page):
    case = factories.CaseFactory(
        organisation=owner, created_by=member, ready=True, title="Hemmelig utkast"
    )
    client.force_login(outsider)
    response = client.get(reverse(page, kwargs={"slug": case.slug}))
    assert response.status_code == 404
    assert "Hemmelig utkast" not in response.content.decode()


@pytest.mark.parametrize("page", ["case-detail", "case-edit"])
def test_anonymous_cannot_see_a_draft(client, member, owner, page):
    case = factories.CaseFactory(organisation=owner, created_by=member, ready=True)
    response = client.get(reverse(page, kwargs={"slug": case.slug}))
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert login_redirect(response, reverse(page, kwargs={"slug": case.slug}))


def test_outsider_cannot_edit_or_submit_a_draft(client, outsider, member, owner):
    case = factories.CaseFactory(organisation=owner, created_by=member, ready=True)
    client.force_login(outsider)
    response = client.post(
        reverse("case-edit", kwargs={"slug": case.slug}), edit_data(case, title="Kapret")
    )
    assert response.status_code == 404
    assert client.post(reverse("case-submit", kwargs={"slug": case.slug})).status_code == 404
    case.refresh_from_db()
    assert case.title != "Kapret"
    assert case.status == CaseStatus.DRAFT


def test_outsider_cannot_edit_a_published_case_or_see_its_history(client, outsider, owner):
    case = factories.CaseFactory(organisation=owner, published=True, ready=True)
    client.force_login(outsider)
    assert client.get(reverse("case-detail", kwargs={"slug": case.slug})).status_code == 200
    assert client.get(reverse("case-edit", kwargs={"slug": case.slug})).status_code == 404
    assert client.get(reverse("case-history", kwargs={"slug": case.slug})).status_code == 404


def test_members_see_their_draft(client, member, editor, owner, moderator):
    case = factories.CaseFactory(
        organisation=owner, created_by=member, ready=True, title="Vårt utkast"
    )
    for user in (member, editor, moderator):
        client.force_login(user)
        response = client.get(reverse("case-detail", kwargs={"slug": case.slug}))
        assert response.status_code == 200
        assert "Vårt utkast" in response.content.decode()


def test_my_cases_lists_the_organisations_cases_in_every_state(client, member, outsider, owner):
    factories.CaseFactory(organisation=owner, created_by=member, ready=True, title="Utkastet vårt")
    factories.CaseFactory(organisation=owner, published=True, ready=True, title="Den publiserte")
    factories.CaseFactory(
        organisation=outsider.memberships.get().organisation, title="Nabokommunens sak"
    )
    client.force_login(member)
    response = client.get(reverse("my-work"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Utkastet vårt" in html
    assert "Den publiserte" in html
    assert "Nabokommunens sak" not in html
    client.force_login(outsider)
    assert "Utkastet vårt" not in client.get(reverse("my-work")).content.decode()


def test_my_cases_needs_login(client):
    url = reverse("my-work")
    assert login_redirect(client.get(url), url)


# --- archive, delete, report, history ---------------------------------------------------------


def test_archive_needs_a_reason(client, editor, owner):
    case = factories.CaseFactory(organisation=owner, published=True, ready=True)
    client.force_login(editor)
    response = client.post(reverse("case-archive", kwargs={"slug": case.slug}), {"reason": " "})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED
    assert not case.events.exists()
    assert messages_of(response) == [nb("Say why the case is archived.")]


def test_editor_archives_with_a_reason(client, editor, owner):
    case = factories.CaseFactory(organisation=owner, published=True, ready=True, title="Arkiveres")
    client.force_login(editor)
    response = client.post(
        reverse("case-archive", kwargs={"slug": case.slug}), {"reason": "Utdatert"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ARCHIVED
    event = case.events.get()
    assert event.kind == CaseEvent.Kind.ARCHIVED
    assert event.reason == "Utdatert"
    assert event.actor == editor
    client.logout()
    assert client.get(case.get_absolute_url()).status_code == 404


def test_moderator_may_archive(client, moderator, owner):
    case = factories.CaseFactory(organisation=owner, published=True, ready=True)
    client.force_login(moderator)
    client.post(reverse("case-archive", kwargs={"slug": case.slug}), {"reason": "Feil"})
    case.refresh_from_db()
    assert case.status == CaseStatus.ARCHIVED


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_only_editors_and_moderators_may_archive(client, request, owner, persona):
    case = factories.CaseFactory(organisation=owner, published=True, ready=True)
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("case-archive", kwargs={"slug": case.slug}), {"reason": "Nei"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED
    assert not case.events.exists()


def test_anonymous_cannot_archive(client, owner):
    case = factories.CaseFactory(organisation=owner, published=True, ready=True)
    url = reverse("case-archive", kwargs={"slug": case.slug})
    assert login_redirect(client.post(url, {"reason": "Nei"}), url)
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED


def test_editor_deletes_a_never_published_draft(client, editor, member, owner):
    case = factories.CaseFactory(organisation=owner, created_by=member, ready=True, title="Slettes")
    client.force_login(editor)
    response = client.post(reverse("case-delete", kwargs={"slug": case.slug}))
    assert response.status_code == 302
    assert response.url == reverse("my-work")
    assert not Case.objects.filter(pk=case.pk).exists()
    row = Case.all_objects.get(pk=case.pk)
    assert row.deleted_at is not None
    assert row.title == "Slettes"
    assert row.events.get().kind == CaseEvent.Kind.DELETED
    for page in ("case-detail", "case-edit", "case-history"):
        assert client.get(reverse(page, kwargs={"slug": case.slug})).status_code == 404
    assert "Slettes" not in client.get(reverse("my-work")).content.decode()


def test_a_member_cannot_delete_and_nobody_deletes_a_published_case(client, member, editor, owner):
    own_draft = factories.CaseFactory(organisation=owner, created_by=member, ready=True)
    client.force_login(member)
    assert client.post(reverse("case-delete", kwargs={"slug": own_draft.slug})).status_code == 404
    own_draft.refresh_from_db()
    assert own_draft.deleted_at is None

    case = factories.CaseFactory(organisation=owner, published=True, ready=True)
    client.force_login(editor)
    assert client.post(reverse("case-delete", kwargs={"slug": case.slug})).status_code == 404
    case.refresh_from_db()
    assert case.deleted_at is None


def test_a_draft_that_was_once_published_cannot_be_deleted(client, editor, owner):
    case = factories.CaseFactory(
        organisation=owner,
        created_by=editor,
        ready=True,
        status=CaseStatus.CHANGES_REQUESTED,
        published_at=timezone.now(),
    )
    client.force_login(editor)
    assert client.post(reverse("case-delete", kwargs={"slug": case.slug})).status_code == 404
    case.refresh_from_db()
    assert case.deleted_at is None


def test_a_logged_in_user_reports_a_case(client, outsider, owner):
    case = factories.CaseFactory(organisation=owner, published=True, ready=True)
    client.force_login(outsider)
    response = client.post(
        reverse("case-report", kwargs={"slug": case.slug}), {"reason": "Feil kontaktinfo"}
    )
    assert response.status_code == 302
    report = CaseReport.objects.get()
    assert report.case == case
    assert report.reporter == outsider
    assert report.reason == "Feil kontaktinfo"
    assert report.resolved_at is None
    assert not case.events.exists()  # reports are for moderators, not the case's history


def test_a_report_needs_a_reason_and_a_login(client, outsider, owner):
    case = factories.CaseFactory(organisation=owner, published=True, ready=True)
    url = reverse("case-report", kwargs={"slug": case.slug})
    assert login_redirect(client.post(url, {"reason": "Spam"}), url)
    client.force_login(outsider)
    client.post(url, {"reason": ""})
    assert not CaseReport.objects.exists()


def test_a_draft_cannot_be_reported_by_an_outsider(client, outsider, member, owner):
    case = factories.CaseFactory(organisation=owner, created_by=member, ready=True)
    client.force_login(outsider)
    response = client.post(reverse("case-report", kwargs={"slug": case.slug}), {"reason": "x"})
    assert response.status_code == 404
    assert not CaseReport.objects.exists()


def test_history_lists_every_step_for_members(client, member, owner):
    client.force_login(member)
    client.post(reverse("case-create"), full_create_data(owner))
    case = Case.objects.get()
    client.post(reverse("case-edit", kwargs={"slug": case.slug}), edit_data(case, summary="Ny"))
    client.post(reverse("case-submit", kwargs={"slug": case.slug}))

    response = client.get(reverse("case-history", kwargs={"slug": case.slug}))

    assert response.status_code == 200
    kinds = [event.kind for event in response.context["events"]]
    assert kinds == [CaseEvent.Kind.SUBMITTED, CaseEvent.Kind.EDITED, CaseEvent.Kind.CREATED]
    html = response.content.decode()
    for kind in kinds:
        assert escape(nb_label(CaseEvent.Kind(kind).label)) in html


def test_history_needs_login(client, owner):
    case = factories.CaseFactory(organisation=owner, published=True, ready=True)
    url = reverse("case-history", kwargs={"slug": case.slug})
    assert login_redirect(client.get(url), url)


def test_a_user_without_an_organisation_cannot_write_a_case(client, user):
    client.force_login(user)
    response = client.post(reverse("case-create"), {"title": "Uten organisasjon"})
    assert response.status_code == 302
    assert not Case.all_objects.exists()


def test_a_pending_membership_gives_no_access_to_drafts(client, member, owner):
    case = factories.CaseFactory(organisation=owner, created_by=member, ready=True)
    waiting = factories.UserFactory()
    factories.MembershipFactory(
        user=waiting,
        organisation=owner,
        role=MembershipRole.EDITOR,
        status=MembershipStatus.PENDING,
    )
    client.force_login(waiting)
    for page in ("case-detail", "case-edit", "case-history"):
        assert client.get(reverse(page, kwargs={"slug": case.slug})).status_code == 404
    assert client.post(reverse("case-delete", kwargs={"slug": case.slug})).status_code == 404
    case.refresh_from_db()
    assert case.deleted_at is None


def test_a_member_cannot_create_a_case_for_another_organisation(client, member, outsider):
    other = outsider.memberships.get().organisation
    client.force_login(member)
    response = client.post(reverse("case-create"), full_create_data(other))
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not Case.all_objects.exists()


def test_an_archived_case_cannot_be_edited(client, editor, owner):
    case = factories.CaseFactory(organisation=owner, published=True, ready=True, title="Arkivert")
    services.case_archive(actor=editor, case=case, reason="Avsluttet")
    client.force_login(editor)
    url = reverse("case-edit", kwargs={"slug": case.slug})
    assert client.get(url).status_code == 404
    assert client.post(url, edit_data(case, title="Nytt liv")).status_code == 404
    case.refresh_from_db()
    assert case.title == "Arkivert"
    assert not CaseRevision.objects.exists()
