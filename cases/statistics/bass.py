"""The Bass diffusion model, fitted to monthly adoption counts.

Bass (1969): of the market potential `m`, adopters come from outside influence (the innovation
coefficient `p`: mass media, suppliers, conferences) and from imitation of earlier adopters (the
imitation coefficient `q`: networks, word of mouth). The cumulative number of adopters is

    N(t) = m * (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})

p and q are rates per unit of t; the fit states them per year (`p_per_year`, `q_per_year`),
and per month as well (`p`, `q`: a twelfth of the yearly ones, the unit of the series).

We fit the adoptions of each month, n(k) = N(k/12) - N((k-1)/12) with t in years, by
non-linear least squares (Srinivasan & Mason 1986; scipy.optimize.least_squares, bounded:
p > 0, q >= 0, m at least the adoptions already observed). Monthly counts, unlike cumulative
ones, have errors that do not carry over from month to month, so the usual covariance of a
least-squares fit, s² (JᵀJ)⁻¹ from the Jacobian J at the solution, gives honest 95 % intervals
(estimate ± 1.96 standard errors). The starting point comes from Bass' own discrete
regression, n(t) = a + b N(t-1) + c N(t-1)^2, with a few fixed guesses beside it, and the best
of those fits wins. Quality is reported as R² and RMSE on the cumulative counts and R² on the
monthly counts.

A good R² does not make the parameters meaningful: a series still far from saturation fits
many curves equally well. A fit is *identifiable* only when m is not at its upper bound and
each of p, q and m is larger than the width of its 95 % interval; otherwise it says so (`identifiable: false`) and its parameters should not be read.

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
# Per year (the fit's unit): up to 12 and 36 a year, 1 and 3 a month.
P_BOUNDS = (1e-5, 12.0)
Q_BOUNDS = (0.0, 36.0)
# The normal quantile of a two-sided 95 % interval.
Z_95 = 1.959964


def cumulative(t, p: float, q: float, m: float):
    """Bass' cumulative adopters N(t), with p and q per unit of t (works on numbers and numpy
    arrays)."""
    t = np.asarray(t, dtype=float)
    decay = np.exp(-(p + q) * t)
    return m * (1.0 - decay) / (1.0 + (q / p) * decay)


def _regression_start(counts: np.ndarray, total: float) -> tuple[float, float, float] | None:
    """Bass' 1969 estimate from n(t) = a + b N(t-1) + c N(t-1)^2, if it gives sensible values
    (p and q per month, as the series)."""
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
    if not (P_BOUNDS[0] < 12 * p < P_BOUNDS[1] and Q_BOUNDS[0] <= 12 * q < Q_BOUNDS[1]):
        return None
    return float(p), float(q), float(m)


def _significant(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}")


def _interval(low: float, high: float) -> list[float]:
    return [_significant(low), _significant(high)]


def _too_few(months: int, adoptions: int) -> dict:
    return {
        "status": "too-few-data",
        "months": months,
        "adoptions": adoptions,
        "min_months": MIN_MONTHS,
        "min_adoptions": MIN_ADOPTIONS,
        "identifiable": False,
    }


def _standard_errors(solution, months: int) -> np.ndarray | None:
    """Standard errors of (p, q, m / total) from the Jacobian at the solution, s² (JᵀJ)⁻¹ with
    s² the residual variance; None when JᵀJ is singular (a parameter the data do not move)."""
    jacobian = np.asarray(solution.jac, dtype=float)
    residuals = np.asarray(solution.fun, dtype=float)
    variance = float(residuals @ residuals) / max(months - 3, 1)
    try:
        covariance = variance * np.linalg.inv(jacobian.T @ jacobian)
    except np.linalg.LinAlgError:
        return None
    diagonal = np.diag(covariance)
    if not np.all(np.isfinite(diagonal)) or np.any(diagonal < 0):
        return None
    return np.sqrt(diagonal)


def fit(
    monthly_counts: Sequence[int],
    *,
    min_months: int = MIN_MONTHS,
    min_adoptions: int = MIN_ADOPTIONS,
) -> dict:
    """Fit the Bass model to adoptions per month (first month first, no gaps: zeros included).

    Returns a JSON-serialisable dict. Always: `status` ("ok", "too-few-data" or "no-fit"),
    `months`, `adoptions`, `min_months`, `min_adoptions`, `identifiable`. With status "ok" also
    `p_per_year`, `q_per_year` with their 95 % intervals `p_interval`, `q_interval` (per year,
    [low, high]), `m` with `m_interval`, `p` and `q` per month, `r_squared`, `rmse` (on
    cumulative counts), `r_squared_monthly`, `m_at_bound`, `peak_month` (when the model's
    adoptions per month are highest, t* = ln(q/p)/(p+q) in months, or None when q <= p and
    adoptions only fall), `observed` and `fitted` (cumulative, one per month). An interval is
    None when the data cannot give one (the fit is then not identifiable).
    """
    counts = np.asarray(list(monthly_counts), dtype=float)
    months = int(counts.size)
    total = float(counts.sum())
    if months < min_months or total < min_adoptions:
        result = _too_few(months, int(total))
        result.update(min_months=min_months, min_adoptions=min_adoptions)
        return result

    # t in years at the end of each month, 0 at the start of the series.
    edges = np.arange(0, months + 1, dtype=float) / 12.0
    observed = np.cumsum(counts)
    # Fit m as a multiple of the observed total so the three parameters have similar scales.
    lower = [P_BOUNDS[0], Q_BOUNDS[0], 1.0]
    upper = [P_BOUNDS[1], Q_BOUNDS[1], MAX_M_FACTOR]

    def residuals(x):
        p, q, scale = x
        return np.diff(cumulative(edges, p, q, scale * total)) - counts

    # Per year: slow and fast diffusion, mostly by outside influence or mostly by imitation.
    starts = [
        (0.12, 3.6, 1.5),
        (0.36, 4.8, 1.1),
        (0.06, 9.6, 3.0),
        (0.05, 0.1, 3.0),
        (0.3, 0.5, 1.5),
    ]
    regression = _regression_start(counts, total)
    if regression is not None:
        p0, q0, m0 = regression
        starts.insert(0, (12 * p0, 12 * q0, min(max(m0 / total, 1.0), MAX_M_FACTOR)))
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
            "identifiable": False,
        }

    p, q, scale = (float(v) for v in best.x)
    m = scale * total
    fitted = cumulative(edges[1:], p, q, m)
    residual = observed - fitted
    ss_res = float(np.sum(residual**2))
    ss_tot = float(np.sum((observed - observed.mean()) ** 2))
    monthly_fitted = np.diff(np.concatenate([[0.0], fitted]))
    ss_res_monthly = float(np.sum((counts - monthly_fitted) ** 2))
    ss_tot_monthly = float(np.sum((counts - counts.mean()) ** 2))
    peak = float(12 * np.log(q / p) / (p + q)) if q > p else None
    m_at_bound = bool(scale >= MAX_M_FACTOR * 0.999)

    errors = _standard_errors(best, months)
    if errors is None:
        p_interval = q_interval = m_interval = None
        identifiable = False
    else:
        margins = Z_95 * errors * np.array([1.0, 1.0, total])
        estimates = np.array([p, q, m])
        # The parameters cannot be negative and m is at least the adoptions observed.
        p_interval = _interval(max(p - margins[0], 0.0), p + margins[0])
        q_interval = _interval(max(q - margins[1], 0.0), q + margins[1])
        m_interval = [round(float(max(m - margins[2], total)), 1), round(float(m + margins[2]), 1)]
        # Not identifiable when an interval is as wide as the estimate itself.
        identifiable = bool(not m_at_bound and np.all(2 * margins < estimates))
    return {
        "status": "ok",
        "months": months,
        "adoptions": int(total),
        "min_months": min_months,
        "min_adoptions": min_adoptions,
        "p_per_year": _significant(p),
        "q_per_year": _significant(q),
        "p_interval": p_interval,
        "q_interval": q_interval,
        "m": round(m, 1),
        "m_interval": m_interval,
        "identifiable": identifiable,
        "p": _significant(p / 12),
        "q": _significant(q / 12),
        "r_squared": round(1.0 - ss_res / ss_tot, 4) if ss_tot > 0 else None,
        "rmse": round(float(np.sqrt(ss_res / months)), 3),
        "r_squared_monthly": (
            round(1.0 - ss_res_monthly / ss_tot_monthly, 4) if ss_tot_monthly > 0 else None
        ),
        "m_at_bound": m_at_bound,
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
