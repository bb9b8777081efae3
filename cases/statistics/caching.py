"""The public function, `diffusion`: every figure, cached per filters until the data change,
brought up to date by one process outside the requests while every request is served what the
cache has, and the data version the cache goes by."""

import functools
import hashlib
import json
import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import connections, router

from .. import background
from ..models import Adoption, Case, Change, Organisation, SpreadActivity
from . import months
from .figures import compute, min_denominator
from .filters import filters_as_json, normalise_filters


def diffusion(
    *, filters: dict | None = None, before_computing: Callable[[], None] | None = None
) -> dict:
    """Every diffusion statistic for the published cases the filters describe.

    `filters` is `StatsFilter(...).form.cleaned_data` (or {} for everything). Returns a
    JSON-serialisable dict; every share is `{"numerator", "denominator", "share", "percent",
    "suppressed"}` (share and percent null when the denominator is below
    settings.STATISTICS_MIN_DENOMINATOR, see `figures.share`):

    - `filters`: the filters applied (lists of codes, ISO dates or null);
    - `cases`: `total` and `origin` (`counts` by code, `known`, `shares_of_known` for first /
      adapted / copied, and `unknown` as a share of all cases);
    - `adoptions`: `total`, `by_mode`, `by_channel`, `by_status` (lists of shares with `code`);
    - `reuse`: `reused` (cases with at least one adoption), `mean_adopters`,
      `median_adopters`, `distribution` (buckets 0, 1, 2-4, 5-9, 10+ as shares of cases);
    - `spreaders`: `owners` (organisations owning at least one of the cases),
      `active` (of them, with a spread activity), `adopted` (of them, with a case adopted),
      `activities` (their spread activities by channel);
    - `breakdowns`: for sector, innovation_type, workplace_type, employee_band, size_class,
      centrality_class, region, county: rows with `code` (and `name` for counties) and the
      metrics `cases`, `origin`, `adoptions`, `adopters_per_case`, `reused`, `owners`,
      `active_spreaders`, `adopted_owners`; a row with code null collects "not stated";
    - `monthly`: `months` ({month "YYYY-MM", cases, adoptions, cumulative_cases,
      cumulative_adoptions}) and `adoptions_after_this_month`;
    - `time_to_first_adoption`: `adopted_cases`, `mean_days`, `buckets`;
    - `top_spreaders`: organisations by distinct adopters of their cases;
    - `bass`: fits (see `bass.fit`) for `all`, each `sector` and each `innovation_type`;
    - `comparison`: the surveys' published figures beside the platform's.

    Computed in one statement (see `sql.rows`), whatever the amount of data. The result is
    cached per filters together with the data version it was computed from (`_data_version`,
    one query on every call):

    - same version: the cached figures;
    - a newer version: the cached figures, at once, and one process (a short lock in the
      cache) computes the new ones outside any request (cases/background.py), so nobody waits
      for a recomputation of figures that existed before a write;
    - no figures at all (a cold cache): this call takes the lock and computes; a call that
      finds the lock taken waits for the holder's figures (see `_wait_for`).

    `before_computing` is called just before this call computes figures itself; it may refuse
    by raising (a rate limit, `cases.ratelimit.expensive_work`). Work in the background is not
    a visitor's and is never refused.
    """
    return _get(normalise_filters(filters), before_computing)[0]


def diffusion_and_version(
    *, filters: dict | None = None, before_computing: Callable[[], None] | None = None
) -> tuple[dict, str]:
    """`diffusion`, and the data version the figures are of: a cache key for what is made of
    them (the dashboard's rendered tables)."""
    result, version, _outcome = _get(normalise_filters(filters), before_computing)
    return result, version


# How long cached figures are kept: they stay correct through their data version, and an older
# version is what visitors get while one process computes the new one. The figures of all
# cases (the dashboard's first view, which `manage.py warm_stats` keeps ready) are kept long; a
# filtered view only as long as someone is likely to come back to it.
CACHE_SECONDS = 24 * 60 * 60
FILTERED_CACHE_SECONDS = 10 * 60
# Longer than a computation ever takes: a process that dies while holding the lock delays the
# next computation by this much at most.
LOCK_SECONDS = 120
# With no figures to serve, a request waits this long for those another process is computing
# (checking every WAIT_STEP seconds) before it computes them itself: at a cold start all the
# workers' first visitors would otherwise compute the same figures at once.
WAIT_SECONDS = 30
WAIT_STEP = 0.1


# What `_get` did: served the figures of the current data version; served older ones while they
# are brought up to date outside the request (cases/background.py); computed them; or left that
# to another process (serving older figures, or waiting for its new ones).
UP_TO_DATE, BEHIND, COMPUTED, BUSY = "up-to-date", "behind", "computed", "busy"


def _get(
    clean: dict, before_computing: Callable[[], None] | None = None, *, in_background: bool = True
) -> tuple[dict, str, str]:
    """The figures for normalised filters (see `diffusion`), the data version they are of, and
    what it took (UP_TO_DATE, BEHIND, COMPUTED or BUSY). With `in_background` False figures
    that are behind are computed in this call instead (`warm`)."""
    using = router.db_for_read(Case)
    version = _data_version(using)
    key, lock = _cache_keys(clean)
    if in_background:
        cached = background.stale_or_refreshed(
            key,
            version,
            functools.partial(_entry, clean, using),
            seconds=cache_seconds(clean),
            lock_seconds=LOCK_SECONDS,
        )
    else:
        cached = cache.get(key)
    if cached is not None and cached["version"] == version:
        return cached["result"], version, UP_TO_DATE
    if cached is not None and in_background:
        return cached["result"], cached["version"], BEHIND
    token = background.acquire(lock, LOCK_SECONDS)
    if token is None:
        if cached is None:
            cached = _wait_for(key, lock)
        if cached is not None:
            return cached["result"], cached["version"], BUSY
        if before_computing is not None:
            before_computing()
        return compute(clean, using), version, BUSY
    try:
        if before_computing is not None:
            before_computing()
        result = compute(clean, using)
        cache.set(key, {"version": version, "result": result}, cache_seconds(clean))
    finally:
        background.release(lock, token)
    return result, version, COMPUTED


def _entry(clean: dict, using: str) -> dict:
    """The cache entry of the figures as the data are now (the version read first: a write
    while computing leaves the entry behind, and the next request refreshes it again)."""
    version = _data_version(using)
    return {"version": version, "result": compute(clean, using)}


def cache_seconds(filters: dict) -> int:
    """How long to keep what is made of the figures for these (normalised) filters."""
    return FILTERED_CACHE_SECONDS if any(filters.values()) else CACHE_SECONDS


def _wait_for(key: str, lock: str) -> dict | None:
    """The figures another process is computing, once it has stored them; None if it gives up
    (its lock is gone) or takes longer than WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        _pause()
        cached = cache.get(key)
        if cached is not None:
            return cached
        if cache.get(lock) is None:
            return None
    return None


def _pause() -> None:
    time.sleep(WAIT_STEP)


def warm(filters: dict | None = None) -> str:
    """Bring the cached figures up to date now (`manage.py warm_stats`): returns UP_TO_DATE,
    COMPUTED or BUSY (another process is computing them)."""
    return _get(normalise_filters(filters), in_background=False)[2]


def _cache_keys(clean: dict) -> tuple[str, str]:
    """The cache keys of the figures for normalised filters, and of the lock on computing them."""
    # The small-number rule is part of the figures: another threshold, other figures.
    payload = json.dumps([filters_as_json(clean), min_denominator()], sort_keys=True)
    key = "stats:diffusion:" + hashlib.sha256(payload.encode()).hexdigest()
    return key, background.lock_of(key)


# Which change-log entries can change a figure: all but those about a case that has never been
# published (a draft, and every save of it, counts nowhere) and about adoptions of such a case.
# A case that was published keeps its `published_at`, so its entries count also after it left
# the public view; an object that no longer exists counts too. One primary-key lookup per entry
# (scalar subqueries, which the database runs per entry instead of joining whole tables).
_NEVER_PUBLISHED = """COALESCE(CASE entry.kind
    WHEN 'case' THEN (SELECT c.published_at IS NULL FROM {case} AS c WHERE c.id = entry.object_id)
    WHEN 'adoption' THEN (
        SELECT c.published_at IS NULL FROM {adoption} AS a JOIN {case} AS c ON c.id = a.case_id
        WHERE a.id = entry.object_id
    )
END, FALSE)"""

# Change-log entries are numbered when written, not when committed: a transaction that commits
# late can add an entry below the newest one seen. The data version therefore sums up the last
# CHANGE_WINDOW relevant entries, which such a commit changes.
CHANGE_WINDOW = 100


def _data_version(using: str) -> str:
    """What the figures depend on, in one query; it changes with every write that can change a
    figure and with no other.

    - cases and adoptions: the change log (cases/changes.py), written in the same transaction as
      every save of a case or an adoption: of its last CHANGE_WINDOW relevant entries (see
      _NEVER_PUBLISHED) the newest, their number and the sum of their ids. A write adds an
      entry, or one that commits late and lands among them; a later save of the same object
      replaces an entry (which writes a newer one). Unrelated entries (drafts) touch none of it;
    - organisations (place, size, centrality, employee band, which the change log does not
      follow): their number and last update;
    - spread activities: their number and newest id;
    - the current month, which ends the monthly series.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    never_published = _NEVER_PUBLISHED.format(
        case=quote(Case._meta.db_table), adoption=quote(Adoption._meta.db_table)
    )
    change = quote(Change._meta.db_table)
    organisations = quote(Organisation._meta.db_table)
    activities = quote(SpreadActivity._meta.db_table)
    sql = (
        "SELECT recent.*, organisations.*, activities.* "
        "FROM (SELECT MAX(id), COUNT(*), SUM(id) FROM ("
        f"SELECT entry.id FROM {change} AS entry WHERE NOT {never_published} "
        "ORDER BY entry.id DESC LIMIT %s) AS entries) AS recent "
        f"CROSS JOIN (SELECT COUNT(*), MAX(updated_at) FROM {organisations}) AS organisations "
        f"CROSS JOIN (SELECT COUNT(*), MAX(id) FROM {activities}) AS activities"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [CHANGE_WINDOW])
        row = cursor.fetchone()
    return "|".join(str(value) for value in (*row, months.current_month()))
