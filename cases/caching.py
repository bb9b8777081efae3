"""What the site keeps in the shared cache, and how a write makes it fresh again.

Scopes. A cached result names the scopes of data it was made from; each scope has a version
in the cache, and a write replaces the versions of exactly the scopes it can change, once its
transaction has committed. The scopes:

- `case:<id>` and `case/<slug>`: one case as its page and the API show it (its text, partners,
  adopters, reach, and its family: a case's page shows its lineage, so a write to a case
  changes the pages of every case in its family);
- `organisation:<id>` and `organisation/<slug>`: one organisation's page and API record (its
  cases, the cases it took part in as a partner, what it reused, who reused its cases);
- `cases`: everything that lists, searches or counts public cases and reuse records;
- `catalogue`: the set of published cases and their terms (similar cases);
- `organisations`: the list of organisations;
- `figures`: the site's headline figures and open-data dates.

The change feed's recorder (cases/changefeed/record.py) sees every write of a case, an adoption
or an organisation, in its transaction, and tells `changed` which objects; `changed` works
out the scopes then, while the transaction sees its own writes, and replaces their versions on
commit. A reader reads the versions before it reads the data, so a result computed from data
a later write has changed is kept under a version that write has already replaced, or is
replaced by then: stale results are never found again.

Whole responses. `ResponseCacheMiddleware` keeps whole answers of views that declare their
scopes (`cached_response`, or `cache_scopes` on an API view class), for anonymous GET and
HEAD only, per address, language and variant (Accept, htmx), and serves them while the
scopes' versions are unchanged. An answer that sets a cookie, or that holds a CSRF token or a
CSP nonce, is never kept. Cache-Control says `public` with a short max-age for anonymous
readers (a proxy or CDN may keep them) and `private, no-cache` for members; ConditionalGet-
Middleware adds the ETag and answers 304.
"""

import hashlib
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from . import lineage
from .models import Adoption, Case, Change, Organisation

# How long an unused entry stays: the versions keep it right, this only frees the space (and
# bounds how long a version replacement lost with a crashed process could leave it stale).
CACHE_SECONDS = 600
# Seconds a browser or shared cache may keep an anonymous page before asking again, and how
# long after that it may still serve it while it asks.
PUBLIC_MAX_AGE = 60
STALE_WHILE_REVALIDATE = 30
# A write to more cases than this at once (an organisation renamed) replaces the version that
# every kept answer depends on, instead of walking each case's family.
MOST_FAMILIES_WALKED = 20
EVERYTHING = "everything"

LISTS = "cases"
CATALOGUE = "catalogue"
ORGANISATIONS = "organisations"
FIGURES = "figures"

_VERSION_PREFIX = "scope:"
_RESPONSE_PREFIX = "response:"


def case_scopes(pk: int, slug: str) -> list[str]:
    return [f"case:{pk}", f"case/{slug}"]


def organisation_scopes(pk: int, slug: str) -> list[str]:
    return [f"organisation:{pk}", f"organisation/{slug}"]


def data_version() -> str:
    """The change feed's last entry, in one indexed query: changes with every write of a case,
    an adoption or an organisation that cases or adoptions show (cases/changefeed/record.py).
    The entry's time is part of it, so a database that starts again from the same id does not
    meet an old cache entry. Every scope's version while the cache is not shared."""
    last = Change.objects.order_by("-pk").values_list("pk", "created_at").first()
    return f"{last[0]}:{last[1].timestamp()}" if last else "0"


def _shared() -> bool:
    """Whether every process that answers sees the same cache (REDIS_URL): only then can a
    write replace a version for all of them."""
    return getattr(settings, "CACHE_VERSIONS_SHARED", False)


def versions(scopes: Iterable[str]) -> dict[str, str]:
    """The current version of each scope, in one round trip (two when some are new). While
    the cache is one per process, every scope's version is the data version: any write
    anywhere makes everything fresh, in every process."""
    names = sorted(set(scopes))
    if not _shared():
        version = data_version()
        return dict.fromkeys(names, version)
    keys = [_VERSION_PREFIX + name for name in names]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            # Never seen, or evicted: a new random version, so nothing kept under an earlier
            # one can match again.
            cache.add(key, secrets.token_hex(8), None)
    missing = [key for key in keys if key not in found]
    if missing:
        found.update(cache.get_many(missing))
    return {name: str(found.get(key, "")) for name, key in zip(names, keys, strict=True)}


def version_key(scopes: Iterable[str]) -> str:
    """One string that changes whenever any of the scopes' versions does."""
    current = versions(scopes)
    return hashlib.sha256(repr(sorted(current.items())).encode()).hexdigest()[:16]


def bump(scopes: Iterable[str]) -> None:
    """Replace the versions of `scopes` now (see `changed` for doing it on commit)."""
    cache.set_many({_VERSION_PREFIX + name: secrets.token_hex(8) for name in set(scopes)}, None)


# --- What a write changes ---------------------------------------------------------------


def changed(kind: str, ids: Iterable[int], *, reuse_only: bool = False) -> None:
    """Objects of `kind` (a Change.Kind) were written in the running transaction: replace the
    versions of the scopes they are shown in when it commits. `reuse_only`: cases whose
    reuse records changed, nothing else of them."""
    ids = sorted(set(ids))
    if not ids or not _shared():
        return  # every version is the data version, which the write itself changes
    if kind == Change.Kind.ADOPTION:
        scopes = _adoption_scopes(ids)
    elif kind == Change.Kind.CASE:
        scopes = _case_scopes(ids, counted=reuse_only)
    else:
        scopes = _organisation_scopes(ids)
    if scopes:
        transaction.on_commit(lambda: bump(scopes))


def _organisation_scopes(ids: list[int]) -> set[str]:
    # The cases and reuse records that show an organisation get entries of their own when what
    # they show of it changes (cases/changefeed/record.py), and with them their scopes.
    # The page of the organisation above one lists it among its units.
    scopes = {LISTS, ORGANISATIONS, FIGURES}
    rows = Organisation.all_objects.filter(pk__in=ids).values_list(
        "pk", "slug", "parent_id", "parent__slug"
    )
    for pk, slug, parent_id, parent_slug in rows:
        scopes.update(organisation_scopes(pk, slug))
        if parent_id:
            scopes.update(organisation_scopes(parent_id, parent_slug))
    return scopes


def _adoption_scopes(ids: list[int]) -> set[str]:
    """A reuse record is shown on its case's page (and so in its family's lineage), on the
    adopter's page and the owner's, and in the lists and figures."""
    rows = Adoption.all_objects.filter(pk__in=ids).values_list(
        "case_id", "derived_case_id", "organisation_id", "organisation__slug"
    )
    cases: set[int] = set()
    scopes = {LISTS, FIGURES}
    for case_id, derived_case_id, organisation_id, organisation_slug in rows:
        cases.add(case_id)
        if derived_case_id:
            cases.add(derived_case_id)
        scopes.update(organisation_scopes(organisation_id, organisation_slug))
    return scopes | _case_scopes(sorted(cases), counted=True)


def _case_scopes(ids: list[int], *, counted: bool = False) -> set[str]:
    """A case is shown on its own page and its family's, on its owner's, partners' and
    adopters' pages, in the lists, the catalogue and the figures. A case that was never
    published was shown nowhere but its own page. `counted`: only its reuse changed (an
    adoption), which only a published case has and neither the catalogue nor its adopters'
    pages show."""
    rows = list(
        Case.all_objects.filter(pk__in=ids).values_list(
            "pk", "slug", "published_at", "organisation_id", "organisation__slug"
        )
    )
    scopes: set[str] = set()
    public: list[int] = []
    for pk, slug, published_at, organisation_id, organisation_slug in rows:
        scopes.update(case_scopes(pk, slug))
        if published_at is not None or counted:
            public.append(pk)
            scopes.update(organisation_scopes(organisation_id, organisation_slug))
    if not public:
        return scopes
    # Similar cases name a case and its owner, not its reuse.
    scopes.update({LISTS, FIGURES} if counted else {LISTS, CATALOGUE, FIGURES})
    organisations = Organisation.all_objects.order_by().values_list("pk", "slug")
    shown_by = organisations.filter(partner_cases__in=public)
    if not counted:
        # Two lookups by index, united: one query joining both ways with OR cannot use them
        # (over 400 ms for a case reused by 300 organisations).
        shown_by = shown_by.union(organisations.filter(adoptions__case__in=public)).order_by()
    # Its reuse is on its card, on its owner's and partners' pages; its adopters' pages list
    # what they reused, not who else did (an adoption names its own adopter's).
    for pk, slug in shown_by:
        scopes.update(organisation_scopes(pk, slug))
    if len(public) > MOST_FAMILIES_WALKED:
        scopes.add(EVERYTHING)
        return scopes
    family: set[int] = set()
    for case in Case.all_objects.filter(pk__in=public).only("pk"):
        family.update(lineage.members(lineage.tree(case)))
    family.difference_update(public)
    for pk, slug in Case.all_objects.filter(pk__in=family).values_list("pk", "slug"):
        scopes.update(case_scopes(pk, slug))
    return scopes


def organisation_page_changed(organisation: Organisation) -> None:
    """Something only the organisation's page shows changed (its spread activities)."""
    if _shared():
        scope = f"organisation/{organisation.slug}"  # the API's record does not show them
        transaction.on_commit(lambda: bump([scope]))


def partners_changed(organisation_ids: Iterable[int]) -> None:
    """Organisations became or stopped being partners of a case: their pages list the cases
    they take part in. (The case's own scopes follow from its change feed entry, which finds
    its partners after the write: not the ones it lost.)"""
    ids = sorted(set(organisation_ids))
    if not ids or not _shared():
        return
    scopes = {
        scope
        for pk, slug in Organisation.all_objects.filter(pk__in=ids).values_list("pk", "slug")
        for scope in organisation_scopes(pk, slug)
    }
    transaction.on_commit(lambda: bump(scopes))


def source_changed(old_source_id: int | None) -> None:
    """A case left the family of `old_source_id`: that family's pages change too."""
    if old_source_id:
        changed(Change.Kind.CASE, [old_source_id])


# --- Whole responses ----------------------------------------------------------------------

Scopes = Callable[..., list[str]]


def cached_response(scopes: Scopes) -> Callable:
    """Declare a view's answers cacheable whole for anonymous readers: `scopes(request,
    **url_kwargs)` names the scopes they are made from (see ResponseCacheMiddleware)."""

    def declare(view: Callable) -> Callable:
        view.cache_scopes = scopes  # type: ignore[attr-defined]
        return view

    return declare


def _declared_scopes(view: Callable) -> Scopes | None:
    declared = getattr(view, "cache_scopes", None)
    if declared is None and hasattr(view, "cls"):
        # A DRF view: its class declares them per action (`cache_scopes = {"list": ...}`).
        per_action = getattr(view.cls, "cache_scopes", None)
        actions = getattr(view, "actions", None) or {}
        if per_action is not None:
            declared = per_action.get(actions.get("get", "get"))
    return declared


def _anonymous(request: HttpRequest) -> bool:
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    # A visitor with a session or waiting messages may see something of their own.
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


# Request headers an answer varies by besides address and language: content negotiation and
# htmx's partial answers.
VARIANT_HEADERS = ("HTTP_ACCEPT", "HTTP_HX_REQUEST", "HTTP_HX_TARGET")
VARY = ("Cookie", "Accept", "Accept-Language", "HX-Request", "HX-Target")
# Headers a kept answer leaves out: per request, or added again on the way out.
NOT_KEPT = {"set-cookie", "vary", "content-security-policy", "date"}


def _response_key(request: HttpRequest) -> str:
    parts = [
        request.path,
        request.META.get("QUERY_STRING", ""),
        getattr(request, "LANGUAGE_CODE", ""),
        *(request.META.get(name, "") for name in VARIANT_HEADERS),
    ]
    return _RESPONSE_PREFIX + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page holds a CSRF token
    if getattr(request, "_csp_nonce", None):
        return False  # a nonce was made for the page: it holds it
    control = response.get("Cache-Control", "")
    return "private" not in control and "no-store" not in control


def _enabled() -> bool:
    return getattr(settings, "RESPONSE_CACHE", True)


def _mark(response: HttpResponse, how: str) -> None:
    if getattr(settings, "RESPONSE_CACHE_MARK", False):
        response["X-Response-Cache"] = how


class ResponseCacheMiddleware:
    """Whole answers of views that declare their scopes, for anonymous GET and HEAD. After
    the authentication, message and htmx middleware, so it sees who asks; inside the CSRF
    middleware, so an answer is kept before a CSRF cookie is added."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        pending = getattr(request, "_response_cache_pending", None)
        if pending is not None and _keepable(request, response):
            _keep(request, response, *pending)
        if getattr(request, "_response_cache_declared", False) and not request.path.startswith(
            "/api/"
        ):
            # The API's own headers middleware says Cache-Control for its answers.
            _page_headers(request, response)
        return response

    def process_view(
        self, request: HttpRequest, view: Callable, args: Any, kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        declared = _declared_scopes(view)
        if declared is None:
            return None
        request._response_cache_declared = True  # type: ignore[attr-defined]
        if not _enabled() or request.method not in ("GET", "HEAD") or not _anonymous(request):
            return None
        scopes = sorted({*declared(request, *args, **kwargs), EVERYTHING})
        key = _response_key(request)
        # The versions before the data (the view reads it next): see the module's docstring.
        current = versions(scopes)
        kept = cache.get(key)
        if kept is not None and kept["versions"] == current:
            response = HttpResponse(kept["content"], status=kept["status"])
            for name, value in kept["headers"]:
                response[name] = value
            _mark(response, "hit")
            return response
        request._response_cache_pending = (key, current)  # type: ignore[attr-defined]
        return None


def _keep(request: HttpRequest, response: HttpResponse, key: str, current: dict[str, str]) -> None:
    if not response.has_header("Last-Modified") and not request.path.startswith("/api/"):
        # When this answer was made: no later than its data last changed.
        response["Last-Modified"] = http_date(time.time())
    headers = [
        (name, value)
        for name, value in response.items()
        if name.lower() not in NOT_KEPT and not name.lower().startswith("ratelimit-")
    ]
    kept = {
        "versions": current,
        "status": response.status_code,
        "headers": headers,
        "content": response.content,
    }
    cache.set(key, kept, CACHE_SECONDS)
    _mark(response, "miss")


def made_from_older_data(response: HttpResponse) -> None:
    """The answer shows data from before the last write while it is being made again
    (cases/background.py): kept neither here nor by a browser or proxy, so the next request
    gets the answer made again."""
    patch_cache_control(response, private=True, no_cache=True)


def _page_headers(request: HttpRequest, response: HttpResponse) -> None:
    """Cache-Control and Vary for a cacheable page: public for anonymous readers, private for
    members, whose pages show what is theirs."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return
    patch_vary_headers(response, VARY)
    if _anonymous(request):
        if "private" not in response.get("Cache-Control", ""):
            patch_cache_control(
                response,
                public=True,
                max_age=PUBLIC_MAX_AGE,
                stale_while_revalidate=STALE_WHILE_REVALIDATE,
            )
    else:
        patch_cache_control(response, private=True, no_cache=True)
