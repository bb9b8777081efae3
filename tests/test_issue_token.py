"""`manage.py issue_token EMAIL --organisation NUMBER_OR_SLUG [--moderator]`: an operator gives
a REST client a token. The user is created if needed (with no usable password: the account is
for the API), becomes an editor of the organisation, a moderator if asked, and the key is
printed alone on the last line."""

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from cases import permissions, services
from cases.models import ApiToken, Case, Membership, User
from cases.vocabularies import MembershipRole, MembershipStatus
from tests import factories

pytestmark = pytest.mark.django_db


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
    assert key == key.strip() and " " not in key and len(key) >= 32
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


def test_an_existing_user_keeps_the_password_and_becomes_editor(oslo):
    person = factories.UserFactory(email="ola@oslo.kommune.no", email_verified_at=None)
    Membership.objects.create(user=person, organisation=oslo, role=MembershipRole.MEMBER)
    output, key = issue("ola@oslo.kommune.no", "--organisation", "0301", "--name", "Intranett")
    person.refresh_from_db()
    assert person.check_password("correct horse battery staple")
    assert person.email_verified_at is not None
    assert Membership.objects.get(user=person, organisation=oslo).role == MembershipRole.EDITOR
    assert output.startswith("Found")
    assert ApiToken.objects.get(user=person).name == "Intranett"
    # Every run makes a new key; the old ones keep working until revoked.
    _output, second = issue("ola@oslo.kommune.no", "--organisation", "oslo")
    assert second != key
    assert services.api_token_authenticate(key) == services.api_token_authenticate(second)


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
