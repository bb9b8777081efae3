"""The statistics' filters: the dashboard and the API alike describe the cases with them, and
adoptions follow their case:
- `sector`, `innovation_type`: the case's terms (a case may have several; within one filter the
  chosen values are alternatives, filters combine with AND);
- `workplace_type`: the case's own `workplace_type` field (what kind of workplace the innovation
  is for), not the owner's, because a municipality's case can be about any workplace;
- `employee_band`: the owner organisation's employee band (set for units, i.e. workplaces);
- `county` (two-digit county number), `region`, `size_class`, `centrality_class`: the owner
  organisation's, which for a unit are its municipality's (denormalised on Organisation);
- `published_from`, `published_to`: the day (Norwegian time) the case was published, inclusive.
"""

import datetime as dt

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import vocabularies
from ..filters import county_choices, term_exists
from ..models import Case, CaseTerm

FILTER_NAMES = [
    "sector",
    "innovation_type",
    "workplace_type",
    "employee_band",
    "county",
    "region",
    "size_class",
    "centrality_class",
    "published_from",
    "published_to",
]
MULTIPLE = FILTER_NAMES[:8]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


# The period's dates: wide enough for any real period, and away from the ends of the calendar,
# where a day cannot be turned into the moment it starts or ends (a 500 instead of figures).
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2999, 12, 31)
PERIOD_BOUNDS = [MinValueValidator(FIRST_DATE), MaxValueValidator(LAST_DATE)]


class StatsFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("published_from"), data.get("published_to")
        if start and end and end < start:
            self.add_error("published_to", _("The end of the period must not be before its start."))
        return data


def _multiple(label, choices) -> django_filters.MultipleChoiceFilter:
    return django_filters.MultipleChoiceFilter(
        label=label,
        choices=choices,
        method="filter_noop",
        widget=forms.CheckboxSelectMultiple,
    )


class StatsFilter(django_filters.FilterSet):
    """The statistics' filters: parses and validates them, with per-field messages.

    Used by the dashboard and the API alike::

        filterset = StatsFilter(request.GET)
        if not filterset.is_valid():
            ...  # filterset.errors: {"county": ["Select a valid choice. ..."]}
        result = diffusion(filters=filterset.form.cleaned_data)

    `qs` gives the matching published cases. Unknown parameters are ignored.
    """

    sector = _multiple(_("Sector"), vocabularies.Sector.choices)
    innovation_type = _multiple(_("Innovation type"), vocabularies.InnovationType.choices)
    workplace_type = _multiple(_("Workplace type"), vocabularies.WorkplaceType.choices)
    employee_band = _multiple(
        _("Number of employees (workplaces)"), vocabularies.EmployeeBand.choices
    )
    # The counties come from the database: set in __init__.
    county = _multiple(_("County"), [])
    region = _multiple(_("Region"), vocabularies.Region.choices)
    size_class = _multiple(_("Municipality size"), vocabularies.SizeClass.choices)
    centrality_class = _multiple(_("Centrality class"), vocabularies.CentralityClass.choices)
    published_from = django_filters.DateFilter(
        label=_("Published from"),
        method="filter_noop",
        widget=DateInput(),
        validators=PERIOD_BOUNDS,
    )
    published_to = django_filters.DateFilter(
        label=_("Published to"),
        method="filter_noop",
        widget=DateInput(),
        validators=PERIOD_BOUNDS,
    )

    class Meta:
        model = Case
        fields: list[str] = []
        form = StatsFilterForm

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(
            data,
            queryset if queryset is not None else Case.objects.published(),
            request=request,
            prefix=prefix,
        )
        # One query for the counties, whether the form is validated, rendered or both.
        self.filters["county"].extra["choices"] = county_choices()

    def filter_noop(self, queryset, name, value):
        # Filtering happens in one place, `filter_cases`, for the whole form at once.
        return queryset

    def filter_queryset(self, queryset):
        return filter_cases(self.form.cleaned_data, queryset=queryset)


def _as_date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def normalise_filters(filters: dict | None) -> dict:
    """Cleaned filter values in a fixed shape: lists of codes, dates or None.

    Takes `StatsFilter(...).form.cleaned_data` (or any subset of it). Unknown names are a
    programming error and raise ValueError; values are assumed to be validated already.
    """
    filters = dict(filters or {})
    unknown = set(filters) - set(FILTER_NAMES)
    if unknown:
        raise ValueError(f"Unknown statistics filters: {', '.join(sorted(unknown))}")
    clean: dict = {}
    for name in MULTIPLE:
        value = filters.get(name) or []
        if isinstance(value, str | int):
            value = [value]
        clean[name] = [str(v) for v in value]
    clean["published_from"] = _as_date(filters.get("published_from"))
    clean["published_to"] = _as_date(filters.get("published_to"))
    return clean


def _start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def filter_cases(filters: dict | None, *, queryset=None):
    """The published cases the filters describe (see the module docstring for each filter)."""
    f = normalise_filters(filters)
    cases = queryset if queryset is not None else Case.objects.published()
    if f["sector"]:
        cases = cases.filter(term_exists(CaseTerm.Vocabulary.SECTOR, f["sector"]))
    if f["innovation_type"]:
        cases = cases.filter(term_exists(CaseTerm.Vocabulary.INNOVATION_TYPE, f["innovation_type"]))
    if f["workplace_type"]:
        cases = cases.filter(workplace_type__in=f["workplace_type"])
    if f["employee_band"]:
        cases = cases.filter(organisation__employee_band__in=f["employee_band"])
    if f["county"]:
        cases = cases.filter(organisation__county__number__in=f["county"])
    if f["region"]:
        cases = cases.filter(organisation__region__in=f["region"])
    if f["size_class"]:
        cases = cases.filter(organisation__size_class__in=f["size_class"])
    if f["centrality_class"]:
        cases = cases.filter(
            organisation__centrality_class__in=[int(c) for c in f["centrality_class"]]
        )
    if f["published_from"]:
        cases = cases.filter(published_at__gte=_start_of_day(f["published_from"]))
    if f["published_to"]:
        end = f["published_to"] + dt.timedelta(days=1)
        cases = cases.filter(published_at__lt=_start_of_day(end))
    return cases


def filters_as_json(filters: dict) -> dict:
    f = normalise_filters(filters)
    return {
        name: (value.isoformat() if isinstance(value, dt.date) else value)
        for name, value in f.items()
    }
