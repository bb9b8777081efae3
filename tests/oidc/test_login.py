"""Logging in through a real OpenID provider (tests/oidc/provider.mjs): the round trip, the
membership a mapping gives, and the refusals. Users are keyed by provider and subject; an email
address a provider asserts never reaches an existing account."""

import html
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.utils import timezone

from cases.models import IdentitySource, Membership, OutgoingEmail, User
from cases.vocabularies import IdentitySourceKind, MembershipRole, MembershipStatus
from tests import factories
from tests.factories import PASSWORD


@pytest.fixture
def oslo(transactional_db):
    return factories.MunicipalityFactory(name="Oslo", parent=factories.CountyFactory())


@pytest.fixture
def bergen(transactional_db):
    return factories.MunicipalityFactory(name="Bergen", parent=factories.CountyFactory())


def map_source(
    organisation, value, *, provider_id="test-entra", kind=IdentitySourceKind.TENANT, **extra
):
    return IdentitySource.objects.create(
        provider_id=provider_id, kind=kind, value=value, organisation=organisation, **extra
    )


def test_the_login_page_offers_each_configured_provider(oidc_apps, browser_session):
    page = browser_session.page_text("/logg-inn/")
    assert "Logg inn med Test Entra" in page or 'data-provider="test-entra"' in page
    assert page.index('data-provider="test-entra"') < page.index('name="password"')


def test_a_mapped_tenant_lands_on_my_cases_as_an_active_member(oidc_apps, oslo, browser_session):
    map_source(oslo, "tenant-oslo", role=MembershipRole.EDITOR)

    answer = browser_session.log_in_with("test-entra", "kari")

    assert answer.status_code == 200
    assert urlsplit(answer.url).path == "/mitt-arbeid/"
    account = SocialAccount.objects.get(provider="test-entra", uid="kari")
    user = account.user
    assert user.email == "kari@oslo.kommune.no"
    assert user.full_name == "Kari Nordmann"
    assert not user.has_usable_password()
    assert user.email_verified_at is not None
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role, membership.status) == (
        oslo,
        MembershipRole.EDITOR,
        MembershipStatus.ACTIVE,
    )
    # The same person again: the same account, nothing new.
    browser_session.post("/logg-ut/")
    again = browser_session.log_in_with("test-entra", "kari")
    assert urlsplit(again.url).path != "/logg-inn/"
    assert SocialAccount.objects.filter(uid="kari").count() == 1
    assert User.objects.filter(email="kari@oslo.kommune.no").count() == 1


def test_a_pending_mapping_gives_a_request_for_the_editors(oidc_apps, bergen, browser_session):
    map_source(bergen, "tenant-bergen", status=MembershipStatus.PENDING)

    answer = browser_session.log_in_with("test-entra", "ola")

    assert urlsplit(answer.url).path == "/konto/velkommen/"
    assert 'id="identity-state"' in answer.text
    membership = Membership.objects.get(user__socialaccount__uid="ola")
    assert (membership.organisation, membership.status) == (bergen, MembershipStatus.PENDING)


def test_an_organisation_number_maps_for_its_provider_only(oidc_apps, oslo, browser_session):
    map_source(
        oslo, "974760673", provider_id="test-porten", kind=IdentitySourceKind.ORGANISATION_NUMBER
    )

    map_source(oslo, "974760673", kind=IdentitySourceKind.ORGANISATION_NUMBER)

    # Ansattporten names no email address: the site asks for one, and sends a link to confirm it.
    answer = browser_session.log_in_with("test-porten", "anna")
    assert urlsplit(answer.url).path == "/konto/sosial/signup/"
    assert not SocialAccount.objects.exists()
    answer = browser_session.post("/konto/sosial/signup/", {"email": "Anna@Oslo.Kommune.no"})

    assert urlsplit(answer.url).path == "/mitt-arbeid/"
    user = SocialAccount.objects.get(provider="test-porten", uid="anna").user
    assert user.email == "anna@oslo.kommune.no"
    assert user.email_verified_at is None
    assert OutgoingEmail.objects.filter(to=["anna@oslo.kommune.no"]).exists()
    assert Membership.objects.get(user=user).organisation == oslo
    assert IdentitySource.objects.count() == 2


def test_an_unmapped_person_gets_an_account_without_membership(oidc_apps, oslo, browser_session):
    map_source(oslo, "tenant-oslo")

    answer = browser_session.log_in_with("test-entra", "per")

    assert urlsplit(answer.url).path == "/konto/velkommen/"
    assert "/bli-medlem/" in answer.text
    user = SocialAccount.objects.get(uid="per").user
    assert not Membership.objects.filter(user=user).exists()
    assert browser_session.get("/profil/").status_code == 200


def test_an_asserted_email_of_an_existing_account_gains_nothing(oidc_apps, oslo, browser_session):
    existing = factories.UserFactory(email="eksisterende@oslo.kommune.no")
    factories.MembershipFactory(user=existing, organisation=oslo, status=MembershipStatus.ACTIVE)

    browser_session.log_in_with("test-entra", "mallory")

    assert not SocialAccount.objects.filter(user=existing).exists()
    profile = browser_session.get("/profil/", allow_redirects=False)
    if profile.status_code == 200:
        assert "eksisterende@oslo.kommune.no" not in profile.text
    else:
        assert urlsplit(profile.headers["Location"]).path == "/logg-inn/"
    assert User.objects.filter(email__iexact="eksisterende@oslo.kommune.no").count() == 1


def _callback_of(browser, provider_id: str, user: str) -> str:
    """Follow the login to the provider and stop at its answer to the site: the callback URL."""
    answer = browser.post(browser.login_url(provider_id, user), allow_redirects=False)
    location = urljoin(answer.url, answer.headers["Location"])
    while not urlsplit(location).path.startswith(f"/konto/oidc/{provider_id}/login/callback/"):
        answer = browser.session.get(location, allow_redirects=False, timeout=20)
        location = urljoin(answer.url, answer.headers["Location"])
    return location


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _nothing_created():
    assert not SocialAccount.objects.exists()
    assert not User.objects.exists()


def test_a_wrong_state_is_refused_and_nothing_is_created(oidc_apps, browser_session):
    callback = _callback_of(browser_session, "test-entra", "kari")

    answer = browser_session.session.get(_with_query(callback, state="forged"), timeout=20)

    assert answer.status_code >= 400
    assert "Innloggingen lyktes ikke" in answer.text
    _nothing_created()


def test_an_answer_from_another_issuer_is_refused(oidc_apps, browser_session):
    callback = _callback_of(browser_session, "test-entra", "kari")

    answer = browser_session.session.get(
        _with_query(callback, iss="https://evil.example"), timeout=20
    )

    assert answer.status_code == 400
    assert 'id="login-refused"' in answer.text
    _nothing_created()


def test_a_code_without_its_pkce_verifier_is_refused(oidc_apps, browser_session):
    """A code taken to another browser has neither the state nor the PKCE verifier."""
    callback = _callback_of(browser_session, "test-entra", "kari")
    other = type(browser_session)(browser_session.site)

    answer = other.session.get(callback, timeout=20)

    assert answer.status_code >= 400
    _nothing_created()


def test_linking_needs_the_password_account_logged_in(oidc_apps, oslo, browser_session):
    owner = factories.UserFactory(email="linda@oslo.kommune.no", password=PASSWORD)
    assert browser_session.log_in_with_password(owner.email, PASSWORD).ok
    assert 'data-provider="test-entra"' in browser_session.get("/profil/").text

    browser_session.log_in_with("test-entra", "linda", process="connect")

    account = SocialAccount.objects.get(uid="linda")
    assert account.user == owner
    browser_session.post("/logg-ut/")
    again = browser_session.log_in_with("test-entra", "linda")
    assert urlsplit(again.url).path != "/logg-inn/"
    assert "linda@oslo.kommune.no" in browser_session.get("/profil/").text


def test_logging_out_ends_the_site_session(oidc_apps, oslo, browser_session):
    map_source(oslo, "tenant-oslo")
    browser_session.log_in_with("test-entra", "kari")
    assert browser_session.get("/profil/", allow_redirects=False).status_code == 200

    browser_session.post("/logg-ut/")

    assert browser_session.get("/profil/", allow_redirects=False).status_code == 302


def test_a_token_signed_by_another_key_is_refused(oidc_apps, oidc_issuer, browser_session):
    """The provider's published keys say another key signs its tokens (same key id)."""
    app = oidc_apps["test-entra"]
    app.settings = {
        **app.settings,
        "openid_configuration_overrides": {"jwks_uri": f"{oidc_issuer}/other-jwks"},
    }
    app.save()

    answer = browser_session.log_in_with("test-entra", "kari")

    assert answer.status_code >= 400
    assert "Innloggingen lyktes ikke" in answer.text
    _nothing_created()


def test_logging_out_ends_the_providers_session_too(oidc_apps, oslo, browser_session):
    map_source(oslo, "tenant-oslo")
    browser_session.log_in_with("test-entra", "kari")
    assert provider_session(browser_session)

    # The site's logout ends its own session at once and moves on to the provider (a page
    # that refreshes itself there, with a link), which asks to confirm.
    logged_out = browser_session.post("/logg-ut/")
    assert browser_session.get("/profil/", allow_redirects=False).status_code == 302
    link = re.search(r'<a [^>]*href="([^"]+)"[^>]*id="provider-logout"', logged_out.text)
    assert link
    assert f'content="0;url={link.group(1)}"' in logged_out.text
    confirm = browser_session.session.get(html.unescape(link.group(1)), timeout=20)
    assert urlsplit(confirm.url).path.startswith("/session/end")
    form = re.search(r'<form[^>]*action="([^"]+)"', confirm.text)
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', confirm.text)
    assert form
    assert xsrf
    back = browser_session.session.post(
        urljoin(confirm.url, form.group(1)), data={"xsrf": xsrf.group(1), "logout": "yes"}
    )

    assert back.status_code == 200
    assert back.url == browser_session.site + "/"
    assert not provider_session(browser_session)
    assert browser_session.get("/profil/", allow_redirects=False).status_code == 302


def test_a_password_login_logs_out_on_the_site_alone(oidc_apps, browser_session):
    factories.UserFactory(email="passord@example.no", email_verified_at=timezone.now())
    browser_session.log_in_with_password("passord@example.no", PASSWORD)
    answer = browser_session.post("/logg-ut/")
    assert answer.url == browser_session.site + "/"


def provider_session(browser) -> bool:
    """Whether the browser holds a session at the provider (its cookie; the site's is another)."""
    return any(cookie.name == "_session" for cookie in browser.session.cookies)
