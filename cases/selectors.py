"""Reads that pages and the API share: filtered, annotated querysets with their joins, once.

Every selector here sees only public data: published, non-deleted cases and the adoptions of
those cases. Keyword-only arguments; the number of queries never depends on the amount of data.

Results that cost a scan of a whole table, or a walk, are cached under a key that holds the
versions of the scopes they are read from (cases/caching.py): a write replaces the versions of
the scopes it changes once it has committed, and the next request computes them again. The
versions are read before the data, so a result read before a write commits is kept under a
version the write replaces. Should a replacement be lost (a process ending between commit and
cache), what a cached result names is still read again as published cases (similar cases by
id, a family checked against what is published), and only figures may lag, for at most
CACHE_SECONDS.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from django.core.cache import cache
from django.db.models import Case as DbCase
from django.db.models import Count, F, IntegerField, Max, Min, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.db.models.lookups import GreaterThan

from . import background, caching, lineage
from .caching import data_version as data_version  # every version while the cache is not shared
from .models import Adoption, Case
from .models.facets import TERM_MASKS, value_bit
from .statistics import generations
from .statistics.months import filled_months
from .statistics.places import reuse_places
from .statistics.sql import adoption_date

# How long an unused result stays in the cache; the versions in the key keep it right.
CACHE_SECONDS = 600
# Longer than counting the headline figures ever takes.
FIGURES_LOCK_SECONDS = 60
# Longer than making a case's family, spread and places ever takes.
CASE_REUSE_LOCK_SECONDS = 60


class HeadlineFigures(TypedDict):
    cases: int
    adoptions: int
    organisations: int
    municipalities: int


def case_versions(case: Case) -> tuple[str, str]:
    """What a case's cached family, spread and places are kept under, and what its similar
    cases are, in one read of the versions (cases/caching.py): the case's version (a write to
    it, to its family, to its reuse records or to whom they show replaces it, as does a write
    to many cases at once), and the catalogue's."""
    case_scope = f"case:{case.pk}"
    current = caching.versions([case_scope, caching.EVERYTHING, caching.CATALOGUE])
    return f"{current[case_scope]}.{current[caching.EVERYTHING]}", current[caching.CATALOGUE]


def case_version(case: Case) -> str:
    return case_versions(case)[0]


def similar_version() -> str:
    return caching.version_key([caching.CATALOGUE])


def case_list_latest(*, limit: int = 6) -> list[Case]:
    """The `limit` most recently published cases, newest first, ready to render as cards.

    Each case has its owner organisation selected and its terms (sectors, innovation types,
    ...) prefetched; `adoption_count` is a column of the case: two queries whatever the limit.
    """
    return list(
        Case.objects.published()
        .select_related("organisation")
        .prefetch_related("terms")
        .order_by("-published_at", "-id")[:limit]
    )


def headline_figures() -> HeadlineFigures:
    """The platform in four numbers, counting published data only (see `current_figures`)."""
    return current_figures()[0]


def current_figures() -> tuple[HeadlineFigures, bool]:
    """The platform in four numbers, counting published data only, and whether they are from
    before the last write. Two queries when not cached.

    - cases: published cases;
    - organisations: distinct organisations that own a published case;
    - adoptions: recorded adoptions of published cases;
    - municipalities: distinct municipalities reached by those adoptions (an adopting unit
      counts as its municipality; an adopting county or other body reaches none by itself).

    Counting them reads every published case and reuse record (half a second at 100,000
    cases), and every reuse recorded changes them: after a write the figures from before are
    served while one process counts again (cases/background.py). Only with none at all are
    they counted in the request.
    """
    version = caching.version_key([caching.FIGURES])

    def count() -> dict[str, Any]:
        counted_for = caching.version_key([caching.FIGURES])  # read before the data
        return {"version": counted_for, "figures": _count_headline_figures()}

    key = "selectors:headline"
    cached = background.fresh_or_stale(
        key, version, count, seconds=CACHE_SECONDS, lock_seconds=FIGURES_LOCK_SECONDS
    )
    if cached is None:
        cached = {"version": version, "figures": _count_headline_figures()}
        cache.set(key, cached, CACHE_SECONDS)
    return cached["figures"], cached["version"] != version


def _count_headline_figures() -> HeadlineFigures:
    case_figures = Case.objects.published().aggregate(
        cases=Count("pk"), organisations=Count("organisation", distinct=True)
    )
    adoption_figures = Adoption.objects.public().aggregate(
        adoptions=Count("pk"), municipalities=Count("organisation__municipality", distinct=True)
    )
    return HeadlineFigures(
        cases=case_figures["cases"],
        adoptions=adoption_figures["adoptions"],
        organisations=case_figures["organisations"],
        municipalities=adoption_figures["municipalities"],
    )


class OpenDataDates(TypedDict):
    cases_issued: datetime | None
    cases_modified: datetime | None
    adoptions_issued: datetime | None
    adoptions_modified: datetime | None


def open_data_dates() -> OpenDataDates:
    """When the public cases and reuse records were first published and last changed, for
    the open-data catalogue. Two queries when not cached."""
    key = f"selectors:open-data-dates:{caching.version_key([caching.FIGURES])}"
    dates: OpenDataDates | None = cache.get(key)
    if dates is None:
        cases = Case.objects.published().aggregate(
            issued=Min("published_at"), modified=Max("updated_at")
        )
        adoptions = Adoption.objects.public().aggregate(
            issued=Min("created_at"), modified=Max("updated_at")
        )
        dates = OpenDataDates(
            cases_issued=cases["issued"],
            cases_modified=cases["modified"],
            adoptions_issued=adoptions["issued"],
            adoptions_modified=adoptions["modified"],
        )
        cache.set(key, dates, CACHE_SECONDS)
    return dates


def similar_cases(case: Case, *, limit: int = 4, version: str | None = None) -> list[Case]:
    """Published cases sharing most sectors, innovation types and benefits with `case`, newest
    first among equals. Tags are left out: free words match by accident.

    The ranking reads the term masks on the case rows (cases/models/facets.py): one pass over
    the published cases' narrow rows, counting the bits each shares with this case, instead
    of grouping every term row of the catalogue that shares one (a quarter of a second at
    100,000 cases, for every case page not seen since the catalogue changed). Cached by case
    and the catalogue's version (`version`, from `similar_version()`, when the caller has it);
    the cases themselves are read by id, published ones only. Uses the case's prefetched
    terms: one query for the cases when cached.
    """
    terms = sorted((t.vocabulary, t.code) for t in case.terms.all() if t.vocabulary != "tag")
    if not terms:
        return []
    key = f"selectors:similar:{case.pk}:{limit}:{version or similar_version()}"
    ids = cache.get(key)
    if ids is None:
        ids = _rank_similar(case, terms, limit)
        cache.set(key, ids, CACHE_SECONDS)
    if not ids:
        return []
    found = (
        Case.objects.published()
        .select_related("organisation")
        .only("title", "slug", "status", "deleted_at", "organisation__name", "organisation__slug")
        .in_bulk(ids)
    )
    return [found[pk] for pk in ids if pk in found]


def _rank_similar(case: Case, terms: list[tuple[str, str]], limit: int) -> list[int]:
    shares = []
    anything_shared = Q()
    for column, (vocabulary, values) in TERM_MASKS.items():
        for value in (code for v, code in terms if v == vocabulary):
            bit = value_bit(values, value)
            if not bit:
                continue
            has_it = GreaterThan(F(column).bitand(bit), 0)  # term bits stop before the sign
            shares.append(When(has_it, then=1))
            anything_shared |= Q(has_it)
    if not shares:
        return []
    shared = sum(
        (DbCase(when, default=0, output_field=IntegerField()) for when in shares),
        start=Value(0),
    )
    return list(
        Case.objects.published()
        .exclude(pk=case.pk)
        .filter(anything_shared)
        .annotate(shared=shared)
        .order_by("-shared", "-published_at", "-pk")
        .values_list("pk", flat=True)[:limit]
    )


def case_lineage(case: Case, *, version: str | None = None) -> lineage.Node:
    """The family of a published case (cases/lineage.py), cached by case and the case's version
    (pass `version` from `case_version()`): three queries when not cached, one when it is.

    A cached family is used only while every case in it is still published: should a write's
    version replacement be lost, a case it took out of public view must not stay on other
    cases' pages."""
    key = f"selectors:lineage:{case.pk}:{version or case_version(case)}"
    tree: lineage.Node | None = cache.get(key)
    if tree is not None:
        members = lineage.members(tree)
        published = Case.objects.published().filter(pk__in=members).values_list("pk", flat=True)
        if set(published) != set(members):
            tree = None
    if tree is None:
        tree = lineage.tree(case)
        cache.set(key, tree, CACHE_SECONDS)
    return tree


@dataclass(frozen=True)
class CaseReuse:
    """What a published case's page shows of its reuse: its family, how it spread and where,
    and the case version they were made from. `behind`: made before the last write to the
    case and being made again outside the request."""

    tree: lineage.Node
    spread: dict[str, Any]
    places: dict[str, Any] | None
    version: str
    behind: bool = False


def case_reuse(
    case: Case, *, version: str, made: Callable[[Case, CaseReuse], None] | None = None
) -> CaseReuse:
    """The family, spread and places of a published case (`case_lineage`, `case_spread`,
    `reuse_places`), as of `version` (from `case_versions()`) or from before it.

    Every reuse recorded changes them, and for a case reused by hundreds making and rendering
    them takes longer than the rest of the page: after a write the ones from before are
    served while one process makes them again (cases/background.py), as the site's figures
    are. They are made in the request when there are none, when the ones from before show no
    reuse (the first adopter then appears in the figures as in the list of adopters), and when
    a case of the family has left public view since (as `case_lineage` does).

    `made(case, reuse)` is called when they have been made again outside the request, before
    they are stored: to prepare what the page makes of them (cases/views/cases.py)."""
    key = f"selectors:case-reuse:{case.pk}"

    def make(made_for: str) -> dict[str, Any]:
        tree = case_lineage(case, version=made_for)
        return {
            "version": made_for,
            "tree": tree,
            "spread": case_spread(case, tree=tree, version=made_for),
            "places": reuse_places(case, tree=tree, version=made_for),
        }

    def make_outside_the_request() -> dict[str, Any]:
        made_again = make(case_version(case))  # the version read before the data
        if made is not None:
            made(case, _as_reuse(made_again))
        return made_again

    found = background.fresh_or_stale(
        key,
        version,
        make_outside_the_request,
        seconds=CACHE_SECONDS,
        lock_seconds=CASE_REUSE_LOCK_SECONDS,
    )
    if found is not None:
        members = lineage.members(found["tree"])
        published = Case.objects.published().filter(pk__in=members).values_list("pk", flat=True)
        first_reuse = found["version"] != version and not found["spread"]["total"]
        if first_reuse or set(published) != set(members):
            found = None
    if found is None:
        found = make(version)
        cache.set(key, found, CACHE_SECONDS)
    return _as_reuse(found, behind=found["version"] != version)


def _as_reuse(entry: dict[str, Any], *, behind: bool = False) -> CaseReuse:
    return CaseReuse(entry["tree"], entry["spread"], entry["places"], entry["version"], behind)


def case_adopters(case: Case, *, in_order_of_adoption: bool = True) -> QuerySet[Adoption]:
    """The public adoption records of `case`, with what a row shows. A queryset: slice or
    paginate it.

    In order of adoption, what Rogers' categories count positions in: by the date it took
    effect (the day it was recorded when it has none), then by when it was recorded. Or, for
    the first few on the case page, by the date given, which the index on (case, date) serves
    without sorting every record of a case reused by hundreds.
    """
    order = [F("created_at").asc(), F("pk").asc()]
    if in_order_of_adoption:
        order.insert(0, adoption_date().asc())
    else:
        order.insert(0, F("adopted_on").asc())
    return (
        Adoption.objects.public()
        .filter(case=case)
        .select_related("organisation", "derived_case")
        .order_by(*order)
    )


def rogers_category(position: int, total: int) -> dict[str, str] | None:
    """The code and label of Rogers' category of the `position`-th of `total` adopters, or
    None while there are too few adopters for categories to say anything."""
    if total < generations.ROGERS_MIN_ADOPTERS:
        return None
    code = generations.rogers_category(position, total)
    return {"code": code, "label": str(generations.ROGERS_LABELS[code])}


def case_spread(
    case: Case, *, tree: lineage.Node | None, version: str | None = None
) -> dict[str, Any]:
    """How one published case spread, for its page: reach, the cumulative adoption curve by
    month, the adopters in each of Rogers' categories, and generations. One grouped query
    whatever the number of adopters, cached by case and the case's version (pass `version`
    from `case_version()` when the page has it); `tree` is the lineage the page has already.

    - `total`: public adoptions of the case (one per organisation);
    - `reach`: {organisations, municipalities, counties, regions};
    - `curve`: [{month, adoptions, cumulative}] from the first adoption month to the last;
    - `categories`: per Rogers category the adopters in it and the expected share, or None
      below `rogers_min_adopters` adopters;
    - `generations`: {generation, depth, descendants [{generation, cases}]}.
    """
    key = f"selectors:spread:{case.pk}:{version or case_version(case)}"
    spread = cache.get(key)
    if spread is None:
        spread = _count_spread(case)
        cache.set(key, spread, CACHE_SECONDS)
    return {**spread, "generations": _generations(case, tree)}


def _count_spread(case: Case) -> dict[str, Any]:
    # Adoptions by month and by the adopter's place: the curve and the reach both add up
    # from these rows (at most one per adopter).
    rows = (
        Adoption.objects.public()
        .filter(case=case)
        .annotate(month=TruncMonth(adoption_date()))
        .order_by()
        .values_list(
            "month", "organisation__municipality", "organisation__county", "organisation__region"
        )
        .annotate(n=Count("pk"))
    )
    per_month: dict[str, int] = {}
    municipalities, counties, regions = set(), set(), set()
    for month, municipality, county, region, n in rows:
        key = f"{month.year:04d}-{month.month:02d}"
        per_month[key] = per_month.get(key, 0) + n
        municipalities.add(municipality)
        counties.add(county)
        regions.add(region)
    total = sum(per_month.values())
    curve, running = [], 0
    for month in filled_months(set(per_month)):
        running += per_month.get(month, 0)
        curve.append({"month": month, "adoptions": per_month.get(month, 0), "cumulative": running})
    return {
        "total": total,
        "reach": {
            "organisations": total,
            "municipalities": len(municipalities - {None}),
            "counties": len(counties - {None}),
            "regions": len(regions - {None, ""}),
        },
        "curve": curve,
        "rogers_min_adopters": generations.ROGERS_MIN_ADOPTERS,
        "categories": generations.rogers_categories(total),
    }


def _generations(case: Case, tree: lineage.Node | None) -> dict[str, Any]:
    """Where the case stands in its lineage and how many generations descend from it."""
    return generations.generations(lineage.find(tree, case.pk) if tree is not None else None)
