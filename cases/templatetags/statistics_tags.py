"""Presentation of the statistics' values: `{% load statistics_tags %}`."""

import datetime as dt

from django import template
from django.utils.formats import date_format, number_format

from ..statistics.figures import min_denominator as _min_denominator

register = template.Library()


@register.filter
def month_label(value) -> str:
    """A month of the series ("2023-05") as people write it in the interface language: "mai
    2023" in bokmål, "May 2023" in English. The CSV keeps the sortable code; anything that is
    not such a month is shown as it is."""
    try:
        year, month = (int(part) for part in str(value).split("-"))
        day = dt.date(year, month, 1)
    except (TypeError, ValueError):
        return value
    return date_format(day, "YEAR_MONTH_FORMAT")


@register.filter
def grouped(value) -> str:
    """A whole number with the language's thousands separator ("1 786", "1,786")."""
    return number_format(value, force_grouping=True)


@register.simple_tag
def min_denominator() -> int:
    """The smallest denominator a share is shown for (`figures.min_denominator`)."""
    return _min_denominator()
