"""The history and the moderator's review in people's words: fields by their labels (bokmål and
English), what changed as a word diff or as added and removed entries, everything a review
publishes with its changes marked, the review's two decisions, and the designed 404 page also
with DEBUG on."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from cases import services
from cases.content import field_label
from cases.models import Attachment, CaseEvent, CaseRevision
from cases.vocabularies import CaseStatus, Sector
from tests import factories

pytestmark = pytest.mark.django_db


def nb(message: str) -> str:
    with translation.override("nb"):
        return gettext(message)


def label(field: str, language: str = "nb") -> str:
    with translation.override(language):
        return field_label(field)


def history(client, case, language: str = "nb") -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("case-history", kwargs={"slug": case.slug}))
    assert response.status_code == 200
    return response.content.decode()


def image(case, *, title: str, alt_text: str, pending: bool = False) -> Attachment:
    return Attachment.objects.create(
        case=case,
        kind="image",
        file=f"attachments/{case.pk}/{title}.png",
        title=title,
        alt_text=alt_text,
        original_name=f"{title}.png",
        content_type="image/png",
        size=120,
        pending=pending,
    )


@pytest.fixture
def draft(owner, member):
    return factories.CaseFactory(
        organisation=owner,
        created_by=member,
        status=CaseStatus.DRAFT,
        summary="En bil med røntgen kjører til sykehjemmet.",
        reuse_guide="Kostnad: en bil.",
    )


# --- history ----------------------------------------------------------------------------------


def test_history_names_the_changed_fields_by_their_labels(client, member, draft):
    services.case_update(
        actor=member,
        case=draft,
        data={
            "summary": "En bil med røntgen kjører hver dag til sykehjemmet.",
            "reuse_guide": "Kostnad: en bil og to ansatte.",
            "workplace_type": "nursing-home",
        },
    )
    client.force_login(member)

    html = history(client, draft)
    wanted = ", ".join(label(f) for f in ("summary", "reuse_guide", "workplace_type"))
    assert f"{nb('Edited')}: {escape(wanted)}" in html
    assert "reuse_guide" not in html
    assert "workplace_type" not in html

    english = history(client, draft, "en")
    assert f"Edited: {escape(', '.join(label(f, 'en') for f in ('summary', 'reuse_guide')))}" in (
        english
    )
    assert label("reuse_guide") != label("reuse_guide", "en")


def test_history_shows_what_changed_in_a_text_word_by_word(client, member, draft):
    services.case_update(
        actor=member,
        case=draft,
        data={"summary": "En bil med røntgen kjører hver dag til sykehjemmet."},
    )
    client.force_login(member)
    html = history(client, draft)
    assert "<ins>hver dag </ins>" in html or "<ins>hver</ins>" in html
    assert "<del>" not in html  # nothing was removed


def test_history_shows_added_and_removed_entries_by_name(client, member, draft):
    factories.add_terms(draft, "sector", [Sector.EDUCATION])
    services.case_update(
        actor=member,
        case=draft,
        data={"sectors": [Sector.HEALTH_CARE], "tags": ["velferdsteknologi"]},
    )
    client.force_login(member)
    html = history(client, draft)
    with translation.override("nb"):
        added, removed = str(Sector.HEALTH_CARE.label), str(Sector.EDUCATION.label)
    assert re.search(rf"{nb('New')}</span> <ins>{re.escape(escape(added))}</ins>", html)
    assert re.search(rf"{nb('Removed')}</span> <del>{re.escape(escape(removed))}</del>", html)
    assert "<ins>velferdsteknologi</ins>" in html
    assert Sector.HEALTH_CARE.value not in html.split("<main", 1)[1]


def test_old_entries_that_kept_only_the_field_names_still_read(client, member, draft):
    CaseEvent.objects.create(
        case=draft, kind=CaseEvent.Kind.EDITED, actor=member, changes=["summary", "reuse_guide"]
    )
    CaseEvent.objects.create(
        case=draft, kind=CaseEvent.Kind.EDITED, actor=member, changes={"tags": None}
    )
    client.force_login(member)
    html = history(client, draft)
    assert f"{nb('Edited')}: {escape(label('summary'))}, {escape(label('reuse_guide'))}" in html
    assert f"{nb('Edited')}: {escape(label('tags'))}" in html


def test_history_reads_names_in_the_same_number_of_queries_however_many_entries(
    client, member, draft, owner
):
    partners = [factories.MunicipalityFactory() for _ in range(4)]
    client.force_login(member)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            history(client, draft)
        return len(captured)

    services.case_update(actor=member, case=draft, data={"partners": [partners[0].pk]})
    one = queries()
    for partner in partners[1:]:
        services.case_update(actor=member, case=draft, data={"partners": [partner.pk]})
        image(draft, title=f"bilde-{partner.pk}", alt_text="Et bilde")
        services.case_update(
            actor=member,
            case=draft,
            data={"attachments": sorted(draft.attachments.values_list("pk", flat=True))},
        )
    assert queries() == one
    assert partners[3].name in history(client, draft)


# --- the review of a new case -----------------------------------------------------------------


def test_review_of_a_new_case_shows_everything_that_will_be_published(
    client, moderator, owner, member
):
    partner = factories.MunicipalityFactory(name="Partnerkommunen")
    case = factories.CaseFactory(
        organisation=owner,
        created_by=member,
        ready=True,
        status=CaseStatus.SUBMITTED,
        contact="Kari Nordmann, kari@example.no",
        reuse_guide="Kostnad: 200 000 kroner.",
        links=[{"url": "https://example.no/rapport", "title": "Rapporten"}],
    )
    factories.add_terms(case, "tag", ["røntgen"])
    case.partners.add(partner)
    picture = image(case, title="Bilen", alt_text="En hvit bil med røntgenutstyr")
    client.force_login(moderator)

    response = client.get(reverse("moderation-case", kwargs={"slug": case.slug}))
    html = response.content.decode()
    shown = {view.field for view in response.context["fields"]}
    assert shown == set(services.case_snapshot(case))
    for field in shown:
        assert f'<dt class="field-label" id="field-{field}">{escape(label(field))}' in html
    for text in (
        "Kari Nordmann",
        "Kostnad: 200 000 kroner.",
        "Rapporten",
        "https://example.no/rapport",
        "røntgen",
        "Partnerkommunen",
        f'src="{picture.get_absolute_url()}" alt="En hvit bil med røntgenutstyr"',
        owner.name,
    ):
        assert text in html
    assert not any(view.changed for view in response.context["fields"])


# --- the review of an edit --------------------------------------------------------------------


@pytest.fixture
def live(owner):
    case = factories.CaseFactory(
        organisation=owner, published=True, ready=True, summary="Publisert sammendrag"
    )
    factories.add_terms(case, "tag", ["gammel"])
    return case


def test_review_of_an_edit_shows_everything_and_marks_the_changes(client, moderator, member, live):
    new_picture = image(live, title="Nytt bilde", alt_text="Et nytt bilde", pending=True)
    services.case_update(
        actor=member,
        case=live,
        data={
            "summary": "Publisert og bedre sammendrag",
            "tags": ["ny"],
            "attachments": [new_picture.pk],
        },
    )
    revision = CaseRevision.objects.get()
    client.force_login(moderator)

    response = client.get(reverse("moderation-revision", kwargs={"pk": revision.pk}))
    html = response.content.decode()
    views = {view.field: view for view in response.context["fields"]}
    assert set(views) == set(services.case_snapshot(live))
    assert {f for f, view in views.items() if view.changed} == {"summary", "tags", "attachments"}
    assert html.count(f">{nb('Changed')}</span>") == 3
    assert "<ins>og bedre </ins>" in html or "<ins>og</ins>" in html
    assert f"{nb('New')}</span> <ins>ny</ins>" in html
    assert f"{nb('Removed')}</span> <del>gammel</del>" in html
    assert 'alt="Et nytt bilde"' in html
    assert escape(live.title) in html  # unchanged fields are shown too


# --- the decisions ----------------------------------------------------------------------------


def test_the_approval_form_has_no_reason_field(client, moderator, owner, member):
    case = factories.CaseFactory(
        organisation=owner, created_by=member, ready=True, status=CaseStatus.SUBMITTED
    )
    client.force_login(moderator)
    html = client.get(reverse("moderation-case", kwargs={"slug": case.slug})).content.decode()
    approve = re.search(r'<form method="post" class="review-approve">.*?</form>', html, re.S)
    send_back = re.search(r'<form method="post" class="review-send-back".*?</form>', html, re.S)
    assert approve
    assert send_back
    assert 'name="reason"' not in approve.group(0)
    assert 'name="reason"' in send_back.group(0)


def test_approve_without_a_reason_publishes(client, moderator, owner, member):
    case = factories.CaseFactory(
        organisation=owner, created_by=member, ready=True, status=CaseStatus.SUBMITTED
    )
    client.force_login(moderator)
    factories.approve_on_page(client, reverse("moderation-case", kwargs={"slug": case.slug}))
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED


@pytest.mark.parametrize("reason", ["", "   "])
def test_send_back_needs_a_reason_and_changes_nothing_without_one(
    client, moderator, owner, member, reason
):
    case = factories.CaseFactory(
        organisation=owner, created_by=member, ready=True, status=CaseStatus.SUBMITTED
    )
    events = case.events.count()
    client.force_login(moderator)
    response = client.post(
        reverse("moderation-case", kwargs={"slug": case.slug}),
        {"action": "request-changes", "reason": reason},
    )
    assert response.status_code == 200
    assert nb("Give a reason.") in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.events.count() == events


def test_a_case_submitted_again_is_reviewed_with_the_changes_since_it_was_sent_back(
    client, moderator, owner, member
):
    case = factories.CaseFactory(
        organisation=owner,
        created_by=member,
        ready=True,
        status=CaseStatus.DRAFT,
        reuse_guide="Kostnad: en bil.",
    )
    services.case_submit(actor=member, case=case)
    services.case_request_changes(actor=moderator, case=case, reason="Hva koster bilen i året?")
    data = services.case_snapshot(case)
    services.case_update(
        actor=member,
        case=case,
        data={**data, "reuse_guide": "Kostnad: en bil, om lag 400 000 kroner i året."},
    )
    services.case_submit(actor=member, case=case)
    client.force_login(moderator)

    response = client.get(reverse("moderation-case", kwargs={"slug": case.slug}))
    html = response.content.decode()
    assert [view.field for view in response.context["changes"]] == ["reuse_guide"]
    assert "«Hva koster bilen i året?»" in html
    assert "<ins" in html
    assert "400 000 kroner" in html
    # Everything else is shown too, unmarked.
    assert {view.field for view in response.context["fields"]} == set(data)


def test_a_case_submitted_for_the_first_time_marks_nothing(client, moderator, owner, member):
    case = factories.CaseFactory(
        organisation=owner, created_by=member, ready=True, status=CaseStatus.DRAFT
    )
    services.case_submit(actor=member, case=case)
    client.force_login(moderator)
    response = client.get(reverse("moderation-case", kwargs={"slug": case.slug}))
    assert response.context["sent_back"] is None
    assert response.context["changes"] == []


# --- 404 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("debug", [True, False])
def test_the_designed_404_page_whatever_debug_says(client, settings, debug, owner):
    settings.DEBUG = debug
    designed = escape(nb("We could not find that page"))
    # No address matches; a view raises Http404.
    for path in ("/finnes-ikke/", "/saker/finnes-ikke/"):
        response = client.get(path)
        assert response.status_code == 404
        html = response.content.decode()
        assert designed in html, path
        assert "technical_404" not in html
        assert "DEBUG = True" not in html


def test_the_api_answers_problem_details_for_a_missing_address_with_debug(client, settings):
    settings.DEBUG = True
    response = client.get("/api/v1/finnes-ikke/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
