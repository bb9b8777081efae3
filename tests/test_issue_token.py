"""`manage.py issue_token EMAIL --organisation NUMBER_OR_SLUG [--moderator]`: an operator gives
a REST client a token. The user is created if needed (a service account with no usable
password: the account is for the API), becomes an editor of the organisation, a moderator if
asked, and the key is printed alone on the last line. An account someone registered is taken
over only with --force, and an existing account is promoted only with --promote."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from cases import permissions, services
from cases.models import ApiToken, Case, Membership, User
from cases.vocabularies import MembershipRole, MembershipStatus
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "Registrantens-eget-passord-2026"


@pytest.fixture
def oslo(db):
    county = factories.CountyFactory(name="Oslo fylke", number="03", slug="oslo-fylke")
    return factories.MunicipalityFactory(name="Oslo", number="0301", slug="oslo", parent=county)


def issue(*args) -> tuple[str, str]:
    """Run the command; (its whole output, the key from its last line)."""
    out = io.StringIO()
    call_command("issue_token", *args, stdout=out)
    output = out.getvalue()
    return output, output.rstrip("\n").splitlines()[-1]


def test_creates_a_user_without_password_as_editor(oslo):
    output, key = issue("Kari.Nordmann@Oslo.kommune.no", "--organisation", "0301")
    user = User.objects.get(email="kari.nordmann@oslo.kommune.no")
    assert not user.has_usable_password()
    assert user.email_verified_at is not None
    membership = Membership.objects.get(user=user, organisation=oslo)
    assert membership.role == MembershipRole.EDITOR
    assert membership.status == MembershipStatus.ACTIVE
    assert not permissions.is_moderator(user)
    # The key alone on the last line, and nowhere else in the output.
    assert key == key.strip()
    assert " " not in key
    assert len(key) >= 32
    assert output.count(key) == 1
    assert "Oslo" in output.splitlines()[0]
    assert services.api_token_authenticate(key) == user
    assert ApiToken.objects.get(user=user).name == "issued by an operator"


def test_the_key_works_in_the_api(oslo):
    _output, key = issue("skript@oslo.kommune.no", "--organisation", "oslo")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post(
        "/api/v1/cases/", {"title": "Bestilt fra skript", "organisation": oslo.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    assert Case.objects.get(title="Bestilt fra skript").created_by.email == (
        "skript@oslo.kommune.no"
    )


def test_moderator_flag(oslo):
    _output, key = issue("moderator@ks.no", "--organisation", "0301", "--moderator")
    user = User.objects.get(email="moderator@ks.no")
    assert permissions.is_moderator(user)
    assert permissions.is_editor(user, oslo)
    submitted = factories.CaseFactory(
        organisation=factories.MunicipalityFactory(name="Bærum", number="3201", slug="baerum"),
        status="submitted",
        stage="pilot",
        sectors=["culture"],
        innovation_types=["service"],
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    path = f"/api/v1/cases/{submitted.pk}/"
    approved = client.post(path + "approve/", HTTP_IF_MATCH=client.get(path)["ETag"])
    assert approved.json()["status"] == "published"


def test_running_again_gives_the_service_account_another_key(oslo):
    first_output, key = issue("intranett@oslo.kommune.no", "--organisation", "0301")
    output, second = issue("intranett@oslo.kommune.no", "--organisation", "oslo", "--name", "B")
    assert first_output.startswith("Created")
    assert output.startswith("Found")
    assert "nothing changed" in output
    # Every run makes a new key; the old ones keep working until revoked.
    assert second != key
    user = User.objects.get(email="intranett@oslo.kommune.no")
    assert services.api_token_authenticate(key) == services.api_token_authenticate(second) == user
    assert sorted(ApiToken.objects.filter(user=user).values_list("name", flat=True)) == [
        "B",
        "issued by an operator",
    ]


def _registered(email: str, *, confirmed: bool) -> User:
    """An account someone made on the registration page, with a password they chose."""
    user = services.user_register(email=email, full_name="Intranett", password=PASSWORD)
    if confirmed:
        user = services.user_mark_email_verified(user=user)
    return user


@pytest.mark.parametrize("confirmed", [False, True], ids=["unconfirmed", "confirmed"])
def test_an_account_someone_registered_is_refused(oslo, confirmed):
    """Whoever registered the address (perhaps a guessable service address) knows its
    password: confirming or promoting it would hand them what the operator gives the client."""
    registrant = _registered("intranett-sync@oslo.kommune.no", confirmed=confirmed)
    verified_before = registrant.email_verified_at
    with pytest.raises(CommandError, match="--force"):
        issue("intranett-sync@oslo.kommune.no", "--organisation", "0301", "--moderator")
    registrant.refresh_from_db()
    assert registrant.check_password(PASSWORD)
    assert registrant.email_verified_at == verified_before
    assert not registrant.service_account
    assert not Membership.objects.filter(user=registrant, role=MembershipRole.EDITOR).exists()
    assert not permissions.is_moderator(registrant)
    assert not ApiToken.objects.exists()


def test_force_takes_the_account_over(oslo, client):
    registrant = _registered("intranett-sync@oslo.kommune.no", confirmed=True)
    client.force_login(registrant)
    assert client.get(reverse("profile")).status_code == 200
    _token, their_key = services.api_token_create(user=registrant, name="mine")

    output, key = issue(
        "intranett-sync@oslo.kommune.no", "--organisation", "0301", "--moderator", "--force"
    )
    registrant.refresh_from_db()
    # Nobody logs in with the registrant's password, session or token any more.
    assert not registrant.has_usable_password()
    assert client.get(reverse("profile")).status_code == 302
    assert services.api_token_authenticate(their_key) is None
    assert registrant.service_account
    # Then it is confirmed and promoted like a new account, and the command says so.
    assert registrant.email_verified_at is not None
    assert permissions.is_editor(registrant, oslo)
    assert permissions.is_moderator(registrant)
    assert services.api_token_authenticate(key) == registrant
    assert "password" in output
    assert "session" in output
    assert "1 API token revoked" in output
    assert "editor of Oslo" in output
    assert "moderator" in output


def test_force_takes_over_an_unconfirmed_account(oslo):
    registrant = _registered("intranett-sync@oslo.kommune.no", confirmed=False)
    output, key = issue("intranett-sync@oslo.kommune.no", "--organisation", "0301", "--force")
    registrant.refresh_from_db()
    assert not registrant.has_usable_password()
    assert registrant.email_verified_at is not None
    assert "confirmed" in output
    assert services.api_token_authenticate(key) == registrant


def test_a_service_account_is_not_promoted_silently(oslo):
    bergen = factories.MunicipalityFactory(name="Bergen", number="4601", slug="bergen")
    issue("intranett@oslo.kommune.no", "--organisation", "0301")
    user = User.objects.get(email="intranett@oslo.kommune.no")
    for args in (["--organisation", "4601"], ["--organisation", "0301", "--moderator"]):
        with pytest.raises(CommandError, match="--promote") as refused:
            issue("intranett@oslo.kommune.no", *args)
        assert "editor of Bergen" in str(refused.value) or "moderator" in str(refused.value)
    assert not Membership.objects.filter(user=user, organisation=bergen).exists()
    assert not permissions.is_moderator(user)
    assert ApiToken.objects.filter(user=user).count() == 1

    output, _key = issue("intranett@oslo.kommune.no", "--organisation", "4601", "--promote")
    assert "editor of Bergen" in output
    assert permissions.is_editor(user, bergen)


def test_a_member_is_not_made_editor_silently(oslo):
    issue("intranett@oslo.kommune.no", "--organisation", "0301")
    user = User.objects.get(email="intranett@oslo.kommune.no")
    Membership.objects.filter(user=user).update(role=MembershipRole.MEMBER)
    with pytest.raises(CommandError, match="--promote"):
        issue("intranett@oslo.kommune.no", "--organisation", "0301")
    assert Membership.objects.get(user=user).role == MembershipRole.MEMBER
    output, _key = issue("intranett@oslo.kommune.no", "--organisation", "0301", "--promote")
    assert "editor of Oslo (was member)" in output
    assert Membership.objects.get(user=user).role == MembershipRole.EDITOR


def test_unknown_organisation_is_an_error(oslo):
    with pytest.raises(CommandError, match="9999"):
        issue("kari@oslo.kommune.no", "--organisation", "9999")
    with pytest.raises(CommandError, match="tull"):
        issue("kari@oslo.kommune.no", "--organisation", "tull")
    assert not User.objects.filter(email="kari@oslo.kommune.no").exists()


def test_not_an_email_address_is_an_error(oslo):
    with pytest.raises(CommandError, match="email"):
        issue("ikke-en-adresse", "--organisation", "0301")
    assert not ApiToken.objects.exists()


def test_the_organisation_is_required(oslo):
    with pytest.raises(CommandError):
        issue("kari@oslo.kommune.no")


def test_a_deactivated_user_gets_no_token(oslo):
    factories.UserFactory(email="sluttet@oslo.kommune.no", is_active=False)
    with pytest.raises(CommandError, match="deactivated"):
        issue("sluttet@oslo.kommune.no", "--organisation", "0301")
    assert not ApiToken.objects.exists()
