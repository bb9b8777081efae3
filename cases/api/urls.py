from django.urls import path
from rest_framework.routers import SimpleRouter

from . import municipality_stats, views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="api-case")
router.register("adoptions", views.AdoptionViewSet, basename="api-adoption")
router.register("organisations", views.OrganisationViewSet, basename="api-organisation")

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
    *router.urls,
]
