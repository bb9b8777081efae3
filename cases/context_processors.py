"""What every page's header asks about the visitor, answered by `permissions` once per request."""

from functools import partial

from django.http import HttpRequest

from . import permissions


def visitor(request: HttpRequest) -> dict:
    # A callable: the template engine calls it only where a page asks, and `permissions`
    # caches the answer on the request's user.
    return {"visitor_is_moderator": partial(permissions.is_moderator, request.user)}
