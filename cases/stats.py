"""Diffusion statistics: the definitions under "Diffusion statistics" in DESIGN.md, in SQL.

Every figure is computed by the database (aggregates, conditional counts, annotations and window
functions); Python only arranges the few rows that come back (one per vocabulary value, per
month, per adopter of one case), never loops over cases. The number of queries is fixed: it
does not grow with the data.

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
from collections import defaultdict

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import (
    Avg,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    Max,
    Min,
    Q,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import bass, lineage
from .filters import county_choices, term_exists
from .models import Adoption, Case, CaseTerm, Change, Organisation, SpreadActivity
from .vocabularies import (
    AdoptionMode,
    AdoptionStatus,
    CaseStatus,
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

# How long an unused result stays in the cache. Not what keeps results correct: the key
# changes with the data (see `_cache_key`).
CACHE_SECONDS = 600

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
        label=_("Published from"), method="filter_noop", widget=DateInput()
    )
    published_to = django_filters.DateFilter(
        label=_("Published to"), method="filter_noop", widget=DateInput()
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


def _spreading_organisations():
    """Organisations with a spread activity: about a published case, or about no one case."""
    return (
        SpreadActivity.objects.filter(
            Q(case__isnull=True)
            | Q(case__status=CaseStatus.PUBLISHED, case__deleted_at__isnull=True)
        )
        .order_by()
        .values("organisation")
    )


def _metric_aggregates(prefix: str = "") -> dict:
    """Conditional counts over published cases LEFT JOINed to their adoptions.

    `prefix` is the path from the queried model to the case ("" on Case, "case__" on
    CaseTerm). Cases and owners are counted DISTINCT because the join repeats a case once per
    adoption.
    """
    case = f"{prefix}id" if prefix else "pk"
    owner = f"{prefix}organisation"
    alive = Q(
        **{
            f"{prefix}adoptions__isnull": False,
            f"{prefix}adoptions__deleted_at__isnull": True,
            f"{prefix}adoptions__organisation__deleted_at__isnull": True,
        }
    )
    aggregates = {
        "n_cases": Count(case, distinct=True),
        "n_adoptions": Count(f"{prefix}adoptions", filter=alive),
        "n_reused": Count(case, distinct=True, filter=alive),
        "n_owners": Count(owner, distinct=True),
        "n_active": Count(
            owner, distinct=True, filter=Q(**{f"{owner}__in": _spreading_organisations()})
        ),
        "n_adopted_owners": Count(owner, distinct=True, filter=alive),
    }
    for origin in Origin.values:
        aggregates[f"n_origin_{origin}"] = Count(
            case, distinct=True, filter=Q(**{f"{prefix}origin": origin})
        )
    return aggregates


def _metrics(row: dict) -> dict:
    """The figures of one group of cases, from a row of `_metric_aggregates`."""
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
        "reused": share(row.get("n_reused"), cases),
        "owners": owners,
        "active_spreaders": share(row.get("n_active"), owners),
        "adopted_owners": share(row.get("n_adopted_owners"), owners),
    }


# ------------------------------------------------------------------------------------------
# Breakdowns
# ------------------------------------------------------------------------------------------

# name -> (field on Case to group by, vocabulary or None); sector and innovation type group
# CaseTerm rows instead (a case with two sectors is counted under both).
BREAKDOWNS = {
    "sector": (None, Sector),
    "innovation_type": (None, InnovationType),
    "workplace_type": ("workplace_type", WorkplaceType),
    "employee_band": ("organisation__employee_band", EmployeeBand),
    "size_class": ("organisation__size_class", SizeClass),
    "centrality_class": ("organisation__centrality_class", CentralityClass),
    "region": ("organisation__region", Region),
    "county": ("organisation__county__number", None),
}
TERM_BREAKDOWNS = {
    "sector": CaseTerm.Vocabulary.SECTOR,
    "innovation_type": CaseTerm.Vocabulary.INNOVATION_TYPE,
}


def _breakdown(name: str, cases) -> list[dict]:
    """One row per value of the dimension, in the vocabulary's order, zeros included; a row
    with code None for cases where the value is not stated. One query."""
    field, vocabulary = BREAKDOWNS[name]
    if name in TERM_BREAKDOWNS:
        rows = (
            CaseTerm.objects.filter(vocabulary=TERM_BREAKDOWNS[name], case__in=cases)
            .values(group=F("code"))
            .annotate(**_metric_aggregates("case__"))
            .order_by()
        )
    elif name == "county":
        rows = (
            cases.values(group=F(field), name=F("organisation__county__name"))
            .annotate(**_metric_aggregates())
            .order_by()
        )
    else:
        rows = cases.values(group=F(field)).annotate(**_metric_aggregates()).order_by()
    found = {}
    for row in rows:
        code = row["group"]
        if code == "":
            code = None
        found[code] = row
    result = []
    if vocabulary is not None:
        for code in vocabulary.values:
            result.append({"code": code, **_metrics(found.pop(code, {}))})
    else:
        for code in sorted(c for c in found if c is not None):
            row = found.pop(code)
            result.append({"code": code, "name": row.get("name") or code, **_metrics(row)})
    # What is left has no value (or a code no longer in the vocabulary): "not stated".
    rest = [row for code, row in found.items()]
    if rest:
        merged = defaultdict(int)
        for row in rest:
            for key, value in row.items():
                if key.startswith("n_"):
                    merged[key] += value or 0
        # Distinct counts cannot be merged exactly across rows; only a blank and a retired
        # code would ever meet here, which the vocabularies never retire.
        result.append({"code": None, **_metrics(merged)})
    return result


# ------------------------------------------------------------------------------------------
# Adopters per case, adoptions by mode / channel / status, spreaders, time, top spreaders
# ------------------------------------------------------------------------------------------


# Adopters per case are counted exactly up to this number in one pass; only when the median
# lies above it (a platform where most cases have many adopters) does one more query find it.
EXACT_ADOPTER_COUNTS = 20


def _adopter_histogram(adoptions, cases_total: int) -> tuple[dict[str, int], float | None]:
    """Cases per bucket of adopters (ADOPTER_BUCKETS), and the median over all cases.

    One aggregate over the adoptions grouped by case (the database wraps the grouped query in
    a subquery): the cases in each bucket, and those with exactly 1, 2 ...
    EXACT_ADOPTER_COUNTS adopters for the median; the cases without adopters are the rest of
    `cases_total`. Returns ({bucket label: cases}, median or None without cases).
    """
    per_case = adoptions.order_by().values("case").annotate(n=Count("pk"))
    aggregates = {f"n{k}": Count("case", filter=Q(n=k)) for k in range(1, EXACT_ADOPTER_COUNTS + 1)}
    aggregates["more"] = Count("case", filter=Q(n__gt=EXACT_ADOPTER_COUNTS))
    aggregates["adopted"] = Count("case")
    for label, low, high in ADOPTER_BUCKETS:
        if low > 0:
            within = Q(n__gte=low) if high is None else Q(n__gte=low, n__lte=high)
            aggregates[f"bucket:{label}"] = Count("case", filter=within)
    row = per_case.aggregate(**aggregates)
    buckets = {
        label: (row[f"bucket:{label}"] or 0)
        if low > 0
        else max(cases_total - (row["adopted"] or 0), 0)
        for label, low, _high in ADOPTER_BUCKETS
    }
    histogram = {0: max(cases_total - (row["adopted"] or 0), 0)}
    for k in range(1, EXACT_ADOPTER_COUNTS + 1):
        histogram[k] = row[f"n{k}"] or 0
    histogram[EXACT_ADOPTER_COUNTS + 1] = row["more"] or 0

    def nth(index: int) -> int:  # the index-th smallest count (0-based), zeros included
        seen = 0
        for value in range(EXACT_ADOPTER_COUNTS + 1):
            seen += histogram[value]
            if index < seen:
                return value
        # Above the exact counts: the (index - seen)-th smallest of the larger counts.
        larger = (
            per_case.filter(n__gt=EXACT_ADOPTER_COUNTS)
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


def _adoption_mix(adoptions) -> dict:
    """Adoptions by mode, channel and status, in one pass of conditional counts."""
    aggregates = {"total": Count("pk")}
    lists = {"mode": AdoptionMode, "channel": Channel, "status": AdoptionStatus}
    for field, choices in lists.items():
        for code in choices.values:
            aggregates[f"{field}:{code}"] = Count("pk", filter=Q(**{field: code}))
    row = adoptions.aggregate(**aggregates)
    total = row["total"] or 0
    result = {"total": total}
    for field, choices in lists.items():
        result[f"by_{field}"] = [
            {"code": code, **share(row[f"{field}:{code}"], total)} for code in choices.values
        ]
    return result


def _spread_channels(cases) -> dict:
    """Spread activities of the owners of the cases, by channel (one query)."""
    activities = SpreadActivity.objects.filter(
        organisation__in=cases.order_by().values("organisation"),
        pk__in=SpreadActivity.objects.filter(
            Q(case__isnull=True)
            | Q(case__status=CaseStatus.PUBLISHED, case__deleted_at__isnull=True)
        ).values("pk"),
    )
    aggregates = {"total": Count("pk")}
    for code in Channel.values:
        aggregates[code] = Count("pk", filter=Q(channel=code))
    row = activities.aggregate(**aggregates)
    total = row["total"] or 0
    return {
        "total": total,
        "by_channel": [{"code": code, **share(row[code], total)} for code in Channel.values],
    }


def _month_key(value) -> str:
    if isinstance(value, dt.datetime):
        value = (
            timezone.localtime(value, timezone.get_default_timezone())
            if timezone.is_aware(value)
            else value
        )
    return f"{value.year:04d}-{value.month:02d}"


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


def _filled(months_with_data: set[str], last: str | None = None) -> list[str]:
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


def _monthly(cases, adoptions) -> dict:
    """New cases (by publication month) and adoptions (by adoption date) per month, with the
    cumulative adoption curve; two grouped queries. Months after the current one (planned
    reuse dated in the future) are left out of the series and counted beside it."""
    zone = timezone.get_default_timezone()
    new_cases = {
        _month_key(row["month"]): row["n"]
        for row in cases.annotate(month=TruncMonth("published_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    new_adoptions = {
        _month_key(row["month"]): row["n"]
        for row in adoptions.annotate(month=TruncMonth(adoption_date(), output_field=DateField()))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    now = _current_month()
    later = sum(n for month, n in new_adoptions.items() if month > now)
    months = [m for m in _filled(set(new_cases) | set(new_adoptions)) if m <= now]
    series, running_adoptions, running_cases = [], 0, 0
    for month in months:
        running_adoptions += new_adoptions.get(month, 0)
        running_cases += new_cases.get(month, 0)
        series.append(
            {
                "month": month,
                "cases": new_cases.get(month, 0),
                "adoptions": new_adoptions.get(month, 0),
                "cumulative_cases": running_cases,
                "cumulative_adoptions": running_adoptions,
            }
        )
    return {"months": series, "adoptions_after_this_month": later}


def _time_to_first_adoption(adoptions) -> dict:
    """Days from publication (Norwegian date) to the first adoption, over the adopted cases.

    One aggregate over the adoptions grouped by case: each case's first adoption date and its
    publication date, then the lag between them counted into buckets.
    """
    zone = timezone.get_default_timezone()
    lagged = (
        adoptions.order_by()
        .values("case")
        .annotate(
            first_adoption=Min(adoption_date()),
            published=Min(TruncDate("case__published_at", tzinfo=zone)),
        )
        .annotate(
            lag=ExpressionWrapper(
                F("first_adoption") - F("published"), output_field=DurationField()
            )
        )
    )
    aggregates = {
        "adopted": Count("case"),
        "mean": Avg("lag", filter=Q(lag__gte=dt.timedelta(0))),
    }
    for code, low, high in LAG_BUCKETS:
        condition = Q()
        if low is not None:
            condition &= Q(lag__gte=dt.timedelta(days=low))
        if high is not None:
            condition &= Q(lag__lte=dt.timedelta(days=high))
        aggregates[code] = Count("case", filter=condition)
    row = lagged.aggregate(**aggregates)
    adopted = row["adopted"] or 0
    mean = row["mean"]
    return {
        "adopted_cases": adopted,
        # Records dated before the case came to the platform are left out of the mean.
        "mean_days": round(mean.total_seconds() / 86400, 1) if mean is not None else None,
        "buckets": [
            {"code": code, **share(row[code], adopted)} for code, _low, _high in LAG_BUCKETS
        ],
    }


def _top_spreaders(adoptions) -> list[dict]:
    """Organisations by distinct organisations that adopted their cases (one query)."""
    rows = (
        adoptions.filter(source_organisation__deleted_at__isnull=True)
        .values(
            "source_organisation",
            "source_organisation__name",
            "source_organisation__slug",
            "source_organisation__kind",
        )
        .annotate(
            adopters=Count("organisation", distinct=True),
            adoptions=Count("pk"),
            cases=Count("case", distinct=True),
            municipalities=Count("organisation__municipality", distinct=True),
            counties=Count("organisation__county", distinct=True),
        )
        .order_by("-adopters", "-adoptions", "source_organisation__name")[:TOP_SPREADERS]
    )
    return [
        {
            "organisation": {
                "id": row["source_organisation"],
                "name": row["source_organisation__name"],
                "slug": row["source_organisation__slug"],
                "kind": row["source_organisation__kind"],
            },
            "adopters": row["adopters"],
            "adoptions": row["adoptions"],
            "cases": row["cases"],
            "municipalities": row["municipalities"],
            "counties": row["counties"],
        }
        for row in rows
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


def _bass(adoptions, monthly: dict) -> dict:
    """Bass fits for all the filtered cases and for each sector and innovation type.

    Every series runs from the group's first adoption month up to and including the current
    month (the end of observation), so that quiet months at the end count as the zeros they
    are; planned adoptions dated later are left out. Two grouped queries (the series of all
    the cases comes from `monthly`).
    """
    last = _current_month()
    overall_counts = {row["month"]: row["adoptions"] for row in monthly["months"]}

    def fitted(counts: dict[str, int]) -> dict:
        values = _bass_series(counts, last)
        result = bass.fit(values)
        result["start"] = _month_range_start(last, len(values)) if values else None
        return result

    result = {"all": fitted(overall_counts)}
    for name, vocabulary in TERM_BREAKDOWNS.items():
        by_code: dict[str, dict[str, int]] = defaultdict(dict)
        rows = (
            adoptions.filter(case__terms__vocabulary=vocabulary)
            .values(
                code=F("case__terms__code"),
                month=TruncMonth(adoption_date(), output_field=DateField()),
            )
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            by_code[row["code"]][_month_key(row["month"])] = row["n"]
        choices = Sector if name == "sector" else InnovationType
        result[name] = [{"code": code, **fitted(by_code.get(code, {}))} for code in choices.values]
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


# ------------------------------------------------------------------------------------------
# The public functions
# ------------------------------------------------------------------------------------------


def diffusion(*, filters: dict | None = None) -> dict:
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

    About 18 queries, whatever the amount of data; a result is cached until the data change
    (see `_cache_key`), and a cached one costs one query.
    """
    clean = normalise_filters(filters)
    key = _cache_key(clean)
    result = cache.get(key)
    if result is None:
        result = _compute(clean)
        cache.set(key, result, CACHE_SECONDS)
    return result


def _data_version() -> dict:
    """What the figures depend on, in one cheap query: the change feed's last entry (written
    in the same transaction as every save of a case or an adoption, see cases/changes.py),
    the organisations (their number and last update: place, size, centrality) and the spread
    activities (last id and number)."""

    def last_id(model):
        return Max(Subquery(model.objects.order_by("-pk").values("pk")[:1]))

    def number_of(model):
        counted = model.objects.order_by().annotate(n=Func(F("pk"), function="COUNT"))
        return Max(Subquery(counted.values("n")[:1]))

    return Organisation.all_objects.aggregate(
        organisations=Count("pk"),
        organisations_updated=Max("updated_at"),
        change=last_id(Change),
        spread=last_id(SpreadActivity),
        spread_activities=number_of(SpreadActivity),
    )


def _cache_key(filters: dict) -> str:
    """The figures' cache key: the filters, the data version and the current month (which
    ends the series). Any save of a case, an adoption, an organisation or a spread activity
    gives a new key, so a cached result is never stale; CACHE_SECONDS only bounds how long
    unused results are kept."""
    version = _data_version()
    payload = json.dumps(
        [filters_as_json(filters), version, _current_month()], default=str, sort_keys=True
    )
    return "stats:diffusion:" + hashlib.sha256(payload.encode()).hexdigest()


def _compute(clean: dict) -> dict:
    cases = filter_cases(clean)
    adoptions = Adoption.objects.public().filter(case__in=cases)

    metrics = _metrics(cases.aggregate(**_metric_aggregates()))
    adoption_mix = _adoption_mix(adoptions)
    histogram, median = _adopter_histogram(adoptions, metrics["cases"])
    monthly = _monthly(cases, adoptions)
    return {
        "filters": filters_as_json(clean),
        "cases": {"total": metrics["cases"], "origin": metrics["origin"]},
        "adoptions": adoption_mix,
        "reuse": _reuse(histogram, median, metrics),
        "spreaders": {
            "owners": metrics["owners"],
            "active": metrics["active_spreaders"],
            "adopted": metrics["adopted_owners"],
            "activities": _spread_channels(cases),
        },
        "breakdowns": {name: _breakdown(name, cases) for name in BREAKDOWNS},
        "monthly": monthly,
        "time_to_first_adoption": _time_to_first_adoption(adoptions),
        "top_spreaders": _top_spreaders(adoptions),
        "bass": _bass(adoptions, monthly),
        "comparison": _comparison(metrics, adoption_mix),
    }


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


def _find(node: lineage.Node, pk: int) -> lineage.Node | None:
    if node.case.pk == pk:
        return node
    for child in node.children:
        found = _find(child, pk)
        if found is not None:
            return found
    return None


def _generations(case: Case, tree: lineage.Node | None) -> dict:
    """Where the case stands in its lineage and how many generations descend from it.

    Generation 0 is an original; a copy of an adaptation of an original is generation 2. The
    descendants are the published cases derived from this one, level by level (cases/lineage.py).
    """
    tree = tree if tree is not None else lineage.tree(case)
    node = _find(tree, case.pk)
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


def case_diffusion(case: Case, *, tree: lineage.Node | None = None) -> dict:
    """How one published case spread: adopters in order with Rogers' categories, the
    cumulative adoption curve by month, reach, and generations.

    Two queries (the adopters with their order from a window function, and the reach), plus the
    lineage walk (pass `tree=lineage.tree(case)` when the page has it already). Returns a
    JSON-serialisable dict:

    - `adopters`: [{position, organisation {id, name, slug}, adopted_on (ISO date or null),
      date (the adoption date used), mode, channel, status, category}] in order of adoption;
      `category` is null while there are fewer than `rogers_min_adopters` adopters;
    - `categories`: per Rogers category the adopters in it and the expected share, or null
      below the threshold; `rogers_min_adopters`;
    - `curve`: [{month, adoptions, cumulative}] from the first adoption month to the last;
    - `reach`: {organisations, municipalities, counties, regions};
    - `generations`: {generation, depth, descendants [{generation, cases}]}.
    """
    adoptions = Adoption.objects.public().filter(case=case)
    order = [F("date").asc(), F("created_at").asc(), F("pk").asc()]
    rows = list(
        adoptions.annotate(
            date=adoption_date(),
            position=Window(RowNumber(), order_by=order),
            total=Window(Count("pk")),
        )
        .values(
            "pk",
            "organisation_id",
            "organisation__name",
            "organisation__slug",
            "adopted_on",
            "date",
            "mode",
            "channel",
            "status",
            "position",
            "total",
        )
        .order_by("position")
    )
    total = rows[0]["total"] if rows else 0
    enough = total >= ROGERS_MIN_ADOPTERS
    adopters = []
    for row in rows:
        adopters.append(
            {
                "position": row["position"],
                "organisation": {
                    "id": row["organisation_id"],
                    "name": row["organisation__name"],
                    "slug": row["organisation__slug"],
                },
                "adopted_on": row["adopted_on"].isoformat() if row["adopted_on"] else None,
                "date": _as_date(row["date"]).isoformat(),
                "mode": row["mode"],
                "channel": row["channel"],
                "status": row["status"],
                "category": rogers_category(row["position"], total) if enough else None,
                "category_label": (
                    str(ROGERS_LABELS[rogers_category(row["position"], total)]) if enough else None
                ),
            }
        )
    categories = None
    if enough:
        categories = []
        lower = 0.0
        for category, upper in ROGERS_CATEGORIES:
            n = sum(1 for a in adopters if a["category"] == category)
            categories.append(
                {
                    "code": category,
                    "label": str(ROGERS_LABELS[category]),
                    "expected_percent": round(100 * (upper - lower), 1),
                    **share(n, total),
                }
            )
            lower = upper

    per_month: dict[str, int] = defaultdict(int)
    for adopter in adopters:
        per_month[adopter["date"][:7]] += 1
    curve, running = [], 0
    for month in _filled(set(per_month)):
        running += per_month.get(month, 0)
        curve.append({"month": month, "adoptions": per_month.get(month, 0), "cumulative": running})

    reach = adoptions.aggregate(
        organisations=Count("organisation", distinct=True),
        municipalities=Count("organisation__municipality", distinct=True),
        counties=Count("organisation__county", distinct=True),
        regions=Count("organisation__region", distinct=True, filter=~Q(organisation__region="")),
    )
    return {
        "case": case.pk,
        "adopters": adopters,
        "rogers_min_adopters": ROGERS_MIN_ADOPTERS,
        "categories": categories,
        "curve": curve,
        "reach": reach,
        "generations": _generations(case, tree),
    }
