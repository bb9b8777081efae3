"""What `make bench` measures: one entry per scenario, shared by run.py and probe.py.

`path` may name values the probe reads from the dataset: {most_reused_slug}, {most_reused_id},
{organisation_id}, and {stats} (the statistics dashboard's address, when the site has one).
`target_ms` is the p95 latency the design asks for (DESIGN.md, "Targets that are not features").
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    target_ms: float | None = None


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

SYNC_NAME = "change feed: full sync"
SYNC_PATH = "/api/v1/changes/?limit=1000"
SYNC_TARGET_SECONDS = 60
