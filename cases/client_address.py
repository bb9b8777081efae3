"""The address of the client that sent a request: the one place that reads it.

With no trusted proxies (the TRUSTED_PROXIES setting, empty by default) it is the connecting
address, REMOTE_ADDR, and X-Forwarded-For is ignored: anyone can write that header. When the
connecting address is a trusted proxy, the client is the right-most address in X-Forwarded-For
that is not itself a trusted proxy: each proxy appends the address it received the request
from, so everything to the left of that entry was written by the client and proves nothing.

The API throttles (`cases.api.throttling`), the login lockout (AXES_CLIENT_IP_CALLABLE) and the
rate limits of `cases.ratelimit` all count by this address.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_proxies() -> tuple[Network, ...]:
    """The TRUSTED_PROXIES setting as networks (a single address is a network of one)."""
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def _parse(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address as text (canonical form), "" if the server gave none."""
    remote = request.META.get("REMOTE_ADDR", "")
    nearest = _parse(remote)
    if nearest is None:
        return remote
    networks = trusted_proxies()
    if not _trusted(nearest, networks):
        return str(nearest)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.split(",")):
        hop = _parse(entry)
        if hop is None:
            # A trusted proxy would have written an address: this entry came from the client,
            # so the nearest trusted hop is as far as the chain can be believed.
            break
        nearest = hop
        if not _trusted(hop, networks):
            break
    return str(nearest)
