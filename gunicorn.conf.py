"""How gunicorn serves the site in production; it reads this file from the project folder.

The command line still decides the address and the number of workers, e.g.
`gunicorn config.wsgi:application --workers 4 --bind 0.0.0.0:8000`.
"""

import gc
import os

# Load Django once in the master and fork the workers from it: they start faster and share the
# memory of everything imported.
preload_app = True
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Behind a load balancer that keeps connections open.
keepalive = 5


def when_ready(server):
    # The application is loaded (preload_app): build what each worker would build on its first
    # requests once, here, so that it is shared and frozen with the rest.
    from config import preload

    preload.warm()


def pre_fork(server, worker):
    # The objects loaded before the fork live as long as the worker; moving them out of the
    # garbage collector's sight saves each worker from scanning them again on every full
    # collection (and keeps their memory pages shared).
    gc.freeze()


def post_request(worker, req, environ, resp):
    # The response has been sent. Work the request set off outside it (cases/background.py)
    # runs in a thread of this worker: finish it before taking the next request, so that the
    # next visitor goes to a worker that does not share its interpreter with that work. Within
    # half the worker timeout, counted from a heartbeat sent now: the arbiter would otherwise
    # take a long request followed by a long wait for a hung worker.
    from cases import background

    worker.notify()
    background.finish_started(worker.cfg.timeout / 2)
