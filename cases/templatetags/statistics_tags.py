"""What the statistics templates need beyond the figures: the small-number threshold."""

from django import template

from ..statistics.figures import min_denominator as _min_denominator

register = template.Library()


@register.simple_tag
def min_denominator() -> int:
    """The smallest denominator a share is shown for (`figures.min_denominator`)."""
    return _min_denominator()
