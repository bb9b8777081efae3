"""Work that brings cached figures up to date outside any request: while it runs, visitors are
served the figures from before the write.

`refresh(lock, work)` starts `work` unless another process (or thread) is already doing it: the
lock is a cache entry (`cache.add`), so with Redis as the cache it holds across every worker
process and server. When the current transaction commits (at once outside one), the lock is
taken and `work` runs in a daemon thread of the process that took it, started once the
response of the request that asked for it has been sent. It only reads the database and writes
the cache, on a database connection of its own that it closes when done. A server that can
(gunicorn.conf.py) lets the worker finish it before it takes the next request
(`finish_started`): the next visitor is served by another worker, not by one whose
interpreter the thread keeps busy.

A thread that has finished keeps the lock for settings.BACKGROUND_SPACING_SECONDS (5): during
a burst of writes the figures are counted again every few seconds, not after each write, and
lag by that much.

A worker that dies (or is restarted) while its thread runs loses that run: the lock expires
after its `lock_seconds`, and the next request that finds the figures behind starts another.
Until then visitors keep being served the previous figures. A run that fails is logged (logger
`cases.background`) and releases its lock, so the next request tries again; the figures from
before stay in the cache.

settings.BACKGROUND_INLINE runs the work at once in the calling thread instead: for the tests,
and for management commands (manage.py sets it), whose process would end before a thread does.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction

logger = logging.getLogger(__name__)


def acquire(lock: str, seconds: int) -> str | None:
    """Take the lock for `seconds` (longer than the work ever takes): a token to release it
    with, or None when someone else holds it."""
    token = uuid.uuid4().hex
    return token if cache.add(lock, token, seconds) else None


def release(lock: str, token: str) -> None:
    # Unless it expired meanwhile and someone else holds it now.
    if cache.get(lock) == token:
        cache.delete(lock)


def refresh(lock: str, work: Callable[[], None], *, lock_seconds: int) -> None:
    """Run `work` outside the request, once across processes: nothing is started while the
    lock is held, that is while someone is already doing it. The lock is taken when the
    current transaction commits: one that rolls back leaves none behind."""

    def start() -> None:
        token = acquire(lock, lock_seconds)
        if token is None:
            return

        def locked() -> None:
            try:
                work()
            except BaseException:
                release(lock, token)
                raise
            _hold_after(lock, token)

        _now_or_in_thread(locked, lock)

    _after_commit(start)


def _hold_after(lock: str, token: str) -> None:
    """After work done in a thread, keep the lock for settings.BACKGROUND_SPACING_SECONDS:
    the next run on the same figures starts no sooner, and a burst of writes costs one
    recount every few seconds instead of one after each. Work done at once (tests, commands)
    is the caller's own and lets go at once."""
    spacing = settings.BACKGROUND_SPACING_SECONDS
    if settings.BACKGROUND_INLINE or spacing <= 0 or cache.get(lock) != token:
        release(lock, token)
    else:
        cache.touch(lock, spacing)


def stale_or_refreshed(
    key: str, version: str, make: Callable[[], dict], *, seconds: int, lock_seconds: int
) -> dict | None:
    """A cache entry `{"version": ..., ...}` that is kept up to date outside requests.

    The entry under `key` as it is: of `version`, older, or None when there is none. When it
    is older, `make` (which returns the new entry, with the version it is of) runs outside the
    request (`refresh`, lock `key + ":lock"`) and its entry is stored for `seconds`. With no
    entry at all nothing is started: what to do then (compute, wait, go without) is the
    caller's choice.
    """
    cached = cache.get(key)
    if cached is None or cached["version"] == version:
        return cached

    def store() -> None:
        cache.set(key, make(), seconds)

    refresh(lock_of(key), store, lock_seconds=lock_seconds)
    return cached


def fresh_or_stale(
    key: str, version: str, make: Callable[[], dict], *, seconds: int, lock_seconds: int
) -> dict | None:
    """`stale_or_refreshed`, read again when older: the new entry once the work has run at
    once (BACKGROUND_INLINE), and now and then in time; otherwise the older one."""
    cached = stale_or_refreshed(key, version, make, seconds=seconds, lock_seconds=lock_seconds)
    if cached is not None and cached["version"] != version:
        cached = cache.get(key) or cached
    return cached


def lock_of(key: str) -> str:
    """The lock on bringing the cache entry `key` up to date."""
    return f"{key}:lock"


def run(work: Callable[[], None], *, name: str) -> None:
    """Run `work` in a daemon thread after the current transaction commits, or at once in this
    thread with settings.BACKGROUND_INLINE. An exception is logged with `name`, never raised
    to the caller: it has already answered, or is answering, with what it had."""
    _after_commit(lambda: _now_or_in_thread(work, name))


def _after_commit(start: Callable[[], None]) -> None:
    if settings.BACKGROUND_INLINE:
        # At once: a test's transaction never commits.
        start()
    else:
        transaction.on_commit(start)


def _now_or_in_thread(work: Callable[[], None], name: str) -> None:
    if settings.BACKGROUND_INLINE:
        _logged(work, name)
        return
    thread = threading.Thread(target=_in_thread, args=(work, name), name=name, daemon=True)
    _started[:] = [*(running for running in _started if running.is_alive()), thread]
    pending = getattr(_request, "pending", None)
    if pending is None:
        thread.start()
    else:
        pending.append(thread)


# Threads asked for while a request is answered start once its response has been sent
# (request_finished): the visitor who set them off does not share the worker with them.
_request = threading.local()


def request_started(**kwargs) -> None:
    """request_started receiver: hold back the threads this request asks for."""
    _start_pending()  # left by a request whose response was never closed
    _request.pending = []


def request_finished(**kwargs) -> None:
    """request_finished receiver: the response has been sent, start the held-back threads."""
    _start_pending()


def _start_pending() -> None:
    pending = getattr(_request, "pending", None)
    _request.pending = None
    for thread in pending or ():
        thread.start()


# The threads started (those that finished are let go at the next start).
_started: list[threading.Thread] = []


def finish_started(timeout: float) -> None:
    """Wait up to `timeout` seconds in all for the threads started so far to end: for a server
    to call once a response has been sent and before it takes the next request."""
    deadline = time.monotonic() + timeout
    for thread in list(_started):
        if thread.is_alive():
            thread.join(max(0.0, deadline - time.monotonic()))


def take_started_threads() -> list[threading.Thread]:
    """The threads started since the last call (some may have finished), for the tests to
    join them."""
    taken = list(_started)
    _started.clear()
    return taken


def _in_thread(work: Callable[[], None], name: str) -> None:
    try:
        _logged(work, name)
    finally:
        # The connections this thread opened are its own: nothing else would close them.
        connections.close_all()


def _logged(work: Callable[[], None], name: str) -> None:
    try:
        work()
    except Exception:
        logger.exception("Background work %s failed; the previous figures stay in use", name)
