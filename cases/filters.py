"""The case filters, shared by the search page, the feeds and the API, so a URL means the same
everywhere. Within one facet the chosen values are alternatives (OR); facets combine with AND."""

import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import astuple, dataclass
from typing import Any

import django_filters
from django import forms
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
)
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from . import background, caching, search
from .models import Case, CaseTerm, Organisation
from .models.facets import (
    ADOPTER_MASKS,
    COUNTY_MASKS,
    TERM_MASKS,
    bits,
    county_bit,
    value_bit,
)
from .vocabularies import (
    Benefit,
    CentralityClass,
    InnovationType,
    OrganisationKind,
    Origin,
    Region,
    Sector,
    SizeClass,
    Stage,
    WorkplaceType,
)


class UtcIsoDateTimeField(django_filters.IsoDateTimeFilter.field_class):
    """An ISO 8601 time, in UTC before it reaches the database.

    ISO 8601 (and Python) allow offsets up to ±23:59 and times at the very ends of the
    calendar; PostgreSQL refuses offsets beyond ±15:59, and a time near year 1 or 9999 may not
    convert to UTC at all. Converting here turns the first into an ordinary time and the
    second into a 400, instead of an error inside the database.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class StrictBooleanField(forms.NullBooleanField):
    """`true` or `false` (`1` or `0`), as a client sends a boolean in a query string; anything
    else is refused. A form's NullBooleanField takes an unknown value for "no preference", so
    `reused=maybe` would filter nothing and say nothing."""

    widget = forms.TextInput
    default_error_messages = {"invalid": _("Enter true or false.")}
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


def county_choices() -> list[tuple[str, str]]:
    return list(
        Organisation.objects.filter(kind=OrganisationKind.COUNTY)
        .order_by("number")
        .values_list("number", "name")
    )


def term_exists(vocabulary: str, codes) -> Exists:
    return Exists(
        CaseTerm.objects.filter(case=OuterRef("pk"), vocabulary=vocabulary, code__in=codes)
    )


# An adopter filter's name -> what it reads of the adopting organisation.
ADOPTER_LOOKUPS = {
    "adopter_size_class": "organisation__size_class",
    "adopter_centrality_class": "organisation__centrality_class",
    "adopter_region": "organisation__region",
    "adopter_county": "organisation__county__number",
}


def with_facet_bits(queryset, facet: str, chosen):
    """The cases whose facet mask (cases/models/facets.py) has a bit of the chosen values: a
    column of the case row instead of a join with its terms or adoptions."""
    masks = facet_bits(facet, chosen)
    queryset = queryset.alias(**{f"{c}_chosen": F(c).bitand(bit) for c, bit in masks.items()})
    any_chosen = Q()
    for column in masks:
        any_chosen |= Q(**{f"{column}_chosen__gt": 0})
    return queryset.filter(any_chosen)


def _choices(field_name: str, choices, label, **kwargs) -> django_filters.MultipleChoiceFilter:
    # distinct=False: every one of these reads a column of the case or of its owner (to-one
    # joins), so no row can repeat, and DISTINCT would only slow down the ranked page.
    return django_filters.MultipleChoiceFilter(
        label=label, choices=choices, field_name=field_name, distinct=False, **kwargs
    )


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="filter_q", max_length=search.MAX_QUERY_LENGTH
    )
    sector = django_filters.MultipleChoiceFilter(
        label=_("Sector"), choices=Sector.choices, method="filter_term"
    )
    innovation_type = django_filters.MultipleChoiceFilter(
        label=_("Innovation type"), choices=InnovationType.choices, method="filter_term"
    )
    benefit = django_filters.MultipleChoiceFilter(
        label=_("Benefit"), choices=Benefit.choices, method="filter_term"
    )
    workplace_type = _choices("workplace_type", WorkplaceType.choices, _("Workplace type"))
    origin = _choices("origin", Origin.choices, _("Origin"))
    stage = _choices("stage", Stage.choices, _("Stage"))
    # The counties are read once per filter set (see __init__), not at every use of the field.
    county = _choices("organisation__county__number", [], _("County"))
    region = _choices("organisation__region", Region.choices, _("Region"))
    size_class = _choices("organisation__size_class", SizeClass.choices, _("Municipality size"))
    centrality_class = _choices(
        "organisation__centrality_class", CentralityClass.choices, _("Centrality")
    )
    # Who reused a case: a case matches when one of its adopters is in one of the chosen classes.
    adopter_size_class = django_filters.MultipleChoiceFilter(
        label=_("Reused by: municipality size"), choices=SizeClass.choices, method="filter_adopter"
    )
    adopter_centrality_class = django_filters.MultipleChoiceFilter(
        label=_("Reused by: centrality"), choices=CentralityClass.choices, method="filter_adopter"
    )
    adopter_region = django_filters.MultipleChoiceFilter(
        label=_("Reused by: region"), choices=Region.choices, method="filter_adopter"
    )
    adopter_county = django_filters.MultipleChoiceFilter(
        label=_("Reused by: county"), choices=[], method="filter_adopter"
    )
    municipality = django_filters.CharFilter(
        label=_("Municipality number"), field_name="organisation__municipality__number"
    )
    # Ids are 64-bit: a larger number is refused here rather than by the database.
    organisation = django_filters.NumberFilter(
        label=_("Organisation"), field_name="organisation", min_value=1, max_value=2**63 - 1
    )
    reused = django_filters.BooleanFilter(
        label=_("Reused by others"), method="filter_reused", widget=forms.CheckboxInput
    )
    updated_since = UtcIsoDateTimeFilter(
        label=_("Updated since"), field_name="updated_at", lookup_expr="gte"
    )

    # The filter parameter name -> the CaseTerm vocabulary it reads.
    TERM_VOCABULARIES = {
        "sector": CaseTerm.Vocabulary.SECTOR,
        "innovation_type": CaseTerm.Vocabulary.INNOVATION_TYPE,
        "benefit": CaseTerm.Vocabulary.BENEFIT,
    }

    def __init__(self, data=None, queryset=None, *, counties=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.counties = county_choices() if counties is None else counties
        self.filters["county"].extra["choices"] = self.counties
        self.filters["adopter_county"].extra["choices"] = self.counties

    @classmethod
    def lenient(cls, data, *, queryset) -> tuple["CaseFilter", list[dict]]:
        """The filter set of `data` with what it does not understand left out, and a list of
        what was left out (see `unknown_values`), for pages and feeds.

        An unknown value ("sector=bogus") drops only itself: the other values of the same
        filter, and the other filters, still apply. (The API answers 400 instead.)
        """
        q = data.get("q", "") if data else ""
        if "\x00" in q or len(q) > search.MAX_QUERY_LENGTH:
            # A NUL cannot be searched, and only so many words are; the rest still can be.
            data = data.copy()
            data["q"] = q.replace("\x00", " ")[: search.MAX_QUERY_LENGTH]
        filterset = cls(data or None, queryset=queryset)
        problems = filterset.unknown_values()
        if problems:
            data = data.copy()
            for problem in problems:
                given = data.getlist(problem["name"])
                kept = [v for v in given if v not in problem["values"]]
                if kept and len(kept) < len(given):
                    data.setlist(problem["name"], kept)
                else:
                    data.pop(problem["name"], None)
            filterset = cls(data, queryset=queryset, counties=filterset.counties)
        return filterset, problems

    def filter_q(self, queryset, name, value):
        self.search = search.parse(value)
        return search.apply(queryset, self.search)

    def filter_term(self, queryset, name, value):
        if not value:
            return queryset
        return with_facet_bits(queryset, name, value)

    def filter_adopter(self, queryset, name, value):
        if not value:
            return queryset
        return with_facet_bits(queryset, name, value)

    def adopter_selections(self) -> dict[str, list[str]]:
        """The adopter filters with values chosen, and their values."""
        return {name: chosen for name in ADOPTER_LOOKUPS if (chosen := self.selected(name))}

    def filter_reused(self, queryset, name, value):
        if value is None or value is False:
            # An unticked box means "no preference", not "never reused".
            return queryset
        # The cases filtered are published: reused is an alive adoption by an organisation
        # that exists, which has_adopters keeps (cases/models/facets.py).
        return queryset.filter(has_adopters=True)

    @property
    def query(self) -> search.Search:
        """The parsed search words (empty when there are none)."""
        if self.is_bound:
            self.qs  # noqa: B018 - building the (lazy) queryset parses the query
        return getattr(self, "search", search.Search(text="", words=[]))

    def selected(self, name: str) -> list[str]:
        """The valid values chosen for one multiple-choice filter (invalid ones are ignored)."""
        if not self.is_bound:
            return []
        self.errors  # noqa: B018 - validates the form, which fills cleaned_data
        return [str(v) for v in self.form.cleaned_data.get(name) or []]

    def without(self, *names: str) -> "CaseFilter":
        """The same filter set without the named filters (for counting a facet's options)."""
        data = self.data.copy() if self.data is not None else {}
        for name in names:
            data.pop(name, None)
        return type(self)(data, queryset=self.queryset, counties=self.counties)

    def unknown_values(self) -> list[dict]:
        """What the URL asked for that does not exist, per filter: for a message that says so.

        [{"name": "sector", "label": "Sector", "values": ["bogus"]}, ...]
        """
        if not self.is_bound:
            return []
        problems = []
        for name in self.errors:
            if name not in self.filters:
                continue
            filter_ = self.filters[name]
            field = self.form.fields[name]
            raw = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data[name]]
            valid = {str(value) for value, _label in getattr(field, "choices", [])}
            values = [v for v in raw if v not in valid] if valid else list(raw)
            problems.append({"name": name, "label": filter_.label, "values": values})
        return problems


# The facets of the search page. Column facets read a column of the case or of its owner and are
# counted together in one grouped pass; term facets read CaseTerm and are counted by grouping;
# adopter facets read the organisations that reused a case (a case may have several).
# Facet name -> (its column in the counted table, the lookup that reads it from a case).
COLUMN_FACETS = {
    "workplace_type": ("f_workplace_type", "workplace_type"),
    "origin": ("f_origin", "origin"),
    "stage": ("f_stage", "stage"),
    # The owner's facets from the case row (cases/models/facets.py): no join to count them.
    "region": ("f_region", "owner_region"),
    "size_class": ("f_size_class", "owner_size_class"),
    "centrality_class": ("f_centrality_class", "owner_centrality_class"),
    "county": ("f_county", "owner_county"),
}
TERM_FACETS = list(CaseFilter.TERM_VOCABULARIES)
# Term mask column -> (its facet, the values in bit order).
TERM_MASK_COLUMNS = {
    column: (facet, values)
    for column, (vocabulary, values) in TERM_MASKS.items()
    for facet, facet_vocabulary in CaseFilter.TERM_VOCABULARIES.items()
    if facet_vocabulary == vocabulary
}
# The facets of who reused a case (counted by `_adopter_counts`).
ADOPTER_FACETS = list(ADOPTER_LOOKUPS)
FACETS = [
    "sector",
    "innovation_type",
    "workplace_type",
    "origin",
    "stage",
    "benefit",
    "county",
    "region",
    "size_class",
    "centrality_class",
    *ADOPTER_FACETS,
]
FACET_CHOICES = {
    "workplace_type": WorkplaceType,
    "origin": Origin,
    "stage": Stage,
    "region": Region,
    "size_class": SizeClass,
    "centrality_class": CentralityClass,
    "sector": Sector,
    "innovation_type": InnovationType,
    "benefit": Benefit,
    "adopter_size_class": SizeClass,
    "adopter_centrality_class": CentralityClass,
    "adopter_region": Region,
}
# The facets whose values are numbers in the database (the URL has them as text).
NUMERIC_FACETS = {"centrality_class", "adopter_centrality_class"}


def database_values(facet: str, values: list[str]) -> list:
    """A facet's chosen values as the database compares them."""
    return [int(v) for v in values] if facet in NUMERIC_FACETS else list(values)


@dataclass(frozen=True)
class PageRequest:
    """One page of the results: its order (as for QuerySet.order_by, "pk" and "rank" included)
    and its rows."""

    ordering: tuple[str, ...]
    offset: int
    limit: int


def facet_counts(filterset: CaseFilter) -> dict[str, dict[str, int]]:
    """How many cases each value of every facet would give, with the rest of the search as is.

    Counts are disjunctive, as the facets are: within a facet the values are alternatives, so an
    option's count is counted with every other filter applied but not its own facet's. With
    "Health and care" ticked, "Education" still says how many education cases the rest of the
    search holds, and ticking it adds those. `total` is the number of results and `reused` how
    many of them someone else reused. Every value of every facet is present (0 if none).

    One statement, whatever is ticked (see `count_and_page`).
    """
    return count_and_page(filterset)[0]


def count_and_page(
    filterset: CaseFilter, page: PageRequest | None = None
) -> tuple[dict[str, dict[str, int]], list[int]]:
    """`facet_counts`, and the ids of one page of the results in order (empty without `page`),
    from one statement that finds the matching cases once.

    The statement reads the cases that match everything but the facets (the search words and
    the filters without a facet) once, into a table with a column per column facet and a flag
    per ticked term facet; with two or more facets ticked, only the cases that miss at most one
    of them, as no other case counts anywhere. Over that table: every column facet's counts in
    one grouped pass (PostgreSQL: GROUPING SETS; SQLite: a GROUP BY per facet), the terms of
    the term facets in one join with the case terms, the reused results, and the page.
    """
    counts: dict[str, dict[str, int]] = {
        name: dict.fromkeys((str(v) for v in FACET_CHOICES[name].values), 0)
        for name in FACET_CHOICES
    }
    for name in ("county", "adopter_county"):
        counts[name] = dict.fromkeys((number for number, _name in filterset.counties), 0)
    counts["reused"] = {"true": 0}
    counts["total"] = {"all": 0}
    ids: list[int] = []
    statement = _statement(filterset, page)
    if statement is None:  # a search that can match nothing (only common words)
        return counts, ids
    by_vocabulary = {v: k for k, v in CaseFilter.TERM_VOCABULARIES.items()}
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        rows = cursor.fetchall()
    page_rows = []
    for kind, key, value, n in rows:
        if kind == "g" and key == "total":
            counts["total"]["all"] = n or 0
        elif kind in ("g", "adopter"):
            # A number (a centrality class) is counted under its text, as the URL has it.
            if value is not None and str(value) in counts[key]:
                counts[key][str(value)] = n or 0
        elif kind == "term":
            facet = by_vocabulary[key]
            if value in counts[facet]:
                counts[facet][value] = n or 0
        elif kind == "reused":
            counts["reused"]["true"] = n or 0
        else:
            page_rows.append((n, int(value)))
    if filterset.is_bound and filterset.form.cleaned_data.get("reused"):
        # Ticked, "reused" narrows the results to the reused ones: all of them are.
        counts["reused"]["true"] = counts["total"]["all"]
    ids = [pk for _position, pk in sorted(page_rows)]
    return counts, ids


# How long an unused search answer stays in the cache. Not what keeps answers correct: each
# names the version of the public lists it was made from (see `cached_count_and_page`).
CACHE_SECONDS = 600
# Longer than a search's statement ever takes.
REFRESH_LOCK_SECONDS = 60


@dataclass(frozen=True)
class SearchAnswer:
    """The facet counts and the page's ids of a search. `behind`: made before the last
    write to the public lists and being made again outside the request."""

    counts: dict[str, dict[str, int]]
    ids: list[int]
    behind: bool = False


def _search_state(filterset: CaseFilter) -> dict:
    """What a search's answer depends on in its form: the words and what they were taken to
    mean, and the valid filter values."""
    state = {}
    if filterset.is_bound:
        filterset.errors  # noqa: B018 - validates the form, which fills cleaned_data
        for name, value in filterset.form.cleaned_data.items():
            if name == "q":
                # A search made while the lexicon was being built anew (cases/search.py) is
                # answered again once it is.
                query = filterset.query
                value = [query.words, [astuple(term) for term in query.terms]]
            elif isinstance(value, list):
                value = sorted(str(v) for v in value)
            if value not in (None, "", [], False):
                state[name] = value
    return state


def cached_count_and_page(
    filterset: CaseFilter,
    page: PageRequest,
    *,
    before_computing: Callable[[], None] | None = None,
) -> SearchAnswer:
    """`count_and_page`, kept in the cache under the search (`_search_state`) and the page,
    with the version of the public lists it was made from (cases/caching.py). A write that can
    change a search's results or counts (of a published case, a reuse record or an
    organisation) replaces that version; a draft saved or a page's own data changed does not.

    An answer of the current version is served as it is (one cache round trip, and one query
    while the cache is one per process). A search with words whose answer is older is made
    again in the request. Browsing without words (the catalogue as a whole, or by facets) is
    what every visitor sees first and what every write changes: its older answer is served,
    marked `behind`, while one process makes it again (cases/background.py). Nobody waits
    for the whole catalogue to be counted again after each reuse recorded.

    `before_computing` is called before an answer is made in the request; it may refuse by
    raising (a rate limit, `cases.ratelimit.expensive_work`)."""
    state = _search_state(filterset)
    payload = json.dumps(
        [state, list(page.ordering), page.offset, page.limit], default=str, sort_keys=True
    )
    key = "search:" + hashlib.sha256(payload.encode()).hexdigest()

    def make(version: str) -> dict[str, Any]:
        # Read before the data: an answer is never newer than the version it names.
        counts, ids = count_and_page(filterset, page)
        return {"version": version, "counts": counts, "ids": ids}

    version = _lists_version()
    if "q" in state:
        found = cache.get(key)
    else:
        found = background.fresh_or_stale(
            key,
            version,
            lambda: make(_lists_version()),
            seconds=CACHE_SECONDS,
            lock_seconds=REFRESH_LOCK_SECONDS,
        )
    if found is not None and found["version"] == version:
        return SearchAnswer(found["counts"], found["ids"])
    if found is not None and "q" not in state:
        return SearchAnswer(found["counts"], found["ids"], behind=True)
    if before_computing is not None:
        before_computing()
    found = make(version)
    cache.set(key, found, CACHE_SECONDS)
    return SearchAnswer(found["counts"], found["ids"])


def _lists_version() -> str:
    return caching.version_key([caching.LISTS, caching.EVERYTHING])


# Facet -> the mask column of the case (cases/models/facets.py) that holds its values as bits,
# and the values in bit order (None: the counties, whose numbers say their column and bit).
MASK_FACETS: dict[str, tuple[str, list | None]] = {
    **{facet: (column, values) for column, (facet, values) in TERM_MASK_COLUMNS.items()},
    "adopter_size_class": ("adopter_size_mask", ADOPTER_MASKS["adopter_size_mask"][1]),
    "adopter_centrality_class": (
        "adopter_centrality_mask",
        ADOPTER_MASKS["adopter_centrality_mask"][1],
    ),
    "adopter_region": ("adopter_region_mask", ADOPTER_MASKS["adopter_region_mask"][1]),
    "adopter_county": ("adopter_county_mask", None),
}


def facet_bits(facet: str, chosen) -> dict[str, int]:
    """The chosen values of a mask facet (as the URL has them) as bits, per mask column."""
    column, values = MASK_FACETS[facet]
    if values is None:
        masks = dict.fromkeys(COUNTY_MASKS, 0)
        for number in chosen:
            county_column, bit = county_bit(str(number))
            masks[county_column] |= bit
        return masks
    return {column: bits(values, database_values(facet, [str(v) for v in chosen]))}


def _facet_conditions(selections: dict[str, list[str]]) -> dict[str, tuple[str, list]]:
    """Each ticked facet's condition on the rows (SQL and parameters)."""
    conditions: dict[str, tuple[str, list]] = {}
    for facet, (column, _lookup) in COLUMN_FACETS.items():
        if chosen := selections[facet]:
            conditions[facet] = (
                f"t.{column} IN ({', '.join(['%s'] * len(chosen))})",
                database_values(facet, chosen),
            )
    for facet in MASK_FACETS:
        if chosen := selections[facet]:
            masks = facet_bits(facet, chosen)
            conditions[facet] = (
                "(" + " OR ".join(f"(t.f_{column} & %s) <> 0" for column in masks) + ")",
                list(masks.values()),
            )
    return conditions


def _statement(filterset: CaseFilter, page: PageRequest | None) -> tuple[str, list] | None:
    """The SQL and parameters of `count_and_page`'s statement; None if nothing can match.

    Rows: ("g", facet, value, n) per column facet value and ("g", "total", None, n);
    ("term", vocabulary, code, n); ("adopter", facet, value, n) per adopter facet value;
    ("reused", None, None, n); ("page", None, id, position).
    """
    query = filterset.query
    if query and not query.terms:
        return None  # only common words: nothing matches
    selections = {name: filterset.selected(name) for name in FACETS}
    reused_ticked = bool(filterset.is_bound and filterset.form.cleaned_data.get("reused"))
    # PostgreSQL: the search words are a condition on the case rows themselves, with their text
    # rank when the page is ranked: one scan of the GIN index and of the matching rows.
    text_search = bool(query) and connection.vendor == "postgresql"
    rows = filterset.without(*FACETS, *(["q"] if text_search else [])).qs.order_by()
    columns: dict[str, F | RawSQL] = {
        "f_id": F("pk"),
        "f_has_adopters": F("has_adopters"),
        **{c: F(lookup) for c, lookup in COLUMN_FACETS.values()},
        **{f"f_{column}": F(column) for column, _values in MASK_FACETS.values()},
        **{f"f_{column}": F(column) for column in COUNTY_MASKS},
    }
    conditions = _facet_conditions(selections)
    keys, ranked = _page_keys(page, text_search, columns)
    if text_search:
        rows = rows.filter(RawSQL(*search.match_condition(query), output_field=BooleanField()))
        if ranked:
            columns["text_rank"] = RawSQL(
                *search.rank_sql(query, Case._meta.db_table), output_field=FloatField()
            )
    try:
        table_sql, params = rows.values(**columns).query.sql_with_params()
    except EmptyResultSet:
        return None
    params = list(params)

    def condition(excluded: str | None = None) -> tuple[str, list]:
        parts = [conditions[f] for f in conditions if f != excluded]
        return (
            " AND ".join(sql for sql, _values in parts) or "1 = 1",
            [value for _sql, values in parts for value in values],
        )

    everything = condition()
    table = f"SELECT * FROM ({table_sql}) t"
    if len(conditions) >= 2:
        # A case that misses two ticked facets counts in no facet: leave it out early.
        hits = " + ".join(f"CASE WHEN {sql} THEN 1 ELSE 0 END" for sql, _v in conditions.values())
        table += f" WHERE {hits} >= %s"
        params += [value for _sql, values in conditions.values() for value in values]
        params.append(len(conditions) - 1)
    ctes = [f"t AS MATERIALIZED ({table})"]
    mask_cte, mask_params, mask_branches, mask_branch_params = _mask_counts(
        condition, everything, filterset.counties, reused=not reused_ticked
    )
    ctes.append(mask_cte)
    params += mask_params

    grouping_sql, branch_params = _column_counts(condition, everything)
    branches = [grouping_sql, *mask_branches]
    branch_params += mask_branch_params

    if page is not None:
        page_cte, page_params, page_branch = _page(page, keys, ranked, everything)
        ctes.append(page_cte)
        params += page_params
        branches.append(page_branch)

    sql = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(branches)
    return sql, params + branch_params


def _column_counts(condition, everything) -> tuple[str, list]:
    """Every column facet's counts, each with every other facet's selection applied but not
    its own, and the total: one grouped pass on PostgreSQL, a GROUP BY per facet on SQLite."""
    if connection.vendor == "postgresql":
        keys, values, numbers, params = [], [], [], []
        for facet, (column, _lookup) in COLUMN_FACETS.items():
            sql, condition_params = condition(facet)
            keys.append(f"WHEN GROUPING(t.{column}) = 0 THEN '{facet}'")
            values.append(f"WHEN GROUPING(t.{column}) = 0 THEN CAST(t.{column} AS text)")
            numbers.append(f"WHEN GROUPING(t.{column}) = 0 THEN COUNT(*) FILTER (WHERE {sql})")
            params += condition_params
        sets = ", ".join(f"(t.{column})" for column, _lookup in COLUMN_FACETS.values())
        return (
            f"SELECT 'g', CASE {' '.join(keys)} ELSE 'total' END, "
            f"CASE {' '.join(values)} END, "
            f"CASE {' '.join(numbers)} ELSE COUNT(*) FILTER (WHERE {everything[0]}) END "
            f"FROM t GROUP BY GROUPING SETS ({sets}, ())",
            params + everything[1],
        )
    branches, params = [], []
    for facet, (column, _lookup) in COLUMN_FACETS.items():
        sql, condition_params = condition(facet)
        branches.append(
            f"SELECT 'g', '{facet}', t.{column}, SUM(CASE WHEN {sql} THEN 1 ELSE 0 END) "
            f"FROM t GROUP BY t.{column}"
        )
        params += condition_params
    branches.append(
        f"SELECT 'g', 'total', NULL, SUM(CASE WHEN {everything[0]} THEN 1 ELSE 0 END) FROM t"
    )
    return " UNION ALL ".join(branches), params + everything[1]


def _mask_counts(
    condition, everything: tuple[str, list], counties: list[tuple[str, str]], *, reused: bool
) -> tuple[str, list, list[str], list]:
    """Every term and adopter facet's counts, and the reused results, in one pass over the
    counted cases' facet masks (cases/models/facets.py): the CTE `s`, its parameters, the
    branches of rows ("term", vocabulary, code, n), ("adopter", facet, value, n) and
    ("reused", None, None, n), and theirs.

    For each value, the cases whose mask has its bit, counted with every other facet's
    selection applied but not its own. A case reused by two small municipalities counts once
    for "small": its mask has the bit once.
    """
    counted: list[str] = []
    count_params: list = []
    rows: list[str] = []
    row_params: list = []
    for facet, (column, values) in MASK_FACETS.items():
        sql, values_params = condition(facet)
        shown = (
            [(number, *county_bit(number)) for number, _name in counties]
            if values is None
            else [(str(value), column, value_bit(values, value)) for value in values]
        )
        vocabulary = CaseFilter.TERM_VOCABULARIES.get(facet)
        for value, column, bit in shown:
            if not bit:
                continue  # a county number without a bit (not two digits): never counted
            name = f"c{len(counted)}"
            counted.append(
                f"COUNT(*) FILTER (WHERE ({sql}) AND (t.f_{column} & {bit}) <> 0) AS {name}"
            )
            count_params += values_params
            if vocabulary is not None:
                rows.append(f"SELECT 'term', %s, %s, s.{name} FROM s")
                row_params += [vocabulary, value]
            else:
                rows.append(f"SELECT 'adopter', %s, %s, s.{name} FROM s")
                row_params += [facet, value]
    counted.append(f"COUNT(*) FILTER (WHERE ({everything[0]}) AND t.f_has_adopters) AS reused")
    count_params += everything[1]
    if reused:
        rows.append("SELECT 'reused', NULL, NULL, s.reused FROM s")
    cte = f"s AS MATERIALIZED (SELECT {', '.join(counted)} FROM t)"
    return cte, count_params, rows, row_params


def _page_keys(
    page: PageRequest | None, text_search: bool, columns: dict
) -> tuple[list[tuple[str, bool]], bool]:
    """The columns of the counted table that order the page, (column, descending) each, added
    to `columns`; and whether the page is ranked by the search (PostgreSQL), which orders by
    the rank first and then by the columns."""
    keys: list[tuple[str, bool]] = []
    ranked = False
    for position, field in enumerate(page.ordering if page else ()):
        name = field.lstrip("-")
        if name == "rank" and text_search:
            if position != 0 or not field.startswith("-"):
                raise ValueError("A search orders by rank first, best first, or not at all.")
            ranked = True
            continue
        column = "f_id" if name == "pk" else f"o_{name}"
        columns.setdefault(column, F(name))
        keys.append((column, field.startswith("-")))
    return keys, ranked


def _page(
    page: PageRequest,
    keys: list[tuple[str, bool]],
    ranked: bool,
    everything: tuple[str, list],
) -> tuple[str, list, str]:
    """The page's CTE `p`, its parameters, and its branch of rows ("page", NULL, id, position)."""

    def order(names) -> str:
        return ", ".join(f"{name} {'DESC' if descending else 'ASC'}" for name, descending in names)

    where, where_params = everything
    names = [(f"k{i + 1}", descending) for i, (_column, descending) in enumerate(keys)]
    selected = "".join(f", t.{column} AS k{i + 1}" for i, (column, _d) in enumerate(keys))
    if not ranked:
        cte = (
            f"p AS (SELECT t.f_id{selected} FROM t WHERE {where} "
            f"ORDER BY {order(names)} LIMIT %s OFFSET %s)"
        )
        params = [*where_params, page.limit, page.offset]
    else:
        # The rank was computed with the match, from the narrow search_head (cases/search.py).
        names = [("k0", True), *names]
        cte = (
            f"p AS (SELECT t.f_id, t.text_rank AS k0{selected} FROM t WHERE {where} "
            f"ORDER BY {order(names)} LIMIT %s OFFSET %s)"
        )
        params = [*where_params, page.limit, page.offset]
    branch = (
        "SELECT 'page', NULL, CAST(p.f_id AS text), "
        f"ROW_NUMBER() OVER (ORDER BY {order(names)}) FROM p"
    )
    return cte, params, branch
