"""Error pages: the site's own templates, and problem details (JSON) under /api/ (clients never parse HTML)."""

from django.utils.translation import gettext as _
from django.views import defaults

from ..api.problems import problem_response


class Moved(Exception):
    """What was asked for lives at `path` now: answered with 301 (cases.middleware)."""

    def __init__(self, path: str):
        super().__init__(path)
        self.path = path


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    if _is_api(request):
        return problem_response(request, 400, "invalid", _("The request could not be read."))
    return defaults.bad_request(request, exception)


def not_found(request, exception=None):
    if _is_api(request):
        return problem_response(request, 404, "not_found", _("Not found."))
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return problem_response(
            request, 500, "server_error", _("Something went wrong on our side.")
        )
    return defaults.server_error(request)
