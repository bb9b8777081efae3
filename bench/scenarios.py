"""What `make bench` measures: one entry per scenario, shared by run.py and probe.py.

`path` may name values the probe reads from the dataset: {most_reused_slug}, {most_reused_id},
{organisation_id}, {stats} (the statistics dashboard's address, when the site has one), and
{common_word} / {rare_word} (the first new-query words, for counting queries).
`target_ms` is the p95 latency the design asks for (DESIGN.md, "Targets that are not features").
`goal` is one of issue 17's goals, judged on the figures of the same run (see Goal).

The groups, each with its own floor measured the same way so that every figure has a ratio:
- SCENARIOS: the same address again and again at 2 connections (the caches answer);
- NEW_QUERIES: every request a search nobody made before in the run (bench/words.py);
- ASKED_AGAIN: one client asking the same address again and again;
- AFTER_A_WRITE: an adoption recorded through the API, then one timed request, repeated;
- CONCURRENT: 16 connections, throughput as a share of the floor's.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Goal:
    """A figure's goal: p95 under `limit` ms (`measure` "p95_ms"), or req/s at least `limit`
    times the floor's in the same group (`measure` "rps_share")."""

    measure: str
    limit: float

    def text(self) -> str:
        if self.measure == "rps_share":
            return f">={self.limit * 100:g}% floor"
        return f"p95<{self.limit:g}"

    def met(self, row: dict, floor: dict | None) -> bool | None:
        """Whether the row meets the goal; None when it cannot be told (no figure, no floor).
        A row with errors or repeated addresses does not meet it: its figure is not the one
        the goal is about."""
        if row.get("errors") or row.get("repeats"):
            return False
        if self.measure == "rps_share":
            if not floor or not floor.get("rps") or row.get("rps") is None:
                return None
            return row["rps"] >= self.limit * floor["rps"]
        if row.get("p95_ms") is None:
            return None
        return row["p95_ms"] < self.limit


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    target_ms: float | None = None
    goal: Goal | None = None
    # New-query scenarios: the addresses come from a pool ("page" or "api") of words
    # ("common", "rare" or "mixed"); `path` is then only what the probe counts queries on.
    pool: tuple[str, str] | None = None


# Words the generator (demo/synthetic/) uses often, rarely, inflected and misspelt.
COMMON_WORD = "digital"
RARE_WORD = "reindrift"
INFLECTED_WORD = "sykehjemmene"  # plural definite of "sykehjem"
TYPO_WORD = "velferdsteknolgi"  # "velferdsteknologi" with a letter missing
FACETS = "sector=health-care&innovation_type=service&region=vestlandet"
STATS_FILTERS = "sector=health-care&size_class=medium&region=vestlandet"

SCENARIOS = [
    Scenario("floor", "/_floor/?id={organisation_id}"),
    Scenario("home", "/"),
    Scenario("search: common word", f"/saker/?q={COMMON_WORD}", 100),
    Scenario("search: rare word", f"/saker/?q={RARE_WORD}", 100),
    Scenario("search: inflected form", f"/saker/?q={INFLECTED_WORD}", 100),
    Scenario("search: typo", f"/saker/?q={TYPO_WORD}", 100),
    Scenario("search: three facets", f"/saker/?{FACETS}", 100),
    Scenario("case page, most reused", "/saker/{most_reused_slug}/", 50),
    Scenario("statistics", "{stats}", 200),
    Scenario("statistics, filtered", "{stats}?" + STATS_FILTERS, 200),
    Scenario("API list, filtered", "/api/v1/cases/?sector=education&stage=in-use&county=46", 100),
    Scenario("API detail", "/api/v1/cases/{most_reused_id}/"),
]

FLOOR = "/_floor/?id={organisation_id}"
HOME = "/"
MOST_REUSED_CASE = "/saker/{most_reused_slug}/"
ASKED_AGAIN_WORD = "sykehjem"
API_SEARCH = f"/api/v1/cases/?q={ASKED_AGAIN_WORD}"
PAGE_SEARCH = f"/saker/?q={ASKED_AGAIN_WORD}"
API_LIST = "/api/v1/cases/?sector=health-care&origin=adapted&ordering=-adoption_count"
PAGE_COMMON = "/saker/?q={common_word}"
API_COMMON = "/api/v1/cases/?q={common_word}"

NEW_QUERIES = [
    Scenario("new query: floor", FLOOR),
    Scenario("new query, page: common", PAGE_COMMON, goal=Goal("p95_ms", 200), pool=("page", "common")),
    Scenario("new query, page: rare", "/saker/?q={rare_word}", goal=Goal("p95_ms", 200), pool=("page", "rare")),
    Scenario("new query, API: common", API_COMMON, goal=Goal("p95_ms", 200), pool=("api", "common")),
    Scenario("new query, API: rare", "/api/v1/cases/?q={rare_word}", goal=Goal("p95_ms", 200), pool=("api", "rare")),
]  # fmt: skip

ASKED_AGAIN = [
    Scenario("asked again: floor", FLOOR),
    Scenario("asked again: API search", API_SEARCH, goal=Goal("p95_ms", 100)),
    Scenario("asked again: API list", API_LIST, goal=Goal("p95_ms", 100)),
]

# {written_slug}: the case the write just before went to.
AFTER_A_WRITE = [
    Scenario("after a write: floor", FLOOR),
    Scenario("after a write: home", HOME, goal=Goal("p95_ms", 100)),
    Scenario("after a write: written case", "/saker/{written_slug}/", goal=Goal("p95_ms", 100)),
    Scenario("after a write: most reused", MOST_REUSED_CASE, goal=Goal("p95_ms", 100)),
    Scenario("after a write: search page", "/saker/", goal=Goal("p95_ms", 200)),
    Scenario("after a write: statistics", "{stats}", goal=Goal("p95_ms", 300)),
    Scenario("after a write: API list", API_LIST, goal=Goal("p95_ms", 100)),
]
WRITE_PATH = "/api/v1/cases/{case_id}/adoptions/"

CONCURRENCY = 16
# The goals of this group are about the addresses asked again by many at once (issue 17
# measured them so: "even when cached"); the new-query rows say what the same connections get
# when every search is one nobody made before, and have no goal of their own.
CONCURRENT = [
    Scenario("16 conn.: floor", FLOOR),
    Scenario("16 conn.: home", HOME, goal=Goal("rps_share", 0.5)),
    Scenario("16 conn.: most reused case", MOST_REUSED_CASE, goal=Goal("rps_share", 0.4)),
    Scenario("16 conn.: search page", PAGE_SEARCH, goal=Goal("rps_share", 0.25)),
    Scenario("16 conn.: API search", API_SEARCH, goal=Goal("rps_share", 0.15)),
    Scenario("16 conn.: search page, new queries", PAGE_COMMON, pool=("page", "mixed")),
    Scenario("16 conn.: API search, new queries", API_COMMON, pool=("api", "mixed")),
]  # fmt: skip

# Memory: the largest resident set of a gunicorn worker after the run.
MEMORY_GOAL_MB = 300

GROUPS = {
    "repeated": SCENARIOS,
    "new query": NEW_QUERIES,
    "asked again": ASKED_AGAIN,
    "after a write": AFTER_A_WRITE,
    "16 connections": CONCURRENT,
}
# What the probe counts queries on: each address once (the after-a-write rows other than the
# written case's page ask for addresses counted already or for the same pages).
PROBED = [
    scenario
    for group in GROUPS.values()
    for scenario in group
    if "{written_slug}" not in scenario.path
]

SYNC_NAME = "change feed: full sync"
SYNC_PATH = "/api/v1/changes/?limit=1000"
SYNC_TARGET_SECONDS = 60
