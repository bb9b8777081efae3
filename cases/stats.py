"""Diffusion statistics: the definitions under "Diffusion statistics" in DESIGN.md, in SQL.

Every figure is computed by the database (aggregates, conditional counts, annotations and window
functions), all of those of `diffusion` in one statement (see `_rows`); Python only arranges the
few rows that come back (one per vocabulary value, per month, per adopter of one case), never
loops over cases. The number of queries is fixed: it does not grow with the data. The results
are cached until the data change (see `diffusion`).

What counts:
- cases: published, not deleted (`Case.objects.published()`), narrowed by the filters below;
- adoptions: alive adoptions of those cases by organisations that are not deleted
  (`Adoption.objects.public()`), so nothing about a draft, an archived or a deleted case is
  ever counted;
- the adoption date of a record is `adopted_on`, or the day it was recorded when no date was
  given (`ADOPTION_DATE`): the monthly series, the curves, the time to first adoption and the
  order of adopters all use it.

The filters (dashboard and API alike) describe the cases; adoptions follow their case:
- `sector`, `innovation_type`: the case's terms (a case may have several; within one filter the
  chosen values are alternatives, filters combine with AND);
- `workplace_type`: the case's own `workplace_type` field (what kind of workplace the innovation
  is for), not the owner's, because a municipality's case can be about any workplace;
- `employee_band`: the owner organisation's employee band (set for units, i.e. workplaces);
- `county` (two-digit county number), `region`, `size_class`, `centrality_class`: the owner
  organisation's, which for a unit are its municipality's (denormalised on Organisation);
- `published_from`, `published_to`: the day (Norwegian time) the case was published, inclusive.

Shares always come with their numerator and denominator (see `share`).
"""

import datetime as dt
import hashlib
import json
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import bass, lineage
from .filters import county_choices, term_exists
from .models import Adoption, Case, CaseTerm, Change, Organisation, SpreadActivity
from .vocabularies import (
    AdoptionMode,
    AdoptionStatus,
    CentralityClass,
    Channel,
    EmployeeBand,
    InnovationType,
    Origin,
    Region,
    Sector,
    SizeClass,
    WorkplaceType,
)

FILTER_NAMES = [
    "sector",
    "innovation_type",
    "workplace_type",
    "employee_band",
    "county",
    "region",
    "size_class",
    "centrality_class",
    "published_from",
    "published_to",
]
MULTIPLE = FILTER_NAMES[:8]
KNOWN_ORIGINS = [Origin.FIRST.value, Origin.ADAPTED.value, Origin.COPIED.value]

# Rogers' adopter categories, by cumulative share of a case's adopters in order of adoption.
ROGERS_CATEGORIES = [
    ("innovators", 0.025),
    ("early-adopters", 0.16),
    ("early-majority", 0.50),
    ("late-majority", 0.84),
    ("laggards", 1.0),
]
ROGERS_MIN_ADOPTERS = 10
ROGERS_LABELS = {
    "innovators": _("Innovators"),
    "early-adopters": _("Early adopters"),
    "early-majority": _("Early majority"),
    "late-majority": _("Late majority"),
    "laggards": _("Laggards"),
}

# Adopters per case, in the buckets of DESIGN.md: (label, lowest, highest or None).
ADOPTER_BUCKETS = [("0", 0, 0), ("1", 1, 1), ("2-4", 2, 4), ("5-9", 5, 9), ("10+", 10, None)]

# Time from publication to first adoption, in days: (code, from, to) with None = open.
LAG_BUCKETS = [
    ("before-publication", None, -1),
    ("within-3-months", 0, 91),
    ("3-12-months", 92, 365),
    ("over-a-year", 366, None),
]

# Long gaps are filled with zero months only up to this span; beyond it (a mistyped year)
# only the months with data are listed.
MAX_FILLED_MONTHS = 480

TOP_SPREADERS = 10

# Published survey figures the platform's own figures are set beside (percent of workplaces,
# or of the latest innovations). They are reported in surveys, not measured here.
SURVEYS = {
    "ks": {
        "name": "KS, Innovasjonsbarometeret for kommunal sektor",
        "country": "NO",
    },
    "coi": {
        "name": "COI (Center for Offentlig Innovation), Innovationsbarometeret",
        "country": "DK",
    },
}
SURVEY_FIGURES = {
    "introduced": {"ks": 74.0, "coi": 80.0},
    "origin-first": {"ks": 10.0},
    "origin-adapted": {"ks": 51.0},
    "origin-copied": {"ks": 32.0},
    "active-spreaders": {"ks": 40.0},
    "main-channels": {"ks": ["network", "conference"]},
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def adoption_date():
    """`adopted_on`, or the (Norwegian) day the record was made when no date was given."""
    return Coalesce("adopted_on", TruncDate("created_at", tzinfo=timezone.get_default_timezone()))


# ------------------------------------------------------------------------------------------
# Filters
# ------------------------------------------------------------------------------------------


# The period's dates: wide enough for any real period, and away from the ends of the calendar,
# where a day cannot be turned into the moment it starts or ends (a 500 instead of figures).
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2999, 12, 31)
PERIOD_BOUNDS = [MinValueValidator(FIRST_DATE), MaxValueValidator(LAST_DATE)]


class StatsFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("published_from"), data.get("published_to")
        if start and end and end < start:
            self.add_error("published_to", _("The end of the period must not be before its start."))
        return data


def _multiple(label, choices) -> django_filters.MultipleChoiceFilter:
    return django_filters.MultipleChoiceFilter(
        label=label,
        choices=choices,
        method="filter_noop",
        widget=forms.CheckboxSelectMultiple,
    )


class StatsFilter(django_filters.FilterSet):
    """The statistics' filters: parses and validates them, with per-field messages.

    Used by the dashboard and the API alike::

        filterset = StatsFilter(request.GET)
        if not filterset.is_valid():
            ...  # filterset.errors: {"county": ["Select a valid choice. ..."]}
        result = diffusion(filters=filterset.form.cleaned_data)

    `qs` gives the matching published cases. Unknown parameters are ignored.
    """

    sector = _multiple(_("Sector"), Sector.choices)
    innovation_type = _multiple(_("Innovation type"), InnovationType.choices)
    workplace_type = _multiple(_("Workplace type"), WorkplaceType.choices)
    employee_band = _multiple(_("Number of employees (workplaces)"), EmployeeBand.choices)
    # The counties come from the database: set in __init__.
    county = _multiple(_("County"), [])
    region = _multiple(_("Region"), Region.choices)
    size_class = _multiple(_("Municipality size"), SizeClass.choices)
    centrality_class = _multiple(_("Centrality class"), CentralityClass.choices)
    published_from = django_filters.DateFilter(
        label=_("Published from"),
        method="filter_noop",
        widget=DateInput(),
        validators=PERIOD_BOUNDS,
    )
    published_to = django_filters.DateFilter(
        label=_("Published to"),
        method="filter_noop",
        widget=DateInput(),
        validators=PERIOD_BOUNDS,
    )

    class Meta:
        model = Case
        fields: list[str] = []
        form = StatsFilterForm

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(
            data,
            queryset if queryset is not None else Case.objects.published(),
            request=request,
            prefix=prefix,
        )
        # One query for the counties, whether the form is validated, rendered or both.
        self.filters["county"].extra["choices"] = county_choices()

    def filter_noop(self, queryset, name, value):
        # Filtering happens in one place, `filter_cases`, for the whole form at once.
        return queryset

    def filter_queryset(self, queryset):
        return filter_cases(self.form.cleaned_data, queryset=queryset)


def _as_date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def normalise_filters(filters: dict | None) -> dict:
    """Cleaned filter values in a fixed shape: lists of codes, dates or None.

    Takes `StatsFilter(...).form.cleaned_data` (or any subset of it). Unknown names are a
    programming error and raise ValueError; values are assumed to be validated already.
    """
    filters = dict(filters or {})
    unknown = set(filters) - set(FILTER_NAMES)
    if unknown:
        raise ValueError(f"Unknown statistics filters: {', '.join(sorted(unknown))}")
    clean: dict = {}
    for name in MULTIPLE:
        value = filters.get(name) or []
        if isinstance(value, str | int):
            value = [value]
        clean[name] = [str(v) for v in value]
    clean["published_from"] = _as_date(filters.get("published_from"))
    clean["published_to"] = _as_date(filters.get("published_to"))
    return clean


def _start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def filter_cases(filters: dict | None, *, queryset=None):
    """The published cases the filters describe (see the module docstring for each filter)."""
    f = normalise_filters(filters)
    cases = queryset if queryset is not None else Case.objects.published()
    if f["sector"]:
        cases = cases.filter(term_exists(CaseTerm.Vocabulary.SECTOR, f["sector"]))
    if f["innovation_type"]:
        cases = cases.filter(term_exists(CaseTerm.Vocabulary.INNOVATION_TYPE, f["innovation_type"]))
    if f["workplace_type"]:
        cases = cases.filter(workplace_type__in=f["workplace_type"])
    if f["employee_band"]:
        cases = cases.filter(organisation__employee_band__in=f["employee_band"])
    if f["county"]:
        cases = cases.filter(organisation__county__number__in=f["county"])
    if f["region"]:
        cases = cases.filter(organisation__region__in=f["region"])
    if f["size_class"]:
        cases = cases.filter(organisation__size_class__in=f["size_class"])
    if f["centrality_class"]:
        cases = cases.filter(
            organisation__centrality_class__in=[int(c) for c in f["centrality_class"]]
        )
    if f["published_from"]:
        cases = cases.filter(published_at__gte=_start_of_day(f["published_from"]))
    if f["published_to"]:
        end = f["published_to"] + dt.timedelta(days=1)
        cases = cases.filter(published_at__lt=_start_of_day(end))
    return cases


def filters_as_json(filters: dict) -> dict:
    f = normalise_filters(filters)
    return {
        name: (value.isoformat() if isinstance(value, dt.date) else value)
        for name, value in f.items()
    }


# ------------------------------------------------------------------------------------------
# Shares and the metrics shared by the headline figures and every breakdown row
# ------------------------------------------------------------------------------------------


def share(numerator: int, denominator: int) -> dict:
    """A share that shows its working: numerator, denominator, the fraction and the percent.

    `share` is a fraction (0-1, four decimals) and `percent` is rounded to one decimal; both are
    None when the denominator is 0 (there is nothing to take a share of).
    """
    numerator, denominator = int(numerator or 0), int(denominator or 0)
    if not denominator:
        return {"numerator": numerator, "denominator": denominator, "share": None, "percent": None}
    return {
        "numerator": numerator,
        "denominator": denominator,
        "share": round(numerator / denominator, 4),
        "percent": round(100 * numerator / denominator, 1),
    }


def _metrics(row: dict) -> dict:
    """The figures of one group of cases, from a row of the `OWNER_METRICS` columns."""
    cases = row.get("n_cases") or 0
    counts = {origin: row.get(f"n_origin_{origin}") or 0 for origin in Origin.values}
    known = sum(counts[origin] for origin in KNOWN_ORIGINS)
    adoptions = row.get("n_adoptions") or 0
    owners = row.get("n_owners") or 0
    return {
        "cases": cases,
        "origin": {
            "known": known,
            "counts": counts,
            # The barometer's line: shares of the cases whose origin is known.
            "shares_of_known": {origin: share(counts[origin], known) for origin in KNOWN_ORIGINS},
            "unknown": share(counts[Origin.UNKNOWN], cases),
        },
        "adoptions": adoptions,
        "adopters_per_case": round(adoptions / cases, 2) if cases else None,
        "reused": share(row.get("n_reused") or 0, cases),
        "owners": owners,
        "active_spreaders": share(row.get("n_active") or 0, owners),
        "adopted_owners": share(row.get("n_adopted_owners") or 0, owners),
    }


# ------------------------------------------------------------------------------------------
# The statement: every figure in one pass over the data
# ------------------------------------------------------------------------------------------
#
# The figures come from one SQL statement, whose CTEs do the work that many figures share once:
#
#   facts       the filtered published cases (ORM-built, so the filters and the time zone are
#               the same as everywhere else);
#   adoptions   the alive adoptions, by organisations that are not deleted, of those cases;
#   activities  the spread activities that count (about a published case, or about none);
#   per_case    facts with each case's number of adoptions and days to its first adoption,
#               the adoptions aggregated once per case and joined;
#   per_owner, per_owner_and_workplace, per_owner_and_term
#               per_case summed per owner (and workplace type, or term), with the owner's
#               attributes: every breakdown is a small GROUP BY over these, and owners are
#               counted by counting rows instead of counting distinct values over the cases;
#   case_terms  each case's sectors and innovation types as a bit mask, for the Bass series;
#   top_spreaders  the organisations whose cases most others adopted.
#
# Each figure is a `_Section`: a SELECT over those CTEs with named text and number columns. The
# statement is the UNION ALL of the sections, padded to the same columns and tagged with the
# section's name; `_rows` hands each section its rows back as dicts. The number of rows is
# bounded by the vocabularies, the counties and the months, never by the cases.

# name -> vocabulary (None: the counties, which come from the database). In this order in the
# result. Sector and innovation type group the case's terms (a case with two sectors is counted
# under both); workplace type is the case's own; the rest are the owner organisation's.
BREAKDOWNS = {
    "sector": Sector,
    "innovation_type": InnovationType,
    "workplace_type": WorkplaceType,
    "employee_band": EmployeeBand,
    "size_class": SizeClass,
    "centrality_class": CentralityClass,
    "region": Region,
    "county": None,
}
TERM_BREAKDOWNS = {
    "sector": CaseTerm.Vocabulary.SECTOR,
    "innovation_type": CaseTerm.Vocabulary.INNOVATION_TYPE,
}


def _term_codes(name: str) -> list[str]:
    """The codes of a term breakdown (one of `TERM_BREAKDOWNS`)."""
    vocabulary = BREAKDOWNS[name]
    assert vocabulary is not None, name
    return [str(code) for code in vocabulary.values]


OWNER_BREAKDOWNS = ["employee_band", "size_class", "centrality_class", "region"]

# Adopters per case are counted exactly up to this number in the statement; only when the
# median lies above it (a platform where most cases have many adopters) does one more query
# find it.
EXACT_ADOPTER_COUNTS = 20


@dataclass(frozen=True)
class _Section:
    """One figure's part of the statement: `SELECT <texts>, <numbers> <source>`.

    `texts` and `numbers` are (name, SQL expression) pairs; `source` is the FROM clause with
    any WHERE and GROUP BY. Sections take no parameters: the codes in them are the site's own
    constants (see `_literal`)."""

    name: str
    texts: list[tuple[str, str]]
    numbers: list[tuple[str, str]]
    source: str


def _literal(value) -> str:
    """A constant of the site's own (a code, a section name, a whole number) as SQL."""
    if isinstance(value, int):
        return str(int(value))
    if not re.fullmatch(r"[\w:+-]*", value):
        raise ValueError(f"Not a code: {value!r}")
    return f"'{value}'"


def _month_start(connection, date_sql: str) -> str:
    """The month of a date, in SQL, as something to group by (see `_month_label`)."""
    if connection.vendor == "postgresql":
        # Timestamps without a time zone: no time zone arithmetic per row.
        return f"CAST(date_trunc('month', CAST({date_sql} AS timestamp)) AS date)"
    return f"strftime('%%Y-%%m', {date_sql})"


def _month_label(connection, month_sql: str) -> str:
    """A `_month_start` as "YYYY-MM": formatted once per group, not once per row."""
    if connection.vendor == "postgresql":
        return f"to_char({month_sql}, 'YYYY-MM')"
    return month_sql


def _days_between(connection, later: str, earlier: str) -> str:
    """Whole days from one date to another, in SQL."""
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _compiled(queryset, connection) -> tuple[str, list]:
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def _facts(cases):
    """One row per filtered published case, with what the figures group it by."""
    return cases.order_by().values(
        "origin",
        "workplace_type",
        case_id=F("pk"),
        owner=F("organisation"),
        published_on=TruncDate("published_at", tzinfo=timezone.get_default_timezone()),
    )


def _adoption_rows(cases):
    """One row per adoption that counts: alive, by an organisation that is not deleted, of one
    of the filtered (so published) cases."""
    return (
        Adoption.objects.filter(
            organisation__deleted_at__isnull=True, case__in=cases.order_by().values("pk")
        )
        .order_by()
        .values(
            "case_id",
            "mode",
            "channel",
            "status",
            adopter=F("organisation"),
            source=F("source_organisation"),
            adopted=adoption_date(),
        )
    )


def _counted_activities():
    """Spread activities that count: about a published case, or about no one case."""
    return (
        SpreadActivity.objects.filter(
            Q(case__isnull=True) | Q(case__in=Case.objects.published().order_by().values("pk"))
        )
        .order_by()
        .values("organisation_id", "channel")
    )


# Per case, summed per owner (and workplace type or term) in the per_owner CTEs.
def _case_counts() -> str:
    origins = [
        f"COUNT(*) FILTER (WHERE origin = {_literal(origin)}) AS origin_{i}"
        for i, origin in enumerate(Origin.values)
    ]
    return ", ".join(
        [
            "COUNT(*) AS n_cases",
            "SUM(n) AS n_adoptions",
            "COUNT(*) FILTER (WHERE n > 0) AS n_reused",
            *origins,
        ]
    )


# The metrics of `_metrics`, over rows of one of the per_owner CTEs (one row per owner).
OWNER_METRICS = [
    ("n_cases", "SUM(n_cases)"),
    ("n_adoptions", "SUM(n_adoptions)"),
    ("n_reused", "SUM(n_reused)"),
    ("n_owners", "COUNT(*)"),
    ("n_active", "COUNT(*) FILTER (WHERE spreads = 1)"),
    ("n_adopted_owners", "COUNT(*) FILTER (WHERE n_reused > 0)"),
    *[(f"n_origin_{origin}", f"SUM(origin_{i})") for i, origin in enumerate(Origin.values)],
]

# The sector and innovation type codes; a case's set of them is a bit mask (bit i: TERM_CODES[i]).
TERM_CODES = [
    (vocabulary, code) for name, vocabulary in TERM_BREAKDOWNS.items() for code in _term_codes(name)
]


def _ctes(cases, connection) -> tuple[list[tuple[str, str]], list]:
    quote = connection.ops.quote_name
    terms = quote(CaseTerm._meta.db_table)
    organisations = quote(Organisation._meta.db_table)
    term_vocabularies = ", ".join(_literal(v) for v in TERM_BREAKDOWNS.values())
    spreads = "CASE WHEN owner IN (SELECT organisation_id FROM activities) THEN 1 ELSE 0 END"
    counts = _case_counts()
    params: list = []
    compiled = {}
    for name, queryset in (
        ("facts", _facts(cases)),
        ("adoptions", _adoption_rows(cases)),
        ("activities", _counted_activities()),
    ):
        compiled[name], sql_params = _compiled(queryset, connection)
        params += sql_params
    days = _days_between(connection, "counted.first_on", "facts.published_on")
    term_bits = ", ".join(
        f"({_literal(vocabulary)}, {_literal(code)}, {_literal(1 << i)})"
        for i, (vocabulary, code) in enumerate(TERM_CODES)
    )
    ctes = [
        ("facts", compiled["facts"]),
        (
            "adoptions",
            f"SELECT adoption.*, {_month_start(connection, 'adoption.adopted')} AS month "
            f"FROM ({compiled['adoptions']}) AS adoption",
        ),
        ("activities", compiled["activities"]),
        (
            "per_case",
            f"SELECT facts.*, COALESCE(counted.n, 0) AS n, {days} AS lag FROM facts "
            "LEFT JOIN (SELECT case_id, COUNT(*) AS n, MIN(adopted) AS first_on "
            "FROM adoptions GROUP BY case_id) AS counted ON counted.case_id = facts.case_id",
        ),
        # The owner's attributes are joined to one row per owner, not carried per case.
        (
            "per_owner",
            f"SELECT counted.*, {spreads} AS spreads, owner_row.employee_band, "
            "owner_row.size_class, owner_row.centrality_class, owner_row.region, "
            "county.number AS county_number, county.name AS county_name "
            f"FROM (SELECT owner, {counts} FROM per_case GROUP BY owner) AS counted "
            f"JOIN {organisations} AS owner_row ON owner_row.id = counted.owner "
            f"LEFT JOIN {organisations} AS county ON county.id = owner_row.county_id",
        ),
        (
            "per_owner_and_workplace",
            f"SELECT owner, workplace_type, {spreads} AS spreads, {counts} FROM per_case "
            "GROUP BY owner, workplace_type",
        ),
        (
            "per_owner_and_term",
            f"SELECT term.vocabulary, term.code, owner, {spreads} AS spreads, {counts} "
            f"FROM per_case JOIN {terms} AS term ON term.case_id = per_case.case_id "
            f"WHERE term.vocabulary IN ({term_vocabularies}) "
            "GROUP BY term.vocabulary, term.code, owner",
        ),
        # Which sectors and innovation types each case has, as a bit mask (see TERM_CODES),
        # so that the adoptions are counted per code and month in one pass over them.
        ("term_bits(vocabulary, code, bit)", f"VALUES {term_bits}"),
        (
            "case_terms",
            f"SELECT term.case_id, SUM(term_bits.bit) AS mask FROM facts "
            f"JOIN {terms} AS term ON term.case_id = facts.case_id "
            "JOIN term_bits ON term_bits.vocabulary = term.vocabulary "
            f"AND term_bits.code = term.code WHERE term.vocabulary IN ({term_vocabularies}) "
            "GROUP BY term.case_id",
        ),
        # Top spreaders: ranked by distinct adopters; the distinct counts that need the
        # adopters' places only for the few on top (see the "top-spreaders" section).
        (
            "top_spreaders",
            "SELECT ranked.source, organisation.name, organisation.slug, organisation.kind, "
            "ranked.adopters, ranked.adoptions, ROW_NUMBER() OVER (ORDER BY ranked.adopters DESC, "
            "ranked.adoptions DESC, organisation.name) AS position "
            "FROM (SELECT source, COUNT(DISTINCT adopter) AS adopters, COUNT(*) AS adoptions "
            f"FROM adoptions GROUP BY source) AS ranked JOIN {organisations} AS organisation "
            "ON organisation.id = ranked.source AND organisation.deleted_at IS NULL "
            f"ORDER BY position LIMIT {_literal(TOP_SPREADERS)}",
        ),
    ]
    return ctes, params


def _sections(connection) -> list[_Section]:
    organisations = connection.ops.quote_name(Organisation._meta.db_table)
    sections = [_Section("total", [], OWNER_METRICS, "FROM per_owner")]

    # Breakdowns: "group" (and "name" for counties) and the metrics.
    for name, vocabulary in TERM_BREAKDOWNS.items():
        sections.append(
            _Section(
                f"breakdown:{name}",
                [("group", "code")],
                OWNER_METRICS,
                f"FROM per_owner_and_term WHERE vocabulary = {_literal(vocabulary)} GROUP BY code",
            )
        )
    sections.append(
        _Section(
            "breakdown:workplace_type",
            [("group", "workplace_type")],
            OWNER_METRICS,
            "FROM per_owner_and_workplace GROUP BY workplace_type",
        )
    )
    for name in OWNER_BREAKDOWNS:
        sections.append(
            _Section(
                f"breakdown:{name}",
                [("group", f"CAST({name} AS TEXT)")],
                OWNER_METRICS,
                f"FROM per_owner GROUP BY {name}",
            )
        )
    sections.append(
        _Section(
            "breakdown:county",
            [("group", "county_number"), ("name", "county_name")],
            OWNER_METRICS,
            "FROM per_owner GROUP BY county_number, county_name",
        )
    )

    # Adopters per case: exact up to EXACT_ADOPTER_COUNTS (more above it), and the buckets.
    exact = EXACT_ADOPTER_COUNTS
    capped = f"CASE WHEN n > {_literal(exact)} THEN {_literal(exact + 1)} ELSE n END"
    bucket = _bucket_sql("n", ADOPTER_BUCKETS)
    sections.append(
        _Section(
            "adopters",
            [("bucket", bucket)],
            [("adopters", capped), ("cases", "COUNT(*)")],
            f"FROM per_case GROUP BY {capped}, {bucket}",
        )
    )

    # Days from publication to the first adoption, over the adopted cases.
    lag_bucket = _bucket_sql("lag", LAG_BUCKETS)
    sections.append(
        _Section(
            "lag",
            [("bucket", lag_bucket)],
            [
                ("cases", "COUNT(*)"),
                ("days", "SUM(lag) FILTER (WHERE lag >= 0)"),
                ("timed", "COUNT(*) FILTER (WHERE lag >= 0)"),
            ],
            f"FROM per_case WHERE n > 0 GROUP BY {lag_bucket}",
        )
    )

    # Per month, with the running totals (a window over the grouped months).
    published = _month_start(connection, "published_on")
    for name, source, month in (
        ("new-cases", "facts", published),
        ("new-adoptions", "adoptions", "month"),
    ):
        sections.append(
            _Section(
                name,
                [("month", _month_label(connection, month))],
                [("count", "COUNT(*)"), ("cumulative", f"SUM(COUNT(*)) OVER (ORDER BY {month})")],
                f"FROM {source} GROUP BY {month}",
            )
        )

    # Adoptions by mode, channel and status: counted together, added up per list in Python.
    sections.append(
        _Section(
            "adoption-kinds",
            [("mode", "mode"), ("channel", "channel"), ("status", "status")],
            [("count", "COUNT(*)")],
            "FROM adoptions GROUP BY mode, channel, status",
        )
    )

    # Adoptions per month of the cases of each sector and innovation type (the Bass fits):
    # counted per month and set of codes, then spread over the codes in the set.
    sections.append(
        _Section(
            "bass",
            [
                ("vocabulary", "term_bits.vocabulary"),
                ("code", "term_bits.code"),
                ("month", _month_label(connection, "grouped.month")),
            ],
            [("count", "SUM(grouped.n)")],
            "FROM (SELECT adoptions.month, case_terms.mask, COUNT(*) AS n FROM adoptions "
            "JOIN case_terms ON case_terms.case_id = adoptions.case_id "
            "GROUP BY adoptions.month, case_terms.mask) AS grouped "
            "JOIN term_bits ON (grouped.mask & term_bits.bit) <> 0 "
            "GROUP BY term_bits.vocabulary, term_bits.code, grouped.month",
        )
    )

    sections.append(
        _Section(
            "top-spreaders",
            [("name", "top.name"), ("slug", "top.slug"), ("kind", "top.kind")],
            [
                ("position", "top.position"),
                ("id", "top.source"),
                ("adopters", "top.adopters"),
                ("adoptions", "top.adoptions"),
                ("cases", "COUNT(DISTINCT adoptions.case_id)"),
                ("municipalities", "COUNT(DISTINCT adopter.municipality_id)"),
                ("counties", "COUNT(DISTINCT adopter.county_id)"),
            ],
            "FROM top_spreaders AS top JOIN adoptions ON adoptions.source = top.source "
            f"JOIN {organisations} AS adopter ON adopter.id = adoptions.adopter "
            "GROUP BY top.position, top.source, top.name, top.slug, top.kind, top.adopters, "
            "top.adoptions",
        )
    )

    # The owners' spread activities by channel.
    sections.append(
        _Section(
            "spread-channels",
            [("code", "channel")],
            [("count", "COUNT(*)")],
            "FROM activities WHERE organisation_id IN (SELECT owner FROM facts) GROUP BY channel",
        )
    )
    return sections


def _bucket_sql(column: str, buckets) -> str:
    """CASE expression naming the bucket (code, lowest or None, highest or None) of a value."""
    whens = []
    for code, low, high in buckets:
        if low is None:
            condition = f"{column} <= {_literal(high)}"
        elif high is None:
            condition = f"{column} >= {_literal(low)}"
        else:
            condition = f"{column} BETWEEN {_literal(low)} AND {_literal(high)}"
        whens.append(f"WHEN {condition} THEN {_literal(code)}")
    return f"CASE {' '.join(whens)} END"


def _statement(cases, connection) -> tuple[str, list, list[_Section], int]:
    """The statement's SQL and parameters, its sections, and how many text columns they share."""
    ctes, params = _ctes(cases, connection)
    sections = _sections(connection)
    width_texts = max(len(section.texts) for section in sections)
    width_numbers = max(len(section.numbers) for section in sections)
    selects = []
    for section in sections:
        texts = [sql for _name, sql in section.texts]
        texts += ["CAST(NULL AS TEXT)"] * (width_texts - len(texts))
        numbers = [sql for _name, sql in section.numbers]
        numbers += ["CAST(NULL AS BIGINT)"] * (width_numbers - len(numbers))
        columns = ", ".join([_literal(section.name), *texts, *numbers])
        selects.append(f"SELECT {columns} {section.source}")
    sql = (
        "WITH "
        + ",\n".join(f"{name} AS ({body})" for name, body in ctes)
        + "\n"
        + "\nUNION ALL\n".join(selects)
    )
    return sql, params, sections, width_texts


def _rows(cases, using: str) -> dict[str, list[dict]]:
    """Run the statement: {section name: [row as {column name: value}]}."""
    connection = connections[using]
    sql, params, sections, width_texts = _statement(cases, connection)
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if postgresql:
            # The statement reads whole tables: hash joins are always the right plan, and a
            # row estimate gone wrong (stale statistics after a bulk load) must not turn a
            # join of two CTEs into a nested loop over 100 000 x 300 000 rows.
            cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
        if postgresql:
            # As it was, for the rest of an enclosing transaction.
            cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")
    by_name = {section.name: section for section in sections}
    result: dict[str, list[dict]] = {section.name: [] for section in sections}
    for row in fetched:
        section = by_name[row[0]]
        texts = row[1 : 1 + width_texts]
        numbers = row[1 + width_texts :]
        item = {name: value for (name, _sql), value in zip(section.texts, texts, strict=False)}
        for (name, _sql), value in zip(section.numbers, numbers, strict=False):
            # Sums come back as decimals on PostgreSQL; every figure here is a whole number.
            item[name] = None if value is None else int(value)
        result[section.name].append(item)
    return result


# ------------------------------------------------------------------------------------------
# From the rows to the figures
# ------------------------------------------------------------------------------------------


def _breakdown(name: str, rows: list[dict]) -> list[dict]:
    """One row per value of the dimension, in the vocabulary's order, zeros included; a row
    with code None for cases where the value is not stated."""
    vocabulary = BREAKDOWNS[name]
    found = {}
    for row in rows:
        code = row["group"]
        if code == "":
            code = None
        found[code] = row
    result = []
    if vocabulary is not None:
        for code in vocabulary.values:
            result.append({"code": code, **_metrics(found.pop(str(code), {}))})
    else:
        for code in sorted(c for c in found if c is not None):
            row = found.pop(code)
            result.append({"code": code, "name": row.get("name") or code, **_metrics(row)})
    # What is left has no value (or a code no longer in the vocabulary): "not stated".
    rest = [row for code, row in found.items()]
    if rest:
        merged: defaultdict[str, int] = defaultdict(int)
        for row in rest:
            for key, value in row.items():
                if key.startswith("n_"):
                    merged[key] += value or 0
        # Distinct counts cannot be merged exactly across rows; only a blank and a retired
        # code would ever meet here, which the vocabularies never retire.
        result.append({"code": None, **_metrics(merged)})
    return result


def _adopters_per_case(
    rows: list[dict], cases_total: int, cases, using: str
) -> tuple[dict[str, int], float | None]:
    """Cases per bucket of adopters (ADOPTER_BUCKETS), and the median over all cases.

    From the "adopters" rows: cases per bucket, and per number of adopters up to
    EXACT_ADOPTER_COUNTS (those with more share one row). Returns ({bucket label: cases},
    median or None without cases).
    """
    buckets = dict.fromkeys((label for label, _low, _high in ADOPTER_BUCKETS), 0)
    histogram = dict.fromkeys(range(EXACT_ADOPTER_COUNTS + 2), 0)
    for row in rows:
        buckets[row["bucket"]] += row["cases"]
        histogram[row["adopters"]] += row["cases"]

    def nth(index: int) -> int:  # the index-th smallest count (0-based), zeros included
        seen = 0
        for value in range(EXACT_ADOPTER_COUNTS + 1):
            seen += histogram[value]
            if index < seen:
                return value
        # Above the exact counts: the (index - seen)-th smallest of the larger counts.
        larger = (
            Adoption.objects.public()
            .using(using)
            .filter(case__in=cases.order_by().values("pk"))
            .order_by()
            .values("case")
            .annotate(n=Count("pk"))
            .filter(n__gt=EXACT_ADOPTER_COUNTS)
            .order_by("n")
            .values_list("n", flat=True)[index - seen : index - seen + 1]
        )
        return next(iter(larger))

    if not cases_total:
        return buckets, None
    if cases_total % 2:
        median = float(nth(cases_total // 2))
    else:
        median = (nth(cases_total // 2 - 1) + nth(cases_total // 2)) / 2
    return buckets, median


def _reuse(buckets: dict[str, int], median: float | None, metrics: dict) -> dict:
    cases = metrics["cases"]
    distribution = [
        {"bucket": label, "min": low, "max": high, **share(buckets[label], cases)}
        for label, low, high in ADOPTER_BUCKETS
    ]
    return {
        "cases": cases,
        "reused": metrics["reused"],
        "mean_adopters": metrics["adopters_per_case"],
        "median_adopters": median,
        "distribution": distribution,
    }


def _adoption_mix(rows: list[dict]) -> dict:
    """Adoptions by mode, channel and status, from the "adoption-kinds" rows (one per
    combination of the three)."""
    lists = {"mode": AdoptionMode, "channel": Channel, "status": AdoptionStatus}
    total = sum(row["count"] for row in rows)
    result = {"total": total}
    for field, choices in lists.items():
        counts: defaultdict[str, int] = defaultdict(int)
        for row in rows:
            counts[row[field]] += row["count"]
        result[f"by_{field}"] = [
            {"code": code, **share(counts[code], total)} for code in choices.values
        ]
    return result


def _spread_channels(rows: list[dict]) -> dict:
    """Spread activities of the owners of the cases, by channel."""
    counts = {row["code"]: row["count"] for row in rows}
    total = sum(counts.values())
    return {
        "total": total,
        "by_channel": [
            {"code": code, **share(counts.get(code, 0), total)} for code in Channel.values
        ],
    }


def _month_range(first: str, last: str) -> list[str]:
    year, month = (int(part) for part in first.split("-"))
    end = tuple(int(part) for part in last.split("-"))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return months


def _months_between(first: str, last: str) -> int:
    a = [int(part) for part in first.split("-")]
    b = [int(part) for part in last.split("-")]
    return (b[0] - a[0]) * 12 + (b[1] - a[1]) + 1


def filled_months(months_with_data: set[str], last: str | None = None) -> list[str]:
    if not months_with_data:
        return []
    first = min(months_with_data)
    last = last or max(months_with_data)
    if first > last:
        return []
    if _months_between(first, last) > MAX_FILLED_MONTHS:
        return sorted(m for m in months_with_data if m <= last)
    return _month_range(first, last)


def _current_month() -> str:
    today = timezone.localdate()
    return f"{today.year:04d}-{today.month:02d}"


def _monthly(case_rows: list[dict], adoption_rows: list[dict]) -> dict:
    """New cases (by publication month) and adoptions (by adoption date) per month, with the
    cumulative curves the database summed. Months after the current one (planned reuse dated
    in the future) are left out of the series and counted beside it."""
    new_cases = {row["month"]: row for row in case_rows}
    new_adoptions = {row["month"]: row for row in adoption_rows}
    now = _current_month()
    later = sum(row["count"] for month, row in new_adoptions.items() if month > now)
    months = [m for m in filled_months(set(new_cases) | set(new_adoptions)) if m <= now]
    series, running_adoptions, running_cases = [], 0, 0
    for month in months:
        cases = new_cases.get(month)
        adoptions = new_adoptions.get(month)
        # A month without data keeps the running total of the month before it.
        running_cases = cases["cumulative"] if cases else running_cases
        running_adoptions = adoptions["cumulative"] if adoptions else running_adoptions
        series.append(
            {
                "month": month,
                "cases": cases["count"] if cases else 0,
                "adoptions": adoptions["count"] if adoptions else 0,
                "cumulative_cases": running_cases,
                "cumulative_adoptions": running_adoptions,
            }
        )
    return {"months": series, "adoptions_after_this_month": later}


def _time_to_first_adoption(rows: list[dict]) -> dict:
    """Days from publication (Norwegian date) to the first adoption, over the adopted cases,
    from the "lag" rows (one per bucket)."""
    counts = {row["bucket"]: row["cases"] for row in rows}
    adopted = sum(counts.values())
    timed = sum(row["timed"] for row in rows)
    days = sum(row["days"] or 0 for row in rows)
    return {
        "adopted_cases": adopted,
        # Records dated before the case came to the platform are left out of the mean.
        "mean_days": round(days / timed, 1) if timed else None,
        "buckets": [
            {"code": code, **share(counts.get(code, 0), adopted)}
            for code, _low, _high in LAG_BUCKETS
        ],
    }


def _top_spreaders(rows: list[dict]) -> list[dict]:
    """Organisations by distinct organisations that adopted their cases."""
    return [
        {
            "organisation": {
                "id": row["id"],
                "name": row["name"],
                "slug": row["slug"],
                "kind": row["kind"],
            },
            "adopters": row["adopters"],
            "adoptions": row["adoptions"],
            "cases": row["cases"],
            "municipalities": row["municipalities"],
            "counties": row["counties"],
        }
        for row in sorted(rows, key=lambda row: row["position"])
    ]


# ------------------------------------------------------------------------------------------
# Bass fits for groups of cases
# ------------------------------------------------------------------------------------------


def _bass_series(counts_by_month: dict[str, int], last: str) -> list[int]:
    """Adoptions per month from the group's first adoption month to `last`, zeros included."""
    months_with_data = {m for m, n in counts_by_month.items() if n and m <= last}
    if not months_with_data:
        return []
    first = min(months_with_data)
    if _months_between(first, last) > MAX_FILLED_MONTHS:
        first = _month_range_start(last, MAX_FILLED_MONTHS)
    return [counts_by_month.get(month, 0) for month in _month_range(first, last)]


def _month_range_start(last: str, months: int) -> str:
    year, month = (int(part) for part in last.split("-"))
    index = year * 12 + (month - 1) - (months - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _bass(rows: list[dict], monthly: dict) -> dict:
    """Bass fits for all the filtered cases and for each sector and innovation type.

    Every series runs from the group's first adoption month up to and including the current
    month (the end of observation), so that quiet months at the end count as the zeros they
    are; planned adoptions dated later are left out. The series of all the cases comes from
    `monthly`, those of the groups from the "bass" rows.
    """
    last = _current_month()
    overall_counts = {row["month"]: row["adoptions"] for row in monthly["months"]}

    def fitted(counts: dict[str, int]) -> dict:
        values = _bass_series(counts, last)
        result = bass.fit(values)
        result["start"] = _month_range_start(last, len(values)) if values else None
        return result

    by_code: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for row in rows:
        by_code[row["vocabulary"], row["code"]][row["month"]] = row["count"]
    result: dict[str, Any] = {"all": fitted(overall_counts)}
    for name, vocabulary in TERM_BREAKDOWNS.items():
        result[name] = [
            {"code": code, **fitted(by_code.get((vocabulary, code), {}))}
            for code in _term_codes(name)
        ]
    result["min_months"] = bass.MIN_MONTHS
    result["min_adoptions"] = bass.MIN_ADOPTIONS
    return result


# ------------------------------------------------------------------------------------------
# Comparison with the surveys
# ------------------------------------------------------------------------------------------


def _comparison(metrics: dict, adoption_mix: dict) -> dict:
    """The platform's figures beside the surveys' published ones (no queries).

    Survey figures are what the surveys report (percent); platform figures are shares of what
    is recorded here. "introduced" has no platform figure: the platform sees only
    organisations that publish, so it has no denominator of all workplaces.
    """
    origin = metrics["origin"]["shares_of_known"]
    channels = sorted(
        (row for row in adoption_mix["by_channel"] if row["numerator"]),
        key=lambda row: -row["numerator"],
    )[:2]
    rows = [
        {"key": "introduced", "survey": SURVEY_FIGURES["introduced"], "platform": None},
        {
            "key": "origin-first",
            "survey": SURVEY_FIGURES["origin-first"],
            "platform": origin["first"],
        },
        {
            "key": "origin-adapted",
            "survey": SURVEY_FIGURES["origin-adapted"],
            "platform": origin["adapted"],
        },
        {
            "key": "origin-copied",
            "survey": SURVEY_FIGURES["origin-copied"],
            "platform": origin["copied"],
        },
        {
            "key": "active-spreaders",
            "survey": SURVEY_FIGURES["active-spreaders"],
            "platform": metrics["active_spreaders"],
        },
        {
            "key": "main-channels",
            "survey": SURVEY_FIGURES["main-channels"],
            "platform": channels,
        },
    ]
    return {"sources": SURVEYS, "rows": rows}


def _compute(clean: dict, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Every figure for normalised filters, from the database `using` (no cache)."""
    cases = filter_cases(clean)
    rows = _rows(cases, using)
    metrics = _metrics(rows["total"][0] if rows["total"] else {})
    adoption_mix = _adoption_mix(rows["adoption-kinds"])
    buckets, median = _adopters_per_case(rows["adopters"], metrics["cases"], cases, using)
    monthly = _monthly(rows["new-cases"], rows["new-adoptions"])
    return {
        "filters": filters_as_json(clean),
        "cases": {"total": metrics["cases"], "origin": metrics["origin"]},
        "adoptions": adoption_mix,
        "reuse": _reuse(buckets, median, metrics),
        "spreaders": {
            "owners": metrics["owners"],
            "active": metrics["active_spreaders"],
            "adopted": metrics["adopted_owners"],
            "activities": _spread_channels(rows["spread-channels"]),
        },
        "breakdowns": {name: _breakdown(name, rows[f"breakdown:{name}"]) for name in BREAKDOWNS},
        "monthly": monthly,
        "time_to_first_adoption": _time_to_first_adoption(rows["lag"]),
        "top_spreaders": _top_spreaders(rows["top-spreaders"]),
        "bass": _bass(rows["bass"], monthly),
        "comparison": _comparison(metrics, adoption_mix),
    }


# ------------------------------------------------------------------------------------------
# The public function, its cache and the data version
# ------------------------------------------------------------------------------------------


def diffusion(
    *, filters: dict | None = None, before_computing: Callable[[], None] | None = None
) -> dict:
    """Every diffusion statistic for the published cases the filters describe.

    `filters` is `StatsFilter(...).form.cleaned_data` (or {} for everything). Returns a
    JSON-serialisable dict; every share is `{"numerator", "denominator", "share", "percent"}`:

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
    - `bass`: fits (see cases/bass.py) for `all`, each `sector` and each `innovation_type`;
    - `comparison`: the surveys' published figures beside the platform's.

    Computed in one statement (see `_rows`), whatever the amount of data. The result is cached
    per filters together with the data version it was computed from (`_data_version`, one
    query on every call):

    - same version: the cached figures;
    - a newer version: this call takes a short lock in the cache and computes; while one
      process computes, the others serve the figures they have (those from before the latest
      writes), so a write never makes a crowd of visitors wait for the same computation. A
      call that has no figures at all waits for the lock holder's (see `_wait_for`).

    `before_computing` is called just before this call computes figures itself; it may refuse
    by raising (a rate limit, `cases.ratelimit.expensive_work`).
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


# What `_get` did: served the figures of the current data version, computed them, or left that
# to another process (serving older figures, or waiting for its new ones).
UP_TO_DATE, COMPUTED, BUSY = "up-to-date", "computed", "busy"


def _get(clean: dict, before_computing: Callable[[], None] | None = None) -> tuple[dict, str, str]:
    """The figures for normalised filters (see `diffusion`), the data version they are of, and
    what it took (UP_TO_DATE, COMPUTED or BUSY)."""
    using = router.db_for_read(Case)
    version = _data_version(using)
    key, lock = _cache_keys(clean)
    cached = cache.get(key)
    if cached is not None and cached["version"] == version:
        return cached["result"], version, UP_TO_DATE
    token = uuid.uuid4().hex
    if not cache.add(lock, token, LOCK_SECONDS):
        if cached is None:
            cached = _wait_for(key, lock)
        if cached is not None:
            return cached["result"], cached["version"], BUSY
        if before_computing is not None:
            before_computing()
        return _compute(clean, using), version, BUSY
    try:
        if before_computing is not None:
            before_computing()
        result = _compute(clean, using)
        cache.set(key, {"version": version, "result": result}, cache_seconds(clean))
    finally:
        # Unless it expired meanwhile and another process holds it now.
        if cache.get(lock) == token:
            cache.delete(lock)
    return result, version, COMPUTED


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
    return _get(normalise_filters(filters))[2]


def _cache_keys(clean: dict) -> tuple[str, str]:
    """The cache keys of the figures for normalised filters, and of the lock on computing them."""
    payload = json.dumps(filters_as_json(clean), sort_keys=True)
    key = "stats:diffusion:" + hashlib.sha256(payload.encode()).hexdigest()
    return key, f"{key}:lock"


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
    return "|".join(str(value) for value in (*row, _current_month()))


def rogers_category(position: int, total: int) -> str:
    """Rogers' category of the `position`-th adopter (1-based) of `total`.

    An adopter stands for the slice of the distribution from (position-1)/total to
    position/total; it gets the category its midpoint falls in. (With ten adopters that gives
    0 / 2 / 3 / 3 / 2, as near to 2.5 / 13.5 / 34 / 34 / 16 % as whole adopters allow.)
    """
    midpoint = (position - 0.5) / total
    for category, upper in ROGERS_CATEGORIES:
        if midpoint <= upper:
            return category
    return ROGERS_CATEGORIES[-1][0]


def _generations(case: Case, tree: lineage.Node | None) -> dict:
    """Where the case stands in its lineage and how many generations descend from it.

    Generation 0 is an original; a copy of an adaptation of an original is generation 2. The
    descendants are the published cases derived from this one, level by level (cases/lineage.py).
    """
    tree = tree if tree is not None else lineage.tree(case)
    return generations(lineage.find(tree, case.pk))


def generations(node: lineage.Node | None) -> dict:
    """A case's generation and its descendants per level, from its node in the lineage."""
    if node is None:
        return {"generation": 0, "depth": 0, "descendants": []}
    per_level: dict[int, int] = defaultdict(int)
    level, depth = list(node.children), 0
    while level:
        depth += 1
        per_level[depth] += len(level)
        level = [child for item in level for child in item.children]
    return {
        "generation": node.generation,
        "depth": depth,
        "descendants": [{"generation": g, "cases": n} for g, n in sorted(per_level.items())],
    }


def rogers_categories(total: int) -> list[dict] | None:
    """Per Rogers category, how many of `total` adopters in order of adoption fall in it and
    the share expected; None below ROGERS_MIN_ADOPTERS."""
    if total < ROGERS_MIN_ADOPTERS:
        return None
    counts = dict.fromkeys((code for code, _upper in ROGERS_CATEGORIES), 0)
    for position in range(1, total + 1):
        counts[rogers_category(position, total)] += 1
    categories, lower = [], 0.0
    for code, upper in ROGERS_CATEGORIES:
        categories.append(
            {
                "code": code,
                "label": str(ROGERS_LABELS[code]),
                "expected_percent": round(100 * (upper - lower), 1),
                **share(counts[code], total),
            }
        )
        lower = upper
    return categories
