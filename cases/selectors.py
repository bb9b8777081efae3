"""Reads that pages and the API share: filtered, annotated querysets with their joins, once.

Every selector here sees only public data: published, non-deleted cases and the adoptions of
those cases. Keyword-only arguments; the number of queries never depends on the amount of data.
"""

from typing import TypedDict

from django.db.models import Count

from .models import Adoption, Case


class HeadlineFigures(TypedDict):
    cases: int
    adoptions: int
    organisations: int
    municipalities: int


def case_list_latest(*, limit: int = 6) -> list[Case]:
    """The `limit` most recently published cases, newest first, ready to render as cards.

    Each case has its owner organisation selected, its terms (sectors, innovation types, ...)
    prefetched and an `adoption_count` annotation: two queries whatever the limit.
    """
    return list(
        Case.objects.published()
        .with_adoption_counts()
        .select_related("organisation")
        .prefetch_related("terms")
        .order_by("-published_at", "-id")[:limit]
    )


def headline_figures() -> HeadlineFigures:
    """The platform in four numbers, counting published data only. Two queries.

    - cases: published cases;
    - organisations: distinct organisations that own a published case;
    - adoptions: recorded adoptions of published cases;
    - municipalities: distinct municipalities reached by those adoptions (an adopting unit
      counts as its municipality; an adopting county or other body reaches none by itself).
    """
    case_figures = Case.objects.published().aggregate(
        cases=Count("pk"), organisations=Count("organisation", distinct=True)
    )
    adoption_figures = Adoption.objects.public().aggregate(
        adoptions=Count("pk"), municipalities=Count("organisation__municipality", distinct=True)
    )
    return HeadlineFigures(
        cases=case_figures["cases"],
        adoptions=adoption_figures["adoptions"],
        organisations=case_figures["organisations"],
        municipalities=adoption_figures["municipalities"],
    )
