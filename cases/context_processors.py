"""What every page's header and footer ask: about the visitor, answered by `permissions` once per
request, and the licence of the data."""

from functools import partial

from django.conf import settings
from django.http import HttpRequest

from . import permissions


def visitor(request: HttpRequest) -> dict:
    # A callable: the template engine calls it only where a page asks, and `permissions`
    # caches the answer on the request's user.
    return {"visitor_is_moderator": partial(permissions.is_moderator, request.user)}


def open_data(request: HttpRequest) -> dict:
    """The licence of the site's public data, which every page's footer names."""
    return {"data_licence": settings.DATA_LICENCE}
