"""`Idempotency-Key` on creates (the IETF httpapi draft's header): a client that retries a
create after a lost answer gets the first answer again instead of a second object.

The first successful answer is kept in the cache for 24 hours, per user, address and key,
with a digest of the request body: the same key and body give that answer again (with
`Idempotent-Replayed: true`); the same key with another body is 422; a retry while the first
request is still running is 409. Refusals are not kept: the client may correct and retry.
"""

import functools
import hashlib
import json

from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from ..refusals import Conflict
from .exceptions import IdempotencyKeyReused

HEADER = "Idempotency-Key"
KEEP_SECONDS = 24 * 60 * 60
# Longer than a create ever takes; a request that dies holding it blocks its key this long.
LOCK_SECONDS = 60
MAX_KEY_LENGTH = 255
REPLAYED_HEADERS = ("Location", "ETag")


def _cache_key(request, key: str) -> str:
    scope = f"{request.user.pk}\0{request.path}\0{key}"
    return "api-idempotency:" + hashlib.sha256(scope.encode()).hexdigest()


def _digest(data) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def idempotent(view):
    """Decorate a view method that creates (POST, 201)."""

    @functools.wraps(view)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST":
            return view(self, request, *args, **kwargs)
        if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
            raise ValidationError(
                {
                    HEADER: [
                        _("Idempotency-Key: from 1 to %d printable ASCII characters.")
                        % MAX_KEY_LENGTH
                    ]
                }
            )
        where = _cache_key(request, key)
        digest = _digest(request.data)
        kept = cache.get(where)
        if kept is None:
            if not cache.add(where + ":running", 1, timeout=LOCK_SECONDS):
                raise Conflict(
                    _(
                        "A request with this Idempotency-Key is still being processed. Try "
                        "again shortly."
                    )
                )
            try:
                response = view(self, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    cache.set(
                        where,
                        {
                            "digest": digest,
                            "status": response.status_code,
                            "data": response.data,
                            "headers": {
                                name: response[name]
                                for name in REPLAYED_HEADERS
                                if response.has_header(name)
                            },
                        },
                        timeout=KEEP_SECONDS,
                    )
                return response
            finally:
                cache.delete(where + ":running")
        if kept["digest"] != digest:
            raise IdempotencyKeyReused()
        response = Response(kept["data"], status=kept["status"], headers=kept["headers"])
        response["Idempotent-Replayed"] = "true"
        return response

    return wrapper
