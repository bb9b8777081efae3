"""Emails that carry a one-time link (choose a new password, confirm an address).

Whoever reads such a link can act as its recipient, so the outbox keeps no usable link, not
before sending and not after, and the admin shows none: staff who may only view outgoing email
cannot take over an account. A password reset request does the same work whether or not the
address has an account, and no mail server is contacted inside the request.
"""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Permission
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import notifications
from cases.models import OutgoingEmail, User
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "Fjordlys-og-multidose-2026"
# The paths that carry a secret: /glemt-passord/<uid>/<token>/ and /bekreft-epost/<token>/.
RESET_LINK = re.compile(r"/glemt-passord/([^/\s]+)/([^/\s]+)/")
VERIFY_LINK = re.compile(r"/bekreft-epost/(?!ny-lenke/)([^/\s]+)/")


def _stored() -> str:
    """Everything the outbox holds, as text."""
    return "\n".join(str(model_to_dict(row)) for row in OutgoingEmail.objects.all())


def _assert_no_link_at_rest(*secrets: str) -> None:
    stored = _stored()
    assert not RESET_LINK.search(stored), stored
    assert not VERIFY_LINK.search(stored), stored
    for secret in secrets:
        assert secret not in stored


def _ask_for_reset(client, capture, address: str):
    with capture(execute=True):
        return client.post(reverse("password_reset"), {"email": address})


def test_a_reset_link_is_made_when_sent_and_never_stored(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    user = factories.UserFactory(email="per@example.no", password=PASSWORD)
    _ask_for_reset(client, django_capture_on_commit_callbacks, "Per@Example.no")
    assert mailoutbox == []  # queued, not sent inside the request
    _assert_no_link_at_rest()

    assert notifications.send_queued() == (1, 0)
    [mail] = mailoutbox
    assert mail.to == ["per@example.no"]
    uid, token = RESET_LINK.search(mail.body).groups()
    _assert_no_link_at_rest(token)
    assert OutgoingEmail.objects.get().sent_at is not None

    # The link works.
    page = client.get(f"/glemt-passord/{uid}/{token}/")
    assert client.get(page["Location"]).context["validlink"]
    assert user.email == "per@example.no"


def test_confirmation_links_are_made_when_sent_and_never_stored(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    data = {
        "full_name": "Kari Nordmann",
        "email": "kari@example.no",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("register"), data)
    [mail] = mailoutbox
    token = VERIFY_LINK.search(mail.body).group(1)
    _assert_no_link_at_rest(token)

    # Registering the same unconfirmed address again mails its owner a reset link instead.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("register"), {**data, "password1": "x" * 20, "password2": "x" * 20})
    _uid, reset_token = RESET_LINK.search(mailoutbox[1].body).groups()
    _assert_no_link_at_rest(token, reset_token)

    assert client.post(f"/bekreft-epost/{token}/").status_code == 302
    assert User.objects.get(email="kari@example.no").email_verified_at is not None


def test_staff_who_may_view_outgoing_email_cannot_take_over_an_account(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    """The review took over the superuser with this permission alone."""
    User.objects.create_superuser(email="admin@example.no", password=PASSWORD)
    staff = factories.UserFactory(email="stab@example.no", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_outgoingemail"))
    _ask_for_reset(client, django_capture_on_commit_callbacks, "admin@example.no")
    [queued] = OutgoingEmail.objects.all()

    client.force_login(staff)
    changelist = reverse("admin:cases_outgoingemail_changelist")
    change = reverse("admin:cases_outgoingemail_change", args=[queued.pk])
    seen = [client.get(changelist), client.get(change)]
    notifications.send_queued()
    [mail] = mailoutbox
    _uid, token = RESET_LINK.search(mail.body).groups()
    seen += [client.get(changelist), client.get(change)]

    for response in seen:
        assert response.status_code == 200
        html = response.content.decode()
        assert not RESET_LINK.search(html)
        assert token not in html
    _assert_no_link_at_rest(token)


def test_the_admin_still_shows_ordinary_email(client):
    superuser = User.objects.create_superuser(email="admin@example.no", password=PASSWORD)
    email = OutgoingEmail.objects.create(
        to=["a@example.no"], subject="Saken er publisert", body="Mobil røntgen er publisert."
    )
    client.force_login(superuser)
    response = client.get(reverse("admin:cases_outgoingemail_change", args=[email.pk]))
    assert "Mobil røntgen er publisert." in response.content.decode()


# Timing: the same work for an address with and without an account ---------------------------

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T][\d:.]+(\+00:00)?")


def _reset_request(client, capture, address: str) -> dict:
    """What a reset request did: its answer, its SQL (address and times left out), the work
    left for after the commit, and the row it queued."""
    before = set(OutgoingEmail.objects.values_list("pk", flat=True))
    with (
        CaptureQueriesContext(connection) as queries,
        capture(execute=True) as callbacks,
    ):
        response = client.post(reverse("password_reset"), {"email": address})
    rows = OutgoingEmail.objects.exclude(pk__in=before)
    return {
        "status": response.status_code,
        "location": response["Location"],
        "sql": [
            TIMESTAMP.sub("TIME", query["sql"].replace(address, "ADDRESS"))
            for query in queries.captured_queries
        ],
        "after_commit": len(callbacks),
        "queued": [
            {**model_to_dict(row, exclude=["id", "created_at"]), "to": ["ADDRESS"]} for row in rows
        ],
    }


def test_a_reset_request_does_the_same_work_whether_or_not_the_address_has_an_account(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    factories.UserFactory(email="per@example.no", password=PASSWORD)
    known = _reset_request(client, django_capture_on_commit_callbacks, "per@example.no")
    unknown = _reset_request(client, django_capture_on_commit_callbacks, "ingen@example.no")

    assert known == unknown
    assert known["status"] == 302
    assert len(known["queued"]) == 1
    # No mail server inside the request: the mail leaves with send_queued_email.
    assert mailoutbox == []

    assert notifications.send_queued() == (2, 0)
    assert [mail.to for mail in mailoutbox] == [["per@example.no"]]
    # Nothing is kept about the address without an account.
    assert "ingen@example.no" not in _stored()


def test_links_stored_before_this_release_are_removed():
    """The migration that brought send-time links scrubs the bodies already stored."""
    scrub = importlib.import_module("cases.migrations.0008_outbox_links_at_send_time")
    now = timezone.now()
    sent = OutgoingEmail.objects.create(
        to=["a@example.no"],
        subject="Velg nytt passord",
        sent_at=now,
        body="http://localhost/glemt-passord/MQ/abc-123/",
    )
    waiting = OutgoingEmail.objects.create(
        to=["b@example.no"], subject="Bekreft", body="http://localhost/bekreft-epost/eyJ1/"
    )
    ordinary = OutgoingEmail.objects.create(to=["c@example.no"], subject="Hei", body="Publisert.")
    scrub.scrub_links(django_apps, None)
    _assert_no_link_at_rest()
    sent.refresh_from_db()
    assert sent.sent_at == now
    assert sent.body == scrub.NOTE
    assert not OutgoingEmail.objects.filter(pk=waiting.pk).exists()
    ordinary.refresh_from_db()
    assert ordinary.body == "Publisert."
