"""A municipality employee logs in with their work account in a real browser, through the test
OpenID provider (tests/oidc/provider.mjs), and lands on their cases as a member."""

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips the browser tests then, and says why
    expect = None

from cases.models import IdentitySource, Membership
from cases.vocabularies import IdentitySourceKind, MembershipStatus
from tests import factories
from tests.oidc.fixtures import oidc_apps, oidc_issuer  # noqa: F401

from .checks import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context of its own: unlike `open_page`'s, its pages go to another host,
    the identity provider, and back."""
    context = browser.new_context(base_url=live_server.url, locale="nb-NO")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_a_mapped_employee_logs_in_with_the_work_account_and_out(page, oidc_apps):  # noqa: F811
    oslo = factories.MunicipalityFactory(name="Oslo", parent=factories.CountyFactory())
    IdentitySource.objects.create(
        provider_id="test-entra",
        kind=IdentitySourceKind.TENANT,
        value="tenant-oslo",
        organisation=oslo,
    )
    # Who logs in at the test provider: its login_hint.
    app = oidc_apps["test-entra"]
    app.settings = {**app.settings, "auth_params": {"login_hint": "kari"}}
    app.save()

    page.goto("/logg-inn/")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Logg inn med Test Entra").click()

    expect(page).to_have_url(re.compile(r"/mitt-arbeid/$"))
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    membership = Membership.objects.get(user__email="kari@oslo.kommune.no")
    assert (membership.organisation, membership.status) == (oslo, MembershipStatus.ACTIVE)

    # By keyboard: Playwright finds the header's inline logout form over its button.
    page.get_by_role("button", name="Logg ut").press("Enter")
    # Out of the site, then on to the provider, which ends its session too and sends us back.
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page.get_by_role("link", name="Logg inn", exact=True)).to_be_visible()
    assert not any(cookie["name"] == "_session" for cookie in page.context.cookies())
