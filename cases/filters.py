"""The case filters, shared by the search page, the feeds and the API, so a URL means the same
everywhere. Within one facet the chosen values are alternatives (OR); facets combine with AND."""

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef
from django.utils.translation import gettext_lazy as _

from . import search
from .models import Adoption, CaseTerm, Organisation
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


def adopted() -> Exists:
    return Exists(Adoption.objects.public().filter(case=OuterRef("pk")))


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
    municipality = django_filters.CharFilter(
        label=_("Municipality number"), field_name="organisation__municipality__number"
    )
    organisation = django_filters.NumberFilter(label=_("Organisation"), field_name="organisation")
    reused = django_filters.BooleanFilter(
        label=_("Reused by others"), method="filter_reused", widget=forms.CheckboxInput
    )
    updated_since = django_filters.IsoDateTimeFilter(
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
        return queryset.filter(term_exists(self.TERM_VOCABULARIES[name], value))

    def filter_reused(self, queryset, name, value):
        if value is None or value is False:
            # An unticked box means "no preference", not "never reused".
            return queryset
        return queryset.filter(adopted())

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
# counted together in one grouped pass; term facets read CaseTerm and are counted by grouping.
# Facet name -> (its column in the counted table, the lookup that reads it from a case).
COLUMN_FACETS = {
    "workplace_type": ("f_workplace_type", "workplace_type"),
    "origin": ("f_origin", "origin"),
    "stage": ("f_stage", "stage"),
    "region": ("f_region", "organisation__region"),
    "size_class": ("f_size_class", "organisation__size_class"),
    "county": ("f_county", "organisation__county__number"),
}
TERM_FACETS = list(CaseFilter.TERM_VOCABULARIES)
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
]
FACET_CHOICES = {
    "workplace_type": WorkplaceType,
    "origin": Origin,
    "stage": Stage,
    "region": Region,
    "size_class": SizeClass,
    "sector": Sector,
    "innovation_type": InnovationType,
    "benefit": Benefit,
}


def facet_counts(filterset: CaseFilter) -> dict[str, dict[str, int]]:
    """How many cases each value of every facet would give, with the rest of the search as is.

    Counts are disjunctive, as the facets are: within a facet the values are alternatives, so an
    option's count is counted with every other filter applied but not its own facet's. With
    "Health and care" ticked, "Education" still says how many education cases the rest of the
    search holds, and ticking it adds those. `total` is the number of results and `reused` how
    many of them someone else reused. Every value of every facet is present (0 if none).

    Queries: one statement finds the matching cases once and counts, over them, the column
    facets (PostgreSQL: GROUPING SETS, one pass; SQLite: UNION ALL of GROUP BYs), the total,
    "reused" and the terms of the term facets without a selection; each term facet with a
    selection takes one grouped count more (at most three). The number never depends on the
    data.
    """
    selections = {name: filterset.selected(name) for name in FACETS}
    reused_ticked = bool(filterset.is_bound and filterset.form.cleaned_data.get("reused"))
    counts: dict[str, dict[str, int]] = {
        name: dict.fromkeys(FACET_CHOICES[name].values, 0) for name in FACET_CHOICES
    }
    counts["county"] = dict.fromkeys((number for number, _name in filterset.counties), 0)
    counts["reused"] = {"true": 0}
    counts["total"] = {"all": 0}
    by_vocabulary = {v: k for k, v in CaseFilter.TERM_VOCABULARIES.items()}

    def count_terms(rows):
        for vocabulary, code, n in rows:
            facet = by_vocabulary[vocabulary]
            if code in counts[facet]:
                counts[facet][code] = n

    # The column facets' own selections are left out of the rows and applied per count.
    rows = filterset.without(*COLUMN_FACETS).qs.order_by()
    columns = {"f_id": F("pk"), **{c: F(lookup) for c, lookup in COLUMN_FACETS.values()}}
    if not reused_ticked:
        columns["f_reused"] = adopted_by_others()
    unselected = [
        CaseFilter.TERM_VOCABULARIES[name] for name in TERM_FACETS if not selections[name]
    ]
    try:
        table_sql, table_params = rows.values(**columns).query.sql_with_params()
    except EmptyResultSet:  # a search that can match nothing (only common words)
        grouped, terms = {}, []
    else:
        grouped, terms = _grouped_counts(
            table_sql,
            list(table_params),
            selections,
            reused=not reused_ticked,
            vocabularies=unselected,
        )
    for (facet, value), n in grouped.items():
        if facet in COLUMN_FACETS:
            if value is not None and value in counts[facet]:
                counts[facet][value] = n
        elif facet == "reused":
            if value:
                counts["reused"]["true"] = n
        else:
            counts["total"]["all"] = n
    if reused_ticked:
        # Ticked, "reused" narrows the results to the reused ones: all of them are.
        counts["reused"]["true"] = counts["total"]["all"]
    count_terms(terms)

    for name in TERM_FACETS:
        if selections[name]:
            matching = filterset.without(name).qs.order_by().values("pk")
            count_terms(
                CaseTerm.objects.filter(
                    case__in=matching, vocabulary=CaseFilter.TERM_VOCABULARIES[name]
                )
                .order_by()
                .values_list("vocabulary", "code")
                .annotate(n=Count("case"))
            )
    return counts


def adopted_by_others() -> Exists:
    """`adopted()` for rows that are published cases already: the same answer, one join less
    (the facet counts ask it of every matching case)."""
    return Exists(
        Adoption.objects.filter(case=OuterRef("pk"), organisation__deleted_at__isnull=True)
    )


def _grouped_counts(
    table_sql: str,
    params: list,
    selections: dict[str, list[str]],
    *,
    reused: bool,
    vocabularies: list[str],
) -> tuple[dict[tuple[str, object], int], list[tuple[str, str, int]]]:
    """Counts over `table_sql` (the matching cases: their id and one column per column
    facet), in one statement that finds the matching cases once:

    - {(facet, value): count} for the column facets, ("reused", True) and ("total", None),
      each facet's counts with every other column facet's selection applied but not its own;
    - [(vocabulary, code, count)] for the terms in `vocabularies` of the cases that match
      every selection.
    """

    def condition(excluded: str | None) -> tuple[str, list]:
        parts, values = [], []
        for facet, (column, _lookup) in COLUMN_FACETS.items():
            chosen = selections.get(facet) or []
            if facet != excluded and chosen:
                parts.append(f"t.{column} IN ({', '.join(['%s'] * len(chosen))})")
                values += chosen
        return (" AND ".join(parts) or "1 = 1"), values

    groupings = [(facet, column) for facet, (column, _lookup) in COLUMN_FACETS.items()]
    if reused:
        groupings.append(("reused", "f_reused"))
    everything = condition(None)
    filters = {
        facet: condition(facet) if facet in COLUMN_FACETS else everything
        for facet, _column in groupings
    }
    terms_sql, terms_params = "", []
    if vocabularies:
        terms_sql = (
            "SELECT ct.vocabulary, ct.code, COUNT(*) AS n FROM cases_caseterm ct "
            f"JOIN t ON ct.case_id = t.f_id WHERE {everything[0]} "
            f"AND ct.vocabulary IN ({', '.join(['%s'] * len(vocabularies))}) "
            "GROUP BY ct.vocabulary, ct.code"
        )
        terms_params = [*everything[1], *vocabularies]
    results: dict[tuple[str, object], int] = {}
    terms: list[tuple[str, str, int]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One pass over the matches with a hash table per grouping set. Aggregates are
            # one per distinct condition: the facets without a selection share "everything".
            aggregates = [f"COUNT(*) FILTER (WHERE {everything[0]}) AS a0"]
            agg_params = list(everything[1])
            slots = {}
            for facet, (sql, values) in filters.items():
                if (sql, values) != everything:
                    slots[facet] = len(aggregates)
                    aggregates.append(f"COUNT(*) FILTER (WHERE {sql}) AS a{len(aggregates)}")
                    agg_params += values
            names = [column for _facet, column in groupings]
            width = len(names)
            selected = [f"GROUPING(t.{c}) AS g{i}" for i, c in enumerate(names)]
            selected += [f"t.{c} AS v{i}" for i, c in enumerate(names)]
            grouping_sql = (
                f"SELECT {', '.join(selected + aggregates)} FROM t GROUP BY GROUPING SETS ("
                + ", ".join(f"(t.{c})" for c in names)
                + ", ())"
            )
            row_fields = [f"g.g{i}" for i in range(width)] + [f"g.v{i}" for i in range(width)]
            row_fields += [f"g.a{i}" for i in range(len(aggregates))]
            cursor.execute(
                f"WITH t AS ({table_sql}), g AS ({grouping_sql})"
                + (f", tm AS ({terms_sql})" if terms_sql else "")
                + f" SELECT (SELECT json_agg(json_build_array({', '.join(row_fields)})) FROM g), "
                + (
                    "(SELECT json_agg(json_build_array(tm.vocabulary, tm.code, tm.n)) FROM tm)"
                    if terms_sql
                    else "NULL"
                ),
                params + agg_params + terms_params,
            )
            group_rows, term_rows = cursor.fetchone()
            for row in group_rows or []:
                flags, values, numbers = row[:width], row[width : 2 * width], row[2 * width :]
                grouped = [i for i, flag in enumerate(flags) if flag == 0]
                if not grouped:
                    results[("total", None)] = numbers[0]
                    continue
                facet = groupings[grouped[0]][0]
                results[(facet, values[grouped[0]])] = numbers[slots.get(facet, 0)]
            terms = [tuple(row) for row in term_rows or []]
        else:
            branches, branch_params = [], []
            for facet, column in groupings:
                sql, values = filters[facet]
                branches.append(
                    f"SELECT %s, t.{column}, SUM(CASE WHEN {sql} THEN 1 ELSE 0 END) "
                    f"FROM t GROUP BY t.{column}"
                )
                branch_params += [facet, *values]
            sql, values = everything
            branches.append(f"SELECT %s, NULL, SUM(CASE WHEN {sql} THEN 1 ELSE 0 END) FROM t")
            branch_params += ["total", *values]
            if terms_sql:
                branches.append(
                    "SELECT 'term:' || vocabulary, code, n FROM (" + terms_sql + ") AS tm"
                )
                branch_params += terms_params
            cursor.execute(
                f"WITH t AS ({table_sql}) " + " UNION ALL ".join(branches),
                params + branch_params,
            )
            for facet, value, n in cursor.fetchall():
                if facet.startswith("term:"):
                    terms.append((facet[5:], value, n))
                else:
                    results[(facet, value)] = n or 0
    return results, terms
