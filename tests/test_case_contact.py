"""A case's contact person: chosen from the owner's members or typed in the editor, checked,
kept with the case's history, shown as a card on the page, read and written through the API
as `contact_person`, and the old free-text contact kept beside it."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from cases import services
from cases.models import Case, CaseRevision
from tests import api_helpers, factories
from tests.api_helpers import client_for
from tests.case_editor_helpers import edit_data, full_create_data, nb

pytestmark = pytest.mark.django_db

place = api_helpers.place
cases = api_helpers.cases
people = api_helpers.people

PERSON = {
    "contact_name": "Kari Nordmann",
    "contact_role": "Avdelingsleder",
    "contact_email": "kari.nordmann@example.no",
    "contact_phone": "+47 912 34 567",
}


def create(client, owner, **changes):
    return client.post(reverse("case-create"), full_create_data(owner, **changes))


# --- The editor ------------------------------------------------------------------------------


def test_a_typed_person_is_saved_with_the_case(client, member, owner):
    client.force_login(member)
    response = create(client, owner, **PERSON)
    assert response.status_code == 302
    case = Case.objects.get()
    assert {field: getattr(case, field) for field in PERSON} == PERSON


def test_choosing_a_member_fills_in_their_name_and_email(client, member, editor, owner):
    """Without the script: the form fills in what the chosen member's option carries."""
    client.force_login(member)
    page = client.get(reverse("case-create")).content.decode()
    assert f'data-email="{editor.email}"' in page
    response = create(
        client,
        owner,
        contact_member=str(editor.pk),
        contact_name="",
        contact_email="",
        contact_role="Rådgiver",
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.contact_name, case.contact_email) == (editor.full_name, editor.email)
    assert case.contact_role == "Rådgiver"


def test_only_the_owners_members_can_be_chosen(client, member, outsider, owner):
    client.force_login(member)
    response = create(client, owner, contact_member=str(outsider.pk))
    assert response.status_code == 200
    assert "contact_member" in response.context["form"].errors
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contact_email", "kari.nordmann"),
        ("contact_email", "kari@"),
        ("contact_phone", "ring meg"),
        ("contact_phone", "12"),
        ("contact_phone", "+47 912 34 567 ext 3"),
    ],
)
def test_an_address_must_be_an_address_and_a_phone_digits(client, member, owner, field, value):
    client.force_login(member)
    response = create(client, owner, **{**PERSON, field: value})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Case.objects.exists()


def test_details_without_a_name_are_refused(client, member, owner):
    client.force_login(member)
    response = create(client, owner, **{**PERSON, "contact_name": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["contact_name"] == [
        nb("Name the person the contact details belong to.")
    ]


def test_the_form_says_the_details_are_published(client, member):
    client.force_login(member)
    page = client.get(reverse("case-create")).content.decode()
    assert "vises for alle på sakens side" in page


def test_an_edit_of_the_person_is_a_pending_change_and_history(client, editor, owner):
    case = factories.CaseFactory(organisation=owner, published=True, ready=True)
    client.force_login(editor)
    response = client.post(
        reverse("case-edit", kwargs={"slug": case.slug}), edit_data(case, **PERSON)
    )
    assert response.status_code == 302
    revision = CaseRevision.objects.get(case=case, status=CaseRevision.Status.PENDING)
    assert {field: revision.data[field] for field in PERSON} == PERSON
    case.refresh_from_db()
    assert case.contact_name == ""  # the public sees the approved text until then


# --- The page --------------------------------------------------------------------------------


def test_the_page_shows_the_person_as_a_card_with_links(client, owner):
    case = factories.CaseFactory(organisation=owner, published=True, contact="", **PERSON)
    html = client.get(case.get_absolute_url()).content.decode()
    card = html[html.index('<address class="contact-card">') : html.index("</address>")]
    assert "Kari Nordmann" in card
    assert "Avdelingsleder" in card
    assert 'href="mailto:kari.nordmann@example.no"' in card
    assert 'href="tel:+4791234567"' in card


def test_an_old_free_text_contact_is_shown_as_before(client, owner):
    case = factories.CaseFactory(
        organisation=owner, published=True, contact="Servicetorget, **sentralbord**"
    )
    html = client.get(case.get_absolute_url()).content.decode()
    card = html[html.index('<address class="contact-card">') : html.index("</address>")]
    assert "Servicetorget, <strong>sentralbord</strong>" in card
    assert "mailto:" not in card


def test_no_contact_no_card(client, owner):
    case = factories.CaseFactory(organisation=owner, published=True, contact="")
    html = client.get(case.get_absolute_url()).content.decode()
    assert "contact-card" not in html


# --- The API ---------------------------------------------------------------------------------

API_PERSON = {
    "name": "Kari Nordmann",
    "role": "Avdelingsleder",
    "email": "kari.nordmann@example.no",
    "phone": "+47 912 34 567",
}


def test_the_api_reads_the_person_and_keeps_the_free_text(cases):
    robot = cases["robot"]
    Case.objects.filter(pk=robot.pk).update(contact="Sentralbordet", **PERSON)
    body = client_for().get(f"/api/v1/cases/{robot.pk}/").json()
    assert body["contact_person"] == API_PERSON
    assert body["contact"] == "Sentralbordet"


def test_the_api_writes_the_person_and_checks_it(place, people):
    client = client_for(people["member"])
    base = {"title": "Digitalt tilsyn", "organisation": place["bergen"].pk}
    refused = client.post(
        "/api/v1/cases/",
        {**base, "contact_person": {**API_PERSON, "email": "ikke en adresse"}},
        format="json",
    )
    assert refused.status_code == 400
    assert [error["field"] for error in refused.json()["errors"]] == ["contact_person.email"]

    response = client.post("/api/v1/cases/", {**base, "contact_person": API_PERSON}, format="json")
    assert response.status_code == 201, response.content
    case = Case.all_objects.get(pk=response.json()["id"])
    assert {field: getattr(case, field) for field in PERSON} == PERSON
    assert response.json()["contact_person"] == API_PERSON

    cleared = client.patch(f"/api/v1/cases/{case.pk}/", {"contact_person": None}, format="json")
    assert cleared.status_code == 200, cleared.content
    assert cleared.json()["contact_person"] is None


def test_a_pending_edit_names_the_person_as_clients_write_it(cases, people):
    turnus = cases["turnus"]
    response = client_for(people["member"]).patch(
        f"/api/v1/cases/{turnus.pk}/", {"contact_person": API_PERSON}, format="json"
    )
    assert response.status_code == 202, response.content
    body = client_for(people["moderator"]).get(f"/api/v1/cases/{turnus.pk}/pending-edit/").json()
    assert body["changes"] == [
        {"field": "contact_person", "published": None, "proposed": API_PERSON}
    ]


# --- Keeping the old text -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_free_text_contact():
    executor = MigrationExecutor(connection)
    before, after = [("cases", "0016_questions")], [("cases", "0017_case_contact")]
    try:
        executor.migrate(before)
        old_apps = executor.loader.project_state(before).apps
        organisation = old_apps.get_model("cases", "Organisation").objects.create(
            name="Gammelt institutt", slug="gammelt-institutt", kind="research"
        )
        old_apps.get_model("cases", "Case").objects.create(
            title="Gammel sak",
            slug="gammel-sak",
            organisation=organisation,
            contact="Ola Nordmann, ola@example.no, 912 34 567",
        )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new_apps = executor.loader.project_state(after).apps
        case = new_apps.get_model("cases", "Case").objects.get(slug="gammel-sak")
        assert case.contact == "Ola Nordmann, ola@example.no, 912 34 567"
        assert (case.contact_name, case.contact_email, case.contact_phone) == ("", "", "")
    finally:
        call_command("migrate", "cases", verbosity=0)


def test_the_snapshot_and_the_export_carry_the_person(owner):
    case = factories.CaseFactory(organisation=owner, published=True, **PERSON)
    assert {field: services.case_snapshot(case)[field] for field in PERSON} == PERSON
