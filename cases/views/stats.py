"""The diffusion statistics: two pages and the CSV downloads.

The overview (`dashboard`, /statistikk/) is for everyone: the key figures, the surveys beside
the platform and a few charts in plain words. The method page (`method`, /statistikk/metode/)
has every table, the model fits with their quality, the definitions and how each figure is
computed. Both take the same filters from the query string, and link to each other with it.

The figures come from `cases.statistics.caching.diffusion`, the same function the API answers
with, and are arranged as tables by `cases.statistics.tables`: each table is shown on the page
and downloads with the same filters as CSV (two dialects) and as an Excel workbook
(`cases.statistics.downloads`).
"""

import functools
import hashlib
import json
from collections.abc import Callable

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import background, ratelimit
from ..forms import styled
from ..statistics import downloads
from ..statistics.caching import LOCK_SECONDS, cache_seconds, diffusion, diffusion_and_version
from ..statistics.figures import min_denominator
from ..statistics.filters import FILTER_NAMES, StatsFilter, normalise_filters
from ..statistics.generations import ROGERS_CATEGORIES, ROGERS_LABELS, ROGERS_MIN_ADOPTERS
from ..statistics.tables import build_tables, label
from ..vocabularies import InnovationType, Sector
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
            text = date_format(value)
        active.append({"label": field_.label, "value": text})
    return active


# The overview's short versions of the breakdowns: the counts and the reuse rate. The method
# page and the CSV have every column.
OVERVIEW_COLUMNS = ["label", "cases", "adoptions", "reused"]
OVERVIEW_BREAKDOWNS = ["breakdown_sector", "breakdown_size_class", "breakdown_centrality_class"]


def spread_in_words(fits: dict) -> list[dict]:
    """The groups whose Bass fit says something, each with how it spreads, in words.

    Only fits marked identifiable count: a curve far from saturation gives parameters that mean
    nothing, however closely it follows the data. Imitation (q) larger than outside influence
    (p) means reuse spreads mostly from those who already adopted; otherwise mostly from
    outside (networks, suppliers, the media). No parameter is given: the method page has them.
    """
    groups = [("all", None, fits.get("all") or {})]
    for name in ("sector", "innovation_type"):
        groups += [(name, fit.get("code"), fit) for fit in fits.get(name, [])]
    found = []
    for name, code, fit in groups:
        if fit.get("status") != "ok" or not fit.get("identifiable"):
            continue
        p, q = fit.get("p"), fit.get("q")
        if p is None or q is None:
            continue
        found.append({"group": name, "code": code, "imitation": q > p})
    return found


def _figures_html(
    template: str,
    result: dict,
    version: str,
    filters: dict,
    query: str,
    extra: Callable[[], dict] | None = None,
) -> dict:
    """A page's figures, every table rendered (templates/stats/_overview.html for the
    overview, templates/stats/_figures.html for the method page): `html`, and `spread`, whether
    it has the section on how reuse spreads (the page's contents link to it).

    Cached like the figures themselves: some thousand table cells cost more to render than all
    the rest of the request, and they are the same for everyone who asks for the same filters
    in the same language until the data change (`version`, the data version of `result`). One
    entry per page, language and query string. When the data change, the tables rendered
    before are served while one process renders the new ones outside the request
    (cases/background.py); the page shows them whole, never some tables of one version and
    some of another. `extra` gives more context for the template (called only to render).
    """
    language = get_language()
    payload = json.dumps([template, language, query, min_denominator()])
    key = "stats:html:" + hashlib.sha256(payload.encode()).hexdigest()
    seconds = cache_seconds(normalise_filters(filters))

    def entry() -> dict:
        with translation.override(language):
            html = _render(template, result, query, extra() if extra is not None else {})
        return {"version": version, "html": html, "spread": bool(spread_in_words(result["bass"]))}

    cached = background.stale_or_refreshed(
        key, version, entry, seconds=seconds, lock_seconds=LOCK_SECONDS
    )
    if cached is None:
        cached = entry()
        cache.set(key, cached, seconds)
    # Rendered from our template, escaped there.
    return {"html": mark_safe(cached["html"]), "spread": cached["spread"]}  # noqa: S308


def _render(template: str, result: dict, query: str, extra: dict) -> str:
    tables = build_tables(result)
    # Template variables cannot contain hyphens: the slugs' become underscores.
    by_name = {slug.replace("-", "_"): table for slug, table in tables.items()}
    for name in OVERVIEW_BREAKDOWNS:
        by_name[f"short_{name}"] = by_name[name].narrowed(OVERVIEW_COLUMNS)
    return render_to_string(
        template,
        {
            "result": result,
            "tables": by_name,
            "query": query,
            "sources": result["comparison"]["sources"],
            "spread": _spread_labels(spread_in_words(result["bass"])),
            "rogers": _rogers_definitions(),
            "rogers_min_adopters": ROGERS_MIN_ADOPTERS,
            **extra,
        },
    )


def _rogers_definitions() -> list[dict]:
    """Rogers' adopter categories with the part of the adopters, in order of adoption, that
    each one is (percent from and to)."""
    rows, lower = [], 0.0
    for code, upper in ROGERS_CATEGORIES:
        rows.append(
            {
                "label": ROGERS_LABELS[code],
                "start": round(100 * lower, 1),
                "end": round(100 * upper, 1),
                "percent": round(100 * (upper - lower), 1),
            }
        )
        lower = upper
    return rows


def _spread_labels(found: list[dict]) -> list[dict]:
    labels = {"sector": Sector, "innovation_type": InnovationType}
    for item in found:
        if item["group"] in labels:
            item["label"] = label(labels[item["group"]], item["code"])
    return found


def _page(request, template: str, figures_template: str):
    """A statistics page: filters in the URL (GET), the figures of `figures_template`."""
    filterset, filters, errors = _filterset(request)
    result, version = diffusion_and_version(
        filters=filters, before_computing=ratelimit.expensive_work(request)
    )
    query = request.GET.urlencode()
    figures = _figures_html(
        figures_template,
        result,
        version,
        filters,
        query,
        # The overview's map, rendered into its figures (and cached with them).
        extra=functools.partial(_map_context, filters=filters, query=query, version=version)
        if figures_template == "stats/_overview.html"
        else None,
    )
    context = {
        "form": filterset.form,
        "errors": errors,
        "active_filters": _active_filters(filterset, filters),
        "result": result,
        "query": query,
        "spread": figures["spread"],
        "figures": figures["html"],
        "form_groups": [
            (_("What"), ["sector", "innovation_type", "workplace_type", "employee_band"]),
            (_("Where"), ["region", "county", "size_class", "centrality_class"]),
            (_("When the case was published"), ["published_from", "published_to"]),
        ],
    }
    return render(request, template, context)


def _map_context(*, filters: dict, query: str, version: str) -> dict:
    return {"reuse_map": reuse_map(filters=filters, query=query, version=version)}


def dashboard(request):
    """The statistics overview: the main figures for everyone."""
    return _page(request, "stats/dashboard.html", "stats/_overview.html")


def method(request):
    """Every table, the model fits, the definitions and how each figure is computed."""
    return _page(request, "stats/method.html", "stats/_figures.html")


def _download_tables(request):
    """The tables with the filters of the query string, or the response that says which filter
    was not understood."""
    _unused, filters, errors = _filterset(request)
    if errors:
        return None, HttpResponse(
            "\n".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    result = diffusion(filters=filters, before_computing=ratelimit.expensive_work(request))
    return build_tables(result), None


def csv_download(request, table, dialect="standard"):
    """One table of the dashboard as CSV (`downloads.DIALECTS`), with the filters of the query
    string."""
    tables, error = _download_tables(request)
    if error is not None:
        return error
    if table not in tables:
        raise Http404
    chosen = downloads.DIALECTS[dialect]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, downloads.file_name(tables[table], "csv", chosen)
    )
    downloads.write_csv(response, tables[table], chosen)
    return response


def xlsx_download(request, table=None):
    """One table, or all of them, as an Excel workbook with the filters of the query string."""
    tables, error = _download_tables(request)
    if error is not None:
        return error
    if table is not None and table not in tables:
        raise Http404
    chosen = [tables[table]] if table is not None else list(tables.values())
    response = HttpResponse(
        downloads.workbook(chosen),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, downloads.file_name(tables[table] if table is not None else None, "xlsx")
    )
    return response
