from django.shortcuts import render

from cases import caching
from cases.selectors import case_list_latest, current_figures

LATEST_CASES = 6


@caching.cached_response(lambda request: [caching.LISTS, caching.FIGURES])
def home(request):
    """The front page: what the site is for, a search box, the figures and the newest cases."""
    figures, behind = current_figures()
    context = {"figures": figures, "latest_cases": case_list_latest(limit=LATEST_CASES)}
    response = render(request, "home.html", context)
    if behind:
        caching.made_from_older_data(response)
    return response
