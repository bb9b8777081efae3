"""Rate limits on what a request makes others pay for: the email a form sends, and the work of
an anonymous search or statistics page that no cache has answered yet.

Each limit is a number of attempts per fixed window, counted in Django's cache (Redis in
production, shared by every worker; each process's memory in development and tests) under a
hash of who or what is counted: a client address (`cases.client_address`), a user, an email
address. An attempt counts against every limit it falls under, and is refused if any of them is
over; refused attempts count too, so hammering does not shorten the wait. While the cache is
unreachable nothing is counted and nothing refused (django-redis ignores the error).

Over a limit, `Limited` is raised: forms put its message on the form (status 429), and
`RateLimitMiddleware` answers it anywhere else with a 429 page (JSON under /api/) and
Retry-After.
"""

import hashlib
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.utils.translation import ngettext

from .client_address import client_address

UNITS = {"s": 1, "sec": 1, "min": 60, "hour": 3600, "day": 86400}
RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|min|hour|day)\s*$")


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int

    @classmethod
    def from_setting(cls, name: str, setting: str) -> "Limit":
        """A limit from a setting written like DRF's rates: "20/hour", "60/10min"."""
        text = getattr(settings, setting)
        found = RATE.match(text)
        if not found:
            raise ValueError(f'{setting} must look like "20/hour" or "60/10min", not {text!r}.')
        count, multiple, unit = found.groups()
        return cls(name, int(count), int(multiple or 1) * UNITS[unit])


RATE_SETTINGS = ("EMAIL_LIMIT_PER_CLIENT", "EMAIL_LIMIT_PER_ADDRESS", "EXPENSIVE_PAGES_PER_CLIENT")


@checks.register(checks.Tags.security)
def check_rate_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every rate setting must be readable: found at start (`manage.py check`, runserver,
    migrate), not on the first request that meets the limit."""
    errors: list[checks.CheckMessage] = []
    for setting in RATE_SETTINGS:
        try:
            Limit.from_setting(setting, setting)
        except (ValueError, AttributeError) as error:
            errors.append(checks.Error(str(error), id="cases.E001", obj=setting))
    return errors


class Limited(Exception):
    """Over a limit; `retry_after` is the number of seconds until the window ends, `kind`
    what was limited ("email" or "pages")."""

    def __init__(self, retry_after: int, kind: str = "email"):
        super().__init__(retry_after)
        self.retry_after = max(1, retry_after)
        self.kind = kind

    @property
    def minutes(self) -> int:
        return math.ceil(self.retry_after / 60)

    @property
    def message(self) -> str:
        if self.kind == "pages":
            text = ngettext(
                "You have asked for many searches or statistics in a short time. "
                "Wait %(minutes)d minute and try again, or log in: logged-in users are not "
                "limited.",
                "You have asked for many searches or statistics in a short time. "
                "Wait %(minutes)d minutes and try again, or log in: logged-in users are not "
                "limited.",
                self.minutes,
            )
        else:
            text = ngettext(
                "Too many emails have been asked for from your network or to this address. "
                "Nothing was sent. Try again in %(minutes)d minute.",
                "Too many emails have been asked for from your network or to this address. "
                "Nothing was sent. Try again in %(minutes)d minutes.",
                self.minutes,
            )
        return text % {"minutes": self.minutes}


def _key(limit: Limit, identity: str, window: int) -> str:
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"ratelimit:{limit.name}:{window}:{digest}"


def attempt(*counted: tuple[Limit, str], kind: str = "email") -> None:
    """Count one attempt against each (limit, identity); raise `Limited` (of `kind`) if any is
    over. An empty identity is not counted."""
    now = time.time()
    wait = 0.0
    for limit, identity in counted:
        if not identity:
            continue
        window = int(now // limit.seconds)
        key = _key(limit, identity, window)
        cache.add(key, 0, limit.seconds + 1)
        try:
            used = cache.incr(key)
        except ValueError:  # gone between add and incr (evicted): nothing to count against
            continue
        if used is not None and used > limit.count:
            wait = max(wait, (window + 1) * limit.seconds - now)
    if wait:
        raise Limited(math.ceil(wait), kind)


# Email ---------------------------------------------------------------------------------------


def email_sent(request, *, to: str = "", user=None) -> None:
    """Count an email a form is about to queue: per client address, per user when logged in,
    and per address it goes to when someone typed it. Raises `Limited` before anything is
    queued."""
    per_client = Limit.from_setting("email-client", "EMAIL_LIMIT_PER_CLIENT")
    per_address = Limit.from_setting("email-address", "EMAIL_LIMIT_PER_ADDRESS")
    user = user if user is not None else getattr(request, "user", None)
    user_key = f"user:{user.pk}" if user is not None and user.is_authenticated else ""
    attempt(
        (per_client, client_address(request)),
        (per_client, user_key),
        (per_address, (to or "").strip().lower()),
    )


# Expensive pages -----------------------------------------------------------------------------


def expensive_work(request):
    """For a page whose uncached answer is expensive (search results, statistics): a function
    to call just before computing what no cache held. It counts the computation against the
    client's address and raises `Limited` when an anonymous client has asked for too many.
    Signed-in users are not limited (None); cached answers cost nothing and are never refused.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return None
    limit = Limit.from_setting("expensive", "EXPENSIVE_PAGES_PER_CLIENT")
    address = client_address(request)

    def before_computing() -> None:
        attempt((limit, address), kind="pages")

    return before_computing
