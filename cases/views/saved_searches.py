"""Following a search: the small form that saves it, changing and deleting it on "My work", and
unsubscribing from its emails without logging in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .. import refusals, saved_searches, services
from ..forms.saved_searches import FollowSearchForm, SavedSearchFrequencyForm
from ..models import SavedSearch

WEEKLY = SavedSearch.Frequency.WEEKLY
MY_SEARCHES = "#saved-searches-heading"


def _search_url(query: str) -> str:
    return reverse("case-list") + (f"?{query}" if query else "")


def _followed_message(saved: SavedSearch) -> str:
    if saved.frequency == WEEKLY:
        text = _(
            "You now follow this search: %(label)s. We email you once a week when new cases match it."
        )
    else:
        text = _(
            "You now follow this search: %(label)s. We email you as soon as a new case that "
            "matches it is published."
        )
    return text % {"label": saved.label}


@login_required
def saved_search_follow(request):
    """GET: the search of the query string and the choice of weekly or immediate email. POST:
    follow it (again: the same search is updated, never saved twice), back to the results."""
    data = QueryDict(request.POST.get("search", "")) if request.method == "POST" else request.GET
    query, filterset = saved_searches.normalise(data)
    existing = SavedSearch.objects.filter(user=request.user, query=query).first()
    form = FollowSearchForm(
        request.POST if request.method == "POST" else None,
        initial={"frequency": existing.frequency if existing else WEEKLY},
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved, _created = services.saved_search_follow(
                user=request.user, data=QueryDict(query), frequency=form.cleaned_data["frequency"]
            )
        except ValidationError as error:
            refusals.onto_form(form, error)
        else:
            messages.success(request, _followed_message(saved))
            return redirect(_search_url(query))
    return render(
        request,
        "cases/follow_search.html",
        {
            "form": form,
            "query": query,
            "label": existing.label if existing else saved_searches.label(filterset),
            "existing": existing,
            "search_url": _search_url(query),
        },
        status=400 if form.errors else 200,
    )


def _own_or_404(request, pk: int) -> SavedSearch:
    # Someone else's saved search does not exist, as far as this person can tell.
    return get_object_or_404(SavedSearch, pk=pk, user_id=request.user.pk)


@login_required
@require_POST
def saved_search_frequency(request, pk: int):
    saved = _own_or_404(request, pk)
    form = SavedSearchFrequencyForm(request.POST)
    if not form.is_valid():
        for message in form.errors.get("frequency", []):
            messages.error(request, str(message))
        return redirect(reverse("my-work") + MY_SEARCHES)
    try:
        saved = services.saved_search_set_frequency(
            actor=request.user, saved_search=saved, frequency=form.cleaned_data["frequency"]
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        refusals.tell(request, error)
    else:
        if saved.active:
            messages.success(request, _followed_message(saved))
        else:
            messages.success(
                request, _("No more email about this search: %(label)s.") % {"label": saved.label}
            )
    return redirect(reverse("my-work") + MY_SEARCHES)


@login_required
@require_POST
def saved_search_delete(request, pk: int):
    saved = _own_or_404(request, pk)
    try:
        services.saved_search_delete(actor=request.user, saved_search=saved)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Deleted the saved search: %(label)s.") % {"label": saved.label})
    return redirect(reverse("my-work") + MY_SEARCHES)


@never_cache
def saved_search_unsubscribe(request, token: str):
    """The link in every email about a followed search, for people who are not logged in: GET
    asks, POST (with the page's CSRF token) stops the emails."""
    saved = services.saved_search_from_token(token)
    if saved is None:
        return render(request, "cases/unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        saved = services.saved_search_unsubscribe(token=token)
        done = True
    elif request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    return render(
        request,
        "cases/unsubscribe.html",
        {"saved_search": saved, "done": done, "search_url": _search_url(saved.query)},
    )


@never_cache
@csrf_exempt
def saved_search_unsubscribe_one_click(request, token: str):
    """RFC 8058 one-click unsubscribe: a mail program POSTs "List-Unsubscribe=One-Click" here.

    Exempt from CSRF because the mail program has no page to take a token from; the signed link
    is the permission, and it can do only this: stop the emails of the one search it names.
    """
    if request.method == "GET":
        # Someone opened the address itself: the page that asks first.
        return redirect("saved-search-unsubscribe", token=token)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    if request.POST.get("List-Unsubscribe") != "One-Click":
        return HttpResponseBadRequest(
            _("Expected List-Unsubscribe=One-Click. Nothing was changed."),
            content_type="text/plain; charset=utf-8",
        )
    try:
        services.saved_search_unsubscribe(token=token)
    except ValidationError as error:
        return HttpResponseBadRequest(
            " ".join(error.messages), content_type="text/plain; charset=utf-8"
        )
    return HttpResponse(
        _("Unsubscribed: no more email about this search."),
        content_type="text/plain; charset=utf-8",
    )
