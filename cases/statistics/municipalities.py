"""The figures per municipality: what the map of reuse across Norway and its table show, and
what `/api/v1/stats/municipalities/` answers.

For every municipality in the registry (all 357 of the 2024 structure once it is loaded), over
the published cases the statistics' filters describe (see `filters`):

- `cases`: the cases its organisation or its workplaces published;
- `reused_cases`: of those, the cases with at least one recorded reuse;
- `reuse_share`: `reused_cases` as a share of `cases` (numerator and denominator with it);
- `reuses`: the reuses its organisation or its workplaces recorded, of any of those cases
  (where the cases spread to; an adoption by a county municipality belongs to no municipality);
- `reuses_per_10000`: `reuses` per 10,000 inhabitants (null without a population).

Reuses count as everywhere else in the statistics: alive adoption records, by organisations
that are not deleted, of the filtered (so published) cases. Three queries (cases and reuses
grouped by municipality, and the municipalities), whatever the amount of data.
"""

from django.db.models import Count, Exists, F, OuterRef, Q

from ..models import Adoption, Organisation
from ..vocabularies import OrganisationKind
from .figures import share
from .filters import filter_cases

MEASURES = ["cases", "reuses", "reuses_per_10000", "reuse_share"]


def per_10000(count: int, population: int | None) -> float | None:
    """A count per 10,000 inhabitants, to two decimals; None without a population."""
    if not population:
        return None
    return round(10_000 * count / population, 2)


def municipality_figures(*, filters: dict | None = None) -> list[dict]:
    """One row per municipality, ordered by number (see the module docstring for the figures).

    `filters` is `StatsFilter(...).form.cleaned_data` (or {} for everything)."""
    cases = filter_cases(filters).order_by()
    adoptions = Adoption.objects.filter(
        organisation__deleted_at__isnull=True, case__in=cases.values("pk")
    ).order_by()
    published = {
        row["municipality"]: row
        for row in cases.annotate(
            reused=Exists(adoptions.filter(case=OuterRef("pk"))),
        )
        .filter(organisation__municipality__isnull=False)
        .values(municipality=F("organisation__municipality"))
        .annotate(cases=Count("pk"), reused_cases=Count("pk", filter=Q(reused=True)))
    }
    reuses = dict(
        adoptions.filter(organisation__municipality__isnull=False)
        .values(municipality=F("organisation__municipality"))
        .annotate(reuses=Count("pk"))
        .values_list("municipality", "reuses")
    )
    municipalities = (
        Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
        .order_by("number", "pk")
        .values("pk", "number", "name", "population", "county__number", "county__name")
    )
    rows = []
    for municipality in municipalities:
        own = published.get(municipality["pk"], {})
        count, reused = own.get("cases", 0), own.get("reused_cases", 0)
        recorded = reuses.get(municipality["pk"], 0)
        rows.append(
            {
                "number": municipality["number"],
                "name": municipality["name"],
                "county": (
                    {"number": municipality["county__number"], "name": municipality["county__name"]}
                    if municipality["county__number"]
                    else None
                ),
                "population": municipality["population"],
                "cases": count,
                "reused_cases": reused,
                "reuse_share": share(reused, count),
                "reuses": recorded,
                "reuses_per_10000": per_10000(recorded, municipality["population"]),
            }
        )
    return rows
