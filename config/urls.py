from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cases.api.reference import api_reference

# Uploaded files are never served straight from MEDIA_ROOT: a view checks who may see them.
urlpatterns = [
    # Without a CSRF token, so that the switch on every page leaves pages the same for every
    # anonymous reader, to be cached whole (cases/caching.py). A forged choice of language
    # changes nothing but the language; `next` is still checked to be of this site.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("cases.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_reference, name="api-docs"),
    # Trying requests in the browser. The split view serves its start-up script as a file, so
    # the page needs no inline script.
    path(
        "api/docs/utforsker/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-explorer",
    ),
    path("", include("cases.urls")),
]

handler400 = "cases.views.errors.bad_request"
handler404 = "cases.views.errors.not_found"
handler500 = "cases.views.errors.server_error"
