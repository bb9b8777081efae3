"""The figures, made of the statement's rows (see `sql`): shares, the metrics of every group of
cases, the distributions, the monthly series, the top spreaders, the Bass fits and the
comparison with the surveys."""

from collections import defaultdict

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count

from ..models import Adoption
from ..vocabularies import AdoptionMode, AdoptionStatus, Channel, Origin
from . import bass, months, sql
from .filters import filter_cases, filters_as_json
from .groups import ADOPTER_BUCKETS, BREAKDOWNS, LAG_BUCKETS

KNOWN_ORIGINS = [Origin.FIRST.value, Origin.ADAPTED.value, Origin.COPIED.value]

# Published survey figures the platform's own figures are set beside (percent of workplaces,
# or of the latest innovations). They are reported in surveys, not measured here.
# Each with the edition the figures are from: the year it was published, the period its
# questions were about ("the last two years" before the fieldwork), and how many workplaces
# answered (KS: unit managers in health and care and in education, asked in September and
# October 2017; COI: public workplaces of every kind, weighted to the whole public sector).
SURVEYS = {
    "ks": {
        "name": "KS, Innovasjonsbarometeret for kommunal sektor",
        "country": "NO",
        "year": 2018,
        "period": "2016–2017",
        "sample": 1786,
        "url": (
            "https://www.ks.no/fagomrader/innovasjon/innovasjonsledelse/"
            "innovasjonsbarometeret-for-kommunal-sektor/"
        ),
    },
    "coi": {
        "name": "COI (Center for Offentlig Innovation), Innovationsbarometeret",
        "country": "DK",
        "year": 2015,
        "period": "2013–2014",
        "sample": 1255,
        "url": "https://www.co-pi.dk/innovationsbarometeret/",
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


# ------------------------------------------------------------------------------------------
# Shares and the metrics shared by the headline figures and every breakdown row
# ------------------------------------------------------------------------------------------


def min_denominator() -> int:
    """The smallest denominator a share is shown for (settings.STATISTICS_MIN_DENOMINATOR)."""
    return max(int(getattr(settings, "STATISTICS_MIN_DENOMINATOR", 10)), 1)


def share(numerator: int, denominator: int) -> dict:
    """A share that shows its working: numerator, denominator, the fraction and the percent.

    `share` is a fraction (0-1, four decimals) and `percent` is rounded to one decimal; both are
    None when the denominator is 0 (there is nothing to take a share of), and when it is below
    `min_denominator()`: then `suppressed` is true and the counts alone are given, as statistics
    offices do, since "100 % (1 of 1)" says more about chance than about anything measured.
    This is the one place that decides; the pages, the downloads and the API only follow it.
    """
    numerator, denominator = int(numerator or 0), int(denominator or 0)
    suppressed = 0 < denominator < min_denominator()
    if not denominator or suppressed:
        return {
            "numerator": numerator,
            "denominator": denominator,
            "share": None,
            "percent": None,
            "suppressed": suppressed,
        }
    return {
        "numerator": numerator,
        "denominator": denominator,
        "share": round(numerator / denominator, 4),
        "percent": round(100 * numerator / denominator, 1),
        "suppressed": False,
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
    histogram = dict.fromkeys(range(sql.EXACT_ADOPTER_COUNTS + 2), 0)
    for row in rows:
        buckets[row["bucket"]] += row["cases"]
        histogram[row["adopters"]] += row["cases"]

    def nth(index: int) -> int:  # the index-th smallest count (0-based), zeros included
        seen = 0
        for value in range(sql.EXACT_ADOPTER_COUNTS + 1):
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
            .filter(n__gt=sql.EXACT_ADOPTER_COUNTS)
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


def _monthly(case_rows: list[dict], adoption_rows: list[dict]) -> dict:
    """New cases (by publication month) and adoptions (by adoption date) per month, with the
    cumulative curves the database summed. Months after the current one (planned reuse dated
    in the future) are left out of the series and counted beside it."""
    new_cases = {row["month"]: row for row in case_rows}
    new_adoptions = {row["month"]: row for row in adoption_rows}
    now = months.current_month()
    later = sum(row["count"] for month, row in new_adoptions.items() if month > now)
    shown = [m for m in months.filled_months(set(new_cases) | set(new_adoptions)) if m <= now]
    series, running_adoptions, running_cases = [], 0, 0
    for month in shown:
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


def compute(clean: dict, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Every figure for normalised filters, from the database `using` (no cache)."""
    cases = filter_cases(clean)
    rows = sql.rows(cases, using)
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
        "bass": bass.fits_by_group(rows["bass"], monthly),
        "comparison": _comparison(metrics, adoption_mix),
    }
