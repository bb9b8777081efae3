"""Reuse records: a long tail of adoptions, dated along S-shaped (Bass) diffusion curves."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import numpy as np

from cases.models import Adoption
from cases.vocabularies import AdoptionMode, AdoptionStatus, Channel, Origin

from .bulk import Rows
from .cases import BAND_ACTIVITY, COPIED_SHARE_OF_REUSE, SIZE_ACTIVITY, CaseFacts
from .common import (
    END,
    SPAN_DAYS,
    WT,
    Org,
    Report,
    SyntheticError,
    day_after_start,
    weighted,
    working_moment,
)

# Share of adoptions by an organisation in the owner's own county.
LOCAL_SHARE = 0.35
# No case is adopted by more than this share of the organisations that could adopt it.
MAX_REACH = 0.85

# Channels: networks first (the barometer); close by, networks and direct contact weigh more.
CHANNELS = list(Channel.values)
CHANNEL_WEIGHTS_FAR: dict[str, float] = {
    Channel.NETWORK: 0.25,
    Channel.CONFERENCE: 0.22,
    Channel.PLATFORM: 0.18,
    Channel.DIRECT: 0.12,
    Channel.SUPPLIER: 0.10,
    Channel.RESEARCH: 0.04,
    Channel.MEDIA: 0.06,
    Channel.OTHER: 0.03,
}
CHANNEL_WEIGHTS_NEAR: dict[str, float] = {
    Channel.NETWORK: 0.42,
    Channel.CONFERENCE: 0.10,
    Channel.PLATFORM: 0.08,
    Channel.DIRECT: 0.28,
    Channel.SUPPLIER: 0.05,
    Channel.RESEARCH: 0.02,
    Channel.MEDIA: 0.03,
    Channel.OTHER: 0.02,
}

ADOPTION_NOTES = [
    "Vi tok i bruk løsningen nesten uendret.",
    "Vi tilpasset rutinene til en mindre tjeneste.",
    "Vi brukte en annen leverandør, men samme arbeidsform.",
    "Opplæringsmateriellet ble oversatt og tilpasset.",
    "Vi startet med én avdeling og har utvidet etter hvert.",
]


def _bass_offsets(np_rng: np.random.Generator, available_years: np.ndarray) -> np.ndarray:
    """Years after publication: draws from a Bass adoption-time distribution, truncated to what
    is available, so that every case's cumulative adoptions rise along an S-curve."""
    size = len(available_years)
    p = np_rng.uniform(0.02, 0.08, size=size)
    q = np_rng.uniform(0.6, 1.6, size=size)
    decay = np.exp(-(p + q) * available_years)
    reachable = (1 - decay) / (1 + (q / p) * decay)
    u = np_rng.uniform(0, 1, size=size) * reachable
    return -np.log((1 - u) / (1 + u * q / p)) / (p + q)


def _draw_adopters(
    np_rng: np.random.Generator,
    *,
    counts: np.ndarray,
    owner_county: np.ndarray,
    owner_position: np.ndarray,
    case_type: np.ndarray,
    width: int,
    taken: np.ndarray,
    pool: Callable[[int, int], tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(case, adopter position, local?) of each regular adoption: vectorised draws per pool,
    duplicates and own cases drawn again. `taken` holds case * width + adopter pairs already
    recorded (by derived cases)."""
    n = len(counts)
    slot_case = np.repeat(np.arange(n), counts)
    local = (np_rng.random(len(slot_case)) < LOCAL_SHARE) & (owner_county[slot_case] > 0)
    slot_county = np.where(local, owner_county[slot_case], 0)
    chosen_case: list[np.ndarray] = []
    chosen_org: list[np.ndarray] = []
    chosen_local: list[np.ndarray] = []
    pending = np.arange(len(slot_case))
    for attempt in range(40):
        if len(pending) == 0:
            break
        if attempt >= 3:
            slot_county[pending] = 0  # no room close by: look further away
        draw = np.empty(len(pending), dtype=np.int64)
        keys = case_type[slot_case[pending]] * 1000 + slot_county[pending]
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        bounds = np.flatnonzero(np.diff(sorted_keys)) + 1
        for group in np.split(order, bounds):
            if len(group) == 0:
                continue
            key = int(keys[group[0]])
            members, cumulative = pool(key // 1000, key % 1000)
            u = np_rng.random(len(group)) * cumulative[-1]
            draw[group] = members[np.minimum(np.searchsorted(cumulative, u), len(members) - 1)]
        cases = slot_case[pending]
        codes = cases * width + draw
        ok = draw != owner_position[cases]
        ok &= ~np.isin(codes, taken, assume_unique=False)
        # Within this round, the first draw of a pair wins.
        _unique, first = np.unique(codes, return_index=True)
        firsts = np.zeros(len(codes), dtype=bool)
        firsts[first] = True
        ok &= firsts
        chosen_case.append(cases[ok])
        chosen_org.append(draw[ok])
        chosen_local.append(slot_county[pending][ok] > 0)
        taken = np.union1d(taken, codes[ok])
        pending = pending[~ok]
    if len(pending):
        # Cases close to their cap: fill exactly from what is left.
        for case in np.unique(slot_case[pending]):
            need = int((slot_case[pending] == case).sum())
            members, _cumulative = pool(int(case_type[case]), 0)
            used = set((taken[(taken // width) == case] % width).tolist())
            free = np.array(
                [k for k in members.tolist() if k not in used and k != owner_position[case]]
            )
            pick = np_rng.choice(free, size=min(need, len(free)), replace=False)
            chosen_case.append(np.full(len(pick), case))
            chosen_org.append(pick)
            chosen_local.append(np.zeros(len(pick), dtype=bool))
            taken = np.union1d(taken, case * width + pick)
    return (
        np.concatenate(chosen_case) if chosen_case else np.zeros(0, dtype=np.int64),
        np.concatenate(chosen_org) if chosen_org else np.zeros(0, dtype=np.int64),
        np.concatenate(chosen_local) if chosen_local else np.zeros(0, dtype=bool),
    )


def write_adoptions(
    rnd: random.Random,
    np_rng: np.random.Generator,
    *,
    m: int,
    facts: CaseFacts,
    orgs: dict,
    report: Report,
) -> None:
    n = len(facts.ids)
    # Who can adopt: units, municipalities and counties. Bigger and medium-sized ones more.
    adopters: list[Org] = orgs["units"] + orgs["municipalities"] + orgs["counties"]
    adopter_pk = np.array([o.pk for o in adopters], dtype=np.int64)
    position_of = {o.pk: k for k, o in enumerate(adopters)}
    adopter_weight = np.array(
        [
            BAND_ACTIVITY.get(o.employee_band, 1.5) * SIZE_ACTIVITY.get(o.size_class, 1.0)
            for o in adopters
        ]
    )
    county_ids = sorted({o.county_id for o in adopters if o.county_id is not None})
    county_code: dict[int | None, int] = {pk: k + 1 for k, pk in enumerate(county_ids)}
    adopter_county = np.array([county_code.get(o.county_id, 0) for o in adopters])
    workplace_types = list(WT.values)
    type_code = {wt: k for k, wt in enumerate(workplace_types)}
    adopter_type = np.array(
        [type_code[o.workplace_type] if o.workplace_type else -1 for o in adopters]
    )
    # A pool per (workplace type, county or 0 for the whole country): workplaces of the same
    # kind plus every municipality and county (they adopt on behalf of their services).
    pools: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    def pool(type_index: int, county: int) -> tuple[np.ndarray, np.ndarray]:
        key = (type_index, county)
        if key not in pools:
            mask = (adopter_type == type_index) | (adopter_type == -1)
            if county:
                mask &= adopter_county == county
            members = np.flatnonzero(mask)
            pools[key] = (members, np.cumsum(adopter_weight[members]))
        return pools[key]

    case_type = np.array([type_code[wt] for wt in facts.workplace_types])
    owner_position = np.array([position_of.get(o.pk, -1) for o in facts.owners])
    owner_county = np.array([county_code.get(o.county_id, 0) for o in facts.owners])

    # Adoptions that published derived cases record: fixed first.
    derived_case = np.array([d[0] for d in facts.derived], dtype=np.int64)
    derived_org = np.array([owner_position[d[1]] for d in facts.derived], dtype=np.int64)
    derived_count = np.bincount(derived_case, minlength=n) if len(derived_case) else np.zeros(n)

    capacity = np.array([int(len(pool(t, 0)[0]) * MAX_REACH) for t in range(len(workplace_types))])[
        case_type
    ] - derived_count.astype(np.int64)
    capacity = np.maximum(capacity, 0)
    regular = m - len(facts.derived)
    if regular > capacity.sum():
        raise SyntheticError(
            f"{m} adoptions do not fit {n} cases (at most about {int(capacity.sum())}): "
            "ask for fewer adoptions or more cases."
        )
    # The long tail: adoptions shared out in proportion to popularity, capped per case.
    weights = np.array(facts.weights)
    counts = np.zeros(n, dtype=np.int64)
    remaining = regular
    while remaining > 0:
        open_ = counts < capacity
        share = np.where(open_, weights, 0.0)
        extra = np_rng.multinomial(remaining, share / share.sum())
        counts = np.minimum(counts + extra, capacity)
        remaining = regular - int(counts.sum())

    regular_case, regular_org, regular_local = _draw_adopters(
        np_rng,
        counts=counts,
        owner_county=owner_county,
        owner_position=owner_position,
        case_type=case_type,
        width=len(adopters) + 1,
        taken=np.sort(derived_case * (len(adopters) + 1) + derived_org),
        pool=pool,
    )
    size = len(regular_case)

    # Dates: publication plus a Bass-distributed delay, before END.
    published_offset = np.array(facts.offsets)
    available = (SPAN_DAYS - published_offset[regular_case]) / 365.25
    delay_days = _bass_offsets(np_rng, np.maximum(available, 1 / 365.25)) * 365.25
    adopted_offset = np.minimum(published_offset[regular_case] + 1 + delay_days, SPAN_DAYS)
    near = np.array([CHANNEL_WEIGHTS_NEAR[c] for c in CHANNELS])
    far = np.array([CHANNEL_WEIGHTS_FAR[c] for c in CHANNELS])
    channel = np.where(
        regular_local,
        np.searchsorted(np.cumsum(near), np_rng.random(size) * near.sum()),
        np.searchsorted(np.cumsum(far), np_rng.random(size) * far.sum()),
    )
    channel = np.minimum(channel, len(CHANNELS) - 1)
    copied = np_rng.random(size) < COPIED_SHARE_OF_REUSE
    status_draw = np_rng.random(size)
    confirmed = np_rng.random(size) < 0.55
    record_delay = np_rng.integers(0, 45, size=size)
    note_draw = np_rng.random(size)

    rows = []  # (created offset, case index, adopter position, fields)
    for k in range(size):
        case = int(regular_case[k])
        adopted = day_after_start(float(adopted_offset[k]))
        recent = (END - adopted).days < 365
        if status_draw[k] < (0.25 if recent else 0.02):
            status = AdoptionStatus.PLANNED
        elif status_draw[k] > 0.88:
            status = AdoptionStatus.DISCONTINUED
        else:
            status = AdoptionStatus.IN_USE
        rows.append(
            (
                min(float(adopted_offset[k]) + int(record_delay[k]), SPAN_DAYS),
                case,
                int(regular_org[k]),
                {
                    "mode": AdoptionMode.COPIED if copied[k] else AdoptionMode.ADAPTED,
                    "channel": CHANNELS[int(channel[k])],
                    "adopted_on": adopted,
                    "status": status,
                    "note": rnd.choice(ADOPTION_NOTES) if note_draw[k] < 0.3 else "",
                    "confirmed": bool(confirmed[k]),
                    "derived": None,
                },
            )
        )
    for source, derived, origin in facts.derived:
        adopted = day_after_start(
            max(facts.offsets[source] + 1, facts.offsets[derived] - rnd.randint(20, 200))
        )
        rows.append(
            (
                facts.offsets[derived],
                source,
                int(owner_position[derived]),
                {
                    "mode": AdoptionMode.COPIED
                    if origin == Origin.COPIED
                    else AdoptionMode.ADAPTED,
                    "channel": weighted(rnd, list(CHANNEL_WEIGHTS_FAR.items())),
                    "adopted_on": adopted,
                    "status": AdoptionStatus.IN_USE,
                    "note": "",
                    "confirmed": True,
                    "derived": facts.ids[derived],
                },
            )
        )
    # Recorded in time order, so ids (and the change feed) follow the calendar.
    rows.sort(key=lambda row: (row[0], row[1], row[2]))
    out = Rows(Adoption)
    for created_offset, case, position, values in rows:
        created = working_moment(day_after_start(created_offset), rnd)
        created = max(created, facts.published[case] + dt.timedelta(hours=1))
        out.add(
            case_id=facts.ids[case],
            organisation_id=int(adopter_pk[position]),
            source_organisation_id=facts.owners[case].pk,
            mode=values["mode"],
            channel=values["channel"],
            adopted_on=values["adopted_on"],
            status=values["status"],
            note=values["note"],
            derived_case_id=values["derived"],
            confirmed=values["confirmed"],
            confirmed_at=created + dt.timedelta(days=3) if values["confirmed"] else None,
            created_at=created,
            updated_at=created,
        )
    out.flush()
    report.adoptions = out.count
