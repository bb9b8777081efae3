"""My work: the page people land on after logging in, with what waits for them."""

import pytest
from django.urls import reverse

from cases import services
from cases.models import CaseRevision
from cases.vocabularies import CaseStatus, MembershipRole
from tests.conftest import person
from tests.factories import PASSWORD, AdoptionFactory, CaseFactory, MunicipalityFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/mitt-arbeid/"


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, heading_id: str) -> str:
    """The HTML of the section a heading opens (empty if the page has no such section)."""
    start = html.find(f'id="{heading_id}"')
    if start == -1:
        return ""
    return html[start : html.find("</section>", start)]


def test_login_lands_on_my_work(client):
    user = UserFactory()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == URL


def test_the_header_links_my_work_for_people_who_are_logged_in(client, member):
    assert f'href="{URL}"' not in client.get(reverse("home")).content.decode()
    client.force_login(member)
    assert f'href="{URL}"' in client.get(reverse("home")).content.decode()


def test_anonymous_visitors_are_asked_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_old_address_leads_to_my_work(client):
    response = client.get("/mine-saker/")
    assert response.status_code == 301
    assert response.url == URL


def test_cases_are_grouped_by_where_they_stand(client, owner, member, moderator):
    CaseFactory(organisation=owner, title="Utkastet vårt", status=CaseStatus.DRAFT)
    CaseFactory(organisation=owner, title="Venter på moderator", status=CaseStatus.SUBMITTED)
    CaseFactory(organisation=owner, title="Ute blant folk", status=CaseStatus.PUBLISHED)
    CaseFactory(organisation=owner, title="Lagt bort", status=CaseStatus.ARCHIVED)
    sent_back = CaseFactory(organisation=owner, title="Må rettes", status=CaseStatus.SUBMITTED)
    services.case_request_changes(
        actor=moderator, case=sent_back, reason="Legg til hva det kostet."
    )
    CaseFactory(organisation=MunicipalityFactory(), title="Naboens sak", status=CaseStatus.DRAFT)

    html = page(client, member)
    assert "Utkastet vårt" in section(html, "drafts-heading")
    assert "Venter på moderator" in section(html, "waiting-heading")
    assert "Ute blant folk" in section(html, "published-heading")
    assert "Lagt bort" in section(html, "archived-heading")
    returned = section(html, "sent-back-heading")
    assert "Må rettes" in returned
    assert "Legg til hva det kostet." in returned
    assert reverse("case-edit", kwargs={"slug": sent_back.slug}) in returned
    assert "Naboens sak" not in html


def test_a_published_case_with_an_edit_waiting_shows_in_both_places(client, owner, member):
    case = CaseFactory(organisation=owner, title="Ute med endring", status=CaseStatus.PUBLISHED)
    CaseRevision.objects.create(case=case, created_by=member, data={"title": "Nytt navn"})
    html = page(client, member)
    assert "Ute med endring" in section(html, "published-heading")
    assert "Ute med endring" in section(html, "waiting-heading")


def test_someone_without_an_organisation_is_told_nothing_waits(client):
    html = page(client, UserFactory())
    assert "Ingenting venter på deg" in html
    assert "<section" not in html


def test_editors_confirm_reuse_from_my_work(client, owner, editor, member):
    case = CaseFactory(organisation=owner, title="Gjenbrukt sak", status=CaseStatus.PUBLISHED)
    adopter = MunicipalityFactory(name="Nabokommunen")
    adoption = AdoptionFactory(case=case, organisation=adopter, source_organisation=owner)

    assert "Nabokommunen" not in section(page(client, member), "confirm-heading")
    assert "Nabokommunen" in section(page(client, editor), "confirm-heading")

    response = client.post(reverse("adoption-confirm", kwargs={"pk": adoption.pk}), {"next": URL})
    assert response.status_code == 302
    assert response.url == URL
    adoption.refresh_from_db()
    assert adoption.confirmed
    assert "Nabokommunen" not in section(page(client, editor), "confirm-heading")


def test_confirming_elsewhere_returns_to_the_case_page(client, owner, editor):
    case = CaseFactory(organisation=owner, status=CaseStatus.PUBLISHED)
    adoption = AdoptionFactory(
        case=case, organisation=MunicipalityFactory(), source_organisation=owner
    )
    client.force_login(editor)
    response = client.post(
        reverse("adoption-confirm", kwargs={"pk": adoption.pk}), {"next": "https://example.com/"}
    )
    assert response.url.startswith(case.get_absolute_url())


def test_the_editor_shows_why_the_case_was_sent_back(client, owner, member, moderator):
    case = CaseFactory(organisation=owner, status=CaseStatus.SUBMITTED)
    services.case_request_changes(actor=moderator, case=case, reason="Beskriv resultatene.")
    client.force_login(member)
    html = client.get(reverse("case-edit", kwargs={"slug": case.slug})).content.decode()
    assert 'id="send-back-reason"' in html
    assert "Beskriv resultatene." in html


def test_the_editor_of_a_draft_shows_no_reason(client, owner, member):
    case = CaseFactory(organisation=owner, status=CaseStatus.DRAFT)
    client.force_login(member)
    html = client.get(reverse("case-edit", kwargs={"slug": case.slug})).content.decode()
    assert 'id="send-back-reason"' not in html


@pytest.mark.parametrize("n", [1, 12])
def test_the_page_reads_the_same_number_of_queries_whatever_the_amount(
    client, owner, django_assert_max_num_queries, n
):
    editor = person(owner, MembershipRole.EDITOR)
    for i in range(n):
        case = CaseFactory(organisation=owner, status=CaseStatus.PUBLISHED)
        CaseFactory(organisation=owner, status=CaseStatus.DRAFT, title=f"Utkast {i}")
        AdoptionFactory(case=case, organisation=MunicipalityFactory(), source_organisation=owner)
        # A question to answer, and one the editor asked of another organisation's case.
        neighbour = MunicipalityFactory()
        asker = person(neighbour)
        services.question_ask(actor=asker, case=case, organisation=neighbour, text=f"Spørsmål {i}")
        theirs = CaseFactory(organisation=neighbour, status=CaseStatus.PUBLISHED)
        services.question_ask(actor=editor, case=theirs, organisation=owner, text=f"Vårt {i}")
    client.force_login(editor)
    client.get(URL)  # the session and the language are read on the first page
    # Two more than before the questions: those to answer, and those the editor asked.
    with django_assert_max_num_queries(10):
        assert client.get(URL).status_code == 200
