"""Answer 503 with a friendly page while the database is away, instead of a traceback.

Connections are health-checked (CONN_HEALTH_CHECKS), so once PostgreSQL is back the next
request reconnects by itself: the site never needs a restart after a database restart.
"""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


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
            response = HttpResponse(
                '{"detail": "The service is temporarily unavailable. Try again shortly."}',
                status=503,
                content_type="application/json",
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
