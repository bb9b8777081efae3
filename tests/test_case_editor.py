"""The case editor and the author's side of the workflow, through the web pages.

Personas: anonymous, outsider (member of another municipality), member and editor of the owner
municipality, moderator (in the site-wide moderators group).
"""

from urllib.parse import unquote

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from cases import services
from cases.models import (
    Case,
    CaseEvent,
    CaseReport,
    CaseRevision,
    Organisation,
)
from cases.vocabularies import CaseStatus, MembershipRole, MembershipStatus, OrganisationKind
from tests import factories

pytestmark = pytest.mark.django_db


# The personas (owner, member, editor, outsider, moderator) come from conftest.py.


# --- helpers ----------------------------------------------------------------------------------


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def nb(message: str) -> str:
    """A source string as the (Norwegian bokmål) pages show it."""
    with translation.override("nb"):
        return gettext(message)


def nb_label(label) -> str:
    """A lazy label (a vocabulary's or a model choice's) as the pages show it."""
    with translation.override("nb"):
        return str(label)


def edit_data(case: Case, **changes) -> dict:
    """What the edit form posts when the author changes nothing but `changes`."""
    snap = services.case_snapshot(case)
    source_slug = ""
    if snap["source_case"]:
        source_slug = Case.all_objects.get(pk=snap["source_case"]).slug
    data = {
        **{
            field: snap[field]
            for field in ("title", "summary", "problem", "solution", "results", "reuse_guide")
        },
        "contact": snap["contact"],
        "sectors": snap["sectors"],
        "innovation_types": snap["innovation_types"],
        "benefits": snap["benefits"],
        "workplace_type": snap["workplace_type"],
        "stage": snap["stage"],
        "tags": ", ".join(snap["tags"]),
        "links": "\n".join(f"{link['url']} {link['title']}".strip() for link in snap["links"]),
        "partners": snap["partners"],
        "origin": snap["origin"],
        "source_case_reference": source_slug,
        "source_description": snap["source_description"],
        "save": "1",
    }
    data.update(changes)
    return data


def full_create_data(owner, **changes) -> dict:
    data = {
        "organisation": owner.pk,
        "title": "Mobil røntgen på sykehjem",
        "summary": "Røntgenbilen kjører fra sykehjem til sykehjem.",
        "problem": "Skrøpelige beboere måtte til sykehuset for et bilde.",
        "solution": "En **bil** med røntgenutstyr.",
        "results": "Færre sykehusturer.",
        "reuse_guide": "Krever avtale med helseforetaket.",
        "contact": "Kari Nordmann, kari@example.no",
        "sectors": ["health-care", "welfare"],
        "innovation_types": ["service", "process"],
        "workplace_type": "nursing-home",
        "stage": "in-use",
        "benefits": ["quality", "efficiency"],
        "tags": "Røntgen, sykehjem ,røntgen, , Mobil tjeneste",
        "links": "https://example.no/rontgen Om prosjektet\n\nhttp://example.no/rapport\n",
        "origin": "unknown",
        "source_case_reference": "",
        "source_description": "",
        "save": "1",
    }
    data.update(changes)
    return data


def login_redirect(response, path: str) -> bool:
    return response.status_code == 302 and f"next={path}" in unquote(response.url)


# --- creating ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_from_the_editor(client):
    url = reverse("case-create")
    assert login_redirect(client.get(url), url)
    response = client.post(url, {"title": "Noe", "origin": "unknown"})
    assert login_redirect(response, url)
    assert Case.all_objects.count() == 0


def test_editor_page_renders_for_a_member(client, member, owner):
    client.force_login(member)
    response = client.get(reverse("case-create"))
    assert response.status_code == 200
    assert response.context["form"].fields["organisation"].initial == owner


def test_create_a_draft_with_every_field(client, member, owner, county):
    source = factories.CaseFactory(
        organisation=factories.MunicipalityFactory(parent=county),
        published=True,
        ready=True,
        title="Røntgen i Oslo",
    )
    partner = factories.MunicipalityFactory(parent=county)
    research = Organisation.objects.create(
        kind=OrganisationKind.RESEARCH, name="Forskningsinstituttet", slug="forskning"
    )
    client.force_login(member)
    data = full_create_data(
        owner,
        partners=[partner.pk, research.pk],
        origin="adapted",
        source_case_reference=source.slug,
    )

    response = client.post(reverse("case-create"), data)

    case = Case.objects.get(title="Mobil røntgen på sykehjem")
    assert response.status_code == 302
    assert response.url == reverse("case-edit", kwargs={"slug": case.slug})
    assert case.status == CaseStatus.DRAFT
    assert case.organisation == owner
    assert case.created_by == member
    assert case.summary == data["summary"]
    assert case.problem == data["problem"]
    assert case.solution == data["solution"]
    assert case.results == data["results"]
    assert case.reuse_guide == data["reuse_guide"]
    assert case.contact == data["contact"]
    assert case.sectors == ["health-care", "welfare"]
    assert case.innovation_types == ["process", "service"]
    assert case.benefits == ["efficiency", "quality"]
    assert case.tags == ["mobil tjeneste", "røntgen", "sykehjem"]
    assert case.workplace_type == "nursing-home"
    assert case.stage == "in-use"
    assert case.links == [
        {"url": "https://example.no/rontgen", "title": "Om prosjektet"},
        {"url": "http://example.no/rapport", "title": ""},
    ]
    assert set(case.partners.values_list("pk", flat=True)) == {partner.pk, research.pk}
    assert case.origin == "adapted"
    assert case.source_case == source
    assert case.published_at is None
    created = case.events.get()
    assert created.kind == CaseEvent.Kind.CREATED
    assert created.actor == member
    assert created.to_status == CaseStatus.DRAFT
    assert messages_of(response) == [nb("Saved as a draft. Only your organisation can see it.")]


@pytest.mark.parametrize("form", ["url", "path", "url-without-slash"])
def test_source_case_can_be_given_as_its_page_address(client, member, owner, county, form):
    source = factories.CaseFactory(
        organisation=factories.MunicipalityFactory(parent=county),
        published=True,
        ready=True,
        title="Vandreboka",
    )
    page = source.get_absolute_url()
    reference = {
        "url": f"http://testserver{page}",
        "path": page,
        "url-without-slash": f"https://innovasjon.example.no{page}".rstrip("/"),
    }[form]
    client.force_login(member)
    response = client.post(
        reverse("case-create"),
        full_create_data(owner, origin="copied", source_case_reference=reference),
    )
    assert response.status_code == 302
    assert Case.objects.get(title="Mobil røntgen på sykehjem").source_case == source


def test_source_case_with_a_numeric_slug_is_found_by_its_address(client, member, owner, county):
    other = factories.MunicipalityFactory(parent=county)
    source = factories.CaseFactory(
        organisation=other, published=True, ready=True, title="2030", slug="2030"
    )
    assert source.pk != 2030
    client.force_login(member)
    response = client.post(
        reverse("case-create"),
        full_create_data(
            owner,
            origin="copied",
            source_case_reference=f"http://testserver{source.get_absolute_url()}",
        ),
    )
    assert response.status_code == 302
    assert Case.objects.get(title="Mobil røntgen på sykehjem").source_case == source


def test_preview_renders_sanitised_markdown_and_saves_nothing(client, member, owner):
    client.force_login(member)
    data = full_create_data(
        owner,
        solution="## Slik\n\n**fet** tekst <script>alert('x')</script> [lenke](javascript:alert(1))",
        preview="1",
    )
    del data["save"]

    response = client.post(reverse("case-create"), data)

    assert response.status_code == 200
    html = response.content.decode()
    preview = response.context["preview"]
    assert "<strong>fet</strong>" in str(preview["solution"])
    assert "<h4>Slik</h4>" in str(preview["solution"])
    assert "<script" not in str(preview["solution"])
    assert "javascript:" not in str(preview["solution"])
    assert "<strong>fet</strong>" in html
    assert "<script>alert(" not in html
    assert 'href="javascript:' not in html
    assert Case.all_objects.count() == 0
    assert CaseEvent.objects.count() == 0


def test_preview_of_an_existing_draft_changes_nothing(client, member, owner):
    case = factories.CaseFactory(organisation=owner, created_by=member, ready=True)
    client.force_login(member)
    data = edit_data(case, title="Forhåndsvist tittel", preview="1")
    del data["save"]
    response = client.post(reverse("case-edit", kwargs={"slug": case.slug}), data)
    assert response.status_code == 200
    assert response.context["preview"]["title"] == "Forhåndsvist tittel"
    case.refresh_from_db()
    assert case.title != "Forhåndsvist tittel"
    assert not case.events.exists()


def test_submit_with_missing_fields_keeps_a_draft_and_names_what_is_missing(client, member, owner):
    client.force_login(member)
    data = {"organisation": owner.pk, "title": "Bare en tittel", "origin": "adapted"}
    response = client.post(reverse("case-create"), {**data, "submit": "1"}, follow=True)

    case = Case.objects.get(title="Bare en tittel")
    assert case.status == CaseStatus.DRAFT
    assert case.submitted_at is None
    assert response.redirect_chain[-1][0] == reverse("case-edit", kwargs={"slug": case.slug})
    shown = " ".join(messages_of(response))
    for missing in (
        "a summary",
        "the problem it solves",
        "the solution",
        "at least one sector",
        "at least one innovation type",
        "the stage",
        "the source it was adapted or copied from",
    ):
        assert nb(missing) in shown
    assert escape(nb("a summary")) in response.content.decode()
    assert not case.events.filter(kind=CaseEvent.Kind.SUBMITTED).exists()


def test_submit_button_on_the_case_page_with_missing_fields(client, member, owner):
    case = factories.CaseFactory(
        organisation=owner, created_by=member, ready=True, summary="", stage=""
    )
    client.force_login(member)
    response = client.post(reverse("case-submit", kwargs={"slug": case.slug}))
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    shown = " ".join(messages_of(response))
    assert nb("a summary") in shown
    assert nb("the stage") in shown
    assert nb("the solution") not in shown


def test_submit_with_everything_present(client, member, owner):
    client.force_login(member)
    response = client.post(reverse("case-create"), {**full_create_data(owner), "submit": "1"})
    case = Case.objects.get(title="Mobil røntgen på sykehjem")
    assert case.status == CaseStatus.SUBMITTED
    assert case.submitted_at is not None
    assert response.status_code == 302
    assert response.url == case.get_absolute_url()
    event = case.events.get(kind=CaseEvent.Kind.SUBMITTED)
    assert event.actor == member
    assert (event.from_status, event.to_status) == (CaseStatus.DRAFT, CaseStatus.SUBMITTED)


def test_submit_an_existing_complete_draft_from_its_page(client, member, owner):
    case = factories.CaseFactory(organisation=owner, created_by=member, ready=True)
    client.force_login(member)
    response = client.post(reverse("case-submit", kwargs={"slug": case.slug}))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_submitting_twice_gives_a_message_not_an_error(client, member, owner):
    case = factories.CaseFactory(organisation=owner, created_by=member, ready=True)
    client.force_login(member)
    client.post(reverse("case-submit", kwargs={"slug": case.slug}))
    response = client.post(reverse("case-submit", kwargs={"slug": case.slug}))
    assert response.status_code == 302
    assert messages_of(response)[-1] == nb("This case has already been submitted.")
    assert case.events.filter(kind=CaseEvent.Kind.SUBMITTED).count() == 1


def test_case_submit_needs_post(client, member, owner):
    case = factories.CaseFactory(organisation=owner, created_by=member, ready=True)
    client.force_login(member)
    assert client.get(reverse("case-submit", kwargs={"slug": case.slug})).status_code == 405


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


# --- editing ----------------------------------------------------------------------------------


def test_editing_a_draft_changes_it_in_place(client, member, owner):
    case = factories.CaseFactory(organisation=owner, created_by=member, ready=True)
    client.force_login(member)
    response = client.post(
        reverse("case-edit", kwargs={"slug": case.slug}),
        edit_data(case, summary="Nytt sammendrag", tags="a, b"),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.summary == "Nytt sammendrag"
    assert case.tags == ["a", "b"]
    event = case.events.get()
    assert event.kind == CaseEvent.Kind.EDITED
    assert set(event.changes) == {"summary", "tags"}
    assert not CaseRevision.objects.exists()


def test_editing_a_published_case_creates_a_pending_revision(client, member, owner):
    case = factories.CaseFactory(
        organisation=owner,
        published=True,
        ready=True,
        title="Gammel tittel",
        solution="Gammel løsning.",
    )
    client.force_login(member)
    response = client.post(
        reverse("case-edit", kwargs={"slug": case.slug}),
        edit_data(case, title="Ny tittel", solution="Ny løsning."),
    )
    assert response.status_code == 302
    assert response.url == case.get_absolute_url()

    revision = CaseRevision.objects.get(case=case)
    assert revision.status == CaseRevision.Status.PENDING
    assert revision.created_by == member
    assert revision.data["title"] == "Ny tittel"
    assert revision.data["solution"] == "Ny løsning."
    case.refresh_from_db()
    assert case.title == "Gammel tittel"
    assert case.solution == "Gammel løsning."
    event = case.events.get()
    assert event.kind == CaseEvent.Kind.REVISION_SUBMITTED
    assert set(event.changes) == {"title", "solution"}

    client.logout()
    html = client.get(case.get_absolute_url()).content.decode()
    assert "Gammel tittel" in html
    assert "Gammel løsning." in html
    assert "Ny tittel" not in html
    assert "Ny løsning." not in html


def test_the_edit_form_of_a_published_case_shows_the_pending_edit(client, member, owner):
    case = factories.CaseFactory(
        organisation=owner, published=True, ready=True, title="Gammel tittel"
    )
    client.force_login(member)
    client.post(reverse("case-edit", kwargs={"slug": case.slug}), edit_data(case, title="Ny"))
    response = client.get(reverse("case-edit", kwargs={"slug": case.slug}))
    assert response.context["form"].initial["title"] == "Ny"
    assert response.context["revision"] is not None


def test_a_second_edit_updates_the_same_pending_revision(client, member, editor, owner):
    case = factories.CaseFactory(
        organisation=owner, published=True, ready=True, title="Gammel tittel"
    )
    url = reverse("case-edit", kwargs={"slug": case.slug})
    client.force_login(member)
    client.post(url, edit_data(case, title="Første forslag"))
    first = CaseRevision.objects.get()
    client.force_login(editor)
    client.post(url, edit_data(case, title="Andre forslag", summary="Nytt sammendrag"))

    assert CaseRevision.objects.filter(status=CaseRevision.Status.PENDING).count() == 1
    assert CaseRevision.objects.count() == 1
    revision = CaseRevision.objects.get()
    assert revision.pk == first.pk
    assert revision.data["title"] == "Andre forslag"
    assert revision.data["summary"] == "Nytt sammendrag"
    assert revision.created_by == editor
    case.refresh_from_db()
    assert case.title == "Gammel tittel"


def test_a_save_that_changes_nothing_on_a_published_case(client, member, owner):
    case = factories.CaseFactory(
        organisation=owner,
        published=True,
        ready=True,
        links=[{"url": "https://example.no", "title": "Eksempel"}],
        tags=["velferd"],
    )
    client.force_login(member)
    response = client.post(reverse("case-edit", kwargs={"slug": case.slug}), edit_data(case))
    assert response.status_code == 302
    assert not CaseRevision.objects.exists()
    assert not CaseEvent.objects.exists()
    assert messages_of(response) == [nb("Nothing changed.")]


def test_a_save_that_changes_nothing_on_a_draft(client, member, owner, county):
    source = factories.CaseFactory(
        organisation=factories.MunicipalityFactory(parent=county), published=True, ready=True
    )
    case = factories.CaseFactory(
        organisation=owner,
        created_by=member,
        ready=True,
        origin="adapted",
        source_case=source,
        partners=[factories.MunicipalityFactory(parent=county)],
    )
    before = services.case_snapshot(case)
    client.force_login(member)
    response = client.post(reverse("case-edit", kwargs={"slug": case.slug}), edit_data(case))
    assert response.status_code == 302
    assert not CaseEvent.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert services.case_snapshot(case) == before


def test_member_of_the_owner_may_edit_but_the_owner_cannot_change(client, member, owner, county):
    case = factories.CaseFactory(organisation=owner, created_by=member, ready=True)
    other = factories.MunicipalityFactory(parent=county)
    client.force_login(member)
    client.post(
        reverse("case-edit", kwargs={"slug": case.slug}),
        {**edit_data(case, summary="Endret"), "organisation": other.pk},
    )
    case.refresh_from_db()
    assert case.organisation == owner
    assert case.summary == "Endret"


# --- form errors ------------------------------------------------------------------------------


def test_form_errors_keep_what_the_user_typed(client, member, owner):
    client.force_login(member)
    data = full_create_data(
        owner, title="Tittelen jeg skrev", summary="Sammendraget mitt", links="ikke en adresse"
    )
    response = client.post(reverse("case-create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "links" in form.errors
    html = response.content.decode()
    assert 'value="Tittelen jeg skrev"' in html
    assert "Sammendraget mitt" in html
    assert "ikke en adresse" in html
    assert Case.all_objects.count() == 0


def test_a_title_is_required(client, member, owner):
    client.force_login(member)
    response = client.post(reverse("case-create"), full_create_data(owner, title="  "))
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert Case.all_objects.count() == 0


def test_origin_first_with_a_source_is_a_field_error(client, member, owner, county):
    source = factories.CaseFactory(
        organisation=factories.MunicipalityFactory(parent=county), published=True, ready=True
    )
    client.force_login(member)
    for source_fields in (
        {"source_case_reference": source.slug},
        {"source_description": "En dansk kommune gjorde det først."},
    ):
        response = client.post(
            reverse("case-create"), full_create_data(owner, origin="first", **source_fields)
        )
        assert response.status_code == 200
        assert "origin" in response.context["form"].errors
    assert list(Case.all_objects.all()) == [source]


def test_origin_first_with_a_source_on_edit_changes_nothing(client, member, owner):
    case = factories.CaseFactory(organisation=owner, created_by=member, ready=True)
    client.force_login(member)
    response = client.post(
        reverse("case-edit", kwargs={"slug": case.slug}),
        edit_data(case, origin="first", source_description="Fra Danmark"),
    )
    assert response.status_code == 200
    assert "origin" in response.context["form"].errors
    case.refresh_from_db()
    assert case.origin == "unknown"
    assert case.source_description == ""


@pytest.mark.parametrize(
    "reference",
    ["finnes-ikke", "http://testserver/saker/finnes-ikke/", "draft", "own"],
)
def test_unknown_source_reference_is_a_field_error(client, member, owner, county, reference):
    other_draft = factories.CaseFactory(organisation=factories.MunicipalityFactory(parent=county))
    case = factories.CaseFactory(organisation=owner, created_by=member, ready=True)
    reference = {"draft": other_draft.slug, "own": case.slug}.get(reference, reference)
    client.force_login(member)
    response = client.post(
        reverse("case-edit", kwargs={"slug": case.slug}),
        edit_data(case, origin="adapted", source_case_reference=reference),
    )
    assert response.status_code == 200
    assert "source_case_reference" in response.context["form"].errors
    case.refresh_from_db()
    assert case.source_case is None
    assert case.origin == "unknown"


def test_a_published_case_cannot_name_itself_as_source(client, member, owner):
    case = factories.CaseFactory(organisation=owner, published=True, ready=True)
    client.force_login(member)
    response = client.post(
        reverse("case-edit", kwargs={"slug": case.slug}),
        edit_data(case, origin="adapted", source_case_reference=case.slug),
    )
    assert response.status_code == 200
    assert "source_case_reference" in response.context["form"].errors
    assert not CaseRevision.objects.exists()


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
