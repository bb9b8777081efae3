from django.shortcuts import render

from cases import caching
from cases.selectors import case_list_latest, headline_figures

LATEST_CASES = 6


@caching.cached_response(lambda request: [caching.LISTS, caching.FIGURES])
def home(request):
    """The front page: what the site is for, a search box, the figures and the newest cases."""
    context = {
        "figures": headline_figures(),
        "latest_cases": case_list_latest(limit=LATEST_CASES),
    }
    return render(request, "home.html", context)
