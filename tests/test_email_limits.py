"""Every form that makes the site send email is limited per client address (and per user) and
per address the email goes to: over the limit the form says so in the user's language with
status 429, and nothing is queued. Names people choose never become link text in an email."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cases import links, ratelimit
from cases.models import CaseReport, Membership, OutgoingEmail, User
from tests import factories
from tests.conftest import speaking

pytestmark = pytest.mark.django_db

PASSWORD = "Fjordlys-og-multidose-2026"
NB_TOO_MANY = "For mange e-poster"
EN_TOO_MANY = "Too many emails"


@pytest.fixture(autouse=True)
def _limits(settings):
    cache.clear()
    settings.EMAIL_LIMIT_PER_CLIENT = "3/hour"
    settings.EMAIL_LIMIT_PER_ADDRESS = "2/hour"
    yield
    cache.clear()


def register(client: Client, email: str, **extra):
    data = {"full_name": "Kari Nordmann", "email": email, "password1": PASSWORD}
    data["password2"] = PASSWORD
    return client.post(reverse("register"), data, **extra)


def queued_to(address: str) -> int:
    return sum(address in email.to for email in OutgoingEmail.objects.all())


def assert_refused(response, text: str = NB_TOO_MANY) -> None:
    assert response.status_code == 429
    assert text in response.content.decode()
    assert int(response["Retry-After"]) > 0


# --- Registration ---------------------------------------------------------------------------


def test_registration_to_one_address_is_limited_whoever_asks():
    for number in range(2):
        response = register(Client(REMOTE_ADDR=f"198.51.100.{number}"), "kari@example.no")
        assert response.status_code == 302
    response = register(Client(REMOTE_ADDR="198.51.100.9"), "KARI@example.no")
    assert_refused(response)
    assert queued_to("kari@example.no") == 2
    # The form keeps what was typed.
    assert 'value="KARI@example.no"' in response.content.decode() or "kari@example.no" in (
        response.content.decode()
    )


def test_registration_from_one_client_is_limited_whatever_the_address():
    client = Client(REMOTE_ADDR="203.0.113.7")
    for number in range(3):
        assert register(client, f"person{number}@example.no").status_code == 302
    response = register(speaking(client, "en"), "person9@example.no")
    assert_refused(response, EN_TOO_MANY)
    speaking(client, "nb")
    assert not User.objects.filter(email="person9@example.no").exists()
    assert OutgoingEmail.objects.count() == 3
    # A forged X-Forwarded-For is not another client.
    forged = register(client, "person8@example.no", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert_refused(forged)
    # Someone else is not held up.
    assert register(Client(REMOTE_ADDR="198.51.100.1"), "ola@example.no").status_code == 302


def test_behind_a_trusted_proxy_clients_are_limited_apart(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    first = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    for number in range(3):
        assert register(first, f"person{number}@example.no").status_code == 302
    assert_refused(register(first, "person9@example.no"))
    second = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert register(second, "ola@example.no").status_code == 302


# --- Password reset -------------------------------------------------------------------------


@pytest.mark.parametrize("exists", [True, False], ids=["known", "unknown"])
def test_password_reset_is_limited_per_address_the_same_for_known_and_unknown(exists):
    if exists:
        factories.UserFactory(email="per@example.no")
    for number in range(2):
        client = Client(REMOTE_ADDR=f"198.51.100.{number}")
        response = client.post(reverse("password_reset"), {"email": "per@example.no"})
        assert response.status_code == 302
    client = Client(REMOTE_ADDR="198.51.100.9")
    response = client.post(reverse("password_reset"), {"email": "per@example.no"})
    assert_refused(response)
    # Queued alike whether or not the address has an account (send_queued_email decides).
    assert queued_to("per@example.no") == 2


def test_password_reset_is_limited_per_client():
    client = Client(REMOTE_ADDR="203.0.113.7")
    for number in range(3):
        factories.UserFactory(email=f"person{number}@example.no")
        response = client.post(reverse("password_reset"), {"email": f"person{number}@example.no"})
        assert response.status_code == 302
    factories.UserFactory(email="person9@example.no")
    response = client.post(reverse("password_reset"), {"email": "person9@example.no"})
    assert_refused(response)
    assert queued_to("person9@example.no") == 0


# --- A new verification link ----------------------------------------------------------------


def test_asking_again_for_a_verification_link_is_limited():
    user = factories.UserFactory(email="kari@example.no", email_verified_at=None)
    token = links.verification_token(user)
    for number in range(2):
        client = Client(REMOTE_ADDR=f"198.51.100.{number}")
        response = client.post(reverse("verify-email-resend"), {"token": token})
        assert response.status_code == 302
    client = Client(REMOTE_ADDR="198.51.100.9")
    response = client.post(reverse("verify-email-resend"), {"token": token}, follow=True)
    assert NB_TOO_MANY in response.content.decode()
    assert queued_to("kari@example.no") == 2


# --- Signed-in forms that tell moderators and editors ---------------------------------------


def test_reports_are_limited_per_user_whatever_the_address(published_case, outsider, moderator):
    for number in range(3):
        client = Client(REMOTE_ADDR=f"198.51.100.{number}")
        client.force_login(outsider)
        url = reverse("case-report", kwargs={"slug": published_case.slug})
        assert client.post(url, {"reason": f"Feil nummer {number}"}).status_code == 302
    client = Client(REMOTE_ADDR="198.51.100.9")
    client.force_login(outsider)
    url = reverse("case-report", kwargs={"slug": published_case.slug})
    response = client.post(url, {"reason": "En gang for mye"})
    assert_refused(response)
    assert CaseReport.objects.count() == 3
    assert OutgoingEmail.objects.count() == 3


def test_membership_requests_are_limited(moderator, county):
    requester = factories.UserFactory()
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.force_login(requester)
    organisations = [factories.MunicipalityFactory(parent=county) for _ in range(4)]
    for organisation in organisations[:3]:
        response = client.post(reverse("membership-request"), {"organisation": organisation.pk})
        assert response.status_code == 302
    response = client.post(reverse("membership-request"), {"organisation": organisations[3].pk})
    assert_refused(response)
    assert not Membership.objects.filter(user=requester, organisation=organisations[3]).exists()
    assert OutgoingEmail.objects.count() == 3


# --- No user-supplied link text -------------------------------------------------------------


LINKY_NAME = "www.evil.example/premie vinner"


def test_the_registrants_chosen_name_is_not_in_the_email(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_LIMIT_PER_CLIENT = "100/hour"
    settings.EMAIL_LIMIT_PER_ADDRESS = "100/hour"
    client = Client()
    data = {"full_name": LINKY_NAME, "email": "offer@example.no", "password1": PASSWORD}
    data["password2"] = PASSWORD
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("register"), data).status_code == 302
        # Again, to the address that now has an account; and a password reset for it.
        assert client.post(reverse("register"), data).status_code == 302
        response = client.post(reverse("password_reset"), {"email": "offer@example.no"})
        assert response.status_code == 302
    call_command("send_queued_email", stdout=io.StringIO())  # resets are sent from the outbox
    assert len(mailoutbox) == 3
    for email in mailoutbox:
        assert email.to == ["offer@example.no"]
        assert "evil.example" not in email.subject + email.body


def test_a_requesters_chosen_name_is_not_link_text_in_the_editors_email(
    owner, editor, mailoutbox, django_capture_on_commit_callbacks
):
    requester = factories.UserFactory(full_name=LINKY_NAME, email="ola@example.no")
    client = Client()
    client.force_login(requester)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("membership-request"), {"organisation": owner.pk})
    assert response.status_code == 302
    (email,) = mailoutbox
    assert "evil.example" not in email.subject + email.body
    assert "ola@example.no" in email.body


# --- The settings ---------------------------------------------------------------------------


def test_an_unreadable_rate_is_found_at_start(settings):
    assert ratelimit.check_rate_settings() == []
    settings.EMAIL_LIMIT_PER_ADDRESS = "five an hour"
    (error,) = ratelimit.check_rate_settings()
    assert error.obj == "EMAIL_LIMIT_PER_ADDRESS"
    assert "five an hour" in error.msg


@pytest.mark.parametrize(
    ("text", "count", "seconds"),
    [("20/hour", 20, 3600), ("60/10min", 60, 600), ("5/s", 5, 1), (" 3 / 2day ", 3, 172800)],
)
def test_rates_read_like_the_api_rates(settings, text, count, seconds):
    settings.EMAIL_LIMIT_PER_CLIENT = text
    limit = ratelimit.Limit.from_setting("x", "EMAIL_LIMIT_PER_CLIENT")
    assert (limit.count, limit.seconds) == (count, seconds)
