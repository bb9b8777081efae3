"""Markdown for the long text fields, rendered through a sanitiser so no raw HTML, script,
event handler or javascript:/data: link ever reaches a page."""

import html
import re

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
HEADING = re.compile(r"<(/?)h([1-6])>")


def render(text: str) -> SafeString:
    """Markdown to sanitised HTML. Headings start at h3: the page owns h1 and h2."""
    if not text:
        return mark_safe("")
    rendered = markdown_lib.markdown(
        text.replace("\x00", ""),
        extensions=["sane_lists", "tables"],
        output_format="html",
    )
    # Headings keep their order but start at h3: the page owns h1 and h2.
    rendered = HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 2, 6)}>", rendered)
    clean = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - nh3 output is the sanitised HTML


def to_text(text: str) -> str:
    """Markdown as plain text, for summaries, feeds and JSON-LD."""
    return html.unescape(nh3.clean(str(render(text)), tags=set())).strip()
