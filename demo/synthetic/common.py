"""What every phase of the generator shares: the span of dates, the report, small helpers."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from cases.vocabularies import WorkplaceType

TIME_ZONE = ZoneInfo("Europe/Oslo")
START = dt.date(2016, 1, 1)
END = dt.date(2025, 12, 31)
SPAN_DAYS = (END - START).days
BATCH = 5000


@dataclass
class Report:
    """What `generate` wrote, and how long each phase took (seconds)."""

    counties: int = 0
    municipalities: int = 0
    units: int = 0
    other_organisations: int = 0
    cases: int = 0
    terms: int = 0
    partners: int = 0
    adoptions: int = 0
    spread_activities: int = 0
    events: int = 0
    changes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


class SyntheticError(Exception):
    """The request cannot be fulfilled (the database is not empty, too many adoptions ...)."""


WT = WorkplaceType


def weighted(rnd: random.Random, pairs):
    """One value of [(value, weight), ...]."""
    values = [value for value, _weight in pairs]
    weights = [weight for _value, weight in pairs]
    return rnd.choices(values, weights=weights, k=1)[0]


def working_moment(day: dt.date, rnd: random.Random) -> dt.datetime:
    """A time during a working day on `day`, Norwegian time."""
    minutes = rnd.randrange(8 * 60, 16 * 60)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=TIME_ZONE)


def day_after_start(offset_days: float) -> dt.date:
    return START + dt.timedelta(days=int(min(max(offset_days, 0), SPAN_DAYS)))


def unused_slug(base: str, taken: set[str], counters: dict[str, int]) -> str:
    base = base or "organisasjon"
    slug, n = base, counters.get(base, 1)
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    counters[base] = n
    taken.add(slug)
    return slug


@dataclass
class Org:
    """What the generator needs to know about an organisation, kept outside the ORM."""

    pk: int
    name: str
    kind: str
    slug: str
    county_id: int | None
    municipality_name: str = ""
    county_name: str = ""
    workplace_type: str = ""
    employee_band: str = ""
    size_class: str = ""
    centrality_class: int | None = None
