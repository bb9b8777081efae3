"""The figures of a run: percentiles, ratios to the floor, goals met, the tables (pure).

Every row belongs to a group (bench/scenarios.py, GROUPS) measured one way, and each group has
its floor measured the same way in the same run: a row's p95 is divided by its group's floor
p95, its req/s by the floor's req/s. A slow or busy machine then shows as a slow floor, and the
ratios still say what the site adds to it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from scenarios import GROUPS, Goal


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (nearest rank) of the values; None for none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def is_floor(row: dict) -> bool:
    return row["name"].endswith("floor")


def add_ratios(rows: list[dict]) -> None:
    """Each row's p95 and req/s over its group's floor (`p95_over_floor`, `rps_over_floor`),
    and whether its goal is met (`goal`, `met`)."""
    floors = {row["group"]: row for row in rows if is_floor(row) and not row.get("skipped")}
    goals = {s.name: s.goal for scenarios in GROUPS.values() for s in scenarios}
    for row in rows:
        floor = floors.get(row["group"])
        if floor and not row.get("skipped"):
            row["p95_over_floor"] = ratio(row.get("p95_ms"), floor.get("p95_ms"))
            row["rps_over_floor"] = ratio(row.get("rps"), floor.get("rps"))
        goal: Goal | None = goals.get(row["name"])
        if goal is not None:
            row["goal"] = goal.text()
            row["met"] = None if row.get("skipped") else goal.met(row, floor)


def ratio(value: float | None, floor: float | None) -> float | None:
    if value is None or not floor:
        return None
    return round(value / floor, 2)


def fmt(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def verdict(met: bool | None) -> str:
    return {True: "yes", False: "NO", None: ""}[met]


COLUMNS = (
    "scenario",
    "req/s",
    "p50 ms",
    "p95 ms",
    "p95/floor",
    "req/s / floor",
    "CPU ms/req",
    "queries s/f",
)


def cells(row: dict) -> list[str]:
    if row.get("skipped"):
        return [row["name"], f"skipped: {row['skipped']}", *[""] * (len(COLUMNS) - 2)]
    return [
        row["name"],
        fmt(row.get("rps"), 0),
        fmt(row.get("p50_ms")),
        fmt(row.get("p95_ms")),
        fmt(row.get("p95_over_floor"), 2),
        fmt(row.get("rps_over_floor"), 2),
        fmt(row.get("cpu_ms_per_request")),
        f"{fmt(row.get('queries_small'))}/{fmt(row.get('queries_full'))}",
    ]


def goal_cells(row: dict) -> list[str]:
    return [row.get("goal", ""), verdict(row.get("met"))]


def text_table(rows: Iterable[dict]) -> str:
    """The table run.py prints: one line per row, with its goal and whether it is met."""
    widths = (30, 7, 8, 8, 9, 13, 10, 11, 16, 4)
    header = [*COLUMNS, "goal", "met"]
    lines = [
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    ]
    lines.append("-" * len(lines[0]))
    group = None
    for row in rows:
        if row["group"] != group:
            group = row["group"]
            lines.append(f"[{group}]")
        values = [*cells(row), *goal_cells(row)]
        lines.append(
            "  ".join(
                v.ljust(w) if i == 0 else v.rjust(w)
                for i, (v, w) in enumerate(zip(values, widths, strict=True))
            )
        )
    return "\n".join(lines)


def markdown_table(rows: Iterable[dict]) -> str:
    """The same rows as a Markdown table, for the README."""
    header = [*COLUMNS, "goal", "met?"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        values = [*cells(row), *goal_cells(row)]
        lines.append("| " + " | ".join(values) + " |")
    return "\n".join(lines)


def memory_row(rss_mb: float | None, limit_mb: float) -> dict:
    """The per-worker memory figure with its goal."""
    return {
        "worker_rss_max_mb": rss_mb,
        "goal": f"<{limit_mb:g} MB",
        "met": None if rss_mb is None else rss_mb < limit_mb,
    }


def queries_constant(rows: Iterable[dict]) -> bool | None:
    """Whether every row has the same number of queries on the small and the full dataset."""
    pairs = [
        (row["queries_small"], row["queries_full"])
        for row in rows
        if row.get("queries_small") is not None and row.get("queries_full") is not None
    ]
    if not pairs:
        return None
    return all(small == full for small, full in pairs)
