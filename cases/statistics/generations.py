"""Where a case's adopters and descendants stand: Rogers' adopter categories, by order of
adoption, and the case's generation in its lineage with the generations that descend from it."""

from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from .. import lineage
from .figures import share

# Rogers' adopter categories, by cumulative share of a case's adopters in order of adoption.
ROGERS_CATEGORIES = [
    ("innovators", 0.025),
    ("early-adopters", 0.16),
    ("early-majority", 0.50),
    ("late-majority", 0.84),
    ("laggards", 1.0),
]
ROGERS_MIN_ADOPTERS = 10
ROGERS_LABELS = {
    "innovators": _("Innovators"),
    "early-adopters": _("Early adopters"),
    "early-majority": _("Early majority"),
    "late-majority": _("Late majority"),
    "laggards": _("Laggards"),
}


def rogers_category(position: int, total: int) -> str:
    """Rogers' category of the `position`-th adopter (1-based) of `total`.

    An adopter stands for the slice of the distribution from (position-1)/total to
    position/total; it gets the category its midpoint falls in. (With ten adopters that gives
    0 / 2 / 3 / 3 / 2, as near to 2.5 / 13.5 / 34 / 34 / 16 % as whole adopters allow.)
    """
    midpoint = (position - 0.5) / total
    for category, upper in ROGERS_CATEGORIES:
        if midpoint <= upper:
            return category
    return ROGERS_CATEGORIES[-1][0]


def generations(node: lineage.Node | None) -> dict:
    """A case's generation and its descendants per level, from its node in the lineage.

    Generation 0 is an original; a copy of an adaptation of an original is generation 2. The
    descendants are the published cases derived from this one, level by level (cases/lineage.py).
    """
    if node is None:
        return {"generation": 0, "depth": 0, "descendants": []}
    per_level: dict[int, int] = defaultdict(int)
    level, depth = list(node.children), 0
    while level:
        depth += 1
        per_level[depth] += len(level)
        level = [child for item in level for child in item.children]
    return {
        "generation": node.generation,
        "depth": depth,
        "descendants": [{"generation": g, "cases": n} for g, n in sorted(per_level.items())],
    }


def rogers_categories(total: int) -> list[dict] | None:
    """Per Rogers category, how many of `total` adopters in order of adoption fall in it and
    the share expected; None below ROGERS_MIN_ADOPTERS."""
    if total < ROGERS_MIN_ADOPTERS:
        return None
    counts = dict.fromkeys((code for code, _upper in ROGERS_CATEGORIES), 0)
    for position in range(1, total + 1):
        counts[rogers_category(position, total)] += 1
    categories, lower = [], 0.0
    for code, upper in ROGERS_CATEGORIES:
        categories.append(
            {
                "code": code,
                "label": str(ROGERS_LABELS[code]),
                "expected_percent": round(100 * (upper - lower), 1),
                **share(counts[code], total),
            }
        )
        lower = upper
    return categories
