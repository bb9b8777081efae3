"""The Django side of the benchmark, run against one database (DATABASE_URL).

Resolves the scenarios' addresses from the data (the most reused case ...), then requests each
one through Django's test client with CaptureQueriesContext: the status, the number of SQL
queries (the second request, after the first has filled per-process caches) and the slowest
queries with their times. Prints one JSON document. No production code is involved in the
measuring.

With no argument it also counts, for every candidate word of the generated texts and every
municipality's name, the published cases it matches (bench/words.py picks the new-query words
from these counts); with a JSON list of words as argument it counts only those.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from scenarios import (  # noqa: E402
    COMMON_WORD,
    INFLECTED_WORD,
    PROBED,
    RARE_WORD,
    SYNC_NAME,
    SYNC_PATH,
    TYPO_WORD,
)
from words import candidate_words  # noqa: E402

from cases import search  # noqa: E402
from cases.models import Adoption, Case, Change, Organisation  # noqa: E402
from cases.vocabularies import OrganisationKind  # noqa: E402
from demo.synthetic.texts import TOPICS, WORKPLACE_WORDS  # noqa: E402

SLOWEST = 3


def dataset_values() -> dict:
    top = (
        Adoption.objects.public()
        .values("case")
        .annotate(n=Count("pk"))
        .order_by("-n", "case")
        .first()
    )
    case = Case.objects.published().get(pk=top["case"]) if top else Case.objects.first()
    try:
        stats_path = reverse("stats-dashboard")
    except NoReverseMatch:
        stats_path = None
    return {
        "most_reused_slug": case.slug,
        "most_reused_id": case.pk,
        "most_reused_adoptions": top["n"] if top else 0,
        "organisation_id": Organisation.objects.order_by("pk").values_list("pk", flat=True)[0],
        "stats": stats_path,
    }


def matches(words) -> dict[str, int]:
    published = Case.objects.published()
    return {word: search.apply(published, search.parse(word)).count() for word in words}


def candidates() -> list[str]:
    """Words of the generated texts (demo/synthetic/texts.py) and the municipalities' names."""
    texts: list[str] = []
    for topics in TOPICS.values():
        for title, thing, tags in topics:
            texts.extend([title, thing, *tags])
    for forms in WORKPLACE_WORDS.values():
        texts.extend(forms)
    texts.extend(
        Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY).values_list(
            "name", flat=True
        )
    )
    # One word per analysis: "digital" and "digitale" search for the same terms, and a cache
    # keyed on the terms would answer the second from the first.
    distinct: dict[str, str] = {}
    for word in candidate_words(texts):
        distinct.setdefault(repr(search.parse(word).terms), word)
    return list(distinct.values())


def measure(client: Client, path: str) -> dict:
    # The first request fills per-process caches (stems, the county list, cached statistics)
    # as a running site has them; the second is the one a steady state serves.
    with CaptureQueriesContext(connection) as cold:
        started = time.perf_counter()
        client.get(path)
        cold_ms = (time.perf_counter() - started) * 1000
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path)
        warm_ms = (time.perf_counter() - started) * 1000
    queries = captured.captured_queries
    slowest = sorted(queries, key=lambda q: float(q["time"]), reverse=True)[:SLOWEST]
    return {
        "status": response.status_code,
        "queries": len(queries),
        "cold_queries": len(cold.captured_queries),
        "cold_ms": round(cold_ms, 1),
        "warm_ms": round(warm_ms, 1),
        "sql_ms": round(sum(float(q["time"]) for q in queries) * 1000, 1),
        "slowest": [
            {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:600]} for q in slowest
        ],
    }


def main() -> None:
    chosen = json.loads(sys.argv[1]) if len(sys.argv) > 1 else None
    values = dataset_values()
    if chosen:
        values["common_word"], values["rare_word"] = chosen[0], chosen[-1]
    else:
        values["common_word"], values["rare_word"] = COMMON_WORD, RARE_WORD
    client = Client()
    results = {}
    paths = {}
    for scenario in PROBED:
        if "{stats}" in scenario.path and values["stats"] is None:
            results[scenario.name] = {"skipped": "no URL named stats-dashboard on this site"}
            continue
        path = scenario.path.format(**values)
        paths[scenario.name] = path
        results[scenario.name] = measure(client, path)
    paths[SYNC_NAME] = SYNC_PATH
    results[SYNC_NAME] = measure(client, SYNC_PATH)
    print(
        json.dumps(
            {
                "values": values,
                "paths": paths,
                "results": results,
                "facts": {
                    "published_cases": Case.objects.published().count(),
                    "public_adoptions": Adoption.objects.public().count(),
                    "change_entries": Change.objects.count(),
                    "search_matches": matches((COMMON_WORD, RARE_WORD, INFLECTED_WORD, TYPO_WORD)),
                    "word_matches": matches(chosen if chosen else candidates()),
                },
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
