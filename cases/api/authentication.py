from typing import NoReturn

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ..services import api_token_authenticate
from .throttling import RefusedTokenThrottle


def refused(request, message) -> NoReturn:
    """401 for a token that is refused, counted per address (RefusedTokenThrottle): 429 once
    the address has had too many refused."""
    throttle = RefusedTokenThrottle()
    if not throttle.allow_request(request, None):
        raise exceptions.Throttled(wait=throttle.wait())
    raise exceptions.AuthenticationFailed(message)


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>` (what generated clients send) or `Authorization: Token
    <key>`, with keys made on the profile page or by `issue_token`. A key that is wrong is 401
    under either word: never quietly anonymous."""

    keywords = ("Bearer", "Token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in {k.lower().encode() for k in self.keywords}:
            return None
        if len(header) != 2:
            refused(request, _("Invalid Authorization header: expected “Bearer <key>”."))
        try:
            key = header[1].decode()
        except UnicodeError:
            refused(request, _("Invalid token."))
        user = api_token_authenticate(key)
        if user is None:
            refused(request, _("Invalid or revoked token."))
        return (user, None)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "cases.api.authentication.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "`Authorization: Bearer <key>` (or `Token <key>`): create keys on "
            "your profile page.",
        }
