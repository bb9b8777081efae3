"""The admin: every page answers, moderation actions go through the services (and refusals
become messages), and deleting is a soft delete."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import ERROR, SUCCESS, WARNING, get_messages
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    MODERATORS_GROUP,
    Adoption,
    ApiToken,
    Attachment,
    Case,
    CaseEvent,
    CaseReport,
    CaseRevision,
    CaseTerm,
    Change,
    FeedEpoch,
    IdentitySource,
    Membership,
    Organisation,
    OutgoingEmail,
    Question,
    SavedSearch,
    SpreadActivity,
    User,
)
from cases.vocabularies import CaseStatus, MembershipRole, MembershipStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="admin@example.no", password="not used here")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def submitted_case(municipality):
    return factories.CaseFactory(
        organisation=municipality,
        status=CaseStatus.SUBMITTED,
        submitted_at=timezone.now(),
        title="Mobil røntgen på sykehjem",
        sectors=["health-care"],
        innovation_types=["service"],
    )


@pytest.fixture
def every_object(superuser, municipality, unit, published_case, submitted_case):
    """One of each model the admin shows."""
    member = factories.UserFactory(email="member@example.no")
    adopter = factories.MunicipalityFactory()
    attachment = Attachment(
        case=published_case,
        kind="document",
        title="Rapport",
        original_name="rapport.pdf",
        content_type="application/pdf",
        size=4,
    )
    attachment.file.save("rapport.pdf", ContentFile(b"%PDF"), save=True)
    return {
        User: member,
        Group: Group.objects.create(name=MODERATORS_GROUP),
        Organisation: unit,
        Membership: factories.MembershipFactory(user=member, organisation=municipality),
        Case: published_case,
        CaseEvent: CaseEvent.objects.create(
            case=published_case,
            kind=CaseEvent.Kind.APPROVED,
            actor=superuser,
            from_status=CaseStatus.SUBMITTED,
            to_status=CaseStatus.PUBLISHED,
            snapshot={"title": published_case.title},
        ),
        Adoption: factories.AdoptionFactory(case=published_case, organisation=adopter),
        SpreadActivity: factories.SpreadActivityFactory(
            organisation=municipality, case=published_case
        ),
        Attachment: attachment,
        CaseRevision: CaseRevision.objects.create(
            case=published_case, data={"title": "Ny tittel"}, created_by=member
        ),
        CaseReport: CaseReport.objects.create(
            case=published_case, reporter=member, reason="Feil kontaktinformasjon"
        ),
        ApiToken: ApiToken.objects.create(user=member, name="Intranett", key_hash="a" * 64),
        OutgoingEmail: OutgoingEmail.objects.create(
            to=["member@example.no"], subject="Saken er publisert", body="Hei"
        ),
        Change: Change.objects.filter(kind="case", object_id=published_case.pk).first(),
        FeedEpoch: FeedEpoch.objects.create(key="qwertyui", entries=3, rebased=3),
        IdentitySource: IdentitySource.objects.create(
            provider_id="entra-kommune", kind="tenant", value="tenant-id", organisation=municipality
        ),
        SavedSearch: SavedSearch.objects.create(
            user=member, query="q=robot", label="«robot»", frequency="weekly"
        ),
        Question: Question.objects.create(
            case=published_case, organisation=adopter, asked_by=member, text="Hva kostet det?"
        ),
    }


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def message_levels(response) -> list[int]:
    return [message.level for message in get_messages(response.wsgi_request)]


def run_action(client, model, action, objects, **extra):
    return client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects], **extra},
    )


# --- Every page answers ----------------------------------------------------------------------

SHOWN_MODELS = [
    User,
    Group,
    Organisation,
    Membership,
    Case,
    CaseEvent,
    Adoption,
    SpreadActivity,
    Attachment,
    CaseRevision,
    CaseReport,
    ApiToken,
    OutgoingEmail,
    Change,
    FeedEpoch,
    IdentitySource,
    SavedSearch,
    Question,
]


def test_every_model_of_the_app_has_an_admin():
    """CaseTerm is edited inline on its case; every other model has pages of its own."""
    models = set(apps.get_app_config("cases").get_models()) - {CaseTerm}
    assert models == {model for model in admin.site._registry if model._meta.app_label == "cases"}
    assert models <= set(SHOWN_MODELS)


@pytest.mark.parametrize("model", SHOWN_MODELS, ids=lambda model: model.__name__)
def test_changelist_change_and_add_pages_answer(admin_client, every_object, model):
    obj = every_object[model]

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "changelist"), {"q": "a"}).status_code == 200
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    model_admin = admin.site._registry[model]
    request = admin_client.get(admin_url(model, "changelist")).wsgi_request
    if model_admin.has_add_permission(request):
        assert admin_client.get(admin_url(model, "add")).status_code == 200
    else:
        assert admin_client.get(admin_url(model, "add")).status_code == 403


def test_read_only_models_cannot_be_added_or_changed(admin_client, every_object):
    event = every_object[CaseEvent]
    response = admin_client.post(admin_url(CaseEvent, "change", event.pk), {"reason": "Omskrevet"})
    assert response.status_code == 403
    assert admin_client.get(admin_url(CaseEvent, "delete", event.pk)).status_code == 403
    assert admin_client.get(admin_url(ApiToken, "add")).status_code == 403
    assert admin_client.get(admin_url(OutgoingEmail, "add")).status_code == 403
    event.refresh_from_db()
    assert event.reason == ""


def test_case_search_finds_by_title_summary_and_organisation(
    admin_client, published_case, submitted_case
):
    url = admin_url(Case, "changelist")

    by_title = admin_client.get(url, {"q": "røntgen"})
    assert by_title.status_code == 200
    assert list(by_title.context["cl"].result_list) == [submitted_case]

    by_organisation = admin_client.get(url, {"q": published_case.organisation.name})
    assert set(by_organisation.context["cl"].result_list) == {published_case, submitted_case}

    nothing = admin_client.get(url, {"q": "finnes-ikke"})
    assert list(nothing.context["cl"].result_list) == []


def test_source_case_autocomplete_offers_only_published_cases(
    admin_client, published_case, submitted_case
):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "cases", "model_name": "case", "field_name": "source_case", "term": ""},
    )
    assert response.status_code == 200
    ids = {int(result["id"]) for result in response.json()["results"]}
    assert ids == {published_case.pk}


# --- Moderation actions ------------------------------------------------------------------------


def test_the_admin_does_not_approve(admin_client, submitted_case, published_case):
    """Approving names the version the moderator reviewed, on the moderation pages; a list
    action or a change-page button would publish what nobody looked at."""
    revision = CaseRevision.objects.create(case=published_case, data={"title": "Bedre tittel"})
    for model in (Case, CaseRevision):
        offered = admin_client.get(admin_url(model, "changelist")).context["action_form"]
        assert "approve" not in dict(offered.fields["action"].choices)
    run_action(admin_client, Case, "approve", [submitted_case])
    run_action(admin_client, CaseRevision, "approve", [revision])
    admin_client.post(
        admin_url(Case, "change", submitted_case.pk),
        {"CHANGE_FORM-action": "approve", "_selected_action": submitted_case.pk},
    )
    submitted_case.refresh_from_db()
    revision.refresh_from_db()
    assert submitted_case.status == CaseStatus.SUBMITTED
    assert revision.status == CaseRevision.Status.PENDING


def test_refusals_become_messages_per_object(admin_client, submitted_case, published_case):
    draft = factories.CaseFactory(status=CaseStatus.DRAFT)

    response = run_action(
        admin_client,
        Case,
        "request_changes",
        [submitted_case, draft, published_case],
        reason="Mer om kostnadene",
    )

    assert response.status_code == 302
    assert sorted(message_levels(response)) == sorted([SUCCESS, ERROR, ERROR])
    draft.refresh_from_db()
    submitted_case.refresh_from_db()
    assert draft.status == CaseStatus.DRAFT
    assert submitted_case.status == CaseStatus.CHANGES_REQUESTED
    assert not CaseEvent.objects.filter(case=draft).exists()


def test_moderation_actions_are_for_moderators_only(client, submitted_case):
    staff = User.objects.create_user(email="staff@example.no", is_staff=True)
    # Every permission on cases, but not in the moderators group.
    staff.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="cases", codename__endswith="_case")
    )
    client.force_login(staff)

    response = run_action(client, Case, "request_changes", [submitted_case], reason="Nei")

    submitted_case.refresh_from_db()
    assert submitted_case.status == CaseStatus.SUBMITTED
    assert message_levels(response) == [WARNING]  # "No action selected."
    offered = client.get(admin_url(Case, "changelist")).context["action_form"]
    assert "request_changes" not in dict(offered.fields["action"].choices)


def test_request_changes_without_reason_changes_nothing(admin_client, submitted_case):
    response = run_action(admin_client, Case, "request_changes", [submitted_case], reason="  ")

    assert response.status_code == 302
    submitted_case.refresh_from_db()
    assert submitted_case.status == CaseStatus.SUBMITTED
    assert not CaseEvent.objects.filter(case=submitted_case).exists()
    assert message_levels(response) == [ERROR]


def test_request_changes_with_reason_sends_the_case_back(admin_client, superuser, submitted_case):
    response = run_action(
        admin_client,
        Case,
        "request_changes",
        [submitted_case],
        reason="Beskriv kostnadene",
    )

    submitted_case.refresh_from_db()
    assert submitted_case.status == CaseStatus.CHANGES_REQUESTED
    event = CaseEvent.objects.get(case=submitted_case)
    assert (event.kind, event.reason, event.actor) == (
        CaseEvent.Kind.CHANGES_REQUESTED,
        "Beskriv kostnadene",
        superuser,
    )
    assert message_levels(response) == [SUCCESS]


def test_archive_needs_a_reason_and_archives_through_the_service(admin_client, published_case):
    run_action(admin_client, Case, "archive", [published_case])
    published_case.refresh_from_db()
    assert published_case.status == CaseStatus.PUBLISHED

    run_action(admin_client, Case, "archive", [published_case], reason="Erstattet av ny sak")
    published_case.refresh_from_db()
    assert published_case.status == CaseStatus.ARCHIVED
    assert CaseEvent.objects.get(case=published_case).reason == "Erstattet av ny sak"


def test_restore_publishes_an_archived_case_again_and_refuses_others(admin_client, published_case):
    response = run_action(admin_client, Case, "restore", [published_case])
    assert message_levels(response) == [ERROR]
    run_action(admin_client, Case, "archive", [published_case], reason="Pause")
    run_action(admin_client, Case, "restore", [published_case])
    published_case.refresh_from_db()
    assert published_case.status == CaseStatus.PUBLISHED
    assert list(published_case.events.values_list("kind", flat=True).order_by("pk")) == [
        "archived",
        "restored",
    ]


def test_sending_an_edit_back_needs_a_reason(admin_client, published_case):
    revision = CaseRevision.objects.create(case=published_case, data={"title": "X"})

    run_action(admin_client, CaseRevision, "reject", [revision])
    revision.refresh_from_db()
    assert revision.status == CaseRevision.Status.PENDING

    run_action(admin_client, CaseRevision, "reject", [revision], reason="For kort tittel")
    revision.refresh_from_db()
    assert revision.status == CaseRevision.Status.REJECTED
    assert revision.reason == "For kort tittel"


def test_outgoing_email_can_be_sent_again(admin_client, mailoutbox):
    email = OutgoingEmail.objects.create(to=["a@example.no"], subject="Hei", body="Tekst")

    response = run_action(admin_client, OutgoingEmail, "send_again", [email])

    email.refresh_from_db()
    assert email.sent_at is not None
    assert [message.subject for message in mailoutbox] == ["Hei"]
    assert message_levels(response) == [SUCCESS]


def _form_data(response) -> dict:
    """The POST data of an admin change page as it was rendered (main form and inlines)."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for field in form:
            value = field.field.prepare_value(field.value())
            if value is None or value is False:
                continue
            if value is True:
                data[field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(item) for item in value]
            else:
                data[field.html_name] = str(value)
    return data


# --- The admin is no second write path ----------------------------------------------------------


def test_an_admin_edit_of_a_published_case_waits_for_a_moderator(
    admin_client, superuser, published_case
):
    """Once, an admin edit changed a published case live; now it goes through the service like
    an author's edit: a revision that waits for approval, and the published text stays."""
    url = admin_url(Case, "change", published_case.pk)
    before = published_case.title
    data = _form_data(admin_client.get(url))
    data["title"] = "Rettet tittel"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    published_case.refresh_from_db()
    assert published_case.title == before
    revision = published_case.revisions.get(status=CaseRevision.Status.PENDING)
    assert revision.data["title"] == "Rettet tittel"
    assert revision.created_by == superuser
    event = CaseEvent.objects.get(case=published_case)
    assert event.kind == CaseEvent.Kind.REVISION_SUBMITTED
    # The admin shows the pending edit when it is opened again.
    assert 'value="Rettet tittel"' in admin_client.get(url).content.decode()


def test_an_admin_edit_of_a_draft_is_saved_with_history(admin_client, superuser, municipality):
    draft = factories.CaseFactory(organisation=municipality, status=CaseStatus.DRAFT)
    url = admin_url(Case, "change", draft.pk)
    data = _form_data(admin_client.get(url))
    data["summary"] = "Rettet sammendrag."
    data["tags"] = "Robot, Multidose"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.summary == "Rettet sammendrag."
    assert draft.tags == ["multidose", "robot"]
    assert "multidose" in draft.search_extra.split()
    event = CaseEvent.objects.get(case=draft, kind=CaseEvent.Kind.EDITED)
    assert event.actor == superuser
    assert event.changes["summary"][1] == "Rettet sammendrag."


def test_the_admin_refuses_what_the_content_refuses(admin_client, published_case):
    url = admin_url(Case, "change", published_case.pk)
    data = _form_data(admin_client.get(url))
    data["sectors"] = ["space-travel"]

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "space-travel" in str(response.context["adminform"].form.errors["sectors"])
    assert not published_case.revisions.exists()


def test_cases_are_created_on_the_site_not_in_the_admin(admin_client):
    assert admin_client.get(admin_url(Case, "add")).status_code == 403


def test_the_admin_does_not_record_or_change_reuse(admin_client, published_case, municipality):
    adoption = factories.AdoptionFactory(case=published_case)
    url = admin_url(Adoption, "change", adoption.pk)
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"note": "Endret"}).status_code == 403
    assert admin_client.get(admin_url(Adoption, "add")).status_code == 403
    adoption.refresh_from_db()
    assert adoption.note != "Endret"


def test_a_user_is_added_with_email_and_password(admin_client):
    response = admin_client.post(
        admin_url(User, "add"),
        {
            "email": "Ny.Person@Example.no",
            "full_name": "Ny Person",
            "usable_password": "true",
            "password1": "et langt og trygt passord 42",
            "password2": "et langt og trygt passord 42",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="ny.person@example.no")
    assert user.full_name == "Ny Person"
    assert user.check_password("et langt og trygt passord 42")


# --- Soft delete -----------------------------------------------------------------------------


def test_deleting_a_case_in_the_admin_soft_deletes_it(admin_client, municipality):
    draft = factories.CaseFactory(organisation=municipality, status=CaseStatus.DRAFT)
    url = admin_url(Case, "delete", draft.pk)
    assert admin_client.get(url).status_code == 200

    response = admin_client.post(url, {"post": "yes", "reason": "Dobbeltregistrert"})

    assert response.status_code == 302
    assert not Case.objects.filter(pk=draft.pk).exists()
    kept = Case.all_objects.get(pk=draft.pk)
    assert kept.deleted_at is not None
    assert CaseEvent.objects.get(case=kept, kind=CaseEvent.Kind.DELETED).reason == (
        "Dobbeltregistrert"
    )


def test_deleting_selected_cases_soft_deletes_those_that_may_be_deleted(
    admin_client, municipality, published_case
):
    draft = factories.CaseFactory(organisation=municipality, status=CaseStatus.DRAFT)

    confirm = run_action(admin_client, Case, "delete_selected", [draft, published_case])
    assert confirm.status_code == 200
    response = run_action(
        admin_client, Case, "delete_selected", [draft, published_case], post="yes"
    )

    assert response.status_code == 302
    assert Case.all_objects.get(pk=draft.pk).deleted_at is not None
    assert Case.objects.filter(pk=published_case.pk).exists()  # published: archive instead
    assert sorted(message_levels(response)) == sorted([SUCCESS, ERROR])


def test_a_published_case_cannot_be_deleted(admin_client, published_case):
    response = admin_client.post(admin_url(Case, "delete", published_case.pk), {"post": "yes"})
    assert response.status_code == 403
    assert Case.objects.filter(pk=published_case.pk).exists()


def test_deleting_an_adoption_withdraws_it(admin_client, superuser, published_case):
    adoption = factories.AdoptionFactory(case=published_case)

    response = admin_client.post(admin_url(Adoption, "delete", adoption.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Adoption.objects.filter(pk=adoption.pk).exists()
    assert Adoption.all_objects.get(pk=adoption.pk).deleted_at is not None
    assert CaseEvent.objects.filter(
        case=published_case, kind=CaseEvent.Kind.ADOPTION_WITHDRAWN, actor=superuser
    ).exists()


def test_deleting_an_organisation_hides_it_unless_it_owns_something(
    admin_client, municipality, published_case
):
    company = Organisation.objects.create(kind="company", name="Leverandør AS", slug="lev")

    admin_client.post(admin_url(Organisation, "delete", company.pk), {"post": "yes"}, follow=True)
    response = admin_client.post(
        admin_url(Organisation, "delete", municipality.pk), {"post": "yes"}
    )

    assert Organisation.all_objects.get(pk=company.pk).deleted_at is not None
    assert not Organisation.objects.filter(pk=company.pk).exists()
    municipality.refresh_from_db()
    assert municipality.deleted_at is None  # it owns a published case
    assert message_levels(response) == [ERROR]


# --- Organisations ---------------------------------------------------------------------------------


def test_organisation_form_refuses_a_loop_in_the_parent_chain(admin_client, unit):
    team = factories.UnitFactory(parent=unit)
    url = admin_url(Organisation, "change", unit.pk)
    data = _form_data(admin_client.get(url))
    data["parent"] = str(team.pk)

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    unit.refresh_from_db()
    assert unit.parent != team


def test_changing_a_municipality_refreshes_its_units(admin_client, municipality, unit):
    url = admin_url(Organisation, "change", municipality.pk)
    data = _form_data(admin_client.get(url))
    data["population"] = "25000"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    unit.refresh_from_db()
    assert unit.size_class == "large"


def test_membership_inline_on_the_organisation(admin_client, municipality, user):
    Membership.objects.create(user=user, organisation=municipality, role=MembershipRole.EDITOR)
    response = admin_client.get(admin_url(Organisation, "change", municipality.pk))
    (inline,) = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Membership
    ]
    assert [form.instance.user for form in inline.formset.initial_forms] == [user]


# --- Memberships and files -------------------------------------------------------------------------


def test_membership_requests_are_approved_and_declined_through_the_services(
    admin_client, superuser, municipality
):
    asking = Membership.objects.create(
        user=factories.UserFactory(), organisation=municipality, status=MembershipStatus.PENDING
    )
    declined = Membership.objects.create(
        user=factories.UserFactory(), organisation=municipality, status=MembershipStatus.PENDING
    )

    run_action(admin_client, Membership, "approve", [asking])
    run_action(admin_client, Membership, "decline", [declined], reason="Ukjent adresse")

    asking.refresh_from_db()
    assert asking.status == MembershipStatus.ACTIVE
    assert asking.approved_by == superuser
    assert not Membership.objects.filter(pk=declined.pk).exists()
    assert OutgoingEmail.objects.filter(body__contains="Ukjent adresse").exists()


def test_a_role_cannot_be_changed_before_the_request_is_approved(admin_client, municipality):
    asking = Membership.objects.create(
        user=factories.UserFactory(), organisation=municipality, status=MembershipStatus.PENDING
    )
    url = admin_url(Membership, "change", asking.pk)
    data = _form_data(admin_client.get(url))
    data["role"] = MembershipRole.EDITOR

    response = admin_client.post(url, data)

    assert response.status_code == 200
    asking.refresh_from_db()
    assert asking.role == MembershipRole.MEMBER


def test_removing_a_file_in_the_admin_hides_it_and_leaves_a_trace(
    admin_client, superuser, every_object
):
    attachment = every_object[Attachment]

    response = admin_client.post(admin_url(Attachment, "delete", attachment.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert Attachment.all_objects.get(pk=attachment.pk).deleted_at is not None
    event = CaseEvent.objects.get(case=attachment.case, kind=CaseEvent.Kind.EDITED)
    assert event.actor == superuser
    assert event.changes == {"attachments": [[attachment.pk], []]}


# --- Search words copied from other tables stay right ---------------------------------------------


def test_renaming_an_organisation_refreshes_its_cases_search_words(
    admin_client, municipality, published_case
):
    partnered = factories.CaseFactory(published=True, partners=[municipality])
    url = admin_url(Organisation, "change", municipality.pk)
    data = _form_data(admin_client.get(url))
    data["name"] = "Nye Bergen kommune"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    for case in (published_case, partnered):
        case.refresh_from_db()
        assert "Nye Bergen kommune" in case.search_extra


def test_a_member_added_on_the_organisation_page_is_active_and_approved(
    admin_client, superuser, municipality, user
):
    url = admin_url(Organisation, "change", municipality.pk)
    data = _form_data(admin_client.get(url))
    data["memberships-TOTAL_FORMS"] = str(int(data["memberships-TOTAL_FORMS"]) + 1)
    new = int(data["memberships-TOTAL_FORMS"]) - 1
    data[f"memberships-{new}-user"] = str(user.pk)
    data[f"memberships-{new}-role"] = MembershipRole.EDITOR

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    membership = Membership.objects.get(user=user, organisation=municipality)
    assert (membership.role, membership.status) == (MembershipRole.EDITOR, MembershipStatus.ACTIVE)
    assert membership.approved_by == superuser
