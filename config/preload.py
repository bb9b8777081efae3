"""What every worker process would otherwise build for itself on its first requests, built once
in gunicorn's master before it forks the workers (gunicorn.conf.py): the URL patterns with the
views and API they import, the site's templates compiled, and the translation catalogues.

Built before the fork, these objects are shared by the workers' memory, and `gc.freeze()` moves
them out of the garbage collector's sight: a full collection in a worker then walks what the
worker made itself, not the whole code base it loaded. Nothing here touches the database or the
cache, whose connections must not be shared across the fork.
"""

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.template.loader import get_template
from django.urls import get_resolver
from django.utils import translation

# The kinds of file the site's templates folders hold (pages, fragments, email texts).
TEMPLATE_SUFFIXES = (".html", ".txt")


def site_templates() -> list[str]:
    """The names of the templates in the project's own templates folders."""
    names = []
    for engine in engines.all():
        for folder in map(Path, engine.dirs):
            names += sorted(
                path.relative_to(folder).as_posix()
                for path in folder.rglob("*")
                if path.suffix in TEMPLATE_SUFFIXES
            )
    return names


def warm() -> None:
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports every view module
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018 - the reverse lookups, per language
            translation.gettext("Search")
    for name in site_templates():
        get_template(name)
