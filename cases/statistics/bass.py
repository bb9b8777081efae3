"""The Bass diffusion model, fitted to monthly adoption counts.

Bass (1969): of the market potential `m`, adopters come from outside influence (the innovation
coefficient `p`: mass media, suppliers, conferences) and from imitation of earlier adopters (the
imitation coefficient `q`: networks, word of mouth). The cumulative number of adopters is

    N(t) = m * (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})

We fit N(t) by non-linear least squares (scipy.optimize.least_squares, bounded: p > 0, q >= 0,
m at least the adoptions already observed) to the cumulative counts at the end of each month,
t = 1 ... T months after the start of the series. The starting point comes from Bass' own
discrete regression, n(t) = a + b N(t-1) + c N(t-1)^2, with a few fixed guesses beside it, and
the best of those fits wins. Quality is reported as R² and RMSE on the cumulative counts (what
was fitted; cumulative series flatter a fit, so R² on the monthly counts is given as well).

A fit needs data: at least MIN_MONTHS months and MIN_ADOPTIONS adoptions. With less the result
says so instead of inventing three parameters from a handful of points.

`fits_by_group` fits the model to the statistics' groups of cases (all, each sector and each
innovation type).
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.optimize import least_squares

from . import months
from .groups import TERM_BREAKDOWNS, term_codes

MIN_MONTHS = 12
MIN_ADOPTIONS = 20
# m is bounded above so that a series still in its early, exponential phase cannot run off to
# infinity; a fit that ends on this bound says so (`m_at_bound`), since m is then not identified.
MAX_M_FACTOR = 50.0
P_BOUNDS = (1e-6, 1.0)
Q_BOUNDS = (0.0, 3.0)


def cumulative(t, p: float, q: float, m: float):
    """Bass' cumulative adopters N(t) (t in months; works on numbers and numpy arrays)."""
    t = np.asarray(t, dtype=float)
    decay = np.exp(-(p + q) * t)
    return m * (1.0 - decay) / (1.0 + (q / p) * decay)


def _regression_start(counts: np.ndarray, total: float) -> tuple[float, float, float] | None:
    """Bass' 1969 estimate from n(t) = a + b N(t-1) + c N(t-1)^2, if it gives sensible values."""
    before = np.concatenate([[0.0], np.cumsum(counts)[:-1]])
    design = np.column_stack([np.ones_like(before), before, before**2])
    try:
        (a, b, c), *_ = np.linalg.lstsq(design, counts, rcond=None)
    except np.linalg.LinAlgError:
        return None
    if c >= 0 or a <= 0:
        return None
    discriminant = b * b - 4 * a * c
    if discriminant < 0:
        return None
    m = (-b - np.sqrt(discriminant)) / (2 * c)
    if not np.isfinite(m) or m < total:
        return None
    p = a / m
    q = -m * c
    if not (P_BOUNDS[0] < p < P_BOUNDS[1] and Q_BOUNDS[0] <= q < Q_BOUNDS[1]):
        return None
    return float(p), float(q), float(m)


def _significant(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}")


def _too_few(months: int, adoptions: int) -> dict:
    return {
        "status": "too-few-data",
        "months": months,
        "adoptions": adoptions,
        "min_months": MIN_MONTHS,
        "min_adoptions": MIN_ADOPTIONS,
    }


def fit(
    monthly_counts: Sequence[int],
    *,
    min_months: int = MIN_MONTHS,
    min_adoptions: int = MIN_ADOPTIONS,
) -> dict:
    """Fit the Bass model to adoptions per month (first month first, no gaps: zeros included).

    Returns a JSON-serialisable dict. Always: `status` ("ok", "too-few-data" or "no-fit"),
    `months`, `adoptions`, `min_months`, `min_adoptions`. With status "ok" also `p`, `q`, `m`,
    `r_squared`, `rmse` (on cumulative counts), `r_squared_monthly`, `m_at_bound`,
    `peak_month` (when the model's adoptions per month are highest, t* = ln(q/p)/(p+q), or None
    when q <= p and adoptions only fall), `observed` and `fitted` (cumulative, one per month).
    """
    counts = np.asarray(list(monthly_counts), dtype=float)
    months = int(counts.size)
    total = float(counts.sum())
    if months < min_months or total < min_adoptions:
        result = _too_few(months, int(total))
        result.update(min_months=min_months, min_adoptions=min_adoptions)
        return result

    t = np.arange(1, months + 1, dtype=float)
    observed = np.cumsum(counts)
    # Fit m as a multiple of the observed total so the three parameters have similar scales.
    lower = [P_BOUNDS[0], Q_BOUNDS[0], 1.0]
    upper = [P_BOUNDS[1], Q_BOUNDS[1], MAX_M_FACTOR]

    def residuals(x):
        p, q, scale = x
        return cumulative(t, p, q, scale * total) - observed

    starts = [(0.01, 0.3, 1.5), (0.03, 0.4, 1.1), (0.005, 0.8, 3.0)]
    regression = _regression_start(counts, total)
    if regression is not None:
        p0, q0, m0 = regression
        starts.insert(0, (p0, q0, min(max(m0 / total, 1.0), MAX_M_FACTOR)))
    best = None
    for start in starts:
        x0 = np.clip(start, lower, upper)
        try:
            solution = least_squares(
                residuals, x0, bounds=(lower, upper), method="trf", x_scale="jac", max_nfev=2000
            )
        except (ValueError, FloatingPointError):
            continue
        if not np.all(np.isfinite(solution.x)):
            continue
        if best is None or solution.cost < best.cost:
            best = solution
    if best is None:
        return {
            "status": "no-fit",
            "months": months,
            "adoptions": int(total),
            "min_months": min_months,
            "min_adoptions": min_adoptions,
        }

    p, q, scale = (float(v) for v in best.x)
    m = scale * total
    fitted = cumulative(t, p, q, m)
    residual = observed - fitted
    ss_res = float(np.sum(residual**2))
    ss_tot = float(np.sum((observed - observed.mean()) ** 2))
    monthly_fitted = np.diff(np.concatenate([[0.0], fitted]))
    ss_res_monthly = float(np.sum((counts - monthly_fitted) ** 2))
    ss_tot_monthly = float(np.sum((counts - counts.mean()) ** 2))
    peak = float(np.log(q / p) / (p + q)) if q > p else None
    return {
        "status": "ok",
        "months": months,
        "adoptions": int(total),
        "min_months": min_months,
        "min_adoptions": min_adoptions,
        "p": _significant(p),
        "q": _significant(q),
        "m": round(m, 1),
        "r_squared": round(1.0 - ss_res / ss_tot, 4) if ss_tot > 0 else None,
        "rmse": round(float(np.sqrt(ss_res / months)), 3),
        "r_squared_monthly": (
            round(1.0 - ss_res_monthly / ss_tot_monthly, 4) if ss_tot_monthly > 0 else None
        ),
        "m_at_bound": bool(scale >= MAX_M_FACTOR * 0.999),
        "peak_month": round(peak, 1) if peak is not None else None,
        "observed": [int(v) for v in observed],
        "fitted": [round(float(v), 2) for v in fitted],
    }


# ------------------------------------------------------------------------------------------
# Bass fits for groups of cases
# ------------------------------------------------------------------------------------------


def _bass_series(counts_by_month: dict[str, int], last: str) -> list[int]:
    """Adoptions per month from the group's first adoption month to `last`, zeros included."""
    months_with_data = {m for m, n in counts_by_month.items() if n and m <= last}
    if not months_with_data:
        return []
    first = min(months_with_data)
    if months.months_between(first, last) > months.MAX_FILLED_MONTHS:
        first = months.month_range_start(last, months.MAX_FILLED_MONTHS)
    return [counts_by_month.get(month, 0) for month in months.month_range(first, last)]


def fits_by_group(rows: list[dict], monthly: dict) -> dict:
    """Bass fits for all the filtered cases and for each sector and innovation type.

    Every series runs from the group's first adoption month up to and including the current
    month (the end of observation), so that quiet months at the end count as the zeros they
    are; planned adoptions dated later are left out. The series of all the cases comes from
    `monthly`, those of the groups from the "bass" rows.
    """
    last = months.current_month()
    overall_counts = {row["month"]: row["adoptions"] for row in monthly["months"]}

    def fitted(counts: dict[str, int]) -> dict:
        values = _bass_series(counts, last)
        result = fit(values)
        result["start"] = months.month_range_start(last, len(values)) if values else None
        return result

    by_code: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for row in rows:
        by_code[row["vocabulary"], row["code"]][row["month"]] = row["count"]
    result: dict[str, Any] = {"all": fitted(overall_counts)}
    for name, vocabulary in TERM_BREAKDOWNS.items():
        result[name] = [
            {"code": code, **fitted(by_code.get((vocabulary, code), {}))}
            for code in term_codes(name)
        ]
    result["min_months"] = MIN_MONTHS
    result["min_adoptions"] = MIN_ADOPTIONS
    return result
