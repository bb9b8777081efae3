import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

from cases import markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Render a long text field as sanitised HTML."""
    return markdown.render(text or "")


@register.filter(name="ld_json")
def ld_json(data):
    """A dict as JSON safe to place inside <script type="application/ld+json">."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_ESCAPES)
    return mark_safe(text)  # noqa: S308 - JSON with <, >, & and the line separators escaped


# The characters that could end a script element or open a comment, escaped as JSON allows.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
