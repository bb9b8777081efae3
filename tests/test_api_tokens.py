"""API tokens: created on the profile page, the key shown once, only its hash stored, revoked
by their owner only, and recognised by `api_token_authenticate`."""

import datetime
import hashlib
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import ApiToken
from tests import factories

pytestmark = pytest.mark.django_db


def _create(client, name="Intranett-synk"):
    return client.post(reverse("api-token-create"), {"name": name})


def _key_from(response) -> str:
    match = re.search(r'id="new-key"[^>]*value="([^"]+)"', response.content.decode())
    if match is None:
        match = re.search(r'value="([^"]+)"[^>]*id="new-key"', response.content.decode())
    assert match, "the new key is not on the page"
    return match.group(1)


def test_create_shows_the_key_once_and_stores_only_its_hash(client, user):
    client.force_login(user)
    response = _create(client)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = _key_from(response)
    assert response.context["new_key"] == key

    token = ApiToken.objects.get(user=user)
    assert token.name == "Intranett-synk"
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:8]
    stored = {field.attname: getattr(token, field.attname) for field in ApiToken._meta.fields}
    assert key not in {str(value) for value in stored.values()}

    # Not in the session, not in queued messages, not on the next page.
    session = client.session
    assert all(key not in str(value) for _name, value in session.items())
    later = client.get(reverse("profile"))
    assert key.encode() not in later.content
    assert token.prefix.encode() in later.content
    assert later.context["new_key"] is None


def test_key_authenticates_until_revoked(client, user):
    client.force_login(user)
    key = _key_from(_create(client))
    assert services.api_token_authenticate(key) == user

    token = ApiToken.objects.get(user=user)
    response = client.post(reverse("api-token-revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert services.api_token_authenticate(key) is None


def test_another_user_cannot_revoke(client, user):
    token, key = services.api_token_create(user=user, name="Mine")
    other = factories.UserFactory()
    client.force_login(other)
    assert client.post(reverse("api-token-revoke", kwargs={"pk": token.pk})).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert services.api_token_authenticate(key) == user
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(actor=other, token=token)


def test_revoke_twice_changes_nothing(user):
    token, _key = services.api_token_create(user=user, name="x")
    first = services.api_token_revoke(actor=user, token=token).revoked_at
    assert services.api_token_revoke(actor=user, token=token).revoked_at == first


def test_revoke_is_post_only(client, user):
    token, _key = services.api_token_create(user=user, name="x")
    client.force_login(user)
    assert client.get(reverse("api-token-revoke", kwargs={"pk": token.pk})).status_code == 405
    assert client.get(reverse("api-token-create")).status_code == 405


def test_create_and_revoke_need_csrf(user):
    token, _key = services.api_token_create(user=user, name="x")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(reverse("api-token-create"), {"name": "y"}).status_code == 403
    assert client.post(reverse("api-token-revoke", kwargs={"pk": token.pk})).status_code == 403
    assert ApiToken.objects.count() == 1


def test_anonymous_is_sent_to_login(client):
    response = client.post(reverse("api-token-create"), {"name": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not ApiToken.objects.exists()


def test_a_name_is_required(client, user):
    client.force_login(user)
    response = _create(client, name="   ")
    assert response.status_code == 400
    assert "name" in response.context["token_form"].errors
    assert response.context["new_key"] is None
    assert 'aria-invalid="true"' in response.content.decode()
    assert not ApiToken.objects.exists()
    with pytest.raises(ValidationError):
        services.api_token_create(user=user, name="")


def test_unknown_and_malformed_keys(user):
    services.api_token_create(user=user, name="x")
    for key in ("", "nope", "x" * 500, None, 42):
        assert services.api_token_authenticate(key) is None


def test_inactive_user_is_not_authenticated(user):
    _token, key = services.api_token_create(user=user, name="x")
    user.is_active = False
    user.save()
    assert services.api_token_authenticate(key) is None


def test_keys_are_distinct_and_long(user):
    keys = {services.api_token_create(user=user, name=f"t{i}")[1] for i in range(5)}
    assert len(keys) == 5
    assert all(len(key) >= 40 for key in keys)


def test_last_used_is_written_at_most_once_a_minute(user, django_assert_num_queries):
    token, key = services.api_token_create(user=user, name="x")
    with django_assert_num_queries(2):  # look-up, then the first use is recorded
        services.api_token_authenticate(key)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    with django_assert_num_queries(1):  # within the minute: look-up only
        services.api_token_authenticate(key)
    token.refresh_from_db()
    assert token.last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    services.api_token_authenticate(key)
    token.refresh_from_db()
    assert token.last_used_at > first - datetime.timedelta(seconds=1)
    assert token.last_used_at > timezone.now() - datetime.timedelta(seconds=10)


def test_profile_lists_tokens_with_revoke_buttons(client, user):
    live, _ = services.api_token_create(user=user, name="Levende")
    dead, _ = services.api_token_create(user=user, name="Død")
    services.api_token_revoke(actor=user, token=dead)
    client.force_login(user)
    html = client.get(reverse("profile")).content.decode()
    assert "Levende" in html
    assert "Død" in html
    assert reverse("api-token-revoke", kwargs={"pk": live.pk}) in html
    assert reverse("api-token-revoke", kwargs={"pk": dead.pk}) not in html


def test_unverified_user_cannot_create_tokens():
    user = factories.UserFactory(email_verified_at=None)
    with pytest.raises(PermissionDenied):
        services.api_token_create(user=user, name="x")
