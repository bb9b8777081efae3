"""Middleware of the site's own.

- `RequestSizeLimitMiddleware` refuses a body larger than any form needs, before reading it.
- `RateLimitMiddleware` answers a rate limit met in a view (`cases.ratelimit.Limited`) with
  429, a page in the user's language (JSON under /api/) and Retry-After.
- `SiteLanguageMiddleware` shows pages in bokmål unless the visitor chose English (and the
  choice is remembered); the API still follows Accept-Language, as clients expect.
- `DatabaseUnavailableMiddleware` answers 503 with a friendly page while the database is away,
  instead of a traceback. Connections are health-checked (CONN_HEALTH_CHECKS), so once
  PostgreSQL is back the next request reconnects by itself: the site never needs a restart
  after a database restart.
- `DesignedNotFoundMiddleware` shows the site's own 404 page also when DEBUG is on.
"""

import logging

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import Resolver404
from django.utils import translation
from django.utils.translation import gettext as _

from .api.problems import problem_response
from .ratelimit import Limited
from .uploads import FILE_TYPES
from .views.errors import Moved, not_found

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
# Room for the form fields that come with the largest file (title, description, the CSRF token,
# multipart headers).
FORM_ROOM = 1024 * 1024


def largest_attachment() -> int:
    return max(file_type.max_size for file_type in FILE_TYPES.values())


def request_size_limit() -> int:
    """The largest request body accepted, in bytes: REQUEST_MAX_BYTES, or the largest file an
    attachment may be plus room for the rest of its form."""
    configured = getattr(settings, "REQUEST_MAX_BYTES", None)
    if configured:
        return configured
    return largest_attachment() + FORM_ROOM


class RequestSizeLimitMiddleware:
    """413 for a body whose Content-Length is over `request_size_limit`, before anything reads
    it (CSRF checking reads a posted form, uploads are spooled to disk). Django's own
    DATA_UPLOAD_MAX_MEMORY_SIZE leaves out multipart file parts, so without this a 60 MB
    anonymous upload is read in full before it is refused. A body sent without Content-Length
    (chunked) is not read by Django at all. Before any middleware that reads the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > request_size_limit():
            log.warning("Refused a request body of %d bytes to %s", length, request.path)
            return _too_large(request)
        return self.get_response(request)


def _too_large(request) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        with translation.override(translation.get_language_from_request(request)):
            response = problem_response(
                request, 413, "request_too_large", _("The request is too large.")
            )
    else:
        # The page says it in both languages: the session and language middleware have not run.
        megabytes = largest_attachment() // (1024 * 1024)
        response = HttpResponse(render_to_string("413.html", {"megabytes": megabytes}), status=413)
    # The unread body stays behind on the connection: do not reuse it.
    response["Connection"] = "close"
    return response


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Limited):
            return None
        return too_many_requests(request, exception)


def too_many_requests(request, over: Limited, template: str = "429.html", context=None):
    """429 with Retry-After: `template` (a form shown again with the message on it, or the 429
    page), or JSON under /api/."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = problem_response(request, 429, "throttled", over.message)
    else:
        response = render(request, template, {"message": over.message, **(context or {})})
        response.status_code = 429
        if getattr(request, "htmx", False):
            # htmx swaps no error answer in: load the address as a whole page, which says why.
            response["HX-Redirect"] = request.get_full_path()
    response["Retry-After"] = str(over.retry_after)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        if isinstance(exception, DatabaseError) and not _is_connection_problem(exception):
            return None
        log.error("Database unavailable: %s", exception)

        if request.path.startswith("/api/"):
            # In English: the language middleware may not have run, and no database is needed.
            with translation.override("en"):
                response = problem_response(
                    request,
                    503,
                    "service_unavailable",
                    "The service is temporarily unavailable. Try again shortly.",
                )
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


def _is_connection_problem(exception: Exception) -> bool:
    """OperationalError also covers e.g. a lock timeout; only lost connections mean "away"."""
    text = str(exception).lower()
    return isinstance(exception, InterfaceError) or any(
        sign in text
        for sign in (
            "connection",
            "could not connect",
            "server closed",
            "terminating",
            "the database system is",
            "unable to open database",
        )
    )


class SiteLanguageMiddleware(LocaleMiddleware):
    """A Norwegian public service speaks bokmål whatever the browser prefers: English only when
    the visitor chose it (the language switch sets Django's language cookie)."""

    def process_request(self, request):
        # The API documentation is a page of the site, in the site's language.
        if request.path.startswith("/api/") and not request.path.startswith("/api/docs/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None


class MovedMiddleware:
    """A permanent redirect for a page that moved (`views.errors.Moved`, raised like Http404
    from deep in a view, such as a case asked for by the slug it had as a draft)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Moved):
            return HttpResponsePermanentRedirect(exception.path)
        return None


class DesignedNotFoundMiddleware:
    """The site's 404 page (templates/404.html, problem details under /api/) whatever DEBUG
    says. With DEBUG on, Django answers a missing page with its technical page instead, so the
    page people meet was never the one seen, checked or screenshot in development. With DEBUG
    off Django already uses handler404, and this passes everything through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No URL matched (resolver_match is only set once one does): the technical page.
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            return not_found(request, Resolver404())
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return not_found(request, exception)
        return None
