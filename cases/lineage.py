"""How cases descend from each other: a case names its source; an adoption may name the
adopter's own derived case. A copy of an adaptation of an original is generation 2.

A case's parent is its source case or, when it names none, the case whose adoption record
names it as the derived case. Both links count in both directions, so the page of a derived
case shows the same family as the page of its source.

Only published cases and public adoption records take part, so lineage never reveals a draft:
an unpublished case ends the walk (its published descendants are not reached through it).

The walk is two recursive queries, one up and one down, bounded by MAX_DEPTH, then one query
for the cases found: three queries whatever the number of cases or generations. Each step of
a walk is two indexed lookups (cases by source case, adoptions by case or by derived case),
never one condition with OR that an index cannot serve.
"""

from dataclasses import dataclass, field

from django.db import connections, router

from .models import Adoption, Case, Organisation
from .vocabularies import AdoptionMode, CaseStatus

MAX_DEPTH = 8
MODES = {AdoptionMode.ADAPTED, AdoptionMode.COPIED}


@dataclass
class Node:
    case: Case
    generation: int
    mode: str = ""  # how this case took from its parent: adapted / copied
    children: list["Node"] = field(default_factory=list)


def _tables(connection) -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "case": quote(Case._meta.db_table),
        "adoption": quote(Adoption._meta.db_table),
        "organisation": quote(Organisation._meta.db_table),
    }


# Each step joins the walk's cases once with a two-row table of link kinds: kind 1 looks up
# the source link, kind 2 the adoption link, each through its own index. An adoption link
# counts when the adoption is alive and its organisation exists (Adoption.objects.public();
# the linked case must be published, which the step checks for every case it adds).
UP = """
WITH RECURSIVE up(id, depth, child_id, by_source) AS (
    SELECT c.id, 0, c.id, 0 FROM {case} c WHERE c.id = %(start)s
    UNION
    SELECT parent.id, u.depth + 1, u.id, CASE WHEN k.kind = 1 THEN 1 ELSE 0 END
    FROM up u
    CROSS JOIN (SELECT 1 AS kind UNION ALL SELECT 2) k
    LEFT JOIN {case} s ON k.kind = 1 AND s.id = u.id
    LEFT JOIN {adoption} a ON k.kind = 2 AND a.derived_case_id = u.id AND a.deleted_at IS NULL
    LEFT JOIN {organisation} o ON o.id = a.organisation_id
    JOIN {case} parent ON parent.id = COALESCE(s.source_case_id, a.case_id)
    WHERE u.depth < %(max_depth)s AND parent.status = %(published)s
        AND parent.deleted_at IS NULL AND (a.id IS NULL OR o.deleted_at IS NULL)
)
SELECT child_id, id, by_source FROM up WHERE depth > 0
"""

DOWN = """
WITH RECURSIVE down(id, depth, parent_id, adoption_id) AS (
    SELECT c.id, 0, c.id, CAST(NULL AS BIGINT) FROM {case} c WHERE c.id = %(start)s
    UNION
    SELECT child.id, d.depth + 1, d.id, a.id
    FROM down d
    CROSS JOIN (SELECT 1 AS kind UNION ALL SELECT 2) k
    LEFT JOIN {case} s ON k.kind = 1 AND s.source_case_id = d.id
    LEFT JOIN {adoption} a ON k.kind = 2 AND a.case_id = d.id
        AND a.derived_case_id IS NOT NULL AND a.deleted_at IS NULL
    LEFT JOIN {organisation} o ON o.id = a.organisation_id
    JOIN {case} child ON child.id = COALESCE(s.id, a.derived_case_id)
    WHERE d.depth < %(max_depth)s AND child.status = %(published)s
        AND child.deleted_at IS NULL AND (a.id IS NULL OR o.deleted_at IS NULL)
)
SELECT d.parent_id, d.id, d.adoption_id, a.mode
FROM down d LEFT JOIN {adoption} a ON a.id = d.adoption_id
JOIN {case} parent ON parent.id = d.parent_id
WHERE d.depth > 0
    AND (a.id IS NULL OR (parent.status = %(published)s AND parent.deleted_at IS NULL))
ORDER BY a.created_at, a.id
"""


def _run(sql: str, start: int) -> list[tuple]:
    params: dict[str, int | str] = {
        "start": start,
        "max_depth": MAX_DEPTH,
        "published": CaseStatus.PUBLISHED,
    }
    # A read like any other: the database the router gives reads of cases (a replica, when
    # there is one and this request may read from it).
    connection = connections[router.db_for_read(Case)]
    with connection.cursor() as cursor:
        cursor.execute(sql.format(**_tables(connection)), params)
        return cursor.fetchall()


# What a node shows and what the walk reads: the page lists every case of a family, so the
# long texts stay in the database.
NODE_FIELDS = (
    "title",
    "slug",
    "status",
    "deleted_at",
    "published_at",
    "origin",
    "source_case_id",
    "organisation__name",
    "organisation__slug",
)


def _published():
    return Case.objects.published().select_related("organisation").only(*NODE_FIELDS)


def _ancestor_ids(case: Case) -> list[int]:
    """The ids of the published cases above `case`, nearest first. One query.

    Each case's parent is its source case when that is published, else the published case
    with the lowest id whose public adoption record names it as derived."""
    sources: dict[int, int] = {}
    adopted: dict[int, list[int]] = {}
    for child_id, parent_id, by_source in _run(UP, case.pk):
        if by_source:
            sources[child_id] = parent_id
        else:
            adopted.setdefault(child_id, []).append(parent_id)
    chain: list[int] = []
    seen, current = {case.pk}, case.pk
    while len(chain) < MAX_DEPTH:
        parent = sources.get(current)
        if parent is None and adopted.get(current):
            parent = min(adopted[current])
        if parent is None or parent in seen:
            break
        chain.append(parent)
        seen.add(parent)
        current = parent
    return chain


def ancestors(case: Case) -> list[Case]:
    """The chain of published cases above `case`, nearest first. Two queries."""
    chain = _ancestor_ids(case)
    if not chain:
        return []
    found = _published().in_bulk(chain)
    return [found[pk] for pk in chain if pk in found]


def tree(case: Case) -> Node:
    """The whole family of `case`: from its oldest published ancestor down every branch.

    Generation by generation: a case joins the first generation that links to it, under its
    source case when that is in the generation above, else under the case whose adoption
    record naming it was recorded first; within a generation, in order of publication.
    """
    chain = _ancestor_ids(case)
    root_id = chain[-1] if chain else case.pk
    # Adoption links by derived case, in the order they were recorded: (parent, mode).
    adopted: dict[int, list[tuple[int, str]]] = {}
    linked: set[int] = set()
    for parent_id, child_id, adoption_id, mode in _run(DOWN, root_id):
        linked.add(child_id)
        if adoption_id is not None and (parent_id, mode) not in adopted.get(child_id, []):
            adopted.setdefault(child_id, []).append((parent_id, mode))
    cases = _published().in_bulk({root_id, *linked})
    root_case = cases.get(root_id) or case
    by_source: dict[int, list[Case]] = {}
    for found in cases.values():
        if found.source_case_id is not None:
            by_source.setdefault(found.source_case_id, []).append(found)

    root = Node(case=root_case, generation=0)
    level, seen = [root], {root_case.pk}
    for generation in range(1, MAX_DEPTH + 1):
        parents = {node.case.pk: node for node in level}
        placed = _placements(parents, seen, by_source, adopted, cases)
        if not placed:
            break
        next_level = []
        for child in sorted((cases[pk] for pk in placed), key=lambda c: (c.published_at, c.pk)):
            parent_id, mode = placed[child.pk]
            mode = mode or (child.origin if child.origin in MODES else "")
            node = Node(case=child, generation=generation, mode=mode)
            parents[parent_id].children.append(node)
            next_level.append(node)
            seen.add(child.pk)
        level = next_level
    return root


def _placements(
    parents: dict[int, Node],
    seen: set[int],
    by_source: dict[int, list[Case]],
    adopted: dict[int, list[tuple[int, str]]],
    cases: dict[int, Case],
) -> dict[int, tuple[int, str]]:
    """The cases of the generation below `parents`: child id -> (parent id, mode)."""
    placed: dict[int, tuple[int, str]] = {}
    for parent_id in parents:
        for child in by_source.get(parent_id, []):
            if child.pk not in seen:
                placed[child.pk] = (parent_id, "")
    for child_id, links in adopted.items():
        if child_id in seen or child_id not in cases:
            continue
        first = next(((p, m) for p, m in links if p in parents), None)
        if first is None:
            continue
        if child_id in placed:
            # The case's own word about its source wins; its mode may still come from an
            # adoption record by the source, when that is the first one recorded.
            if placed[child_id][0] == first[0]:
                placed[child_id] = first
            continue
        placed[child_id] = first
    return placed


def size(node: Node) -> int:
    return 1 + sum(size(child) for child in node.children)


def find(node: Node, pk: int) -> Node | None:
    """The node of case `pk` in the family from `node` down, or None."""
    if node.case.pk == pk:
        return node
    for child in node.children:
        found = find(child, pk)
        if found is not None:
            return found
    return None


def members(node: Node) -> list[int]:
    """The ids of the cases in the family, from `node` down."""
    found: list[int] = []
    level = [node]
    while level:
        found.extend(item.case.pk for item in level)
        level = [child for item in level for child in item.children]
    return found


@dataclass
class Relations:
    """A case's place in its family, as the case page says it in words: the case it came from
    (and how), the family's original when that is further up, the cases made from it by how
    they were made, and how many cases descend from those in turn."""

    parent: Node | None = None
    mode: str = ""  # how the case took from its parent: adapted / copied / "" (unknown)
    original: Node | None = None  # the family's first case, when it is not the parent
    adapted: list[Node] = field(default_factory=list)
    copied: list[Node] = field(default_factory=list)
    other: list[Node] = field(default_factory=list)  # derived without saying how
    further: int = 0

    @property
    def said(self) -> bool:
        """Whether there is anything to say."""
        return bool(self.parent or self.adapted or self.copied or self.other)


def relations(root: Node, case: Case) -> Relations:
    """`case`'s relations in the family tree `root` (from tree()). No queries."""
    path = _path_to(root, case.pk)
    if not path:
        return Relations()
    node = path[-1]
    found = Relations(mode=node.mode)
    if len(path) > 1:
        found.parent = path[-2]
        found.original = path[0] if len(path) > 2 else None
    by_mode: dict[str, list[Node]] = {
        AdoptionMode.ADAPTED: found.adapted,
        AdoptionMode.COPIED: found.copied,
    }
    for child in node.children:
        by_mode.get(child.mode, found.other).append(child)
        found.further += len(members(child)) - 1
    return found


def _path_to(node: Node, pk: int) -> list[Node]:
    """The nodes from `node` down to the case `pk`, both included; empty when it is not there."""
    if node.case.pk == pk:
        return [node]
    for child in node.children:
        path = _path_to(child, pk)
        if path:
            return [node, *path]
    return []
