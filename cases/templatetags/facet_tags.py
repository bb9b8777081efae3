"""The search page's facet options and their counts: `{% load facet_tags %}`.

A search page has some 120 options, each with a count, and the htmx answer swaps every count in
again: written here once as markup, not as two templates included per option.
"""

from django import template
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# htmx swaps an element with this attribute into the element of the same id on the page.
OUT_OF_BAND = mark_safe(' data-hx-swap-oob="true"')


@register.simple_tag
def facet_count(count_id: str, count: int, count_text: str, oob: bool = False) -> SafeString:
    """The count beside an option: the number for the eye, a phrase for screen readers."""
    return format_html(
        '<span class="count" id="c-{}"{}><span aria-hidden="true">({})</span>'
        '<span class="ds-sr-only">, {}</span></span>',
        count_id,
        OUT_OF_BAND if oob else "",
        localize(count),
        count_text,
    )


@register.simple_tag
def facet_option(facet: dict, option: dict) -> SafeString:
    """One option of a facet (browse._facets) as a checkbox with its label and count."""
    return format_html(
        '<div class="ds-field facet-option" data-order="{}">\n'
        '  <input class="ds-input" type="checkbox" name="{}" value="{}" id="{}"{}>\n'
        '  <label class="ds-label" data-weight="regular" for="{}">{} {}</label>\n'
        "</div>\n",
        option["order"],
        facet["name"],
        option["value"],
        option["id"],
        mark_safe(" checked") if option["selected"] else "",
        option["id"],
        option["label"],
        facet_count(option["id"], option["count"], option["count_text"]),
    )
