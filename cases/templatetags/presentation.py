"""Small presentation helpers for the site's templates: `{% load presentation %}`."""

from django import template
from django.utils.safestring import mark_safe

from cases.vocabularies import VOCABULARIES

register = template.Library()

SITE_NAME = "Innovasjonsdeling"


@register.filter
def vocabulary_label(code, vocabulary: str):
    """The translated label of a vocabulary code: `{{ code|vocabulary_label:"sector" }}`.

    Unknown codes (a free tag, a code retired since) are shown as they are.
    """
    choices = VOCABULARIES.get(vocabulary)
    if choices is None:
        return code
    try:
        return choices(code).label
    except ValueError:
        return code


@register.filter(is_safe=True)
def page_title(title) -> str:
    """`"Cases"` → `"Cases – Innovasjonsdeling"`; an empty title gives the site name alone."""
    title = str(title).strip()
    return f"{title} – {SITE_NAME}" if title else SITE_NAME


@register.simple_tag(takes_context=True)
def aria_current(context, href: str) -> str:
    """` aria-current="page"` on a link to the page being shown."""
    request = context.get("request")
    if href and request is not None and request.path == href:
        return mark_safe(' aria-current="page"')
    return ""
