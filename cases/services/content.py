"""Writing a case's content onto its rows: the case, its terms, its partners."""

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import search
from ..content import CODE_FIELDS, TERM_FIELDS, TEXT_FIELDS
from ..models import Case, CaseTerm, refresh_term_masks
from ..refusals import Conflict
from ..text import norwegian_slug
from ..vocabularies import Origin

# Paths under /saker/ that a case slug must not shadow.
RESERVED_SLUGS = {"ny", "feed"}


# A provisional slug holds this between its title part and its random part. Lasting slugs
# never do: norwegian_slug (Django's slugify) turns every run of hyphens into one.
PROVISIONAL_MARK = "--"


def provisional_slug(title: str) -> str:
    """The slug of a case until it is first published: its title and a random part.

    It depends on no other case, so an author learns nothing from it of cases they cannot see,
    and no lasting slug can ever be taken by it.
    """
    base = norwegian_slug(title) or "case"
    return f"{base}{PROVISIONAL_MARK}{secrets.token_hex(5)}"


def is_provisional(slug: str) -> bool:
    return PROVISIONAL_MARK in slug


def unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    """The first of `title`, `title-2`, `title-3` ... that no other case has."""
    base = norwegian_slug(title) or "case"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or (
        # exclude(pk=None) excludes nothing (pk IS NULL); the stubs allow no None.
        Case.all_objects.filter(slug=slug).exclude(pk=exclude_pk).exists()  # type: ignore[misc]
    ):
        slug, n = f"{base}-{n}", n + 1
    return slug


PUBLISH_SLUG_ATTEMPTS = 5


def publish_slug(case: Case) -> None:
    """Give a case published for the first time its lasting slug, from its title as published.

    Only cases that were published once hold lasting slugs (every other one is provisional), so
    the number a title gets tells nothing that was never public. Once given, a slug stays. Two
    cases published at the same moment with the same title cannot both take it: the unique
    index refuses the later one, which takes the next number. The provisional slug is kept as
    `draft_slug`, whose address leads to the new one.
    """
    if not is_provisional(case.slug):
        return
    for _attempt in range(PUBLISH_SLUG_ATTEMPTS):
        slug = unique_slug(case.title, exclude_pk=case.pk)
        try:
            with transaction.atomic():
                Case.all_objects.filter(pk=case.pk).update(slug=slug, draft_slug=case.slug)
        except IntegrityError:
            continue
        case.slug, case.draft_slug = slug, case.slug
        return
    raise Conflict(_("Another case with this title is being published. Try again."))


def apply_content(case: Case, clean: dict[str, Any]) -> None:
    """Write cleaned content onto the case row and its terms and partners (case must exist)."""
    for field in (*TEXT_FIELDS, *CODE_FIELDS, "links", "source_description"):
        if field in clean:
            setattr(case, field, clean[field])
    if "source_case" in clean:
        case.source_case_id = clean["source_case"]
    if case.origin == Origin.FIRST:
        case.source_case_id = None
        case.source_description = ""
    case.updated_at = timezone.now()
    case.save()
    for field, (vocabulary, _choices) in TERM_FIELDS.items():
        if field in clean:
            _set_terms(case, vocabulary, set(clean[field]))
    if "partners" in clean:
        case.partners.set(clean["partners"])
    refresh_search_extra(case)
    if "attachments" in clean:
        kept = clean["attachments"]
        case.attachments.filter(pk__in=kept).update(pending=False)
        case.attachments.exclude(pk__in=kept).update(deleted_at=timezone.now())


def _set_terms(case: Case, vocabulary: str, wanted: set[str]) -> None:
    existing = set(case.terms.filter(vocabulary=vocabulary).values_list("code", flat=True))
    case.terms.filter(vocabulary=vocabulary, code__in=existing - wanted).delete()
    CaseTerm.objects.bulk_create(
        [CaseTerm(case=case, vocabulary=vocabulary, code=code) for code in wanted - existing]
    )
    if wanted != existing:
        refresh_term_masks([case.pk])


def refresh_search_extra(case: Case) -> None:
    """Keep the words from other tables that search should find (see Case.search_extra), and
    the case's search terms (cases/search.py)."""
    words = [
        *case.terms.filter(vocabulary=CaseTerm.Vocabulary.TAG).values_list("code", flat=True),
        case.organisation.name,
        *case.partners.values_list("name", flat=True),
    ]
    extra = " ".join(words)
    if extra != case.search_extra:
        case.search_extra = extra
        Case.all_objects.filter(pk=case.pk).update(search_extra=extra)
    search.store_terms(case)
