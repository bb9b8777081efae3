"""Reads from a PostgreSQL read replica when DATABASE_REPLICA_URL is set; writes to the primary.

A replica lags the primary by a moment, so reads go to the primary whenever they could see
that lag:

- inside a transaction on the primary (a service reading what it just wrote, or locking rows);
- during a request that changes something (any method but GET, HEAD and OPTIONS);
- for a few seconds after such a request from the same browser (a cookie), so a person who
  has just saved a case sees it on the next page.

Without DATABASE_REPLICA_URL there is one database and this router changes nothing.
"""

from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "primary_pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_pinned: ContextVar[bool] = ContextVar("read_from_primary", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if not replica_configured() or _pinned.get() or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary's schema through replication.
        return db == PRIMARY


class PinPrimaryMiddleware:
    """Marks the requests whose reads must not lag: those that write, and those that follow one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        writes = request.method not in SAFE_METHODS
        token = _pinned.set(writes or PIN_COOKIE in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if writes:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
