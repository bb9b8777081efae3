"""DRF's throttles, counting anonymous clients by `cases.client_address`.

DRF's own `get_ident` believes X-Forwarded-For unless NUM_PROXIES is set, so a client could
name a new address on every request and never be throttled.
"""

from rest_framework import throttling

from ..client_address import client_address


class ClientAddressMixin:
    def get_ident(self, request):
        return client_address(request)


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    """At most API_THROTTLE_ANON requests per client address, for requests without a user."""


class UserRateThrottle(ClientAddressMixin, throttling.UserRateThrottle):
    """At most API_THROTTLE_USER requests per user (per client address without one)."""
