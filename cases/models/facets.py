"""The facet masks of a case (Case.sector_mask and the rest): what the search facets count, as
bits on the case row, so that a search counts every facet in one pass over the matching cases
instead of joining their terms and their adoptions.

A vocabulary value's bit is its position among the vocabulary's values (a new value goes at
the end; after reordering, `refresh_facet_masks()` sets every case again). A county's bit comes
from its two-digit number: 01 to 62 in adopter_county_mask, 63 to 99 in adopter_county_mask_high.

Kept in the same transaction as the writes they copy: the case's terms (the content services),
its adoptions (Adoption.save/delete and refresh_adoption_counters), the adopting organisations'
classes and deletion (Organisation.save). So are the owner columns (Case.owner_region and the
rest): the owner's facets, copied when a case is saved with a new owner and when the owner's
classes or county change. Bulk loaders call `refresh_facet_masks`.
"""

from collections.abc import Iterable

from django.db import connection

from ..vocabularies import Benefit, CentralityClass, InnovationType, Region, Sector, SizeClass

# Case column -> (the CaseTerm vocabulary it copies, its values in bit order).
TERM_MASKS: dict[str, tuple[str, list[str]]] = {
    "sector_mask": ("sector", list(Sector.values)),
    "innovation_type_mask": ("innovation_type", list(InnovationType.values)),
    "benefit_mask": ("benefit", list(Benefit.values)),
}
# Case column -> (the adopting organisation's column it copies, its values in bit order).
ADOPTER_MASKS: dict[str, tuple[str, list]] = {
    "adopter_size_mask": ("o.size_class", list(SizeClass.values)),
    "adopter_centrality_mask": ("o.centrality_class", list(CentralityClass.values)),
    "adopter_region_mask": ("o.region", list(Region.values)),
}
# The county mask columns, each for COUNTY_BITS numbers from the first (bit 63 is the sign).
COUNTY_MASKS = {"adopter_county_mask": 1, "adopter_county_mask_high": 63}
COUNTY_BITS = 62
# Case column -> the column of its owner (o) or of its owner's county (c) that it copies: the
# owner's facets, counted with the others from the case rows alone.
OWNER_COLUMNS = {
    "owner_region": "o.region",
    "owner_size_class": "o.size_class",
    "owner_centrality_class": "o.centrality_class",
    "owner_county": "c.number",
}
# Every case column the refreshes below write.
MASK_COLUMNS = (*TERM_MASKS, *ADOPTER_MASKS, *COUNTY_MASKS, "has_adopters", *OWNER_COLUMNS)


def value_bit(values: list, value) -> int:
    """The bit of one value of a vocabulary (0 for a value it does not have)."""
    return 1 << values.index(value) if value in values else 0


def county_bit(number: str) -> tuple[str, int]:
    """The mask column and bit of a county, by its number (bit 0 for a number without one)."""
    for column, first in COUNTY_MASKS.items():
        if number.isdigit() and first <= int(number) < first + COUNTY_BITS:
            return column, 1 << (int(number) - first)
    return next(iter(COUNTY_MASKS)), 0


def bits(values: list, chosen: Iterable) -> int:
    """The mask of the chosen values of a vocabulary: their bits together."""
    mask = 0
    for value in chosen:
        mask |= value_bit(values, value)
    return mask


def _folded(expression: str, values: list) -> tuple[str, list]:
    """SQL that maps `expression` to its value's bit, and its parameters."""
    whens = " ".join(f"WHEN %s THEN {1 << bit}" for bit in range(len(values)))
    return f"CASE {expression} {whens} ELSE 0 END", list(values)


def _where(case_ids: list[int] | None) -> tuple[str, list]:
    if case_ids is None:
        return "", []
    return f" WHERE id IN ({', '.join(['%s'] * len(case_ids))})", list(case_ids)


def _chunks(case_ids: Iterable[int] | None) -> list[list[int] | None]:
    if case_ids is None:
        return [None]
    ids = sorted(set(case_ids))
    return [ids[start : start + 500] for start in range(0, len(ids), 500)]


def refresh_term_masks(case_ids: Iterable[int] | None = None) -> None:
    """Set the term masks of these cases (all with None) from their terms."""
    # A code appears once per case and vocabulary (unique_case_term), so the sum of the bits
    # is their OR, on both databases.
    assignments, params = [], []
    for column, (vocabulary, values) in TERM_MASKS.items():
        folded, folded_params = _folded("t.code", values)
        assignments.append(
            f"{column} = COALESCE((SELECT SUM({folded}) FROM cases_caseterm t "
            "WHERE t.case_id = cases_case.id AND t.vocabulary = %s), 0)"
        )
        params += [*folded_params, vocabulary]
    _update(assignments, params, case_ids)


def refresh_adopter_masks(case_ids: Iterable[int] | None = None) -> None:
    """Set the adopter masks of these cases (all with None) from their alive adoptions by
    organisations that exist."""
    adopters = (
        "FROM cases_adoption a INNER JOIN cases_organisation o ON o.id = a.organisation_id "
        "LEFT JOIN cases_organisation c ON c.id = o.county_id "
        "WHERE a.case_id = cases_case.id AND a.deleted_at IS NULL AND o.deleted_at IS NULL"
    )
    # An organisation's class appears in several adoptions: the bits are ORed (PostgreSQL)
    # or summed once each (SQLite has no BIT_OR; the distinct powers of two sum to the same).
    fold = "BIT_OR({})" if connection.vendor == "postgresql" else "SUM(DISTINCT {})"
    assignments, params = [], []
    for column, (source, values) in ADOPTER_MASKS.items():
        folded, folded_params = _folded(source, values)
        assignments.append(f"{column} = COALESCE((SELECT {fold.format(folded)} {adopters}), 0)")
        params += folded_params
    for column, first in COUNTY_MASKS.items():
        county = (
            f"CASE WHEN CAST(c.number AS INTEGER) BETWEEN {first} AND {first + COUNTY_BITS - 1} "
            f"THEN CAST(1 AS BIGINT) << (CAST(c.number AS INTEGER) - {first}) ELSE 0 END"
        )
        assignments.append(f"{column} = COALESCE((SELECT {fold.format(county)} {adopters}), 0)")
    assignments.append(f"has_adopters = EXISTS (SELECT 1 {adopters})")
    _update(assignments, params, case_ids)


def refresh_owner_columns(case_ids: Iterable[int] | None = None) -> None:
    """Set the owner columns of these cases (all with None) from their owners."""
    owner = (
        "FROM cases_organisation o LEFT JOIN cases_organisation c ON c.id = o.county_id "
        "WHERE o.id = cases_case.organisation_id"
    )
    _update(
        [f"{column} = (SELECT {source} {owner})" for column, source in OWNER_COLUMNS.items()],
        [],
        case_ids,
    )


def refresh_facet_masks(case_ids: Iterable[int] | None = None) -> None:
    """Every facet mask and owner column of these cases (all with None): for bulk loads and
    imports."""
    refresh_term_masks(case_ids)
    refresh_adopter_masks(case_ids)
    refresh_owner_columns(case_ids)


def _update(assignments: list[str], params: list, case_ids: Iterable[int] | None) -> None:
    with connection.cursor() as cursor:
        for chunk in _chunks(case_ids):
            if chunk == []:
                continue
            where, where_params = _where(chunk)
            cursor.execute(
                f"UPDATE cases_case SET {', '.join(assignments)}{where}", params + where_params
            )


def refresh_masks_of(organisation_id: int) -> None:
    """The adopter masks of the cases an organisation reused and the owner columns of those it
    owns, after its classes, its county or its deletion changed; for a county, also of those
    the organisations in it reused or own (its number is their county's)."""
    if owned := _case_ids_through("cases_case", "id", organisation_id):
        refresh_owner_columns(owned)
    if reused := _case_ids_through("cases_adoption", "case_id", organisation_id):
        refresh_adopter_masks(reused)


def _case_ids_through(table: str, case_column: str, organisation_id: int) -> list[int]:
    """The cases whose rows in `table` belong to the organisation or to one in it (a county)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT r.{case_column} FROM {table} r "
            "INNER JOIN cases_organisation o ON o.id = r.organisation_id "
            "WHERE o.id = %s OR o.county_id = %s",
            [organisation_id, organisation_id],
        )
        return [row[0] for row in cursor.fetchall()]
