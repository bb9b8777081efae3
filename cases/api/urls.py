from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import Resolver404, path, re_path, resolve
from django.views.decorators.csrf import csrf_exempt
from rest_framework.routers import SimpleRouter

from . import municipality_stats, removed, views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="api-case")
router.register("adoptions", views.AdoptionViewSet, basename="api-adoption")
router.register("organisations", views.OrganisationViewSet, basename="api-organisation")


@csrf_exempt  # the view it hands over to checks CSRF for sessions itself (DRF)
def without_trailing_slash(request, rest):
    """A write to an address missing its trailing slash is answered by the address with it.

    A redirect would lose the body (clients follow a 301 with a GET, or not at all). Reads
    are redirected, as CommonMiddleware (APPEND_SLASH) does for the pages."""
    try:
        match = resolve(request.path_info + "/")
    except Resolver404:
        raise Http404 from None
    if match.func is without_trailing_slash:
        raise Http404
    if request.method in ("GET", "HEAD"):
        return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return match.func(request, *match.args, **match.kwargs)


urlpatterns = [
    path("", views.ApiRootView.as_view(), name="api-root"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("vocabularies/", views.VocabulariesView.as_view(), name="api-vocabularies"),
    path("stats/diffusion/", views.DiffusionStatsView.as_view(), name="api-stats-diffusion"),
    path(
        "stats/municipalities/",
        municipality_stats.MunicipalityStatsView.as_view(),
        name="api-stats-municipalities",
    ),
    path("changes/", views.ChangesView.as_view(), name="api-changes"),
    path("removed/", removed.RemovedView.as_view(), name="api-removed"),
    *router.urls,
    # Last: only what nothing above matched.
    re_path(r"^(?P<rest>.*[^/])$", without_trailing_slash),
]
