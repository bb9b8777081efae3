"""The health check for monitors and load balancers: `GET /helse/`.

200 when the site can serve everything; 503 when a part of it is refusing to serve wrong data,
with what and why. A lost database is the fault middleware's 503 (cases/middleware.py). It
tells nothing that is not public: whether the change feed is paused is what its own 503 says.
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ..changefeed import read


@never_cache
def health(request):
    feed = read.state()
    checks = {"database": {"ok": True}}
    if feed.ahead:
        checks["change_feed"] = {
            "ok": False,
            "detail": _(
                "The change log holds transaction ids of another database server, as after a "
                "restore: the feed is paused until an operator runs manage.py after_restore."
            ),
        }
    else:
        checks["change_feed"] = {"ok": True}
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503
    )
