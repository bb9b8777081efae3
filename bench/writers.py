"""The writers of the after-a-write scenarios, prepared in the database of DATABASE_URL.

Run by bench/run.py against the copy of the dataset the server uses (never the dataset
itself: the writes would change it for the next run). `writers.py COUNT CASES` gives COUNT
municipalities an API token each (`manage.py issue_token`, in process) and picks CASES published
cases none of them owns or has reused, so that every write is a new adoption the API accepts.
Prints one JSON line: the tokens with their organisations, the cases, the most reused case.
"""

import io
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402

from cases.models import Adoption, Case, Organisation  # noqa: E402
from cases.vocabularies import OrganisationKind  # noqa: E402


def main() -> None:
    count, cases = int(sys.argv[1]), int(sys.argv[2])
    top = (
        Adoption.objects.public()
        .values("case")
        .annotate(n=Count("pk"))
        .order_by("-n", "case")
        .first()
    )
    most_reused = Case.objects.published().get(pk=top["case"]) if top else None
    organisations = list(
        Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
        .exclude(adoptions__case=most_reused)
        .exclude(pk=most_reused.organisation_id if most_reused else None)
        .order_by("pk")[:count]
    )
    writers = []
    for organisation in organisations:
        out = io.StringIO()
        call_command(
            "issue_token",
            f"bench-writer-{organisation.pk}@bench.invalid",
            organisation=organisation.slug,
            name="benchmark writer",
            promote=True,
            stdout=out,
        )
        writers.append({"organisation": organisation.pk, "token": out.getvalue().split()[-1]})
    ids = [o.pk for o in organisations]
    targets = (
        Case.objects.published()
        .exclude(organisation__in=ids)
        .exclude(adoptions__organisation__in=ids)
        .order_by("-published_at", "pk")
        .values("pk", "slug")[:cases]
    )
    print(
        json.dumps(
            {
                "writers": writers,
                "cases": [{"id": c["pk"], "slug": c["slug"]} for c in targets],
                "most_reused": (
                    {"id": most_reused.pk, "slug": most_reused.slug} if most_reused else None
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
