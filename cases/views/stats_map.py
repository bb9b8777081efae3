"""The map of reuse across Norway on the statistics page: what `templates/stats/_map.html`
needs, from the same figures the API answers per municipality."""

import hashlib
import json
from html import escape

from django.core.cache import cache
from django.templatetags.static import static
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ..statistics.caching import FILTERED_CACHE_SECONDS
from ..statistics.municipalities import MEASURES, municipality_figures

TOPOLOGY = "maps/norge-2024.topo.json"

MEASURE_LABELS = {
    "cases": gettext_lazy("Cases published"),
    "reuses": gettext_lazy("Reuses recorded"),
    "reuses_per_10000": gettext_lazy("Reuses per 10,000 inhabitants"),
    "reuse_share": gettext_lazy("Share of its cases that were reused"),
}
MEASURE_HELP = {
    "cases": gettext_lazy("Published cases of the municipality or its workplaces."),
    "reuses": gettext_lazy(
        "Reuses the municipality or its workplaces recorded, of any of the cases."
    ),
    "reuses_per_10000": gettext_lazy("Reuses recorded, per 10,000 inhabitants."),
    "reuse_share": gettext_lazy(
        "Of the municipality's published cases, the share that someone reused."
    ),
}


def reuse_map(*, filters: dict, query: str, version: str) -> dict:
    """The map's context: the table of all municipalities (rendered, see `_table`), the
    measures to choose between, the boundaries and the API address of the same figures.
    `version` is the data version of the page's figures, which covers these too."""
    api = reverse("api-stats-municipalities")
    return {
        "table": _table(filters=filters, query=query, version=version),
        "measures": [
            {"key": key, "label": MEASURE_LABELS[key], "help": MEASURE_HELP[key]}
            for key in MEASURES
        ],
        "topology_url": static(TOPOLOGY),
        "api_url": f"{api}?{query}" if query else api,
        # JSON in a data attribute: the page has no inline script, not even a data block.
        "texts": json.dumps(map_texts()),
    }


def _table(*, filters: dict, query: str, version: str) -> SafeString:
    """The rows of the municipalities' table, cached like the page's other tables: per language
    and query string, until the data change (`version`)."""
    payload = json.dumps([get_language(), query])
    key = "stats:map:" + hashlib.sha256(payload.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None and cached["version"] == version:
        return mark_safe(cached["html"])  # noqa: S308 - every value escaped in _rows_html
    rows = [_cells(row) for row in municipality_figures(filters=filters)]
    html = _rows_html(rows) if rows else _empty_html()
    cache.set(key, {"version": version, "html": html}, FILTERED_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - every value escaped in _rows_html


# Some 2,500 cells: a template loop over them takes a large part of a second, and even
# format_html (three escapes through Django's lazy-aware wrappers per cell) a quarter; plain
# html.escape of every value, as here, a few milliseconds. Each cell has the plain value
# static/js/map.js colours by (data-value) and the words it reads out (data-text), the same
# words the cell shows.
def _rows_html(rows: list[dict]) -> str:
    lines = []
    for row in rows:
        name = escape(str(row["name"]))
        cells = "".join(
            f'<td data-key="{escape(cell["key"])}" data-value="{escape(str(cell["value"]))}" '
            f'data-text="{escape(str(cell["text"]))}">{_shown(cell)}</td>'
            for cell in row["cells"]
        )
        lines.append(
            f'<tr data-number="{escape(row["number"])}"><th scope="row" data-value="{name}">'
            f"{name}</th>{cells}</tr>"
        )
    return "\n".join(lines)


def _shown(cell: dict) -> str:
    text = escape(str(cell["text"]))
    if cell.get("missing"):
        return f'<span aria-hidden="true">–</span><span class="ds-sr-only">{text}</span>'
    return text


def _empty_html() -> str:
    return format_html(
        '<tr><td colspan="7">{}</td></tr>', _("No municipalities are registered on the platform.")
    )


def _number(value, places: int = 0) -> str:
    return number_format(value, decimal_pos=places, force_grouping=True)


def _cells(row: dict) -> dict:
    """A row as the table shows it: per cell the plain value the map reads (`value`) and the
    words people read (`text`); `missing` when there is no figure."""
    share = row["reuse_share"]
    population = row["population"]
    per_10000 = row["reuses_per_10000"]
    if share.get("suppressed"):
        # Too small a base for a share (statistics.figures.share): the counts alone.
        counts = {"n": share["numerator"], "d": share["denominator"]}
        share_cell = {
            "value": "",
            "text": _("%(n)s of %(d)s: too few cases for a share") % counts,
            "missing": True,
        }
    elif share["percent"] is None:
        share_cell = {"value": "", "text": _("no published cases"), "missing": True}
    else:
        share_cell = {
            "value": str(share["percent"]),
            "text": "{}\u00a0% ({})".format(
                _number(share["percent"], 1),
                _("%(n)s of %(d)s") % {"n": share["numerator"], "d": share["denominator"]},
            ),
        }
    cells = [
        {
            "key": "county",
            "value": row["county"]["name"] if row["county"] else "",
            "text": row["county"]["name"] if row["county"] else "–",
        },
        {
            "key": "population",
            "value": "" if population is None else str(population),
            "text": _("no figure") if population is None else _number(population),
            "missing": population is None,
        },
        {"key": "cases", "value": str(row["cases"]), "text": str(row["cases"])},
        {"key": "reuses", "value": str(row["reuses"]), "text": str(row["reuses"])},
        {
            "key": "reuses_per_10000",
            "value": "" if per_10000 is None else str(per_10000),
            "text": _("no figure") if per_10000 is None else _number(per_10000, 2),
            "missing": per_10000 is None,
        },
        {"key": "reuse_share", **share_cell},
    ]
    return {"number": row["number"], "name": row["name"], "cells": cells}


def map_texts() -> dict[str, str]:
    """The words static/js/map.js writes, in the page's language (%(name)s are filled in)."""
    return {
        "map_label": _("Map of Norway's municipalities: %(measure)s."),
        "caption": _(
            "%(measure)s, by municipality, for the cases the filters describe. County "
            "borders are drawn over the municipalities. The same figures are in the table."
        ),
        "readout": _("%(name)s (%(county)s): %(measure)s: %(value)s"),
        "path_label": _("%(name)s: %(value)s"),
        "not_in_registry": _("not among the municipalities on the platform"),
        "no_figure": _("No figure"),
        "no_figure_share": _("No figure (no published cases)"),
        "zero": "0",
        "range": _("%(lower)s–%(upper)s"),
        "above": _("over %(lower)s to %(upper)s"),
        "legend": _("Classes of %(measure)s"),
    }
