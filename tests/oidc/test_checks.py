"""The checks of a provider's answer that a real provider cannot be made to fail: a nonce that
is not this login's, and a missing level of assurance. Both stop the login with a page."""

from types import SimpleNamespace

import pytest
from allauth.core.exceptions import ImmediateHttpResponse
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.cache import SessionStore
from django.test import RequestFactory

from cases.identity_providers import _check_response


def answer(*, id_token, state, app_settings=None):
    app = SimpleNamespace(provider_id="test-entra", settings=app_settings or {})
    account = SimpleNamespace(
        extra_data={"id_token": id_token}, get_provider=lambda: SimpleNamespace(app=app)
    )
    return SimpleNamespace(account=account, state=state)


def callback():
    request = RequestFactory().get("/konto/oidc/test-entra/login/callback/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    return request


def refused(sociallogin) -> int:
    with pytest.raises(ImmediateHttpResponse) as stopped:
        _check_response(callback(), sociallogin)
    return stopped.value.response.status_code


def test_the_nonce_must_be_this_logins():
    good = answer(id_token={"nonce": "n-1"}, state={"nonce": "n-1"})
    _check_response(callback(), good)
    assert refused(answer(id_token={"nonce": "n-2"}, state={"nonce": "n-1"})) == 400
    assert refused(answer(id_token={}, state={"nonce": "n-1"})) == 400
    assert refused(answer(id_token={"nonce": "n-1"}, state={})) == 400


def test_a_required_level_must_be_in_the_id_token():
    settings = {"required_acr": "idporten-loa-substantial"}
    state = {"nonce": "n"}
    ok = answer(
        id_token={"nonce": "n", "acr": "idporten-loa-substantial"},
        state=state,
        app_settings=settings,
    )
    _check_response(callback(), ok)
    low = answer(
        id_token={"nonce": "n", "acr": "idporten-loa-low"}, state=state, app_settings=settings
    )
    assert refused(low) == 400
