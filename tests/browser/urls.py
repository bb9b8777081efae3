"""The site's URLs plus two views that fail on purpose, for the 403 and 500 pages' tests."""

from django.core.exceptions import PermissionDenied
from django.urls import include, path


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("A deliberate error, to show the 500 page in a browser test.")


urlpatterns = [
    path("test/403/", forbidden),
    path("test/500/", broken),
    path("", include("config.urls")),
]
