"""Accounts: log in and out, registration with email verification, password reset, the profile
with memberships and API tokens, and an organisation's members page for its editors.

Thin views: forms validate, services act. Things a user may not see answer 404, never 403, so
that the existence of an organisation's member list or someone's token does not leak.
"""

from typing import Any, cast

from allauth.socialaccount.models import SocialAccount
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .. import permissions, ratelimit, refusals, services
from ..forms.accounts import (
    ApiTokenForm,
    LoginForm,
    MembershipDeclineForm,
    MembershipRequestForm,
    MembershipRoleForm,
    PasswordChangeForm,
    QueuedPasswordResetForm,
    RegistrationForm,
    SetPasswordForm,
)
from ..identity_providers import allow_provider_forms, login_buttons, provider_logout_url
from ..links import verify_email_max_age
from ..middleware import too_many_requests
from ..models import ApiToken, Membership, Organisation, User
from ..refusals import Conflict
from ..vocabularies import MembershipRole, MembershipStatus

# The user who just gave the right password but has not confirmed their address: the one
# person a "send the link again" button on the login page may send to.
UNVERIFIED_SESSION_KEY = "accounts_unverified_user_id"


# Log in, log out, register, verify -----------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Django's login view with email login and a clear answer for unconfirmed addresses.

    Authentication goes through django.contrib.auth.authenticate(request=...), so a rate
    limiter (django-axes or similar) can be added later without changing this view.
    """

    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["identity_providers"] = login_buttons(self.request)
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context.get("identity_providers"):
            allow_provider_forms(self.request, response)
        return response

    def form_invalid(self, form):
        if form.unverified_user is not None:
            self.request.session[UNVERIFIED_SESSION_KEY] = form.unverified_user.pk
        return super().form_invalid(form)

    def form_valid(self, form):
        self.request.session.pop(UNVERIFIED_SESSION_KEY, None)
        return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    """POST only (Django refuses GET), then back to the front page; someone who logged in
    through a provider goes by the provider, which ends its session too and sends them back."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        at_provider = provider_logout_url(request)  # read before the session ends
        response = super().post(request, *args, **kwargs)
        if not at_provider:
            return response
        # A page that moves on by itself, not a redirect: the form-action rule of the page
        # the logout button was on would stop a redirect to another site.
        return render(
            request, "registration/logged_out_provider.html", {"at_provider": at_provider}
        )


@sensitive_post_parameters("password1", "password2")
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("profile")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.email_sent(request, to=form.cleaned_data["email"])
        except ratelimit.Limited as over:
            return _form_refused(request, form, over, "registration/register.html")
        try:
            services.user_register(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            error_dict = getattr(error, "error_dict", {})
            if "password" in error_dict:
                error_dict["password1"] = error_dict.pop("password")
            refusals.onto_form(form, error)
        else:
            # The same page whether or not the address already had an account.
            request.session["accounts_registered_email"] = form.cleaned_data["email"]
            return redirect("register-done")
    return render(request, "registration/register.html", {"form": form})


def _form_refused(request, form, over: ratelimit.Limited, template: str, context=None):
    """The form again, with what was typed and the rate limit's message on it: 429, and nothing
    sent."""
    form.add_error(None, over.message)
    return too_many_requests(request, over, template, {"form": form, **(context or {})})


def register_done(request: HttpRequest) -> HttpResponse:
    email = request.session.pop("accounts_registered_email", "")
    return render(
        request,
        "registration/register_done.html",
        {"email": email, "valid_days": max(1, verify_email_max_age() // 86400)},
    )


@never_cache
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm the address from the emailed link.

    GET only shows a button: mail scanners follow links, and a GET must not change anything.
    """
    if request.method == "POST":
        try:
            services.user_verify_email(token=token)
        except services.VerificationError as error:
            return render(
                request,
                "registration/verify_email_failed.html",
                {"error": error, "code": error.code, "token": token},
                status=400,
            )
        request.session.pop(UNVERIFIED_SESSION_KEY, None)
        messages.success(request, _("Your email address is confirmed. You can log in now."))
        return redirect("login")
    return render(request, "registration/verify_email.html", {"token": token})


@require_POST
def verify_email_resend(request: HttpRequest) -> HttpResponse:
    """Send a new link to the user who just logged in with the right password, or to the
    owner of an expired link. Answers the same in every case."""
    user = None
    token = request.POST.get("token", "")
    if token:
        user = services.verification_token_user(token)
    else:
        user_id = request.session.pop(UNVERIFIED_SESSION_KEY, None)
        if user_id is not None:
            user = get_user_model().objects.filter(pk=user_id).first()
    if user is not None:
        # Over the limit: a 429 page (RateLimitMiddleware), and nothing sent.
        ratelimit.email_sent(request, to=user.email)
    services.user_resend_verification(user=user)
    messages.info(
        request,
        _("If the address needs confirming, we have sent a new link. Check your email."),
    )
    return redirect("login")


# Passwords -----------------------------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        # Counted for every address typed, with an account or not, so the answer reveals
        # nothing.
        try:
            ratelimit.email_sent(self.request, to=form.cleaned_data["email"])
        except ratelimit.Limited as over:
            return _form_refused(
                self.request, form, over, self.template_name, self.get_context_data(form=form)
            )
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from the emailed link. Following the link proves the address is
    the user's, so an unconfirmed address becomes confirmed too."""

    form_class = SetPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_mark_email_verified(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's password (login required, as in Django's view), then back to the profile.

    Every other session ends and every API token is revoked; this browser stays logged in."""

    form_class = PasswordChangeForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("profile")

    def form_valid(self, form):
        # A new password revokes the user's API tokens (see User.save); say so if it did.
        had_tokens = form.user.api_tokens.filter(revoked_at__isnull=True).exists()
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed."))
        if had_tokens:
            messages.info(
                self.request,
                _(
                    "Your API tokens no longer work, and you are logged out everywhere else. "
                    "Create new tokens below if you need them."
                ),
            )
        return response


# Profile, membership requests and API tokens -------------------------------------------------


def _signed_in(request: HttpRequest) -> User:
    # For the views behind login_required: the visitor is a user, not anonymous.
    return cast(User, request.user)


def _profile_context(request: HttpRequest, **overrides) -> dict:
    user = _signed_in(request)
    memberships = (
        Membership.objects.filter(user=user, organisation__deleted_at__isnull=True)
        .select_related("organisation")
        .order_by("status", "organisation__name")
    )
    context = {
        "memberships": [m for m in memberships if m.status == MembershipStatus.ACTIVE],
        "pending": [m for m in memberships if m.status == MembershipStatus.PENDING],
        "tokens": list(ApiToken.objects.filter(user=user)),
        "join_form": MembershipRequestForm(user=user, query=request.GET.get("q", "")),
        "token_form": ApiTokenForm(),
        "managed": [
            m.organisation
            for m in memberships
            if m.status == MembershipStatus.ACTIVE and m.role == MembershipRole.EDITOR
        ],
        "new_key": None,
        "new_token": None,
        "linked_logins": list(SocialAccount.objects.filter(user=user).order_by("provider")),
        # Only an account with a password can prove its owner before a login is linked to it.
        "identity_providers": login_buttons(request) if user.has_usable_password() else [],
    }
    context.update(overrides)
    return context


def _render_profile(request: HttpRequest, status: int = 200, **overrides) -> HttpResponse:
    """The profile page; its buttons that link a provider's login may post to the providers."""
    context = _profile_context(request, **overrides)
    response = render(request, "accounts/profile.html", context, status=status)
    if context["identity_providers"]:
        allow_provider_forms(request, response)
    return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return _render_profile(request)


@login_required
def membership_request(request: HttpRequest) -> HttpResponse:
    """GET: the "ask to join" form on its own page (the filter works without JavaScript).
    POST: ask; the organisation's editors and the moderators are told."""
    query = request.GET.get("q", "")
    if request.method == "POST":
        form = MembershipRequestForm(request.POST, user=request.user, query=query)
        if form.is_valid():
            organisation = form.cleaned_data["organisation"]
            try:
                ratelimit.email_sent(request)
            except ratelimit.Limited as over:
                return _form_refused(
                    request, form, over, "accounts/membership_request.html", {"join_form": form}
                )
            try:
                services.membership_request(actor=_signed_in(request), organisation=organisation)
            except ValidationError as error:
                refusals.onto_form(form, error)
            else:
                messages.success(
                    request,
                    _("You have asked to join %s. You will get an email when it is decided.")
                    % organisation,
                )
                return redirect("profile")
    else:
        form = MembershipRequestForm(user=request.user, query=query)
    return render(request, "accounts/membership_request.html", {"join_form": form})


@login_required
@require_POST
def membership_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw one's own request, or leave an organisation."""
    membership = get_object_or_404(
        Membership.objects.select_related("organisation"), pk=pk, user=request.user
    )
    try:
        services.membership_remove(actor=_signed_in(request), membership=membership)
    except (Conflict, PermissionDenied) as error:
        messages.error(request, getattr(error, "message", None) or str(error))
    else:
        if membership.status == MembershipStatus.PENDING:
            text = _("Your request to join %s is withdrawn.")
        else:
            text = _("You have left %s.")
        messages.success(request, text % membership.organisation)
    return redirect("profile")


@login_required
@never_cache
@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show its key in this response only: it is stored nowhere else,
    not in the session, not in messages."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, key = services.api_token_create(
                user=_signed_in(request), name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            refusals.onto_form(form, error)
        else:
            # never_cache above marks the response no-store: the key stays out of caches too.
            return _render_profile(request, new_key=key, new_token=token)
    return _render_profile(request, status=400, token_form=form)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(actor=_signed_in(request), token=token)
    messages.success(request, _("The token “%s” is revoked and no longer works.") % token.name)
    return redirect("profile")


# An organisation's members, for its editors and moderators -----------------------------------


def _managed_organisation(request: HttpRequest, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not permissions.can_manage_members(request.user, organisation):
        raise Http404
    return organisation


def _managed_membership(request: HttpRequest, slug: str, pk: int) -> Membership:
    organisation = _managed_organisation(request, slug)
    return get_object_or_404(
        Membership.objects.select_related("user", "organisation"), pk=pk, organisation=organisation
    )


@login_required
def organisation_members(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _managed_organisation(request, slug)
    memberships = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "approved_by")
        .annotate(
            editor_first=SqlCase(
                When(role=MembershipRole.EDITOR, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("editor_first", "user__full_name", "user__email")
    )
    pending = [m for m in memberships if m.status == MembershipStatus.PENDING]
    active = [m for m in memberships if m.status == MembershipStatus.ACTIVE]
    return render(
        request,
        "accounts/organisation_members.html",
        {
            "organisation": organisation,
            "pending": sorted(pending, key=lambda m: m.created_at),
            "active": active,
            "roles": MembershipRole,
        },
    )


def _members_redirect(organisation: Organisation) -> HttpResponse:
    return redirect(reverse("organisation-members", kwargs={"slug": organisation.slug}))


def _act(
    request: HttpRequest, membership: Membership, service, success: str, **params
) -> HttpResponse:
    """Call the membership service as the user and report the outcome on the members page."""
    try:
        service(actor=request.user, membership=membership, **params)
    except PermissionDenied as error:
        raise Http404 from error
    except (Conflict, ValidationError) as error:
        text = getattr(error, "message", None) or " ".join(getattr(error, "messages", [str(error)]))
        messages.error(request, text)
    else:
        messages.success(request, success)
    return _members_redirect(membership.organisation)


def _name(membership: Membership) -> str:
    return membership.user.full_name or membership.user.email


@login_required
@require_POST
def membership_approve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _managed_membership(request, slug, pk)
    return _act(
        request,
        membership,
        services.membership_approve,
        _("%s is now a member.") % _name(membership),
    )


@login_required
@require_POST
def membership_decline(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _managed_membership(request, slug, pk)
    form = MembershipDeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        membership,
        services.membership_decline,
        _("The request from %s is declined.") % _name(membership),
        reason=reason,
    )


@login_required
@require_POST
def membership_set_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _managed_membership(request, slug, pk)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose member or editor."))
        return _members_redirect(membership.organisation)
    role = form.cleaned_data["role"]
    return _act(
        request,
        membership,
        services.membership_set_role,
        _("%(name)s is now %(role)s.")
        % {"name": _name(membership), "role": MembershipRole(role).label.lower()},
        role=role,
    )


@login_required
@require_POST
def membership_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _managed_membership(request, slug, pk)
    return _act(
        request,
        membership,
        services.membership_remove,
        _("%s is no longer a member.") % _name(membership),
    )
