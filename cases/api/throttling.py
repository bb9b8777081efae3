"""DRF's throttles, counting anonymous clients by `cases.client_address`.

DRF's own `get_ident` believes X-Forwarded-For unless NUM_PROXIES is set, so a client could
name a new address on every request and never be throttled.
"""

import math

from rest_framework import throttling

from ..client_address import client_address
from .headers import RATE_LIMIT_ATTRIBUTE


class ClientAddressMixin:
    def get_ident(self, request):
        return client_address(request)

    def allow_request(self, request, view):
        allowed = super().allow_request(request, view)
        if getattr(self, "rate", None) is not None and hasattr(self, "history"):
            self._tell(request, allowed)
        return allowed

    def _tell(self, request, allowed: bool) -> None:
        """Leave the limit, what remains of it and the seconds until a request is counted out
        again on the request, for the RateLimit headers (the most constrained throttle wins).
        DRF's history holds the counted requests, newest first, this one too if allowed."""
        history = self.history  # type: ignore[attr-defined]
        remaining = max(0, self.num_requests - len(history))  # type: ignore[attr-defined]
        reset = math.ceil(history[-1] + self.duration - self.now) if history else 0  # type: ignore[attr-defined]
        target = request._request
        current = getattr(target, RATE_LIMIT_ATTRIBUTE, None)
        if current is None or remaining < current[1]:
            limit = self.num_requests  # type: ignore[attr-defined]
            setattr(target, RATE_LIMIT_ATTRIBUTE, (limit, remaining, max(0, reset)))


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    """At most API_THROTTLE_ANON requests per client address, for requests without a user."""


class RefusedTokenThrottle(ClientAddressMixin, throttling.SimpleRateThrottle):
    """Requests whose token is refused (401), at most as many per client address as anonymous
    ones: the view's throttles never see them, since authentication comes first, and keys
    could otherwise be tried without limit. Counted apart from the anonymous requests, so an
    integration retrying a revoked key does not shut out everyone else behind its address.
    Asked from the authentication itself, so it reads no user."""

    scope = "refused_token"

    def get_rate(self):
        return self.THROTTLE_RATES[AnonRateThrottle.scope]

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class UserRateThrottle(ClientAddressMixin, throttling.UserRateThrottle):
    """At most API_THROTTLE_USER requests per user (per client address without one)."""
