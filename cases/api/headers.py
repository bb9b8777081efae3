"""Headers for the API's readers and for other sites (cases/api/ and settings.MIDDLEWARE).

- `CompressDataMiddleware`: gzip for data (JSON, the schema, feeds, CSV, RDF) and never for
  HTML, whose pages carry a CSRF token: compressing a secret next to text an attacker can put
  in the page lets its length give the secret away (BREACH).
- `ApiReadHeadersMiddleware`: `Cache-Control`, `Vary` and `Last-Modified` on the API's reads
  (of an object; a list page has its ETag only), and the `RateLimit-*` headers from the
  throttles on every API answer.

CORS is django-cors-headers, configured in settings (CORS_*): public GETs only, no
credentials, for the API, the schema, the feeds and the catalogue.
"""

from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date

COMPRESSED_TYPES = {
    "application/json",
    "application/problem+json",
    "application/vnd.oai.openapi",
    "application/vnd.oai.openapi+json",
    "application/atom+xml",
    "application/rss+xml",
    "application/xml",
    "text/csv",
    "text/turtle",
    "application/ld+json",
    "application/rdf+xml",
}

# Seconds a shared cache may keep a public read before it asks again (with If-None-Match).
PUBLIC_MAX_AGE = 60
# The change feed is polled for what is new: always asked again, cheaply (304).
ALWAYS_REVALIDATED = ("/api/v1/changes/",)

RATE_LIMIT_ATTRIBUTE = "api_rate_limit"


class CompressDataMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        media_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if media_type not in COMPRESSED_TYPES:
            return response
        return super().process_response(request, response)


def _object_update(data):
    """An object's `updated_at`, the time its representation last changed.

    A list page has no such time: the newest `updated_at` among its items does not move when
    an item leaves the list (withdrawn, archived, edited out of the filter) or moves to
    another page, so `If-Modified-Since` would answer 304 for a page that changed. Its ETag
    (of the body) tells."""
    if isinstance(data, dict) and isinstance(data.get("updated_at"), str):
        return parse_datetime(data["updated_at"])
    return None


class ApiReadHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/v1/"):
            return response
        limit = getattr(request, RATE_LIMIT_ATTRIBUTE, None)
        if limit is not None:
            for name, value in zip(("Limit", "Remaining", "Reset"), limit, strict=True):
                response[f"RateLimit-{name}"] = str(value)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        patch_vary_headers(response, ("Accept", "Accept-Language", "Authorization", "Cookie"))
        user = getattr(request, "user", None)
        signed_in = bool(user and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META
        if signed_in:
            # What a member reads may include their organisation's drafts: not for shared caches.
            patch_cache_control(response, private=True, no_cache=True)
        elif request.path.startswith(ALWAYS_REVALIDATED):
            patch_cache_control(response, public=True, no_cache=True)
        else:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        moment = _object_update(getattr(response, "data", None))
        if moment is not None and not response.has_header("Last-Modified"):
            response["Last-Modified"] = http_date(moment.timestamp())
        return response
