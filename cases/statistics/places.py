"""Where one case has been reused, for the small map on its page: the owner's municipality and
every organisation that reused the case or a case derived from it, by generation.

Generation 1 reused the case itself; generation 2 reused a case derived from it (a copy of an
adaptation), and so on down the lineage (cases/lineage.py). An organisation that appears in
several generations is placed in the nearest. The places are municipalities: a workplace lies
in its municipality; a county municipality or an agency has none and is listed without one.
"""

from django.core.cache import cache

from .. import lineage
from ..models import Adoption, Case, Organisation

CACHE_SECONDS = 24 * 60 * 60


def _descendants_by_generation(case: Case, tree: lineage.Node) -> dict[int, int]:
    """Case id -> generation of its adopters (1 for the case itself), from the case's node."""
    level = [node for node in _walk(tree) if node.case.pk == case.pk][:1]
    generations: dict[int, int] = {}
    generation = 1
    while level:
        for node in level:
            generations.setdefault(node.case.pk, generation)
        level = [child for node in level for child in node.children]
        generation += 1
    return generations


def _walk(node: lineage.Node):
    yield node
    for child in node.children:
        yield from _walk(child)


def reuse_places(case: Case, *, tree: lineage.Node | None, version: str) -> dict | None:
    """The owner's place and the adopters' places by generation, or None when no one has
    reused the case. One query (cached by case and data version, as the page's other figures).

    - `owner`: {name, number (the municipality's, or ""), place (its name)};
    - `adopters`: [{name, generation, number, place}], by generation, then name;
    - `generations`: the generations present, ascending."""
    if tree is None:
        return None
    key = f"statistics:places:{case.pk}:{version}"
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    generations = _descendants_by_generation(case, tree)
    owner = case.organisation
    rows = (
        Adoption.objects.public()
        .filter(case_id__in=list(generations))
        .exclude(organisation_id=owner.pk)
        .order_by()
        .values_list(
            "case_id",
            "organisation_id",
            "organisation__name",
            "organisation__municipality__number",
            "organisation__municipality__name",
        )
    )
    nearest: dict[int, dict] = {}
    for case_id, organisation, name, number, place in rows:
        generation = generations[case_id]
        if organisation not in nearest or generation < nearest[organisation]["generation"]:
            nearest[organisation] = {
                "name": name,
                "generation": generation,
                "number": number or "",
                "place": place or "",
            }
    if not nearest:
        cache.set(key, {}, CACHE_SECONDS)
        return None
    adopters = sorted(nearest.values(), key=lambda a: (a["generation"], a["name"], a["number"]))
    municipality: Organisation | None
    if owner.municipality_id == owner.pk:
        municipality = owner
    else:
        municipality = owner.municipality if owner.municipality_id else None
    result = {
        "owner": {
            "name": owner.name,
            "number": municipality.number if municipality is not None else "",
            "place": municipality.name if municipality is not None else "",
        },
        "adopters": adopters,
        "generations": sorted({a["generation"] for a in adopters}),
    }
    cache.set(key, result, CACHE_SECONDS)
    return result
