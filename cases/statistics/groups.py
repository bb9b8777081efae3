"""How the figures group the cases: the breakdowns by vocabulary, and the buckets of adopters
per case and of the time to the first adoption."""

from ..models import CaseTerm
from ..vocabularies import (
    CentralityClass,
    EmployeeBand,
    InnovationType,
    Region,
    Sector,
    SizeClass,
    WorkplaceType,
)

# name -> vocabulary (None: the counties, which come from the database). In this order in the
# result. Sector and innovation type group the case's terms (a case with two sectors is counted
# under both); workplace type is the case's own; the rest are the owner organisation's.
BREAKDOWNS = {
    "sector": Sector,
    "innovation_type": InnovationType,
    "workplace_type": WorkplaceType,
    "employee_band": EmployeeBand,
    "size_class": SizeClass,
    "centrality_class": CentralityClass,
    "region": Region,
    "county": None,
}
TERM_BREAKDOWNS = {
    "sector": CaseTerm.Vocabulary.SECTOR,
    "innovation_type": CaseTerm.Vocabulary.INNOVATION_TYPE,
}


def term_codes(name: str) -> list[str]:
    """The codes of a term breakdown (one of `TERM_BREAKDOWNS`)."""
    vocabulary = BREAKDOWNS[name]
    assert vocabulary is not None, name
    return [str(code) for code in vocabulary.values]


# Adopters per case, in the buckets of DESIGN.md: (label, lowest, highest or None).
ADOPTER_BUCKETS = [("0", 0, 0), ("1", 1, 1), ("2-4", 2, 4), ("5-9", 5, 9), ("10+", 10, None)]

# Time from publication to first adoption, in days: (code, from, to) with None = open.
LAG_BUCKETS = [
    ("before-publication", None, -1),
    ("within-3-months", 0, 91),
    ("3-12-months", 92, 365),
    ("over-a-year", 366, None),
]
