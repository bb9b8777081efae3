"""Small presentation helpers for the site's templates: `{% load presentation %}`."""

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from cases.content import CODE_FIELDS, TERM_FIELDS
from cases.vocabularies import VOCABULARIES

register = template.Library()

SITE_NAME = "Innovasjonsdeling"

# The organisations write their cases in Norwegian bokmål, whatever language the interface is in.
CONTENT_LANGUAGE = "nb"

# Fields of a case that hold codes of a vocabulary (shown as translated labels), not free text.
CODE_VALUED_FIELDS = frozenset(CODE_FIELDS) | {
    field for field, (_vocabulary, choices) in TERM_FIELDS.items() if choices is not None
}


def content_language_differs() -> bool:
    """Whether the page is in another language than the cases are written in."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return language.split("-")[0].lower() != CONTENT_LANGUAGE


@register.simple_tag
def content_lang(field: str = "") -> str:
    """` lang="nb"` for an element holding text the organisations wrote, when the interface is
    in another language, so that a screen reader reads it as Norwegian (WCAG 3.1.2); nothing on
    bokmål pages, where <html lang> says so already. `{% content_lang change.field %}` gives
    nothing for a field that holds vocabulary codes rather than text."""
    if field in CODE_VALUED_FIELDS or not content_language_differs():
        return ""
    return format_html(' lang="{}"', CONTENT_LANGUAGE)


@register.filter
def case_text(value) -> SafeString:
    """Text the organisations wrote, inside a sentence of the interface (“Review “{title}””):
    in `<span lang="nb">` when the interface is in another language, else just escaped."""
    text = conditional_escape(value)
    if not content_language_differs():
        return text
    return format_html('<span lang="{}">{}</span>', CONTENT_LANGUAGE, text)


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
