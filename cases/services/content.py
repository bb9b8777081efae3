"""Writing a case's content onto its rows: the case, its terms, its partners."""

from typing import Any

from django.utils import timezone

from ..content import CODE_FIELDS, TERM_FIELDS, TEXT_FIELDS
from ..models import Case, CaseTerm
from ..text import norwegian_slug
from ..vocabularies import Origin

# Paths under /saker/ that a case slug must not shadow.
RESERVED_SLUGS = {"ny", "feed"}


def unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = norwegian_slug(title) or "case"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or (
        # exclude(pk=None) excludes nothing (pk IS NULL); the stubs allow no None.
        Case.all_objects.filter(slug=slug).exclude(pk=exclude_pk).exists()  # type: ignore[misc]
    ):
        slug, n = f"{base}-{n}", n + 1
    return slug


def apply_content(case: Case, clean: dict[str, Any]) -> None:
    """Write cleaned content onto the case row and its terms and partners (case must exist)."""
    for field in TEXT_FIELDS:
        if field in clean:
            setattr(case, field, clean[field])
    for field in CODE_FIELDS:
        if field in clean:
            setattr(case, field, clean[field])
    if "links" in clean:
        case.links = clean["links"]
    if "source_case" in clean:
        case.source_case_id = clean["source_case"]
    if "source_description" in clean:
        case.source_description = clean["source_description"]
    if case.origin == Origin.FIRST:
        case.source_case_id = None
        case.source_description = ""
    case.updated_at = timezone.now()
    case.save()
    for field, (vocabulary, _choices) in TERM_FIELDS.items():
        if field in clean:
            wanted = set(clean[field])
            existing = set(case.terms.filter(vocabulary=vocabulary).values_list("code", flat=True))
            case.terms.filter(vocabulary=vocabulary, code__in=existing - wanted).delete()
            CaseTerm.objects.bulk_create(
                [CaseTerm(case=case, vocabulary=vocabulary, code=c) for c in wanted - existing]
            )
    if "partners" in clean:
        case.partners.set(clean["partners"])
    refresh_search_extra(case)
    if "attachments" in clean:
        kept = clean["attachments"]
        case.attachments.filter(pk__in=kept).update(pending=False)
        case.attachments.exclude(pk__in=kept).update(deleted_at=timezone.now())


def refresh_search_extra(case: Case) -> None:
    """Keep the words from other tables that search should find (see Case.search_extra)."""
    words = [
        *case.terms.filter(vocabulary=CaseTerm.Vocabulary.TAG).values_list("code", flat=True),
        case.organisation.name,
        *case.partners.values_list("name", flat=True),
    ]
    extra = " ".join(words)
    if extra != case.search_extra:
        case.search_extra = extra
        Case.all_objects.filter(pk=case.pk).update(search_extra=extra)
