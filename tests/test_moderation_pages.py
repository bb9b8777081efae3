"""The moderators' pages: the queue, reviewing submissions and edits, and the full loop."""

import datetime
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from cases import permissions, services
from cases.models import (
    MODERATORS_GROUP,
    Adoption,
    Case,
    CaseEvent,
    CaseReport,
    CaseRevision,
)
from cases.vocabularies import CaseStatus, MembershipRole
from tests import factories
from tests.conftest import person

pytestmark = pytest.mark.django_db


# The personas (owner, member, editor, outsider, moderator) come from conftest.py.


@pytest.fixture
def second_moderator(db):
    user = factories.UserFactory()
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


# --- helpers ----------------------------------------------------------------------------------


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def nb(message: str, **values) -> str:
    with translation.override("nb"):
        text = gettext(message)
    return text % values if values else text


def nb_label(label) -> str:
    with translation.override("nb"):
        return str(label)


def login_redirect(response, path: str) -> bool:
    return response.status_code == 302 and f"next={path}" in unquote(response.url)


def submitted(owner, author, **fields) -> Case:
    """A case ready for review that `author` submitted (now, unless `submitted_at` says)."""
    return factories.CaseFactory(
        organisation=owner, created_by=author, ready=True, status=CaseStatus.SUBMITTED, **fields
    )


def published(owner, **fields) -> Case:
    return factories.CaseFactory(organisation=owner, published=True, ready=True, **fields)


def edit_data(case: Case, **changes) -> dict:
    snap = services.case_snapshot(case)
    data = {
        **{
            field: snap[field]
            for field in (
                "title",
                "summary",
                "problem",
                "solution",
                "results",
                "reuse_guide",
                "contact",
                "sectors",
                "innovation_types",
                "benefits",
                "workplace_type",
                "stage",
                "partners",
                "origin",
                "source_description",
            )
        },
        "tags": ", ".join(snap["tags"]),
        "links": "\n".join(f"{link['url']} {link['title']}".strip() for link in snap["links"]),
        "source_case_reference": (
            Case.all_objects.get(pk=snap["source_case"]).slug if snap["source_case"] else ""
        ),
        "save": "1",
    }
    data.update(changes)
    return data


def review(case) -> str:
    return reverse("moderation-case", kwargs={"slug": case.slug})


def review_revision(revision) -> str:
    return reverse("moderation-revision", kwargs={"pk": revision.pk})


# --- the queue --------------------------------------------------------------------------------


def test_queue_lists_submitted_cases_oldest_first(client, moderator, member, owner):
    now = timezone.now()
    middle = submitted(
        owner, member, title="Midterste sak", submitted_at=now - datetime.timedelta(days=2)
    )
    newest = submitted(
        owner, member, title="Nyeste sak", submitted_at=now - datetime.timedelta(hours=1)
    )
    oldest = submitted(
        owner, member, title="Eldste sak", submitted_at=now - datetime.timedelta(days=9)
    )
    factories.CaseFactory(organisation=owner, created_by=member, ready=True, title="Et utkast")
    published(owner, title="En publisert sak")
    factories.CaseFactory(
        organisation=owner,
        created_by=member,
        ready=True,
        title="Sendt tilbake",
        status=CaseStatus.CHANGES_REQUESTED,
    )

    client.force_login(moderator)
    response = client.get(reverse("moderation-queue"))

    assert response.status_code == 200
    assert list(response.context["submitted"]) == [oldest, middle, newest]
    html = response.content.decode()
    assert html.index("Eldste sak") < html.index("Midterste sak") < html.index("Nyeste sak")
    for title in ("Et utkast", "En publisert sak", "Sendt tilbake"):
        assert title not in html
    assert review(oldest) in html


def test_queue_lists_pending_revisions_and_open_reports(client, moderator, member, owner):
    edited = published(owner, title="Redigert sak")
    services.case_update(actor=member, case=edited, data={"summary": "Nytt sammendrag"})
    decided = published(owner, title="Avgjort endring")
    CaseRevision.objects.create(
        case=decided, data={}, status=CaseRevision.Status.APPROVED, created_by=member
    )
    reported = published(owner, title="Rapportert sak")
    CaseReport.objects.create(case=reported, reporter=member, reason="Feil telefonnummer")
    handled = published(owner, title="Håndtert rapport")
    CaseReport.objects.create(
        case=handled, reporter=member, reason="Gammel klage", resolved_at=timezone.now()
    )

    client.force_login(moderator)
    response = client.get(reverse("moderation-queue"))

    revision = CaseRevision.objects.get(case=edited)
    assert list(response.context["revisions"]) == [revision]
    assert [r.case for r in response.context["reports"]] == [reported]
    html = response.content.decode()
    assert review_revision(revision) in html
    assert "Redigert sak" in html
    assert "Feil telefonnummer" in html
    assert "Avgjort endring" not in html
    assert "Gammel klage" not in html


def test_queue_lists_revisions_oldest_first(client, moderator, member, owner):
    now = timezone.now()
    later = CaseRevision.objects.create(
        case=published(owner, title="Senere"),
        data={},
        created_at=now,
    )
    earlier = CaseRevision.objects.create(
        case=published(owner, title="Tidligere"),
        data={},
        created_at=now - datetime.timedelta(days=1),
    )
    client.force_login(moderator)
    response = client.get(reverse("moderation-queue"))
    assert list(response.context["revisions"]) == [earlier, later]


def test_anonymous_cannot_see_the_queue(client, member, owner):
    case = submitted(owner, member, title="Ventende sak")
    for url in (reverse("moderation-queue"), review(case)):
        response = client.get(url)
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert login_redirect(response, url)
        assert "Ventende sak" not in response.content.decode()


@pytest.mark.parametrize("persona", ["member", "editor", "outsider"])
def test_non_moderators_get_404(client, request, owner, persona):
    user = request.getfixturevalue(persona)
    author = person(owner, MembershipRole.MEMBER)
    case = submitted(owner, author)
    revision = CaseRevision.objects.create(
        case=published(owner),
        data={},
        created_by=author,
    )
    report = CaseReport.objects.create(case=revision.case, reporter=author, reason="x")
    client.force_login(user)
    assert client.get(reverse("moderation-queue")).status_code == 404
    assert client.get(review(case)).status_code == 404
    assert client.get(review_revision(revision)).status_code == 404
    assert factories.approve_on_page(client, review(case)).status_code == 404
    assert factories.approve_on_page(client, review_revision(revision)).status_code == 404
    resolve = reverse("moderation-report-resolve", kwargs={"pk": report.pk})
    assert client.post(resolve).status_code == 404
    case.refresh_from_db()
    revision.refresh_from_db()
    report.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert revision.status == CaseRevision.Status.PENDING
    assert report.resolved_at is None


def test_a_superuser_is_a_moderator(client, member, owner):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    submitted(owner, member)
    client.force_login(admin)
    assert client.get(reverse("moderation-queue")).status_code == 200


def test_moderator_resolves_a_report(client, moderator, member, owner):
    report = CaseReport.objects.create(
        case=published(owner),
        reporter=member,
        reason="Spam",
    )
    client.force_login(moderator)
    url = reverse("moderation-report-resolve", kwargs={"pk": report.pk})
    client.post(url, {"resolution": "Rettet"})
    report.refresh_from_db()
    assert report.resolved_by == moderator
    assert report.resolution == "Rettet"
    response = client.post(url, {"resolution": "Igjen"})
    assert response.status_code == 302
    assert messages_of(response)[-1] == nb("This report has already been handled.")
    report.refresh_from_db()
    assert report.resolution == "Rettet"


# --- reviewing a submitted case ---------------------------------------------------------------


def test_review_page_shows_the_case(client, moderator, member, owner):
    case = submitted(owner, member, title="Til vurdering", solution="**Løsningen**")
    client.force_login(moderator)
    response = client.get(review(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Til vurdering" in html
    assert "<strong>Løsningen</strong>" in html


def test_approve_publishes(client, moderator, member, owner):
    case = submitted(owner, member, title="Godkjennes")
    client.force_login(moderator)
    response = factories.approve_on_page(client, review(case))

    assert response.status_code == 302
    assert response.url == reverse("moderation-queue")
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED
    assert case.published_at is not None
    event = case.events.get()
    assert event.kind == CaseEvent.Kind.APPROVED
    assert event.actor == moderator
    assert (event.from_status, event.to_status) == (CaseStatus.SUBMITTED, CaseStatus.PUBLISHED)
    assert event.snapshot["title"] == "Godkjennes"
    assert messages_of(response) == [nb("“%s” is published.") % "Godkjennes"]

    client.logout()
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    assert "Godkjennes" in response.content.decode()


def test_approving_a_case_adapted_from_a_platform_case_records_the_adoption(
    client, moderator, member, owner, county
):
    source_owner = factories.MunicipalityFactory(parent=county)
    source = published(source_owner)
    case = submitted(owner, member, origin="copied", source_case=source)
    client.force_login(moderator)
    factories.approve_on_page(client, review(case))
    adoption = Adoption.objects.get()
    assert adoption.case == source
    assert adoption.organisation == owner
    assert adoption.derived_case == case
    assert adoption.mode == "copied"
    assert adoption.channel == "platform"


def test_request_changes_without_a_reason_changes_nothing(client, moderator, member, owner):
    case = submitted(owner, member)
    client.force_login(moderator)
    response = client.post(review(case), {"action": "request-changes", "reason": "   "})

    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    page = response.content.decode()
    assert escape(nb("Give a reason.")) in page
    # Said at the top of the long page, where focus lands, with a link to the field.
    summary = page.index('class="ds-error-summary"')
    assert summary < page.index(escape(nb("What will be published")))
    assert 'href="#id_reason"' in page[summary:]
    assert "autofocus" in page[summary : summary + 200]
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert not case.events.exists()


def test_request_changes_with_a_reason(client, moderator, member, owner):
    case = submitted(owner, member)
    client.force_login(moderator)
    response = client.post(
        review(case), {"action": "request-changes", "reason": "Legg til resultater."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CHANGES_REQUESTED
    assert case.published_at is None
    event = case.events.get()
    assert event.kind == CaseEvent.Kind.CHANGES_REQUESTED
    assert event.reason == "Legg til resultater."
    assert event.actor == moderator

    client.force_login(member)
    html = client.get(case.get_absolute_url()).content.decode()
    assert "Legg til resultater." in html


def test_an_unknown_action_changes_nothing(client, moderator, member, owner):
    case = submitted(owner, member)
    client.force_login(moderator)
    response = client.post(review(case), {"action": "publish-everything"})
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_approving_a_draft_is_refused_with_a_message(client, moderator, member, owner):
    case = factories.CaseFactory(organisation=owner, created_by=member, ready=True)
    client.force_login(moderator)
    response = factories.approve_on_page(client, review(case))
    assert response.status_code == 302
    assert messages_of(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT


def test_a_stale_second_approve_gives_a_message(client, moderator, second_moderator, member, owner):
    case = submitted(owner, member)
    client.force_login(moderator)
    factories.approve_on_page(client, review(case))
    client = Client()  # another moderator, in another browser
    client.force_login(second_moderator)
    response = factories.approve_on_page(client, review(case))

    assert response.status_code == 302
    with translation.override("nb"):
        expected = gettext("This case is no longer waiting for approval (it is %s).") % nb_label(
            CaseStatus.PUBLISHED.label
        )
    assert messages_of(response) == [expected]
    assert case.events.filter(kind=CaseEvent.Kind.APPROVED).count() == 1
    assert case.events.get().actor == moderator


def test_a_stale_request_changes_after_approval_changes_nothing(
    client, moderator, second_moderator, member, owner
):
    case = submitted(owner, member)
    client.force_login(moderator)
    factories.approve_on_page(client, review(case))
    client = Client()  # another moderator, in another browser
    client.force_login(second_moderator)
    response = client.post(review(case), {"action": "request-changes", "reason": "For sent"})
    assert response.status_code == 302
    assert messages_of(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED


# --- the full loop ----------------------------------------------------------------------------


def test_full_loop_draft_submitted_changes_requested_submitted_published(
    client, moderator, member, owner
):
    client.force_login(member)
    client.post(
        reverse("case-create"),
        {
            "organisation": owner.pk,
            "title": "Flippet klasserom",
            "summary": "Elevene ser forelesningen hjemme.",
            "problem": "Lite tid til veiledning.",
            "solution": "Video hjemme, oppgaver på skolen.",
            "sectors": ["education"],
            "innovation_types": ["process"],
            "stage": "pilot",
            "origin": "unknown",
            "save": "1",
        },
    )
    case = Case.objects.get()
    assert case.status == CaseStatus.DRAFT
    client.post(reverse("case-submit", kwargs={"slug": case.slug}))
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED

    client.force_login(moderator)
    client.post(review(case), {"action": "request-changes", "reason": "Beskriv resultatene."})
    case.refresh_from_db()
    assert case.status == CaseStatus.CHANGES_REQUESTED

    client.force_login(member)
    response = client.post(
        reverse("case-edit", kwargs={"slug": case.slug}),
        edit_data(case, results="Bedre karakterer.", submit="1"),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.results == "Bedre karakterer."

    client.force_login(moderator)
    factories.approve_on_page(client, review(case))
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED

    client.force_login(member)
    response = client.get(reverse("case-history", kwargs={"slug": case.slug}))
    events = list(response.context["events"])
    assert [(e.kind, e.from_status, e.to_status) for e in reversed(events)] == [
        (CaseEvent.Kind.CREATED, "", CaseStatus.DRAFT),
        (CaseEvent.Kind.SUBMITTED, CaseStatus.DRAFT, CaseStatus.SUBMITTED),
        (CaseEvent.Kind.CHANGES_REQUESTED, CaseStatus.SUBMITTED, CaseStatus.CHANGES_REQUESTED),
        (CaseEvent.Kind.EDITED, CaseStatus.CHANGES_REQUESTED, CaseStatus.CHANGES_REQUESTED),
        (CaseEvent.Kind.SUBMITTED, CaseStatus.CHANGES_REQUESTED, CaseStatus.SUBMITTED),
        (CaseEvent.Kind.APPROVED, CaseStatus.SUBMITTED, CaseStatus.PUBLISHED),
    ]
    assert [e.actor for e in reversed(events)] == [
        member,
        member,
        moderator,
        member,
        member,
        moderator,
    ]
    html = response.content.decode()
    assert "Beskriv resultatene." in html
    for kind in {e.kind for e in events}:
        assert escape(nb_label(CaseEvent.Kind(kind).label)) in html


# --- reviewing an edit of a published case ----------------------------------------------------


@pytest.fixture
def live(owner):
    case = published(
        owner,
        title="Publisert tittel",
        summary="Publisert sammendrag",
        solution="Publisert løsning",
    )
    return case


def test_approving_a_revision_copies_exactly_its_data(client, moderator, member, owner, live):
    client.force_login(member)
    client.post(
        reverse("case-edit", kwargs={"slug": live.slug}),
        edit_data(
            live,
            title="Ny tittel",
            summary="Nytt sammendrag",
            sectors=["education", "culture"],
            innovation_types=["product"],
            benefits=["staff"],
            tags="Skole, kultur",
        ),
    )
    revision = CaseRevision.objects.get()
    proposed = dict(revision.data)

    client.force_login(moderator)
    response = factories.approve_on_page(client, review_revision(revision))

    assert response.status_code == 302
    live.refresh_from_db()
    assert live.title == "Ny tittel"
    assert live.summary == "Nytt sammendrag"
    assert live.solution == "Publisert løsning"
    assert live.sectors == ["culture", "education"]
    assert live.innovation_types == ["product"]
    assert live.benefits == ["staff"]
    assert live.tags == ["kultur", "skole"]
    assert services.case_snapshot(live) == proposed
    assert live.status == CaseStatus.PUBLISHED
    revision.refresh_from_db()
    assert revision.status == CaseRevision.Status.APPROVED
    assert revision.reviewed_by == moderator
    event = live.events.get(kind=CaseEvent.Kind.REVISION_APPROVED)
    assert event.actor == moderator
    assert event.changes["title"] == ["Publisert tittel", "Ny tittel"]

    client.logout()
    html = client.get(live.get_absolute_url()).content.decode()
    assert "Ny tittel" in html
    assert "Publisert tittel" not in html


def test_approval_copies_the_reviewed_revision_not_a_later_draft(
    client, moderator, member, owner, live
):
    """What the moderator saw is what gets published: the revision row, nothing else."""
    services.case_update(actor=member, case=live, data={"title": "Vurdert tittel"})
    revision = CaseRevision.objects.get()
    client.force_login(moderator)
    page = client.get(review_revision(revision))
    assert "<ins>Vurdert</ins> tittel" in page.content.decode()
    factories.approve_on_page(client, review_revision(revision))
    live.refresh_from_db()
    assert live.title == "Vurdert tittel"
    assert live.summary == "Publisert sammendrag"


def test_rejecting_a_revision_leaves_the_published_text(client, moderator, member, owner, live):
    services.case_update(
        actor=member, case=live, data={"title": "Avvist tittel", "sectors": ["culture"]}
    )
    revision = CaseRevision.objects.get()
    before = services.case_snapshot(live)
    client.force_login(moderator)

    response = client.post(review_revision(revision), {"action": "reject", "reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    page = response.content.decode()
    assert page.index('class="ds-error-summary"') < page.index(escape(nb("What will be published")))
    revision.refresh_from_db()
    assert revision.status == CaseRevision.Status.PENDING

    response = client.post(
        review_revision(revision), {"action": "reject", "reason": "Tittelen er misvisende."}
    )
    assert response.status_code == 302
    revision.refresh_from_db()
    assert revision.status == CaseRevision.Status.REJECTED
    assert revision.reason == "Tittelen er misvisende."
    live.refresh_from_db()
    assert live.title == "Publisert tittel"
    assert services.case_snapshot(live) == before
    event = live.events.get(kind=CaseEvent.Kind.REVISION_REJECTED)
    assert event.reason == "Tittelen er misvisende."
    assert event.actor == moderator
    client.logout()
    assert "Avvist tittel" not in client.get(live.get_absolute_url()).content.decode()


def test_a_stale_second_approve_of_a_revision_is_not_an_error(
    client, moderator, second_moderator, member, owner, live
):
    services.case_update(actor=member, case=live, data={"title": "Første godkjente"})
    revision = CaseRevision.objects.get()
    client.force_login(moderator)
    factories.approve_on_page(client, review_revision(revision))
    client = Client()  # another moderator, in another browser
    client.force_login(second_moderator)
    response = factories.approve_on_page(client, review_revision(revision))
    assert response.status_code < 500
    assert live.events.filter(kind=CaseEvent.Kind.REVISION_APPROVED).count() == 1
    revision.refresh_from_db()
    assert revision.reviewed_by == moderator


def test_a_stale_second_approve_of_a_revision_gives_a_message(
    client, moderator, second_moderator, member, owner, live
):
    services.case_update(actor=member, case=live, data={"title": "Første godkjente"})
    revision = CaseRevision.objects.get()
    client.force_login(moderator)
    factories.approve_on_page(client, review_revision(revision))
    client = Client()  # another moderator, in another browser
    client.force_login(second_moderator)
    response = factories.approve_on_page(client, review_revision(revision))
    assert nb("This edit is no longer waiting for approval.") in messages_of(response)


def test_a_revision_of_an_archived_case_cannot_be_approved(client, moderator, editor, owner, live):
    services.case_update(actor=editor, case=live, data={"title": "Ny"})
    revision = CaseRevision.objects.get()
    services.case_archive(actor=editor, case=live, reason="Avsluttet")
    client.force_login(moderator)
    response = factories.approve_on_page(client, review_revision(revision))
    assert response.status_code < 500
    live.refresh_from_db()
    assert live.status == CaseStatus.ARCHIVED
    assert live.title == "Publisert tittel"


def test_revision_page_shows_a_word_diff(client, moderator, member, owner, live):
    services.case_update(
        actor=member,
        case=live,
        data={"summary": "Publisert og forbedret sammendrag", "tags": ["ny-tagg"]},
    )
    revision = CaseRevision.objects.get()
    client.force_login(moderator)
    response = client.get(review_revision(revision))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<del>sammendrag</del>" not in html  # unchanged words are not marked
    assert "<ins>og forbedret </ins>" in html or "<ins>og</ins>" in html
    assert "<ins>ny-tagg</ins>" in html
    fields = {change.field for change in response.context["changes"]}
    assert fields == {"summary", "tags"}


def test_revision_page_marks_removed_and_added_words(client, moderator, member, owner, live):
    services.case_update(actor=member, case=live, data={"title": "Endret tittel"})
    revision = CaseRevision.objects.get()
    client.force_login(moderator)
    html = client.get(review_revision(revision)).content.decode()
    assert "<del>Publisert</del><ins>Endret</ins> tittel" in html


def test_revision_page_escapes_html_in_the_text(client, moderator, member, owner, live):
    services.case_update(
        actor=member,
        case=live,
        data={
            "title": "<script>alert('tittel')</script>",
            "solution": '<img src=x onerror="alert(1)"> ny løsning',
        },
    )
    revision = CaseRevision.objects.get()
    client.force_login(moderator)
    response = client.get(review_revision(revision))
    html = response.content.decode()
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(" in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=" in html


def test_review_page_of_a_submitted_case_escapes_html(client, moderator, member, owner):
    case = submitted(
        owner, member, title="<script>alert(1)</script>", solution="<script>alert(2)</script>"
    )
    client.force_login(moderator)
    html = client.get(review(case)).content.decode()
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(1)" in html


# --- the header's moderation link -------------------------------------------------------------


def test_header_links_the_queue_for_moderators_only(client, moderator, member):
    queue = reverse("moderation-queue")
    client.force_login(moderator)
    assert f'href="{queue}"' in client.get(reverse("home")).content.decode()
    client.force_login(member)
    assert f'href="{queue}"' not in client.get(reverse("home")).content.decode()


def test_the_moderator_flag_is_read_once_per_request(moderator, django_assert_num_queries):
    user = type(moderator).objects.get(pk=moderator.pk)
    with django_assert_num_queries(1):
        assert permissions.is_moderator(user)
        assert permissions.is_moderator(user)
