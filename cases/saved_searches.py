"""Followed searches: what a search is (its words and filters, one normalised query string), how
it reads to a person, and which cases match it. Matching goes through the search page's own
filters (`CaseFilter`), so a followed search finds exactly what the page finds."""

import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from .filters import CaseFilter
from .models import Case, Organisation, SavedSearch
from .vocabularies import OrganisationKind

# How many searches one person may follow.
MAX_PER_USER = 50
# A label longer than this is cut (the search itself is kept whole).
LABEL_LENGTH = SavedSearch._meta.get_field("label").max_length or 300
QUERY_LENGTH = SavedSearch._meta.get_field("query").max_length or 2000


def _value_text(value) -> str | None:
    """A cleaned filter value as it goes back into a query string; None for "not chosen"."""
    if value is None or value == "" or value is False:
        return None
    if value is True:
        return "true"
    if isinstance(value, Decimal):
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return " ".join(str(value).split()) or None


def filterset_of(data: QueryDict, queryset: QuerySet | None = None) -> CaseFilter:
    """The search page's filters over `data`, with what they do not understand left out."""
    filterset, _problems = CaseFilter.lenient(
        data, queryset=Case.objects.published() if queryset is None else queryset
    )
    return filterset


def normalise(data: QueryDict) -> tuple[str, CaseFilter]:
    """The query string of a search, the same for every way of writing it (order, repeats,
    spaces, unknown or empty values, the page and the sort order), and its filter set.

    "?sector=b&q=robot%20%20ved&sector=a&page=2" and "?q=robot+ved&sector=a&sector=b" are one
    search.
    """
    filterset = filterset_of(data)
    pairs: list[tuple[str, str]] = []
    if filterset.is_bound:
        filterset.errors  # noqa: B018 - validates the form, which fills cleaned_data
        cleaned = filterset.form.cleaned_data
        for name in sorted(filterset.filters):
            value = cleaned.get(name)
            values = value if isinstance(value, list | tuple) else [value]
            texts = sorted({text for v in values if (text := _value_text(v)) is not None})
            pairs += [(name, text) for text in texts]
    query = QueryDict(mutable=True)
    for name, text in pairs:
        query.appendlist(name, text)
    return query.urlencode(), filterset


def label(filterset: CaseFilter) -> str:
    """What a search reads as, in the active language: «words» · Filter: value, value · ..."""
    if not filterset.is_bound:
        return _("All new cases")
    filterset.errors  # noqa: B018 - validates the form, which fills cleaned_data
    cleaned = filterset.form.cleaned_data
    parts = []
    for name, filter_ in filterset.filters.items():
        value = cleaned.get(name)
        if value in (None, "", [], False):
            continue
        if name == "q":
            parts.append(f"«{' '.join(value.split())}»")
        elif value is True:
            parts.append(str(filter_.label))
        elif isinstance(value, list):
            choices = dict(filterset.form.fields[name].choices)
            names = [str(choices.get(v, v)) for v in value]
            parts.append(f"{filter_.label}: {', '.join(names)}")
        elif name == "organisation":
            parts.append(f"{filter_.label}: {_organisation_name(pk=int(value)) or value}")
        elif name == "municipality":
            found = _organisation_name(number=value, kind=OrganisationKind.MUNICIPALITY)
            parts.append(f"{filter_.label}: {found or value}")
        elif isinstance(value, datetime.datetime):
            parts.append(f"{filter_.label}: {value.date().strftime('%d.%m.%Y')}")
        else:
            parts.append(f"{filter_.label}: {value}")
    text = " · ".join(parts) or _("All new cases")
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1] + "…"


def _organisation_name(**lookup) -> str | None:
    return Organisation.objects.filter(**lookup).values_list("name", flat=True).first()


def matching(query: str, queryset: QuerySet, *, counties=None) -> QuerySet:
    """The cases of `queryset` the saved search `query` finds, by the search page's filters.

    `counties` (from `county_choices`) saves reading them again for every search; a value that
    no longer exists (a county merged away) is left out, as on the search page.
    """
    data = QueryDict(query)
    filterset = CaseFilter(data or None, queryset=queryset, counties=counties)
    if filterset.is_bound and not filterset.is_valid():
        filterset = filterset_of(data, queryset)
    return filterset.qs
