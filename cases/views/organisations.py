"""An organisation's page: its published cases, the published cases it took part in as a
partner, what it reused, who reused its cases, reach.

Only public data: published cases and the adoption records of published cases. Each list is
capped (a large municipality may own thousands of cases), with its full count (and for its own
cases a link to the search page for the rest), so the page costs the same number of queries
whatever the data.
"""

from django.db.models import Count, Q, prefetch_related_objects
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from .. import caching, permissions
from ..models import Adoption, Case, Organisation
from ..vocabularies import OrganisationKind

CASES_SHOWN = 24
ADOPTIONS_SHOWN = 50
ACTIVITIES_SHOWN = 20
UNITS_SHOWN = 50


@caching.cached_response(lambda request, slug: [f"organisation/{slug}"])
def organisation_detail(request, slug):
    organisation = get_object_or_404(
        Organisation.objects.select_related("parent", "county", "municipality"), slug=slug
    )
    cases, case_count = _newest_cases(Case.objects.published().filter(organisation=organisation))
    partner_cases, partner_case_count = _newest_cases(
        Case.objects.published().filter(partners=organisation)
    )
    # The cards show each case's terms: one query for both lists.
    prefetch_related_objects([*cases, *partner_cases], "terms")
    reused = Adoption.objects.public().filter(organisation=organisation)
    reusers = Adoption.objects.public().filter(case__organisation=organisation)
    reach = reusers.aggregate(
        adoptions=Count("pk"),
        organisations=Count("organisation", distinct=True),
        municipalities=Count(
            "organisation__municipality",
            distinct=True,
            filter=Q(organisation__municipality__isnull=False),
        ),
        counties=Count("organisation__county", distinct=True),
        regions=Count("organisation__region", distinct=True, filter=~Q(organisation__region="")),
    )
    context = {
        "organisation": organisation,
        "cases": cases,
        "case_count": case_count,
        "all_cases_url": f"{reverse('case-list')}?organisation={organisation.pk}",
        "partner_cases": partner_cases,
        "partner_case_count": partner_case_count,
        "reused": list(
            reused.select_related("case", "case__organisation").order_by(
                "-adopted_on", "-created_at"
            )[:ADOPTIONS_SHOWN]
        ),
        "reused_count": reused.count(),
        "reusers": list(
            reusers.select_related("case", "organisation").order_by("-adopted_on", "-created_at")[
                :ADOPTIONS_SHOWN
            ]
        ),
        "reach": reach,
        "spread_activities": organisation.spread_activities.filter(
            Q(case__isnull=True) | Q(case__status="published", case__deleted_at__isnull=True)
        ).select_related("case")[:ACTIVITIES_SHOWN],
        "can_record_spread": permissions.can_record_spread(request.user, organisation),
        "can_manage_members": permissions.can_manage_members(request.user, organisation),
        "units": organisation.children.filter(kind=OrganisationKind.UNIT).order_by("name")[
            :UNITS_SHOWN
        ],
    }
    return render(request, "cases/organisation_detail.html", context)


def _newest_cases(published) -> tuple[list[Case], int]:
    """The newest CASES_SHOWN of the published cases, and how many there are (counted only
    when there are more than that)."""
    cases = list(
        published.select_related("organisation", "organisation__county").order_by(
            "-published_at", "-pk"
        )[:CASES_SHOWN]
    )
    return cases, published.count() if len(cases) == CASES_SHOWN else len(cases)
