"""Finding cases: search with facets. The whole state lives in the URL; with htmx only the
results and the facet counts are swapped, without it the same view answers the whole page."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import caching, permissions, ratelimit, search
from ..filters import (
    ADOPTER_LOOKUPS,
    CaseFilter,
    PageRequest,
    cached_count_and_page,
    database_values,
)
from ..models import Adoption, Case, Organisation
from ..vocabularies import CentralityClass, OrganisationKind, SizeClass

ORDERINGS: dict[str, tuple[str | Promise, tuple[str, ...]]] = {
    "relevance": (_("Relevance"), ("-rank", "-published_at", "-pk")),
    "-published_at": (_("Newest"), ("-published_at", "-pk")),
    "-adoption_count": (_("Most reused"), ("-adoption_count", "-published_at", "-pk")),
    "title": (_("Title"), ("title", "pk")),
}
PAGE_SIZE = 20
# Beyond any real number of results: a larger page number asks for the last page as well.
MAX_PAGE = 1_000_000
FACET_ORDER = [
    "sector",
    "innovation_type",
    "workplace_type",
    "stage",
    "origin",
    "benefit",
    "region",
    "county",
    "size_class",
    "centrality_class",
    "adopter_size_class",
    "adopter_centrality_class",
    "adopter_region",
    "adopter_county",
]
# Filters with no control on the page (they come from links: an organisation's "all cases", a
# feed's address). The form carries them along as hidden fields so a change of facet keeps them.
HIDDEN_FILTERS = ["municipality", "organisation", "updated_since"]


# A result names this many of the adopters that matched an adopter filter, then "and N more".
MATCHED_ADOPTERS_SHOWN = 3
# A municipality's size band as a result card says it, after the population.
SIZE_BANDS: dict[str, str | Promise] = {
    SizeClass.SMALL: _("small municipality"),
    SizeClass.MEDIUM: _("medium-sized municipality"),
    SizeClass.LARGE: _("large municipality"),
}


def published_cases():
    return (
        Case.objects.published()
        .select_related("organisation", "organisation__county", "organisation__municipality")
        .prefetch_related("terms")
    )


def _ordering(request, filterset) -> tuple[str, tuple[str, ...], str]:
    """The chosen sort order, its ORDER BY, and the sort order the URL asked for if it is
    unknown. Relevance without search words means newest first."""
    wanted = request.GET.get("ordering", "")
    unknown = wanted if wanted not in ORDERINGS else ""
    if wanted not in ORDERINGS:
        wanted = "relevance" if filterset.query else "-published_at"
    if wanted == "relevance" and not filterset.query:
        return "-published_at", ORDERINGS["-published_at"][1], unknown
    return wanted, ORDERINGS[wanted][1], unknown


def _count_text(count: int, cache: dict[int, str]) -> str:
    """ "3 cases found": what a screen reader says after an option's label. Translated once per
    distinct number (most options share a few numbers), not once per option."""
    if count not in cache:
        cache[count] = ngettext("%(counter)s case found", "%(counter)s cases found", count) % {
            "counter": count
        }
    return cache[count]


def _facets(filterset, counts, texts: dict[int, str]):
    """Each facet's choices with their counts and whether they are selected, for the template.

    Selected values come from the valid part of the form: an unknown value in one filter does
    not untick the boxes of the others (the filters that were understood still apply).
    """
    form = filterset.form
    facets = []
    for name in FACET_ORDER:
        field = form.fields[name]
        selected = set(filterset.selected(name))
        options = [
            {
                "value": str(value),
                "label": label,
                "count": counts.get(name, {}).get(str(value), 0),
                "count_text": _count_text(counts.get(name, {}).get(str(value), 0), texts),
                "selected": str(value) in selected,
                "id": f"f-{name}-{value}",
                # Its place among the facet's options, where the page's script puts it back.
                "order": position,
            }
            for position, (value, label) in enumerate(field.choices, start=1)
        ]
        chosen = sum(1 for option in options if option["selected"])
        facets.append(
            {
                "name": name,
                "label": field.label,
                "options": options,
                "selected": bool(chosen),
                "chosen": chosen,
                # Options no result has, unless chosen: the page folds them away under
                # "Show N more" (a chosen option always stays in sight).
                "shown": [o for o in options if o["count"] or o["selected"]],
                "folded": [o for o in options if not o["count"] and not o["selected"]],
            }
        )
    return facets


def _without(params, name: str, value: str | None = None) -> str:
    """The query string without one value of a parameter (or the whole parameter), page 1."""
    params = params.copy()
    params.pop("page", None)
    if value is None:
        params.pop(name, None)
    else:
        kept = [v for v in params.getlist(name) if v != value]
        if kept:
            params.setlist(name, kept)
        else:
            params.pop(name, None)
    return params.urlencode()


def _chip(kind: str, text, params, name: str, value: str = "") -> dict:
    """One chosen filter (or the search words) as the page shows it above the results: its
    text, and the address of the results without it. `name` and `value` say which control of
    the form holds it, so that the page's script can clear that control instead of loading
    the address (an empty value: every value of the parameter)."""
    return {
        "kind": kind,
        "text": str(text),
        "name": name,
        "value": value,
        "query_string": _without(params, name, value or None),
    }


def _with_query(params, text: str) -> str:
    """The query string with other search words, page 1."""
    params = params.copy()
    params.pop("page", None)
    params["q"] = text
    return params.urlencode()


def _active_filters(params, filterset, facets) -> list[dict]:
    """What narrows the results now, each with the address of the results without it.

    Built from `facets` (every facet group the page shows), the search words, "reused" and
    the filters that have no control on the page, so that a new facet group gets its chips
    without changes here."""
    active = []
    if filterset.query:
        active.append(_chip("query", filterset.query.text, params, "q"))
    if filterset.is_bound and filterset.form.cleaned_data.get("reused"):
        active.append(_chip("filter", _("Reused by others"), params, "reused"))
    for facet in facets:
        for option in facet["options"]:
            if option["selected"]:
                active.append(
                    _chip("filter", option["label"], params, facet["name"], option["value"])
                )
    # Filters without a facet on the page (from a link or the feed): show them, so that no
    # hidden filter explains an empty result.
    for name in HIDDEN_FILTERS:
        value = filterset.form.cleaned_data.get(name) if filterset.is_bound else None
        if value not in (None, "", []):
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            elif name == "organisation":
                value = _organisation_name(pk=value) or value
            elif name == "municipality":
                value = _organisation_name(number=value, kind="municipality") or value
            text = f"{filterset.filters[name].label}: {value}"
            active.append(_chip("filter", text, params, name))
    return active


def _without_filters(params) -> str:
    """The query string that keeps the search words and the sort order and drops every
    filter ("Remove all filters")."""
    kept = params.copy()
    for name in list(kept.keys()):
        if name not in {"q", "ordering"}:
            kept.pop(name)
    return kept.urlencode()


def _loosening(params, filterset) -> list[dict]:
    """For a search that finds nothing: each filter in use whose removal finds something, with
    how many it finds then and the address without it, most results first. One count each."""
    if not filterset.is_bound:
        return []
    names = [name for name in [*FACET_ORDER, "reused", *HIDDEN_FILTERS] if params.get(name)]
    found = []
    for name in dict.fromkeys(names):
        count = filterset.without(name).qs.count()
        if count:
            found.append(
                {
                    "label": filterset.filters[name].label,
                    "count": count,
                    "query_string": _without(params, name),
                }
            )
    return sorted(found, key=lambda item: -item["count"])


def _organisation_name(**lookup) -> str | None:
    """An organisation's name for the list of active filters (one query, only when a link
    filtered by organisation or municipality)."""
    try:
        return Organisation.objects.filter(**lookup).values_list("name", flat=True).first()
    except (TypeError, ValueError):
        return None


def _page_number(raw) -> int:
    """The page the address asks for, as far as it can be told without the number of results
    (the paginator has the last word: see `case_search`)."""
    try:
        return min(max(int(raw), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def matched_adopters(filterset, ids: list[int]) -> dict[int, dict]:
    """For each case on the page, the organisations that reused it and match the adopter
    filters: {case id: {"names": [the first few, by name], "more": how many besides}}.

    An adopter matches when it meets every adopter filter that is on. A case can match the
    filters through different adopters (one small, another in Nord-Norge); it then shows the
    adopters that meet at least one of them. One query, only with an adopter filter on.
    """
    selections = filterset.adopter_selections()
    if not selections or not ids:
        return {}
    any_filter = Q()
    for name, values in selections.items():
        any_filter |= Q(**{f"{ADOPTER_LOOKUPS[name]}__in": database_values(name, values)})
    rows = (
        Adoption.objects.filter(any_filter, case_id__in=ids, organisation__deleted_at__isnull=True)
        .order_by("organisation__name", "pk")
        .values("case_id", "organisation__name", *ADOPTER_LOOKUPS.values())
    )
    by_case: dict[int, list[tuple[str, bool]]] = {}
    for row in rows:
        meets_all = all(
            str(row[ADOPTER_LOOKUPS[name]]) in values for name, values in selections.items()
        )
        by_case.setdefault(row["case_id"], []).append((row["organisation__name"], meets_all))
    matched = {}
    for case_id, adopters in by_case.items():
        names = [name for name, meets_all in adopters if meets_all] or [
            name for name, _meets_all in adopters
        ]
        shown = names[:MATCHED_ADOPTERS_SHOWN]
        matched[case_id] = {"names": shown, "more": len(names) - len(shown)}
    return matched


def owner_place(organisation: Organisation) -> dict | None:
    """The municipality a result's owner belongs to, with its population and size band, for the
    result card: the owner itself if it is a municipality, a unit's municipality, or a county
    municipality with its population. None when nothing is known."""
    place = organisation
    if organisation.kind != OrganisationKind.MUNICIPALITY and organisation.municipality:
        place = organisation.municipality
    if place.population is None and not place.size_class:
        return None
    return {
        "name": place.name,
        "own": place.pk == organisation.pk,
        "population": place.population,
        "size_band": SIZE_BANDS.get(place.size_class, ""),
    }


def _centrality_neighbours(centrality: int) -> list[int]:
    """A centrality class and the classes next to it (1 and 6 have one neighbour)."""
    return [c for c in (centrality - 1, centrality, centrality + 1) if c in CentralityClass.values]


def like_mine(request, params) -> dict | None:
    """The "municipalities like ours" links for a signed-in member: the current search with the
    size class of their organisation's municipality and its centrality class with the classes
    next to it, once for the owners of the cases and once for the organisations that reused
    them. None for a visitor, or when their organisations have no size or centrality.
    """
    own = permissions.roles(request.user)
    if not own:
        return None
    organisation = (
        Organisation.objects.filter(pk__in=list(own), centrality_class__isnull=False)
        .exclude(size_class="")
        .select_related("municipality")
        .order_by("name", "pk")
        .first()
    )
    if organisation is None or organisation.centrality_class is None:
        return None
    place = (
        organisation.municipality
        if organisation.kind != OrganisationKind.MUNICIPALITY and organisation.municipality
        else organisation
    )
    size = organisation.size_class
    centralities = _centrality_neighbours(organisation.centrality_class)
    links = {}
    for key, size_name, centrality_name in (
        ("owners", "size_class", "centrality_class"),
        ("adopters", "adopter_size_class", "adopter_centrality_class"),
    ):
        wanted = params.copy()
        wanted.pop("page", None)
        wanted.setlist(size_name, [size])
        wanted.setlist(centrality_name, [str(c) for c in centralities])
        links[key] = wanted.urlencode()
    return {
        "name": place.name,
        "size": SizeClass(size).label,
        "centrality": organisation.centrality_class,
        "centrality_from": centralities[0],
        "centrality_to": centralities[-1],
        "query_strings": links,
    }


@caching.cached_response(lambda request: [caching.LISTS])
def case_search(request):
    filterset, unknown_values = CaseFilter.lenient(request.GET, queryset=published_cases())
    params = filterset.data.copy() if filterset.is_bound else request.GET.copy()
    ordering_key, ordering, unknown_ordering = _ordering(request, filterset)
    if unknown_ordering:
        params.pop("ordering", None)
    # The counts and the page's ids come from one statement (or the cache); the page's cases
    # are then read by id.
    number = _page_number(request.GET.get("page"))
    wanted = PageRequest(ordering, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    # Over an anonymous client's limit (cases/ratelimit.py) only answers no cache holds are
    # refused, with a 429 page (RateLimitMiddleware).
    before_computing = ratelimit.expensive_work(request)
    answer = cached_count_and_page(filterset, wanted, before_computing=before_computing)
    counts, ids = answer.counts, answer.ids
    total = counts["total"]["all"]
    paginator = Paginator(filterset.qs.order_by(*ordering), PAGE_SIZE)
    # The statement has counted the results already; the paginator need not count again.
    paginator.__dict__["count"] = total
    page = paginator.get_page(request.GET.get("page"))
    if page.number != number:
        # Past the last page, or "page=0": the paginator shows the last page instead.
        last = PageRequest(ordering, (page.number - 1) * PAGE_SIZE, PAGE_SIZE)
        ids = cached_count_and_page(filterset, last, before_computing=before_computing).ids
    found = published_cases().in_bulk(ids)
    page.object_list = [found[pk] for pk in ids if pk in found]
    query = filterset.query
    matched = matched_adopters(filterset, ids)
    results = [
        {
            "case": case,
            "title": search.highlight_title(case.title, query) if query else case.title,
            "snippet": search.snippet(case, query) if query else None,
            "place": owner_place(case.organisation),
            "matched": matched.get(case.pk),
        }
        for case in page.object_list
    ]
    texts: dict[int, str] = {}
    facets = _facets(filterset, counts, texts)
    params.pop("page", None)
    active_filters = _active_filters(params, filterset, facets)
    context = {
        "filter": filterset,
        "form": filterset.form,
        "query": query,
        "page": page,
        "results": results,
        "total": total,
        "facets": facets,
        "reused_count": counts["reused"]["true"],
        "reused_count_text": _count_text(counts["reused"]["true"], texts),
        "reused_selected": bool(filterset.is_bound and filterset.form.cleaned_data.get("reused")),
        "orderings": [(key, label) for key, (label, _o) in ORDERINGS.items()],
        "ordering": ordering_key,
        "query_string": params.urlencode(),
        "feed_query_string": _without(params, "ordering"),
        "active_filters": active_filters,
        "filter_count": sum(1 for chip in active_filters if chip["kind"] == "filter"),
        "clear_filters_query_string": _without_filters(params),
        "hidden_filters": [
            (name, value) for name in HIDDEN_FILTERS for value in params.getlist(name)
        ],
        "unknown_values": unknown_values,
        "unknown_ordering": unknown_ordering,
        "like_mine": like_mine(request, params),
        "only_common_words": bool(query) and not query.terms,
        "suggestion": query.suggestion if query else "",
        "suggestion_query_string": (
            _with_query(params, query.suggestion) if query and query.suggestion else ""
        ),
        "loosening": _loosening(params, filterset) if total == 0 else [],
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "cases/partials/search_results_htmx.html" if partial else "cases/search.html"
    response = render(request, template, context)
    # One address, two answers (the page, or the fragment htmx swaps in): caches must keep
    # them apart, or the back button could show a bare fragment.
    patch_vary_headers(response, ("HX-Request",))
    if answer.behind:
        caching.made_from_older_data(response)
    return response
