"""Accounts: Norwegian paths, English names. The paths are part of what emails link to, so keep
them stable."""

from allauth.socialaccount import views as social_views
from allauth.socialaccount.providers.openid_connect import views as oidc_views
from django.urls import path
from django.views.generic import RedirectView

from .views import accounts, identity

urlpatterns = [
    path("logg-inn/", accounts.LoginView.as_view(), name="login"),
    path("logg-ut/", accounts.LogoutView.as_view(), name="logout"),
    path("registrer/", accounts.register, name="register"),
    path("registrer/sjekk-epost/", accounts.register_done, name="register-done"),
    # Before the token pattern, which would otherwise match "ny-lenke".
    path("bekreft-epost/ny-lenke/", accounts.verify_email_resend, name="verify-email-resend"),
    path("bekreft-epost/<str:token>/", accounts.verify_email, name="verify-email"),
    path("glemt-passord/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "glemt-passord/sendt/",
        accounts.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "glemt-passord/ferdig/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "glemt-passord/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("profil/", accounts.profile, name="profile"),
    path("profil/passord/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("profil/tokens/ny/", accounts.api_token_create, name="api-token-create"),
    path(
        "profil/tokens/<int:pk>/trekk-tilbake/",
        accounts.api_token_revoke,
        name="api-token-revoke",
    ),
    path(
        "profil/medlemskap/<int:pk>/forlat/",
        accounts.membership_leave,
        name="membership-leave",
    ),
    path("bli-medlem/", accounts.membership_request, name="membership-request"),
    # Login through identity providers: /konto/oidc/<provider id>/login/ and its callback.
    path("konto/oidc/<str:provider_id>/login/", oidc_views.login, name="openid_connect_login"),
    path(
        "konto/oidc/<str:provider_id>/login/callback/",
        identity.callback,
        name="openid_connect_callback",
    ),
    path("konto/sosial/signup/", social_views.signup, name="socialaccount_signup"),
    path(
        "konto/sosial/avbrutt/", social_views.login_cancelled, name="socialaccount_login_cancelled"
    ),
    path("konto/sosial/feil/", social_views.login_error, name="socialaccount_login_error"),
    # Logins are linked on the profile.
    path(
        "konto/sosial/",
        RedirectView.as_view(pattern_name="profile"),
        name="socialaccount_connections",
    ),
    path("konto/velkommen/", identity.welcome, name="identity-welcome"),
    path("konto/stengt/", identity.inactive, name="account_inactive"),
    # The names allauth redirects to, on the site's own pages.
    path("logg-inn/", accounts.LoginView.as_view(), name="account_login"),
    path("logg-ut/", accounts.LogoutView.as_view(), name="account_logout"),
    path("registrer/", accounts.register, name="account_signup"),
    path(
        "organisasjoner/<slug:slug>/medlemmer/",
        accounts.organisation_members,
        name="organisation-members",
    ),
    path(
        "organisasjoner/<slug:slug>/medlemmer/<int:pk>/godkjenn/",
        accounts.membership_approve,
        name="membership-approve",
    ),
    path(
        "organisasjoner/<slug:slug>/medlemmer/<int:pk>/avvis/",
        accounts.membership_decline,
        name="membership-decline",
    ),
    path(
        "organisasjoner/<slug:slug>/medlemmer/<int:pk>/rolle/",
        accounts.membership_set_role,
        name="membership-role",
    ),
    path(
        "organisasjoner/<slug:slug>/medlemmer/<int:pk>/fjern/",
        accounts.membership_remove,
        name="membership-remove",
    ),
]
