"""Recording reuse ("Vi har gjenbrukt dette") on the web: who may, the refusals with a message
and nothing written, confirming, changing and withdrawing a record, and spread activities."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from cases.models import MODERATORS_GROUP, Adoption, CaseEvent, Membership, SpreadActivity
from cases.vocabularies import CaseStatus, MembershipRole
from tests import factories

pytestmark = pytest.mark.django_db


def nb(message: str) -> str:
    with translation.override("nb"):
        return gettext(message)


def messages_of(response) -> list[str]:
    """The messages waiting after this response (earlier ones are consumed, as a page would)."""
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    response.client.cookies.pop("messages", None)
    return messages


def member_of(organisation, role=MembershipRole.MEMBER):
    user = factories.UserFactory()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def owner(db):
    return factories.MunicipalityFactory(name="Eierkommune", slug="eierkommune")


@pytest.fixture
def adopter_org(db):
    return factories.MunicipalityFactory(name="Gjenbrukskommune", slug="gjenbrukskommune")


@pytest.fixture
def case(owner):
    return factories.CaseFactory(organisation=owner, title="Delbar sak", published=True)


@pytest.fixture
def adopter(adopter_org):
    return member_of(adopter_org)


@pytest.fixture
def owner_editor(owner):
    return member_of(owner, MembershipRole.EDITOR)


@pytest.fixture
def owner_member(owner):
    return member_of(owner)


FORM = {"mode": "adapted", "channel": "network", "status": "in-use", "adopted_on": "2025-01-15"}


def form(organisation, **extra):
    return {**FORM, "organisation": organisation.pk, **extra}


def snapshot():
    return (Adoption.all_objects.count(), CaseEvent.objects.count())


def test_a_member_records_reuse(client, case, adopter, adopter_org):
    client.force_login(adopter)
    url = reverse("adoption-create", kwargs={"slug": case.slug})
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="mode"' in page.content.decode()
    response = client.post(url, form(adopter_org, note="Vi endret turnusen."))
    assert response.status_code == 302
    assert response.url == case.get_absolute_url() + "#reused-heading"
    adoption = Adoption.objects.get(case=case, organisation=adopter_org)
    assert adoption.mode == "adapted"
    assert adoption.channel == "network"
    assert adoption.adopted_on == datetime.date(2025, 1, 15)
    assert adoption.recorded_by == adopter
    assert not adoption.confirmed
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ADOPTION_RECORDED).exists()
    assert messages_of(response) == [
        nb("Thank you! The reuse is recorded and shows on the case and in the statistics.")
    ]
    html = client.get(case.get_absolute_url()).content.decode()
    assert "Gjenbrukskommune" in html
    assert reverse("adoption-edit", kwargs={"pk": adoption.pk}) in html


def test_the_button_shows_for_those_who_may(client, case, adopter, owner_member):
    button = reverse("adoption-create", kwargs={"slug": case.slug})
    # Logged out, the button leads through the login page to the form.
    html = client.get(case.get_absolute_url()).content.decode()
    assert f'href="{button}"' not in html
    assert f'href="{reverse("login")}?next={button}"' in html
    client.force_login(owner_member)
    assert button not in client.get(case.get_absolute_url()).content.decode()
    client.force_login(adopter)
    assert f'href="{button}"' in client.get(case.get_absolute_url()).content.decode()


def test_anonymous_is_sent_to_log_in(client, case):
    url = reverse("adoption-create", kwargs={"slug": case.slug})
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response.url
    before = snapshot()
    client.post(url, FORM)
    assert snapshot() == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_own_case_is_refused_with_a_message(client, case, owner, owner_member, method):
    client.force_login(owner_member)
    before = snapshot()
    url = reverse("adoption-create", kwargs={"slug": case.slug})
    response = getattr(client, method)(url, form(owner))
    assert response.status_code == 302
    assert response.url == case.get_absolute_url()
    assert messages_of(response) == [nb("An organisation cannot record reuse of its own case.")]
    assert snapshot() == before


def test_member_of_no_organisation_is_told_how_to_join(client, case):
    client.force_login(factories.UserFactory())
    response = client.get(reverse("adoption-create", kwargs={"slug": case.slug}))
    assert response.status_code == 302
    assert messages_of(response) == [
        nb(
            "To record reuse you must be a member of an organisation. Ask to join one on your "
            "profile page."
        )
    ]


def test_owner_organisation_cannot_be_chosen_by_a_member_of_both(client, case, owner, adopter_org):
    both = member_of(owner)
    Membership.objects.create(user=both, organisation=adopter_org)
    client.force_login(both)
    before = snapshot()
    url = reverse("adoption-create", kwargs={"slug": case.slug})
    response = client.post(url, form(owner))
    assert response.status_code == 200  # the form again, with the error on the field
    assert 'aria-invalid="true"' in response.content.decode() or "errorlist" in str(
        response.context["form"].errors
    )
    assert "organisation" in response.context["form"].errors
    assert snapshot() == before


def test_duplicate_is_refused_and_the_record_offered(client, case, adopter, adopter_org):
    existing = factories.AdoptionFactory(case=case, organisation=adopter_org)
    client.force_login(adopter)
    before = snapshot()
    url = reverse("adoption-create", kwargs={"slug": case.slug})
    edit = reverse("adoption-edit", kwargs={"pk": existing.pk})
    # Opening the form goes straight to the existing record ...
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == edit
    expected = (
        nb("%s has already recorded reusing this case. You can change that record here.")
        % "Gjenbrukskommune"
    )
    assert messages_of(response) == [expected]
    # ... and so does posting a second one (a form opened before the first was saved).
    response = client.post(url, form(adopter_org, mode="copied"))
    assert response.status_code == 302
    assert response.url == edit
    assert messages_of(response) == [expected]
    assert snapshot() == before
    existing.refresh_from_db()
    assert existing.mode == "adapted"


@pytest.mark.parametrize(
    "status",
    [CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.CHANGES_REQUESTED, CaseStatus.ARCHIVED],
)
def test_unpublished_case_is_refused(client, case, adopter, adopter_org, status):
    case.status = status
    case.save()
    before = snapshot()
    url = reverse("adoption-create", kwargs={"slug": case.slug})
    # Outside its organisation the case does not exist ...
    client.force_login(adopter)
    assert client.get(url).status_code == 404
    assert client.post(url, form(adopter_org)).status_code == 404
    # ... and a moderator who also belongs to another organisation is told why.
    moderator = member_of(adopter_org)
    moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    client.force_login(moderator)
    response = client.post(url, form(adopter_org))
    assert response.status_code == 302
    assert response.url == case.get_absolute_url()
    assert messages_of(response) == [nb("Only published cases can be recorded as reused.")]
    assert snapshot() == before


def test_deleted_case_is_not_found(client, case, adopter, adopter_org):
    case.deleted_at = timezone.now()
    case.save()
    client.force_login(adopter)
    before = snapshot()
    url = reverse("adoption-create", kwargs={"slug": case.slug})
    assert client.post(url, form(adopter_org)).status_code == 404
    assert snapshot() == before


def test_future_date_only_for_planned_reuse(client, case, adopter, adopter_org):
    client.force_login(adopter)
    url = reverse("adoption-create", kwargs={"slug": case.slug})
    future = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = client.post(url, form(adopter_org, adopted_on=future))
    assert response.status_code == 200
    assert "adopted_on" in response.context["form"].errors
    assert not Adoption.objects.exists()
    response = client.post(url, form(adopter_org, adopted_on=future, status="planned"))
    assert response.status_code == 302
    assert Adoption.objects.get().status == "planned"


def test_derived_case_is_looked_up_among_the_adopters_own_cases(
    client, case, adopter, adopter_org, owner
):
    own = factories.CaseFactory(organisation=adopter_org, title="Vår versjon", published=True)
    secret = factories.CaseFactory(organisation=owner, title="Hemmelig utkast")
    client.force_login(adopter)
    url = reverse("adoption-create", kwargs={"slug": case.slug})
    # Another organisation's draft is "not found", exactly like a name nobody uses.
    for reference in (secret.slug, "Hemmelig utkast", "finnes-ikke"):
        response = client.post(url, form(adopter_org, derived_case_reference=reference))
        assert response.status_code == 200
        errors = response.context["form"].errors["derived_case_reference"]
        assert errors == [
            nb("%(organisation)s has no case matching “%(reference)s”.")
            % {"organisation": "Gjenbrukskommune", "reference": reference}
        ]
    assert not Adoption.objects.exists()
    response = client.post(
        url, form(adopter_org, derived_case_reference=f"http://testserver/saker/{own.slug}/")
    )
    assert response.status_code == 302
    assert Adoption.objects.get().derived_case == own


def test_owner_editor_confirms(client, case, adopter_org, owner_editor, owner_member, adopter):
    adoption = factories.AdoptionFactory(case=case, organisation=adopter_org)
    url = reverse("adoption-confirm", kwargs={"pk": adoption.pk})
    for user in (owner_member, adopter):
        client.force_login(user)
        assert client.post(url).status_code == 404
    adoption.refresh_from_db()
    assert not adoption.confirmed
    client.force_login(owner_editor)
    response = client.post(url)
    assert response.status_code == 302
    adoption.refresh_from_db()
    assert adoption.confirmed
    assert adoption.confirmed_by == owner_editor
    assert messages_of(response) == [nb("The reuse is confirmed.")]
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ADOPTION_CONFIRMED).count() == 1
    # Twice is refused with a message and changes nothing.
    response = client.post(url)
    assert messages_of(response) == [nb("This reuse has already been confirmed.")]
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ADOPTION_CONFIRMED).count() == 1
    assert client.get(url).status_code == 405


def test_the_recorder_edits(client, case, adopter, adopter_org, owner_editor):
    adoption = factories.AdoptionFactory(case=case, organisation=adopter_org, recorded_by=adopter)
    url = reverse("adoption-edit", kwargs={"pk": adoption.pk})
    client.force_login(owner_editor)
    assert client.get(url).status_code == 404
    client.force_login(adopter)
    page = client.get(url)
    assert page.status_code == 200
    assert reverse("adoption-withdraw", kwargs={"pk": adoption.pk}) in page.content.decode()
    response = client.post(url, form(adopter_org, mode="copied", note="Helt likt."))
    assert response.status_code == 302
    adoption.refresh_from_db()
    assert adoption.mode == "copied"
    assert adoption.note == "Helt likt."
    event = CaseEvent.objects.get(kind=CaseEvent.Kind.ADOPTION_CHANGED)
    assert event.changes["mode"] == ["adapted", "copied"]


def test_the_organisation_of_a_record_cannot_be_changed(client, case, adopter, adopter_org):
    adoption = factories.AdoptionFactory(case=case, organisation=adopter_org)
    other = factories.MunicipalityFactory()
    Membership.objects.create(user=adopter, organisation=other)
    client.force_login(adopter)
    url = reverse("adoption-edit", kwargs={"pk": adoption.pk})
    client.post(url, form(other))
    adoption.refresh_from_db()
    assert adoption.organisation == adopter_org


def test_withdraw_keeps_the_record_in_history(client, case, adopter, adopter_org, owner_editor):
    adoption = factories.AdoptionFactory(case=case, organisation=adopter_org)
    url = reverse("adoption-withdraw", kwargs={"pk": adoption.pk})
    client.force_login(owner_editor)
    assert client.post(url).status_code == 404
    client.force_login(adopter)
    assert client.get(url).status_code == 405
    response = client.post(url, {"reason": "Feilregistrert"})
    assert response.status_code == 302
    assert messages_of(response) == [
        nb("The reuse record is withdrawn. The case's history keeps it.")
    ]
    assert not Adoption.objects.filter(pk=adoption.pk).exists()
    assert Adoption.all_objects.get(pk=adoption.pk).deleted_at is not None
    event = CaseEvent.objects.get(kind=CaseEvent.Kind.ADOPTION_WITHDRAWN)
    assert event.reason == "Feilregistrert"
    assert event.actor == adopter
    page = client.get(case.get_absolute_url()).content.decode()
    # The reuse section no longer names it (the question form still offers to ask for it).
    reuse_section = page[page.find('id="reused-heading"') : page.find('id="sporsmal"')]
    assert "Gjenbrukskommune" not in reuse_section
    # Withdrawn, it can be recorded anew.
    response = client.post(
        reverse("adoption-create", kwargs={"slug": case.slug}), form(adopter_org)
    )
    assert response.status_code == 302
    assert Adoption.objects.filter(case=case, organisation=adopter_org).count() == 1


def test_records_of_a_case_that_left_the_public_are_hidden(client, case, adopter, adopter_org):
    adoption = factories.AdoptionFactory(case=case, organisation=adopter_org)
    case.status = CaseStatus.ARCHIVED
    case.save()
    client.force_login(adopter)
    for name, method in (
        ("adoption-edit", "get"),
        ("adoption-edit", "post"),
        ("adoption-withdraw", "post"),
        ("adoption-confirm", "post"),
    ):
        response = getattr(client, method)(reverse(name, kwargs={"pk": adoption.pk}), FORM)
        assert response.status_code == 404
        assert "Delbar sak" not in response.content.decode()


def test_owner_records_a_spread_activity(client, case, owner, owner_member, adopter):
    url = reverse("spread-create", kwargs={"slug": owner.slug})
    data = {
        "case": case.pk,
        "kind": "conference",
        "channel": "conference",
        "occurred_on": "2025-03-01",
        "description": "KS-konferansen",
    }
    client.force_login(adopter)
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    assert not SpreadActivity.objects.exists()
    client.force_login(owner_member)
    page = client.get(url)
    assert page.status_code == 200
    assert "Delbar sak" in page.content.decode()
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url == owner.get_absolute_url()
    activity = SpreadActivity.objects.get()
    assert activity.case == case
    assert activity.recorded_by == owner_member
    assert "KS-konferansen" in client.get(owner.get_absolute_url()).content.decode()


def test_spread_activity_only_for_own_published_cases(client, owner, owner_member, case):
    draft = factories.CaseFactory(organisation=owner, title="Utkastet")
    foreign = factories.CaseFactory(title="Fremmed", published=True)
    client.force_login(owner_member)
    url = reverse("spread-create", kwargs={"slug": owner.slug})
    assert "Utkastet" not in client.get(url).content.decode()
    for other in (draft, foreign):
        response = client.post(
            url,
            {"case": other.pk, "kind": "visit", "channel": "direct", "occurred_on": "2025-03-01"},
        )
        assert response.status_code == 200
        assert "case" in response.context["form"].errors
    assert not SpreadActivity.objects.exists()


def test_the_reuse_form_chooses_nothing_in_advance(client, case, adopter):
    # A preselected answer would be counted as given: the statistics read these fields.
    client.force_login(adopter)
    html = client.get(reverse("adoption-create", kwargs={"slug": case.slug})).content.decode()
    for select in ("channel", "status"):
        options = html.split(f'name="{select}"')[1].split("</select>")[0]
        assert re.findall(r'<option value="([^"]*)"[^>]* selected', options) == [""], select
    assert "checked" not in html.split('name="mode"')[1].split("</fieldset>")[0]


def test_a_reuse_without_channel_or_status_is_refused(client, case, adopter, adopter_org):
    client.force_login(adopter)
    url = reverse("adoption-create", kwargs={"slug": case.slug})
    before = snapshot()
    response = client.post(url, form(adopter_org, channel="", status=""))
    assert response.status_code == 200
    assert snapshot() == before
