"""Open data as RDF: the DCAT-AP-NO catalogue at /katalog, and a case page's RDF variants."""

import re
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe
from rdflib import Graph

from .. import catalogue as dcat

RDF_TYPES = list(dcat.SERIALISATIONS)
# What `export_snapshot` writes: dated zips, the newest, and their checksums.
SNAPSHOT_FILE = re.compile(r"innovasjonsdeling-(siste|\d{4}-\d\d-\d\d)\.zip(\.sha256)?")


def rdf_response(graph: Graph, media_type: str) -> HttpResponse:
    response = HttpResponse(
        dcat.serialise(graph, media_type), content_type=f"{media_type}; charset=utf-8"
    )
    patch_vary_headers(response, ["Accept"])
    return response


def requested_rdf_type(request: HttpRequest, *, html_first: bool) -> str | None:
    """The RDF media type the request asks for, or None for the page itself (`html_first`) or
    when it names none; `?format=ttl|jsonld|rdf` chooses over Accept."""
    chosen = dcat.FORMAT_PARAMETERS.get(request.GET.get("format", ""))
    if chosen:
        return chosen
    offered = ["text/html", *RDF_TYPES] if html_first else RDF_TYPES
    preferred = request.get_preferred_type(offered)
    return preferred if preferred in RDF_TYPES else None


@require_safe
def catalogue(request):
    """The catalogue data.norge.no harvests: Turtle unless JSON-LD or RDF/XML is asked for."""
    media_type = requested_rdf_type(request, html_first=False) or dcat.TURTLE
    return rdf_response(dcat.catalogue_graph(), media_type)


@require_safe
def snapshot_file(request, name: str):
    """A file of the bulk snapshot from SNAPSHOT_DIR, for installations whose web server does
    not serve that folder itself; only the names the command writes."""
    path = Path(settings.SNAPSHOT_DIR) / name
    if not SNAPSHOT_FILE.fullmatch(name) or not path.is_file():
        raise Http404
    if name.endswith(".sha256"):
        return FileResponse(path.open("rb"), content_type="text/plain; charset=utf-8")
    return FileResponse(path.open("rb"), as_attachment=True, content_type="application/zip")
