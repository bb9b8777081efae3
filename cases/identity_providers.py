"""Login through OpenID Connect providers (django-allauth), held to the site's rules.

- A login is keyed by provider and subject: allauth is configured never to log in to or connect
  an existing account by email (config/settings.py), so a provider that asserts someone's
  address gains nothing.
- Every authorization request carries a nonce, kept in allauth's state for the login, and the
  ID token must return it; an `iss` in the response (RFC 9207) must be the provider's issuer;
  where an app requires a level of assurance (`required_acr`), the ID token must carry it.
  allauth checks state, PKCE, the ID token's issuer and audience; the callback checks its
  signature against the provider's JWKS (SignatureCheckingAdapter).
- A first login gets the membership an operator's mapping gives (services.identity_first_login).
- Logging out of the site also ends the provider's session, where the provider offers that
  (RP-initiated logout: its `end_session_endpoint`, with the ID token as a hint).
"""

import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter, get_adapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import User
from .vocabularies import MembershipStatus

# How the login page names the providers it knows; any other app is named by its own name.
PROVIDER_NAMES = {
    "idporten": gettext_lazy("ID-porten"),
    "ansattporten": gettext_lazy("Ansattporten"),
    "entra": gettext_lazy("work account (Microsoft)"),
}


class SignatureCheckingAdapter(OpenIDConnectOAuth2Adapter):
    """allauth may skip the ID token's signature when the token came straight from the token
    endpoint (OpenID Connect allows it over TLS); the site checks it against the JWKS always."""

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        claims = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )
        # Kept for logging out of the provider too (login keeps the session's data).
        self.request.session[PROVIDER_LOGIN] = {"provider": self.provider_id, "id_token": id_token}
        return claims


# The session key of the provider a person logged in through, and their ID token.
PROVIDER_LOGIN = "provider_login"


def provider_logout_url(request: HttpRequest) -> str | None:
    """Where the browser goes to end the provider's session as well, after the site's: the
    provider's end_session_endpoint, or None (a password login, or a provider without one)."""
    login = request.session.get(PROVIDER_LOGIN)
    if not login:
        return None
    try:
        adapter = SignatureCheckingAdapter(request, login["provider"])
        endpoint = adapter.openid_config.get("end_session_endpoint")
        client_id = adapter.get_provider().app.client_id
    except (requests.RequestException, ValueError, KeyError, SocialApp.DoesNotExist):
        # The provider is away, or no longer configured: the site's own logout stands.
        return None
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": login["id_token"],
            "client_id": client_id,
            "post_logout_redirect_uri": request.build_absolute_uri(
                resolve_url(settings.LOGOUT_REDIRECT_URL)
            ),
        }
    )
    return f"{endpoint}?{query}"


class NonceCheckingProvider(OpenIDConnectProvider):
    """The OpenID Connect provider, with a fresh nonce in every authorization request."""

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params = {**auth_params, "nonce": nonce}
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )


def refusal(request: HttpRequest, reason: str) -> ImmediateHttpResponse:
    """A login stopped before anything was created, with a page that says why."""
    return ImmediateHttpResponse(
        render(
            request,
            "socialaccount/authentication_error.html",
            {"reason": reason},
            status=400,
        )
    )


def _check_response(request: HttpRequest, sociallogin: SocialLogin) -> None:
    app = sociallogin.account.get_provider().app
    extra: dict[str, Any] = sociallogin.account.extra_data or {}
    id_token = extra.get("id_token") if isinstance(extra.get("id_token"), dict) else None
    state = sociallogin.state or {}
    expected_nonce = state.get("nonce")
    if not expected_nonce or id_token is None or id_token.get("nonce") != expected_nonce:
        raise refusal(request, _("The answer from the identity provider did not match this login."))
    # The ID token's issuer was checked against the provider's (SignatureCheckingAdapter).
    issuer = request.GET.get("iss")
    if issuer is not None and issuer != id_token.get("iss"):
        raise refusal(request, _("The answer came from another identity provider."))
    required_acr = app.settings.get("required_acr")
    if required_acr and id_token.get("acr") != required_acr:
        raise refusal(
            request, _("The identity provider did not confirm the required level of security.")
        )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_provider(self, request, provider, client_id=None):
        found = super().get_provider(request, provider, client_id=client_id)
        if type(found) is OpenIDConnectProvider:
            return NonceCheckingProvider(request, app=found.app)
        return found

    def pre_social_login(self, request, sociallogin):
        _check_response(request, sociallogin)
        # Linking an identity to an account needs its owner, signed in with its password.
        if (sociallogin.state or {}).get("process") == "connect" and not (
            request.user.is_authenticated and request.user.has_usable_password()
        ):
            raise refusal(request, _("Log in with your password first, then link the login."))

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.email = (user.email or "").strip().lower()
        name = " ".join(
            str(
                data.get("name") or f"{data.get('first_name') or ''} {data.get('last_name') or ''}"
            ).split()
        )
        user.full_name = name[: services.accounts.FULL_NAME_MAX_LENGTH]
        return user

    @transaction.atomic
    def save_user(self, request, sociallogin, form=None):
        # The account and its membership together, or neither.
        user = super().save_user(request, sociallogin, form=form)
        services.identity_first_login(
            user=user,
            provider_id=sociallogin.account.provider,
            claims=services.identity_claims(sociallogin.account.extra_data or {}),
        )
        return user

    def get_connect_redirect_url(self, request, socialaccount):
        return reverse("profile")


class AccountAdapter(DefaultAccountAdapter):
    """Only what a login through a provider needs: the site's own pages do the rest."""

    def get_signup_redirect_url(self, request):
        return reverse("identity-welcome")


def login_buttons(request: HttpRequest) -> list[dict[str, str]]:
    """The configured providers, as the login page offers them: a label and where to post."""
    buttons = []
    apps: list[SocialApp] = get_adapter(request).list_apps(request, provider="openid_connect")
    for app in apps:
        kind = app.settings.get("kind") or app.provider_id
        name = PROVIDER_NAMES.get(kind, app.name)
        buttons.append(
            {
                "label": _("Log in with %(provider)s") % {"provider": name},
                "url": reverse("openid_connect_login", kwargs={"provider_id": app.provider_id}),
                "provider_id": app.provider_id,
            }
        )
    return buttons


def membership_state(user: User) -> str:
    """For the page after a first login: "active", "pending" or "none"."""
    statuses = set(user.memberships.values_list("status", flat=True))
    if MembershipStatus.ACTIVE in statuses:
        return "active"
    return "pending" if statuses else "none"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _authorization_origin(server_url: str) -> str:
    """Where the provider's authorization endpoint is (ID-porten's is on another host than its
    issuer), from its discovery document; remembered for an hour."""
    key = f"oidc-authorization-origin:{server_url}"
    origin = cache.get(key)
    if origin is None:
        try:
            discovery = server_url
            if "/.well-known/" not in discovery:
                discovery = discovery.rstrip("/") + "/.well-known/openid-configuration"
            answer = requests.get(discovery, timeout=3)
            answer.raise_for_status()
            origin = _origin(str(answer.json().get("authorization_endpoint", "")))
        except (requests.RequestException, ValueError, AttributeError):
            return ""
        cache.set(key, origin, 3600)
    return origin


def allow_provider_forms(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Let the page's login buttons reach the providers: browsers hold the redirect after a
    form is sent to the page's CSP form-action."""
    origins: list[str] = []
    apps: list[SocialApp] = get_adapter(request).list_apps(request, provider="openid_connect")
    for app in apps:
        server_url = str(app.settings.get("server_url") or "")
        for origin in (_origin(server_url), _authorization_origin(server_url)):
            if origin and origin not in origins:
                origins.append(origin)
    if origins:
        policy = dict(settings.SECURE_CSP)
        policy["form-action"] = [CSP.SELF, *origins]
        response._csp_config = policy  # type: ignore[attr-defined]
    return response
