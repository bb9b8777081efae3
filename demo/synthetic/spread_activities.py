"""Spread activities for about four in ten of the organisations that own cases."""

from __future__ import annotations

import random

from cases.models import SpreadActivity
from cases.vocabularies import Channel, EmployeeBand, SpreadKind

from .bulk import Rows
from .cases import CaseFacts
from .common import Report, day_after_start, working_moment

SPREAD_KINDS = [
    (SpreadKind.NETWORK_MEETING, Channel.NETWORK, 0.40),
    (SpreadKind.CONFERENCE, Channel.CONFERENCE, 0.30),
    (SpreadKind.VISIT, Channel.DIRECT, 0.15),
    (SpreadKind.ARTICLE, Channel.MEDIA, 0.10),
    (SpreadKind.OTHER, Channel.OTHER, 0.05),
]
# Of the organisations owning cases, about four in ten spread actively (more the larger they are).
SPREAD_SHARE = {
    EmployeeBand.B1_19: 0.31,
    EmployeeBand.B20_49: 0.39,
    EmployeeBand.B50_99: 0.49,
    EmployeeBand.B100: 0.59,
    "municipality": 0.55,
    "county": 0.65,
}

AUDIENCES = ["nettverket", "ledergruppen", "fagmiljøet", "nabokommunene", "KS"]


def write_spread_activities(rnd: random.Random, facts: CaseFacts, report: Report) -> None:
    """Spread activities for about four in ten of the organisations that own cases."""
    cases_of: dict[int, list[int]] = {}
    for index, owner in enumerate(facts.owners):
        cases_of.setdefault(owner.pk, []).append(index)
    owners = {owner.pk: owner for owner in facts.owners}
    out = Rows(SpreadActivity)
    for pk in sorted(cases_of):
        owner = owners[pk]
        key = owner.employee_band or owner.kind
        if rnd.random() >= SPREAD_SHARE.get(key, 0.4):
            continue
        for _ in range(rnd.choice([1, 1, 1, 2, 2, 3, 4])):
            index = rnd.choice(cases_of[pk])
            kind, channel, _weight = rnd.choices(
                SPREAD_KINDS, weights=[w for *_kc, w in SPREAD_KINDS], k=1
            )[0]
            day = day_after_start(facts.offsets[index] + rnd.randint(10, 700))
            audience = rnd.choice(AUDIENCES)
            out.add(
                organisation_id=pk,
                case_id=facts.ids[index],
                kind=kind,
                channel=channel,
                occurred_on=day,
                description=f"Presentasjon av saken for {audience}.",
                created_at=working_moment(day, rnd),
            )
    out.flush()
    report.spread_activities = out.count
