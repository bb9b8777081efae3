"""The words of the new-query scenarios and the addresses built from them (pure, no Django).

A new query is what most visitors send: a search nobody made since the last write, so no cache
answers it. The words are drawn from the data (bench/probe.py counts how many published cases
each candidate matches): common words match about a third of the cases, rare ones a handful.
Each request pairs a word with a variation that leaves the work the same but changes the cache
key: the sort order and the page on the search page, the sort order and the page size in the
API. The sites' search cache keys on the words, the filters, the order, the offset and the
limit (cases/filters.py, `cached_count_and_page`), so every address in a pool is computed anew,
and computing it counts and ranks every match as the first page would.
"""

from __future__ import annotations

import math
import random
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Common: the share of published cases a word should match ("about a third") and how far off
# it may be; rare: at most this share, and at least one case.
COMMON_SHARE = 1 / 3
COMMON_MIN_SHARE = 0.1
RARE_MAX_SHARE = 0.01
COMMON_WORDS = 15
RARE_WORDS = 400

PAGE_ORDERINGS = ("relevance", "-published_at", "-adoption_count", "title")
API_ORDERINGS = ("", "-published_at", "-adoption_count", "title")
PAGE_SIZE = 20  # the search page's (cases/views/browse.py)
MAX_PAGES = 200
# The API's page sizes; 20 is left out, where page 1 could share a key with the search page.
API_PAGE_SIZES = tuple(size for size in range(10, 201) if size != PAGE_SIZE)


def candidate_words(texts: Iterable[str]) -> list[str]:
    """Distinct lower-case words of at least four letters from the texts, in first-seen order."""
    seen: dict[str, None] = {}
    for text in texts:
        for raw in text.replace("/", " ").split():
            word = raw.strip(".,:;()«»\"'").lower()
            if len(word) >= 4 and word.isalpha():
                seen.setdefault(word, None)
    return list(seen)


def pick_words(counts: dict[str, int], total: int) -> tuple[list[str], list[str]]:
    """(common, rare) words by the number of published cases each matches out of `total`.

    Common: the COMMON_WORDS closest to a third, each matching at least COMMON_MIN_SHARE;
    rare: up to RARE_WORDS matching at least one case and at most RARE_MAX_SHARE, fewest first.
    """
    if total <= 0:
        return [], []
    common = sorted(
        (word for word, n in counts.items() if n / total >= COMMON_MIN_SHARE),
        key=lambda word: (abs(counts[word] / total - COMMON_SHARE), word),
    )[:COMMON_WORDS]
    rare = sorted(
        (word for word, n in counts.items() if n > 0 and n / total <= RARE_MAX_SHARE),
        key=lambda word: (counts[word], word),
    )[:RARE_WORDS]
    return common, rare


@dataclass(frozen=True)
class Kind:
    """How one kind of address varies: the search page or the API search."""

    template: str  # with {q} and {variation}
    variations_of: str  # "page" or "api"


PAGE = Kind("/saker/?q={q}{variation}", "page")
API = Kind("/api/v1/cases/?q={q}{variation}", "api")


def variations(kind: Kind, matches: int) -> list[str]:
    """The query-string tails that leave the work of a search alone but change its cache key."""
    if kind.variations_of == "page":
        pages = max(1, min(MAX_PAGES, math.ceil(matches / PAGE_SIZE)))
        return [
            f"&ordering={ordering}" + (f"&page={page}" if page > 1 else "")
            for ordering in PAGE_ORDERINGS
            for page in range(1, pages + 1)
        ]
    return [
        (f"&ordering={ordering}" if ordering else "") + f"&page_size={size}"
        for ordering in API_ORDERINGS
        for size in API_PAGE_SIZES
    ]


def query_paths(kind: Kind, words: Sequence[str], counts: dict[str, int], salt: int) -> list[str]:
    """Every distinct address for the words, round-robin over the words (each stretch of the
    list asks for all of them in turn), each word's variations shuffled by `salt`, so that two
    runs walk the pool in different orders. No address appears twice."""
    rng = random.Random(salt)
    words = list(words)
    rng.shuffle(words)
    queues = []
    for word in words:
        tails = variations(kind, counts.get(word, 0))
        rng.shuffle(tails)
        queues.append(
            [kind.template.format(q=urllib.parse.quote(word), variation=t) for t in tails]
        )
    paths: list[str] = []
    depth = max((len(queue) for queue in queues), default=0)
    for index in range(depth):
        paths.extend(queue[index] for queue in queues if index < len(queue))
    return paths


class Pool:
    """Addresses handed out once each: a scenario takes the next stretch, and gives back how
    far its requests went, so that no two scenarios (nor warm-up and measure) share one."""

    def __init__(self, paths: list[str]):
        self.paths = paths
        self.next = 0

    def start(self) -> int:
        return self.next

    def consumed(self, count: int) -> None:
        self.next += count

    @property
    def exhausted(self) -> bool:
        """Whether some request got an address an earlier one had (the load tool wraps)."""
        return self.next > len(self.paths)
