"""The pages around a login through an identity provider."""

from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..identity_providers import SignatureCheckingAdapter, membership_state


@login_required
def welcome(request: HttpRequest) -> HttpResponse:
    """After a first login: to "my cases" as a member, or what happens next."""
    state = membership_state(request.user)  # type: ignore[arg-type]
    if state == "active":
        return redirect("my-work")
    return render(request, "identity/welcome.html", {"state": state})


def inactive(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "socialaccount/authentication_error.html",
        {"reason": _("This account is closed. Contact us if you think this is a mistake.")},
        status=403,
    )


def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    """The provider's answer: allauth's callback, with the ID token's signature always checked."""
    try:
        view = OAuth2CallbackView.adapter_view(SignatureCheckingAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error
