"""Published cases: owners, origins, platform sources, terms, partners and their history."""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cases import search, search_analysis
from cases.models import Case, CaseEvent, CaseTerm
from cases.text import norwegian_slug
from cases.vocabularies import (
    Benefit,
    CaseStatus,
    EmployeeBand,
    InnovationType,
    OrganisationKind,
    Origin,
    Sector,
    SizeClass,
    Stage,
)

from .bulk import Rows, reserve_ids
from .common import (
    BATCH,
    SPAN_DAYS,
    WT,
    Org,
    Report,
    day_after_start,
    unused_slug,
    weighted,
    working_moment,
)
from .texts import COMMON_TAGS, OUTSIDE_SOURCES, TOPICS, case_text

# The tables are keyed by the choices' values: model fields hold them as plain strings.

# Platform uptake: publications per month follow a logistic ramp (years after START).
UPTAKE_MIDPOINT = 4.0
UPTAKE_SCALE = 1.2
# Share of adapted and copied cases that name a published case of the platform as their source.
PLATFORM_SOURCE_SHARE = 0.25
# Popularity: lognormal spread (sigma); the long tail of reuse comes from here.
POPULARITY_SIGMA = 1.45

# The sectors a workplace's cases belong to (primary sector, weighted).
WORKPLACE_SECTORS: dict[str, list[tuple[str, float]]] = {
    WT.PRIMARY_SCHOOL: [(Sector.EDUCATION, 1.0)],
    WT.UPPER_SECONDARY: [(Sector.EDUCATION, 1.0)],
    WT.KINDERGARTEN: [(Sector.EDUCATION, 1.0)],
    WT.NURSING_HOME: [(Sector.HEALTH_CARE, 1.0)],
    WT.HOME_CARE: [(Sector.HEALTH_CARE, 1.0)],
    WT.HEALTH_CENTRE: [(Sector.HEALTH_CARE, 0.8), (Sector.EDUCATION, 0.2)],
    WT.CHILD_WELFARE: [(Sector.WELFARE, 0.6), (Sector.EDUCATION, 0.4)],
    WT.WELFARE_OFFICE: [(Sector.WELFARE, 1.0)],
    WT.CULTURE: [(Sector.CULTURE, 1.0)],
    WT.TECHNICAL: [(Sector.TECHNICAL, 0.7), (Sector.TRANSPORT, 0.3)],
    WT.ADMINISTRATION: [(Sector.ADMINISTRATION, 0.6), (Sector.PLANNING, 0.4)],
    WT.OTHER: [(sector, 1.0) for sector in Sector.values],
}
# What a municipality or county writes about when it owns a case itself.
OWN_WORKPLACE_TYPES = [
    (WT.ADMINISTRATION, 0.40),
    (WT.TECHNICAL, 0.16),
    (WT.OTHER, 0.08),
    (WT.HOME_CARE, 0.08),
    (WT.NURSING_HOME, 0.06),
    (WT.PRIMARY_SCHOOL, 0.06),
    (WT.WELFARE_OFFICE, 0.05),
    (WT.CULTURE, 0.05),
    (WT.CHILD_WELFARE, 0.03),
    (WT.KINDERGARTEN, 0.03),
]
COUNTY_WORKPLACE_TYPES = [
    (WT.UPPER_SECONDARY, 0.45),
    (WT.ADMINISTRATION, 0.25),
    (WT.TECHNICAL, 0.15),
    (WT.CULTURE, 0.10),
    (WT.OTHER, 0.05),
]

# "More innovation in larger workplaces and in medium-sized, medium-central municipalities."
BAND_ACTIVITY: dict[str, float] = {
    EmployeeBand.B1_19: 0.6,
    EmployeeBand.B20_49: 1.0,
    EmployeeBand.B50_99: 1.5,
    EmployeeBand.B100: 2.2,
}
SIZE_ACTIVITY: dict[str, float] = {
    SizeClass.SMALL: 0.85,
    SizeClass.MEDIUM: 1.3,
    SizeClass.LARGE: 1.0,
    "": 1.0,
}
CENTRALITY_ACTIVITY = {1: 0.9, 2: 1.0, 3: 1.2, 4: 1.2, 5: 1.0, 6: 0.8, None: 1.0}
MUNICIPALITY_ACTIVITY = 6.0  # a municipality's own (administration-wide) cases
COUNTY_ACTIVITY = 12.0

# The barometer's line: ~10 % first, 51 % adapted, 32 % copied, 7 % unknown; the first-of-kind
# share grows with the workplace.
FIRST_BY_BAND = {
    EmployeeBand.B1_19: 0.07,
    EmployeeBand.B20_49: 0.09,
    EmployeeBand.B50_99: 0.115,
    EmployeeBand.B100: 0.15,
    "": 0.10,
}
COPIED_SHARE_OF_REUSE = 32 / 83
UNKNOWN_SHARE = 0.07

STAGES = [
    (Stage.IDEA, 0.04),
    (Stage.DEVELOPMENT, 0.08),
    (Stage.PILOT, 0.18),
    (Stage.IN_USE, 0.45),
    (Stage.EVALUATED, 0.18),
    (Stage.DISCONTINUED, 0.07),
]
INNOVATION_TYPES = [
    (InnovationType.SERVICE, 0.38),
    (InnovationType.PROCESS, 0.37),
    (InnovationType.COMMUNICATION, 0.13),
    (InnovationType.PRODUCT, 0.12),
]
BENEFITS = [
    (Benefit.QUALITY, 0.30),
    (Benefit.EFFICIENCY, 0.25),
    (Benefit.AVOIDED_COSTS, 0.12),
    (Benefit.STAFF, 0.15),
    (Benefit.CITIZEN_INFLUENCE, 0.12),
    (Benefit.BUSINESS, 0.06),
]
# How often a case is reused, relative to others (service innovations spread most).
TYPE_POPULARITY = {
    InnovationType.SERVICE: 1.4,
    InnovationType.PROCESS: 1.0,
    InnovationType.COMMUNICATION: 0.9,
    InnovationType.PRODUCT: 0.8,
}
ORIGIN_POPULARITY = {Origin.FIRST: 2.0, Origin.ADAPTED: 1.0, Origin.COPIED: 0.6, "unknown": 0.8}
STAGE_POPULARITY = {
    Stage.IDEA: 0.15,
    Stage.DEVELOPMENT: 0.35,
    Stage.PILOT: 0.8,
    Stage.IN_USE: 1.2,
    Stage.EVALUATED: 1.4,
    Stage.DISCONTINUED: 0.5,
}


def _owner_weight(org: Org) -> float:
    size = SIZE_ACTIVITY.get(org.size_class, 1.0)
    centrality = CENTRALITY_ACTIVITY.get(org.centrality_class, 1.0)
    if org.kind == OrganisationKind.MUNICIPALITY:
        return MUNICIPALITY_ACTIVITY * size * centrality
    if org.kind == OrganisationKind.COUNTY:
        return COUNTY_ACTIVITY
    return BAND_ACTIVITY.get(org.employee_band, 1.0) * size * centrality


def _origin(rnd: random.Random, owner: Org) -> str:
    if rnd.random() < UNKNOWN_SHARE:
        return Origin.UNKNOWN
    first = FIRST_BY_BAND.get(owner.employee_band, FIRST_BY_BAND[""]) / (1 - UNKNOWN_SHARE)
    if rnd.random() < first:
        return Origin.FIRST
    return Origin.COPIED if rnd.random() < COPIED_SHARE_OF_REUSE else Origin.ADAPTED


def _publication_offsets(np_rng: np.random.Generator, n: int) -> np.ndarray:
    """Days after START, sorted. The platform's uptake: publications per month rise along a
    logistic curve and level off, so the cumulative number of cases bends upwards and then
    grows steadily (inverse sampling of that density over a grid)."""
    grid = np.linspace(0.0, SPAN_DAYS / 365.25, 4001)
    # The integral of the logistic ramp: s * log(1 + e^((t - mid) / s)).
    cumulative = UPTAKE_SCALE * np.logaddexp(0.0, (grid - UPTAKE_MIDPOINT) / UPTAKE_SCALE)
    cumulative -= cumulative[0]
    years = np.interp(np_rng.uniform(0, cumulative[-1], size=n), cumulative, grid)
    return np.sort(np.clip(years * 365.25, 0, SPAN_DAYS - 30))


@dataclass
class CaseFacts:
    """Per case, in publication order: what the later phases need."""

    ids: list[int] = field(default_factory=list)
    owners: list[Org] = field(default_factory=list)
    published: list[dt.datetime] = field(default_factory=list)
    offsets: list[float] = field(default_factory=list)
    workplace_types: list[str] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    # (source case index, derived case index, mode) for cases that name a platform source
    derived: list[tuple[int, int, str]] = field(default_factory=list)


def _workplace_type(rnd: random.Random, owner: Org) -> str:
    if owner.kind == OrganisationKind.UNIT:
        return owner.workplace_type
    if owner.kind == OrganisationKind.COUNTY:
        return weighted(rnd, COUNTY_WORKPLACE_TYPES)
    return weighted(rnd, OWN_WORKPLACE_TYPES)


def _codes(rnd: random.Random, sector: str) -> tuple[list[Any], list[Any], list[Any]]:
    """Innovation types, sectors (the main one first) and benefits of one case."""
    innovation_types = [weighted(rnd, INNOVATION_TYPES)]
    if rnd.random() < 0.3:
        innovation_types.append(weighted(rnd, INNOVATION_TYPES))
    sectors = [sector]
    if rnd.random() < 0.25:
        sectors.append(rnd.choice(Sector.values))
    benefits = [weighted(rnd, BENEFITS) for _ in range(rnd.randint(1, 3))]
    return innovation_types, sectors, benefits


def _tags(rnd: random.Random, topic: tuple) -> list[str]:
    """Two of the topic's tags and up to two common ones, sorted."""
    tags = list(dict.fromkeys([*rnd.sample(topic[2], k=min(len(topic[2]), 2))]))
    for _ in range(rnd.randint(0, 2)):
        tag = rnd.choice(COMMON_TAGS)
        if tag not in tags:
            tags.append(tag)
    return sorted(tags)


def _partners(
    rnd: random.Random, owner: Org, partner_pool: list[Org], neighbours: list[Org]
) -> list[Org]:
    """A quarter of cases have partners: other bodies, or municipalities of the owner's county."""
    partners: list[Org] = []
    if rnd.random() < 0.25:
        for _ in range(rnd.randint(1, 2)):
            partner = rnd.choice(partner_pool) if rnd.random() < 0.6 else rnd.choice(neighbours)
            if partner.pk != owner.pk and partner not in partners:
                partners.append(partner)
    return sorted(partners, key=lambda p: p.pk)


def _platform_source(
    rnd: random.Random,
    sector_sources: tuple[list[int], list[float]],
    owner: Org,
    i: int,
    origin: str,
    facts: CaseFacts,
    taken_pairs: set[tuple[int, int]],
    max_derived: int,
) -> int | None:
    """The index of an earlier case of the same sector that case `i` derives from (the popular
    ones more likely), recorded in `facts` and `taken_pairs`; or None."""
    indexes, cumulative = sector_sources
    if not indexes or len(facts.derived) >= max_derived or rnd.random() >= PLATFORM_SOURCE_SHARE:
        return None
    candidate = indexes[
        min(bisect.bisect_right(cumulative, rnd.random() * cumulative[-1]), len(indexes) - 1)
    ]
    if facts.owners[candidate].pk == owner.pk or (candidate, owner.pk) in taken_pairs:
        return None
    taken_pairs.add((candidate, owner.pk))
    facts.derived.append((candidate, i, origin))
    return candidate


def write_cases(
    rnd: random.Random,
    np_rng: np.random.Generator,
    *,
    n: int,
    max_derived: int,
    orgs: dict,
    report: Report,
) -> CaseFacts:
    owners: list[Org] = orgs["municipalities"] + orgs["counties"] + orgs["units"]
    owner_weights = [_owner_weight(o) for o in owners]
    partner_pool = orgs["others"]
    municipalities = orgs["municipalities"]
    municipalities_by_county: dict[int | None, list[Org]] = {}
    for municipality in municipalities:
        municipalities_by_county.setdefault(municipality.county_id, []).append(municipality)

    offsets = _publication_offsets(np_rng, n)
    base_popularity = np_rng.lognormal(0.0, POPULARITY_SIGMA, size=n)
    chosen_owners = rnd.choices(owners, weights=owner_weights, k=n)

    facts = CaseFacts()
    # Per sector: published case indexes and cumulative popularity, to pick platform sources.
    sources: dict[str, tuple[list[int], list[float]]] = {s: ([], []) for s in Sector.values}
    topics_of: list[tuple[str, int]] = []
    taken_pairs: set[tuple[int, int]] = set()  # (source case index, adopting organisation)
    slugs: set[str] = set(Case.all_objects.values_list("slug", flat=True))
    slug_counters: dict[str, int] = {}

    first_id = reserve_ids(Case, n)
    cases_out = Rows(Case, batch=BATCH, with_id=True)
    terms_out = Rows(CaseTerm)
    partners_out = Rows(Case.partners.through)
    events_out = Rows(CaseEvent)

    for i in range(n):
        owner = chosen_owners[i]
        workplace_type = _workplace_type(rnd, owner)
        sector = weighted(rnd, WORKPLACE_SECTORS[workplace_type])
        origin = _origin(rnd, owner)
        stage = weighted(rnd, STAGES)
        innovation_types, sectors, benefits = _codes(rnd, sector)

        source_index, source_description = None, ""
        if origin in (Origin.ADAPTED, Origin.COPIED):
            source_index = _platform_source(
                rnd, sources[sector], owner, i, origin, facts, taken_pairs, max_derived
            )
            if source_index is None and rnd.random() < 0.45:
                source_description = rnd.choice(OUTSIDE_SOURCES) + "."
        if source_index is not None:
            topic_sector, topic_number = topics_of[source_index]
        else:
            topic_sector, topic_number = sector, rnd.randrange(len(TOPICS[sector]))
        topic = TOPICS[topic_sector][topic_number]
        topics_of.append((topic_sector, topic_number))

        tags = _tags(rnd, topic)
        neighbours = municipalities_by_county.get(owner.county_id) or municipalities
        partners = _partners(rnd, owner, partner_pool, neighbours)

        title, summary, problem, solution, results, reuse_guide, contact = case_text(
            rnd, topic=topic, sector=topic_sector, workplace_type=workplace_type, owner=owner
        )
        offset = float(offsets[i])
        published = working_moment(day_after_start(offset), rnd)
        created = published - dt.timedelta(days=rnd.randint(7, 90), hours=rnd.randint(0, 5))
        submitted = published - dt.timedelta(days=rnd.randint(1, 6), hours=rnd.randint(0, 5))
        updated = published
        if rnd.random() < 0.3:
            later = min(SPAN_DAYS, offset + rnd.randint(1, 400))
            updated = max(published, working_moment(day_after_start(later), rnd))
        base = norwegian_slug(title) or "sak"
        slug = unused_slug(base, slugs, slug_counters)
        links = []
        if rnd.random() < 0.2:
            links = [{"url": f"https://{slug}.kommune.example/", "title": "Mer om prosjektet"}]

        case_id = first_id + i
        facts.ids.append(case_id)
        extra = " ".join([*tags, owner.name, *(p.name for p in partners)])
        # Foreign keys are checked at commit (deferred), so a source in the same batch is fine.
        cases_out.add(
            id=case_id,
            title=title,
            slug=slug,
            summary=summary,
            problem=problem,
            solution=solution,
            results=results,
            reuse_guide=reuse_guide,
            contact=contact,
            organisation_id=owner.pk,
            workplace_type=workplace_type,
            stage=stage,
            links=links,
            origin=origin,
            source_case_id=first_id + source_index if source_index is not None else None,
            source_description=source_description,
            status=CaseStatus.PUBLISHED,
            search_extra=extra,
            search_title=search_analysis.index_terms(title),
            search_summary=search_analysis.index_terms(summary, extra),
            search_body=search_analysis.index_terms(problem, solution, results, reuse_guide),
            created_at=created,
            updated_at=updated,
            submitted_at=submitted,
            published_at=published,
        )
        for vocabulary, codes in (
            (CaseTerm.Vocabulary.SECTOR, sectors),
            (CaseTerm.Vocabulary.INNOVATION_TYPE, innovation_types),
            (CaseTerm.Vocabulary.BENEFIT, benefits),
            (CaseTerm.Vocabulary.TAG, tags),
        ):
            for code in sorted(set(codes)):
                terms_out.add(case_id=case_id, vocabulary=vocabulary, code=code)
        for partner in partners:
            partners_out.add(case_id=case_id, organisation_id=partner.pk)
        events_out.add(
            case_id=case_id,
            kind=CaseEvent.Kind.APPROVED,
            from_status=CaseStatus.SUBMITTED,
            to_status=CaseStatus.PUBLISHED,
            created_at=published,
        )

        age_years = (SPAN_DAYS - offset) / 365.25
        weight = (
            float(base_popularity[i])
            * TYPE_POPULARITY[innovation_types[0]]
            * ORIGIN_POPULARITY.get(origin, 1.0)
            * STAGE_POPULARITY[stage]
            * min(1.0, (age_years + 0.25) / 3.0)
        )
        facts.owners.append(owner)
        facts.published.append(published)
        facts.offsets.append(offset)
        facts.workplace_types.append(workplace_type)
        facts.origins.append(origin)
        facts.weights.append(weight)
        indexes, cumulative = sources[sector]
        indexes.append(i)
        cumulative.append((cumulative[-1] if cumulative else 0.0) + weight)

    for out in (cases_out, terms_out, partners_out, events_out):
        out.flush()
    search.sync_fts(facts.ids)
    search.lexicon_changed()
    report.cases = cases_out.count
    report.terms = terms_out.count
    report.partners = partners_out.count
    report.events = events_out.count
    return facts
