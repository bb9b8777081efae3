"""The diffusion statistics dashboard and its CSV downloads.

The figures come from `cases.statistics.caching.diffusion`, the same function the API answers
with, and are arranged as tables by `cases.statistics.tables`: each table is shown on the page
and downloads as CSV with the same filters. A share is exported as three columns: percent,
numerator and denominator.
"""

import hashlib
import json

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import ratelimit, spreadsheet
from ..forms import styled
from ..statistics.caching import cache_seconds, diffusion, diffusion_and_version
from ..statistics.filters import FILTER_NAMES, StatsFilter, normalise_filters
from ..statistics.tables import Column, build_tables
from .stats_map import reuse_map


def _filterset(request):
    filterset = StatsFilter(request.GET or None)
    styled(filterset.form)
    if filterset.is_bound and not filterset.is_valid():
        # Show what was not understood and use the rest (form.cleaned_data keeps the valid
        # fields only).
        return filterset, filterset.form.cleaned_data, filterset.form.errors
    filters = filterset.form.cleaned_data if filterset.is_bound else {}
    return filterset, filters, {}


def _active_filters(filterset, filters: dict) -> list[dict]:
    """What the figures are narrowed to, in words, for the summary above them."""
    active = []
    for name in FILTER_NAMES:
        value = filters.get(name)
        if not value:
            continue
        field_ = filterset.form.fields[name]
        if isinstance(value, list):
            choices = {str(k): v for k, v in field_.choices}
            text = ", ".join(str(choices.get(str(v), v)) for v in value)
        else:
            text = date_format(value, "j. F Y")
        active.append({"label": field_.label, "value": text})
    return active


def _figures_html(result: dict, version: str, filters: dict, query: str) -> str:
    """The page's figures, every table rendered (templates/stats/_figures.html).

    Cached like the figures themselves: some thousand table cells cost more to render than all
    the rest of the request, and they are the same for everyone who asks for the same filters
    in the same language until the data change (`version`, the data version of `result`). One
    entry per language and query string, replaced when the version changes.
    """
    payload = json.dumps([get_language(), query])
    key = "stats:html:" + hashlib.sha256(payload.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None and cached["version"] == version:
        return mark_safe(cached["html"])  # noqa: S308 - rendered from our template, escaped there
    tables = build_tables(result)
    html = render_to_string(
        "stats/_figures.html",
        {
            "result": result,
            # Template variables cannot contain hyphens: the slugs' become underscores.
            "tables": {slug.replace("-", "_"): table for slug, table in tables.items()},
            "query": query,
            "sources": result["comparison"]["sources"],
        },
    )
    seconds = cache_seconds(normalise_filters(filters))
    cache.set(key, {"version": version, "html": html}, seconds)
    return mark_safe(html)  # noqa: S308 - rendered from our template, escaped there


def dashboard(request):
    """The statistics page: filters in the URL (GET), every figure with its table."""
    filterset, filters, errors = _filterset(request)
    result, version = diffusion_and_version(
        filters=filters, before_computing=ratelimit.expensive_work(request)
    )
    query = request.GET.urlencode()
    context = {
        "form": filterset.form,
        "errors": errors,
        "active_filters": _active_filters(filterset, filters),
        "result": result,
        "figures": _figures_html(result, version, filters, query),
        "reuse_map": reuse_map(filters=filters, query=query, version=version),
        "form_groups": [
            (_("What"), ["sector", "innovation_type", "workplace_type", "employee_band"]),
            (_("Where"), ["region", "county", "size_class", "centrality_class"]),
            (_("When the case was published"), ["published_from", "published_to"]),
        ],
    }
    return render(request, "stats/dashboard.html", context)


def csv_download(request, table):
    """One table of the dashboard as CSV, with the filters of the query string."""
    _unused, filters, errors = _filterset(request)
    if errors:
        return HttpResponse(
            "\n".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    result = diffusion(filters=filters, before_computing=ratelimit.expensive_work(request))
    tables = build_tables(result)
    if table not in tables:
        raise Http404
    chosen = tables[table]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="spredning-{chosen.slug}.csv"'
    # A byte order mark, so that spreadsheet programs read æ, ø and å correctly.
    response.write("\ufeff")
    writer = spreadsheet.writer(response)
    writer.writerow([cell for column in chosen.columns for cell in _csv_header(column)])
    for row in chosen.rows:
        writer.writerow(
            [
                cell
                for column, value in zip(chosen.columns, row, strict=True)
                for cell in _csv_cells(column, value)
            ]
        )
    return response


def _csv_header(column: Column) -> list[str]:
    """A column's header cells: a share takes three (see _csv_cells), a survey figure one."""
    names = {"label": column.label}
    if column.kind == "share":
        return [
            _("%(label)s (percent)") % names,
            _("%(label)s (numerator)") % names,
            _("%(label)s (denominator)") % names,
        ]
    if column.kind == "survey":
        return [_("%(label)s (percent)") % names]
    return [column.label]


def _csv_cells(column: Column, value) -> list:
    if column.kind == "share":
        if not value:
            return ["", "", ""]
        if "numerator" not in value:  # a text cell in a share column (main channels)
            return [value.get("text", ""), "", ""]
        return [
            "" if value["percent"] is None else value["percent"],
            value["numerator"],
            value["denominator"],
        ]
    if column.kind == "survey":
        if not value:
            return [""]
        return [value["percent"] if "percent" in value else value.get("text", "")]
    if isinstance(value, dict):
        return [value.get("text", "")]
    return ["" if value is None else value]
