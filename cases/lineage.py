"""How cases descend from each other: a case names its source; an adoption may name the
adopter's own derived case. A copy of an adaptation of an original is generation 2.

A case's parent is its source case or, when it names none, the case whose adoption record
names it as the derived case. Both links count in both directions, so the page of a derived
case shows the same family as the page of its source.

Only published cases and public adoption records take part, so lineage never reveals a draft:
an unpublished case ends the walk (its published descendants are not reached through it). The
walk goes level by level, one query per generation up and one per generation down, bounded by
MAX_DEPTH whatever the number of cases.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, Subquery

from .models import Adoption, Case
from .vocabularies import AdoptionMode

MAX_DEPTH = 8
MODES = {AdoptionMode.ADAPTED, AdoptionMode.COPIED}


@dataclass
class Node:
    case: Case
    generation: int
    mode: str = ""  # how this case took from its parent: adapted / copied
    children: list["Node"] = field(default_factory=list)


def _published():
    return Case.objects.published().select_related("organisation")


def _parent(case: Case) -> Case | None:
    """The published case `case` descends from, in one query: its source if that is
    published, else the published case whose public adoption record names it as derived."""
    named_by_adoption = Exists(
        Adoption.objects.public().filter(case=OuterRef("pk"), derived_case_id=case.pk)
    )
    condition = named_by_adoption
    if case.source_case_id:
        condition = Q(pk=case.source_case_id) | condition
    candidates = list(_published().filter(condition).exclude(pk=case.pk).order_by("pk")[:2])
    for candidate in candidates:
        if candidate.pk == case.source_case_id:
            return candidate
    return candidates[0] if candidates else None


def ancestors(case: Case) -> list[Case]:
    """The chain of published cases above `case`, nearest first."""
    chain, seen = [], {case.pk}
    current = case
    while len(chain) < MAX_DEPTH:
        parent = _parent(current)
        if parent is None or parent.pk in seen:
            break
        chain.append(parent)
        seen.add(parent.pk)
        current = parent
    return chain


def _children_of(parent_ids: set[int], seen: set[int]) -> dict[int, list[tuple[Case, str]]]:
    """Published cases derived from any of `parent_ids`, by parent. One query."""
    children: dict[int, list[tuple[Case, str]]] = {pk: [] for pk in parent_ids}
    naming = (
        Adoption.objects.public()
        .filter(case_id__in=parent_ids, derived_case=OuterRef("pk"))
        .order_by("created_at", "pk")
    )
    found = (
        _published()
        .filter(Q(source_case_id__in=parent_ids) | Exists(naming))
        .exclude(pk__in=seen)
        .annotate(
            adopted_from=Subquery(naming.values("case_id")[:1]),
            adopted_mode=Subquery(naming.values("mode")[:1]),
        )
        .order_by("published_at", "pk")
    )
    for child in found:
        # The case's own word about its source wins over an adoption record naming it.
        parent = child.source_case_id if child.source_case_id in children else child.adopted_from
        if parent not in children:
            continue
        mode = child.adopted_mode if parent == child.adopted_from else ""
        mode = mode or (child.origin if child.origin in MODES else "")
        children[parent].append((child, mode))
    return children


def tree(case: Case) -> Node:
    """The whole family of `case`: from its oldest published ancestor down every branch."""
    chain = ancestors(case)
    root_case = chain[-1] if chain else case
    root = Node(case=root_case, generation=0)
    level, seen = [root], {root_case.pk}
    for generation in range(1, MAX_DEPTH + 1):
        by_parent = _children_of({node.case.pk for node in level}, seen)
        next_level = []
        for node in level:
            for child, mode in by_parent.get(node.case.pk, []):
                if child.pk in seen:
                    continue
                seen.add(child.pk)
                child_node = Node(case=child, generation=generation, mode=mode)
                node.children.append(child_node)
                next_level.append(child_node)
        if not next_level:
            break
        level = next_level
    return root


def generation_of(case: Case) -> int:
    return len(ancestors(case))


def size(node: Node) -> int:
    return 1 + sum(size(child) for child in node.children)
