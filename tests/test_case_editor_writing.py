"""Writing a case through the web pages: creating, previewing, submitting and editing it, and
the form's errors. Who may see, archive, delete and report a case is in
test_case_editor_access.py.

Personas: anonymous, outsider (member of another municipality), member and editor of the owner
municipality, moderator (in the site-wide moderators group).
"""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from cases import services
from cases.models import Case, CaseEvent, CaseRevision, Organisation
from cases.vocabularies import CaseStatus, OrganisationKind
from tests import factories
from tests.case_editor_helpers import edit_data, full_create_data, login_redirect, messages_of, nb

pytestmark = pytest.mark.django_db


# The personas (owner, member, editor, outsider, moderator) come from conftest.py.


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


def test_the_editor_marks_what_a_case_needs_before_it_can_be_submitted(client, member):
    client.force_login(member)
    page = client.get(reverse("case-create"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    needed = '<span class="required-mark">(trengs for innsending)</span>'
    marked = re.findall(r'for="id_(\w+)">[^<]*' + re.escape(needed), page)
    legends = re.findall(r"<legend[^>]*>([^<]*) " + re.escape(needed), page)
    assert set(marked) == {"summary", "problem", "solution", "stage"}
    assert len(legends) == 2  # the sectors and the innovation types, ticked in a fieldset
    assert re.search(r'for="id_title">[^<]*<span class="required-mark">\(påkrevd\)', page)
    assert not re.search(r'for="id_tags">[^<]*<span class="required-mark">', page)


def test_partners_that_share_a_name_are_told_apart_by_their_kind(client, member, owner):
    county = factories.CountyFactory(name="Oslo")
    factories.MunicipalityFactory(name="Oslo", parent=county)
    client.force_login(member)
    page = client.get(reverse("case-create"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert f'value="{county.pk}"' in page
    assert "Oslo (fylkeskommune)" in page
    assert "Oslo (kommune)" in page
    # A name no other organisation has stays as it is.
    assert f"{owner.name} (" not in page


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
    edit = reverse("case-edit", kwargs={"slug": case.slug})
    assert response.redirect_chain[-1][0] == edit + "?innsending=1"
    # Said at the top, where focus lands, each with a link to its field, marked invalid.
    html = response.content.decode()
    start = html.index('id="missing-summary"')
    summary = html[start : html.index("</div>", start)]
    assert "autofocus" in html[start - 120 : start]
    for anchor, missing in (
        ("id_summary", "a summary"),
        ("id_problem", "the problem it solves"),
        ("id_solution", "the solution"),
        ("id_sectors_0", "at least one sector"),
        ("id_innovation_types_0", "at least one innovation type"),
        ("id_stage", "the stage"),
        ("id_source_description", "the source it was adapted or copied from"),
    ):
        assert f'href="#{anchor}">{escape(nb(missing)).capitalize()}' in summary, anchor
        assert re.search(rf'<[^>]*aria-invalid="true"[^>]*id="{anchor}"', html), anchor
    assert not re.search(r'<[^>]*aria-invalid="true"[^>]*id="id_title"', html)
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
