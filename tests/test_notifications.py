"""Who is told what by email, in which language, and what happens when the mail server fails."""

import smtplib
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from cases import notifications, services
from cases.models import MODERATORS_GROUP, Case, CaseEvent, OutgoingEmail
from cases.vocabularies import CaseStatus, MembershipRole, MembershipStatus
from tests import factories

pytestmark = pytest.mark.django_db

LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("421 Service not available")


# --- personas ---------------------------------------------------------------------------------


def _person(organisation, role, **user_fields):
    user = factories.UserFactory(**user_fields)
    factories.MembershipFactory(
        user=user, organisation=organisation, role=role, status=MembershipStatus.ACTIVE
    )
    return user


def _moderator(**user_fields):
    user = factories.UserFactory(**user_fields)
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


@pytest.fixture
def owner(municipality):
    return municipality


@pytest.fixture
def author(owner):
    """A member (not an editor) who wrote the case."""
    return _person(owner, MembershipRole.MEMBER, email="forfatter@kommune.no")


@pytest.fixture
def bystander(owner):
    """A member of the owner organisation who did not write the case."""
    return _person(owner, MembershipRole.MEMBER, email="kollega@kommune.no")


@pytest.fixture
def editors(owner):
    return [
        _person(owner, MembershipRole.EDITOR, email="redaktor1@kommune.no"),
        _person(owner, MembershipRole.EDITOR, email="redaktor2@kommune.no"),
    ]


@pytest.fixture
def moderators(db):
    active = [_moderator(email="mod1@ks.no"), _moderator(email="mod2@ks.no")]
    _moderator(email="sluttet@ks.no", is_active=False)
    return active


@pytest.fixture
def outsider(county):
    return _person(factories.MunicipalityFactory(parent=county), MembershipRole.MEMBER)


@pytest.fixture
def ready_draft(owner, author):
    return factories.CaseFactory(
        organisation=owner,
        created_by=author,
        title="Robot som deler ut multidose",
        stage="in-use",
        sectors=["health-care"],
        innovation_types=["product"],
    )


@pytest.fixture
def submitted_case(ready_draft):
    Case.objects.filter(pk=ready_draft.pk).update(
        status=CaseStatus.SUBMITTED, submitted_at=timezone.now()
    )
    ready_draft.refresh_from_db()
    return ready_draft


# --- helpers ----------------------------------------------------------------------------------


def nb(message: str, **values) -> str:
    """A source string in Norwegian bokmål (the source text itself while untranslated)."""
    with translation.override("nb"):
        text = gettext(message)
    return text % values if values else text


def translated(message: str) -> bool:
    return nb(message) != message


def emails_of(users) -> list[str]:
    return sorted(user.email for user in users)


def only(mailoutbox):
    assert len(mailoutbox) == 1, [m.subject for m in mailoutbox]
    return mailoutbox[0]


# --- who is told ------------------------------------------------------------------------------


def test_submitting_emails_every_moderator(
    client, django_capture_on_commit_callbacks, mailoutbox, moderators, author, ready_draft
):
    client.force_login(author)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("case-submit", kwargs={"slug": ready_draft.slug}))
    assert response.status_code == 302

    mail = only(mailoutbox)
    assert sorted(mail.to) == emails_of(moderators)
    assert "sluttet@ks.no" not in mail.to
    assert author.email not in mail.to
    assert mail.from_email == django_settings.DEFAULT_FROM_EMAIL
    assert mail.subject == nb("New case to review: %(title)s", title=ready_draft.title)
    assert ready_draft.title in mail.body
    assert ready_draft.organisation.name in mail.body
    assert django_settings.SITE_URL.rstrip("/") + reverse("moderation-queue") in mail.body
    row = OutgoingEmail.objects.get()
    assert row.sent_at is not None
    assert row.attempts == 1
    assert row.last_error == ""


def test_no_moderators_means_no_email(
    client, django_capture_on_commit_callbacks, mailoutbox, author, ready_draft
):
    client.force_login(author)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("case-submit", kwargs={"slug": ready_draft.slug}))
    ready_draft.refresh_from_db()
    assert ready_draft.status == CaseStatus.SUBMITTED
    assert mailoutbox == []
    assert not OutgoingEmail.objects.exists()


def test_email_is_sent_only_after_the_commit(mailoutbox, moderators, author, ready_draft):
    services.case_submit(actor=author, case=ready_draft)
    # The test's transaction never commits: the email waits in the queue.
    assert mailoutbox == []
    row = OutgoingEmail.objects.get()
    assert row.sent_at is None
    assert row.attempts == 0


def test_a_refused_submission_emails_nobody(
    client, django_capture_on_commit_callbacks, mailoutbox, moderators, author, owner
):
    incomplete = factories.CaseFactory(organisation=owner, created_by=author, summary="")
    client.force_login(author)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("case-submit", kwargs={"slug": incomplete.slug}))
    assert mailoutbox == []
    assert not OutgoingEmail.objects.exists()


def test_approving_emails_the_author_and_the_owners_editors(
    client,
    django_capture_on_commit_callbacks,
    mailoutbox,
    moderators,
    author,
    bystander,
    editors,
    outsider,
    submitted_case,
):
    client.force_login(moderators[0])
    with django_capture_on_commit_callbacks(execute=True):
        response = factories.approve_on_page(
            client, reverse("moderation-case", kwargs={"slug": submitted_case.slug})
        )
    assert response.status_code == 302

    mail = only(mailoutbox)
    assert sorted(mail.to) == emails_of([author, *editors])
    assert bystander.email not in mail.to
    assert outsider.email not in mail.to
    assert not set(mail.to) & set(emails_of(moderators))
    assert mail.subject == nb("Published: %(title)s", title=submitted_case.title)
    assert submitted_case.title in mail.body
    assert django_settings.SITE_URL.rstrip("/") + submitted_case.get_absolute_url() in mail.body


def test_an_inactive_author_is_not_emailed(
    django_capture_on_commit_callbacks, mailoutbox, moderators, author, editors, submitted_case
):
    author.is_active = False
    author.save()
    with django_capture_on_commit_callbacks(execute=True):
        factories.approve_case(moderators[0], submitted_case)
    assert sorted(only(mailoutbox).to) == emails_of(editors)


def test_request_changes_emails_the_authors_with_the_reason(
    client, django_capture_on_commit_callbacks, mailoutbox, moderators, author, editors, bystander,
    submitted_case,
):  # fmt: skip
    reason = "Beskriv hva det kostet.\nLegg ved en kontaktperson."
    client.force_login(moderators[0])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("moderation-case", kwargs={"slug": submitted_case.slug}),
            {"action": "request-changes", "reason": reason},
        )

    mail = only(mailoutbox)
    assert sorted(mail.to) == emails_of([author, *editors])
    assert bystander.email not in mail.to
    assert mail.subject == nb("Changes requested: %(title)s", title=submitted_case.title)
    assert reason in mail.body
    edit_url = reverse("case-edit", kwargs={"slug": submitted_case.slug})
    assert django_settings.SITE_URL.rstrip("/") + edit_url in mail.body


def test_request_changes_without_a_reason_emails_nobody(
    client, django_capture_on_commit_callbacks, mailoutbox, moderators, author, submitted_case
):
    client.force_login(moderators[0])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("moderation-case", kwargs={"slug": submitted_case.slug}),
            {"action": "request-changes", "reason": ""},
        )
    assert mailoutbox == []


def test_reporting_emails_the_moderators(
    client, django_capture_on_commit_callbacks, mailoutbox, moderators, editors, outsider, owner
):
    case = factories.CaseFactory(organisation=owner, published=True, title="Rapportert sak")
    client.force_login(outsider)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("case-report", kwargs={"slug": case.slug}),
            {"reason": "Telefonnummeret går til feil person."},
        )

    mail = only(mailoutbox)
    assert sorted(mail.to) == emails_of(moderators)
    assert mail.subject == nb("Case reported: %(title)s", title=case.title)
    assert "Telefonnummeret går til feil person." in mail.body
    assert django_settings.SITE_URL.rstrip("/") + case.get_absolute_url() in mail.body


def test_recording_an_adoption_emails_the_owners_editors(
    django_capture_on_commit_callbacks, mailoutbox, author, editors, county, owner
):
    case = factories.CaseFactory(organisation=owner, published=True, title="Vandreboka")
    adopter_organisation = factories.MunicipalityFactory(parent=county, name="Gjenbruk kommune")
    adopter = _person(adopter_organisation, MembershipRole.EDITOR)
    with django_capture_on_commit_callbacks(execute=True):
        adoption = services.adoption_record(
            actor=adopter,
            case=case,
            organisation=adopter_organisation,
            mode="adapted",
            channel="network",
            note="Vi laget en digital versjon.",
        )

    mail = only(mailoutbox)
    assert sorted(mail.to) == emails_of(editors)
    assert author.email not in mail.to
    assert adopter.email not in mail.to
    assert mail.subject == nb(
        "%(organisation)s has reused “%(title)s”",
        organisation="Gjenbruk kommune",
        title="Vandreboka",
    )
    assert "Gjenbruk kommune" in mail.body
    assert "Vi laget en digital versjon." in mail.body
    assert adoption.case.get_absolute_url() in mail.body


def test_an_edit_of_a_published_case_emails_the_moderators_and_the_decision_the_authors(
    django_capture_on_commit_callbacks, mailoutbox, moderators, author, editors, bystander, owner
):
    case = factories.CaseFactory(
        organisation=owner, created_by=author, published=True, title="Publisert"
    )
    with django_capture_on_commit_callbacks(execute=True):
        revision = services.case_update(actor=bystander, case=case, data={"summary": "Ny"})
    mail = only(mailoutbox)
    assert sorted(mail.to) == emails_of(moderators)
    assert mail.subject == nb("Edit to review: %(title)s", title="Publisert")

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.revision_reject(actor=moderators[0], revision=revision, reason="Ikke riktig.")
    mail = only(mailoutbox)
    assert sorted(mail.to) == emails_of([author, bystander, *editors])
    assert mail.subject == nb("Edit sent back: %(title)s", title="Publisert")
    assert "Ikke riktig." in mail.body


# --- language ---------------------------------------------------------------------------------


def test_emails_are_in_norwegian_bokmal_even_for_an_english_user(
    client, django_capture_on_commit_callbacks, mailoutbox, moderators, author, ready_draft
):
    client.force_login(author)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("case-submit", kwargs={"slug": ready_draft.slug}),
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 302
    mail = only(mailoutbox)
    expected = nb("New case to review: %(title)s", title=ready_draft.title)
    assert mail.subject == expected
    if translated("New case to review: %(title)s"):
        assert not mail.subject.startswith("New case to review")
        assert "Moderation queue" not in mail.body


@pytest.mark.parametrize(
    "source",
    [
        "New case to review: %(title)s",
        "Published: %(title)s",
        "Changes requested: %(title)s",
        "Case reported: %(title)s",
        "%(organisation)s has reused “%(title)s”",
    ],
)
def test_the_subjects_have_a_bokmal_translation(source):
    assert translated(source)


def test_plain_text_emails_are_not_html_escaped(
    client, django_capture_on_commit_callbacks, mailoutbox, moderators, author, editors, owner
):
    case = factories.CaseFactory(
        organisation=owner,
        created_by=author,
        title="Mat & helse <for> eldre",
        status=CaseStatus.SUBMITTED,
        submitted_at=timezone.now(),
        stage="in-use",
        sectors=["health-care"],
        innovation_types=["service"],
    )
    reason = "Skriv «hvorfor» og 'hvordan' & legg ved \"tall\"."
    with django_capture_on_commit_callbacks(execute=True):
        services.case_request_changes(actor=moderators[0], case=case, reason=reason)
    mail = only(mailoutbox)
    assert "Mat & helse <for> eldre" in mail.subject
    assert reason in mail.body
    assert "&amp;" not in mail.body


# --- a failing mail server --------------------------------------------------------------------


def test_a_failing_mail_server_loses_nothing_and_the_queue_sends_it_later(
    client, settings, django_capture_on_commit_callbacks, mailoutbox, moderators, author,
    ready_draft,
):  # fmt: skip
    settings.MAILERS = {"default": {"BACKEND": "tests.test_notifications.FailingBackend"}}
    client.force_login(author)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("case-submit", kwargs={"slug": ready_draft.slug}))

    assert len(callbacks) == 1
    assert response.status_code == 302
    ready_draft.refresh_from_db()
    assert ready_draft.status == CaseStatus.SUBMITTED
    assert ready_draft.events.filter(kind=CaseEvent.Kind.SUBMITTED).count() == 1
    assert mailoutbox == []
    row = OutgoingEmail.objects.get()
    assert row.sent_at is None
    assert row.attempts == 1
    assert "421 Service not available" in row.last_error
    assert sorted(row.to) == emails_of(moderators)

    # Still down: the retry counts another attempt.
    out = StringIO()
    call_command("send_queued_email", stdout=out)
    row.refresh_from_db()
    assert row.sent_at is None
    assert row.attempts == 2
    assert "0" in out.getvalue()

    settings.MAILERS = LOCMEM
    out = StringIO()
    call_command("send_queued_email", stdout=out)
    row.refresh_from_db()
    assert row.sent_at is not None
    assert row.attempts == 3
    mail = only(mailoutbox)
    assert mail.subject == row.subject
    assert sorted(mail.to) == emails_of(moderators)
    assert "1" in out.getvalue()

    # Sent once is sent: running the queue again sends nothing more.
    call_command("send_queued_email", stdout=StringIO())
    assert len(mailoutbox) == 1


def test_the_queue_gives_up_after_the_maximum_attempts(settings, mailoutbox):
    settings.MAILERS = LOCMEM
    exhausted = OutgoingEmail.objects.create(
        to=["a@example.no"], subject="Gitt opp", body="x", attempts=notifications.MAX_ATTEMPTS
    )
    waiting = OutgoingEmail.objects.create(
        to=["b@example.no"], subject="Venter", body="y", attempts=3
    )
    call_command("send_queued_email", stdout=StringIO())
    assert [m.subject for m in mailoutbox] == ["Venter"]
    exhausted.refresh_from_db()
    waiting.refresh_from_db()
    assert exhausted.sent_at is None
    assert waiting.sent_at is not None


def test_a_failing_mail_server_does_not_break_approval(
    client, settings, django_capture_on_commit_callbacks, moderators, author, submitted_case
):
    settings.MAILERS = {"default": {"BACKEND": "tests.test_notifications.FailingBackend"}}
    client.force_login(moderators[0])
    with django_capture_on_commit_callbacks(execute=True):
        response = factories.approve_on_page(
            client, reverse("moderation-case", kwargs={"slug": submitted_case.slug})
        )
    assert response.status_code == 302
    submitted_case.refresh_from_db()
    assert submitted_case.status == CaseStatus.PUBLISHED
    row = OutgoingEmail.objects.get()
    assert row.sent_at is None
    assert row.attempts == 1
