"""Forms for accounts: log in, register, password reset, membership requests and API tokens.

Forms validate and carry the accessible markup (Designsystemet classes, autocomplete); the
services in `cases.services.accounts` act.
"""

from typing import cast

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .. import notifications
from ..models import ApiToken, Organisation
from ..vocabularies import MembershipRole

User = get_user_model()

# How many organisations the "ask to join" list shows before asking for a narrower filter.
ORGANISATION_CHOICES_LIMIT = 300


class DesignsystemetMixin:
    """Adds Designsystemet's input class to every visible widget.

    Django itself sets aria-invalid on fields with errors and points aria-describedby at
    `<id>_helptext` and `<id>_error`, the ids that templates/accounts/_field.html uses.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if widget.is_hidden:
                continue
            classes = widget.attrs.get("class", "")
            if "ds-input" not in classes.split():
                widget.attrs["class"] = f"{classes} ds-input".strip()


class LoginForm(DesignsystemetMixin, auth_forms.AuthenticationForm):
    """Email and password. Refuses, with a way forward, users who have not confirmed their
    address; that is said only after the right password, so it reveals nothing to others."""

    username = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("The email address or the password is wrong."),
        "inactive": _("This account is closed."),
        "unverified": _(
            "Confirm your email address first: we sent a link to %(email)s. "
            "Did not get it? Ask for a new one below."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.unverified_user = None

    def clean_username(self):
        # Addresses are stored in lower case; people type them any way.
        return User.objects.normalize_email(self.cleaned_data["username"].strip()).lower()

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.email_verified_at is None:
            self.unverified_user = user
            raise ValidationError(
                self.error_messages["unverified"],
                code="unverified",
                params={"email": user.email},
            )


class RegistrationForm(DesignsystemetMixin, forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_(
            "Use your work address: with an address at your organisation's domain you become "
            "a member of it automatically."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 12 characters, not only digits, and not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"].strip()).lower()

    def clean(self):
        cleaned = super().clean()
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif password1:
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, user=candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class QueuedPasswordResetForm(DesignsystemetMixin, auth_forms.PasswordResetForm):
    """Django's reset form, queueing the email instead of sending it.

    Saving looks nothing up: the outbox decides when it sends whether the address has an
    account (see notifications.password_reset_requested), so the request does the same work
    either way. The link is made at that moment, points at SITE_URL (not at the request's
    Host header) and is stored nowhere.
    """

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def save(self, *args, **kwargs):
        notifications.password_reset_requested(email=self.cleaned_data["email"])


class SetPasswordForm(DesignsystemetMixin, auth_forms.SetPasswordForm):
    pass


class PasswordChangeForm(DesignsystemetMixin, auth_forms.PasswordChangeForm):
    pass


class MembershipRequestForm(DesignsystemetMixin, forms.Form):
    """Choose an organisation to ask to join, from a list narrowed by a plain text filter."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        empty_label=_("Choose an organisation"),
        error_messages={"invalid_choice": _("Choose an organisation from the list.")},
    )

    def __init__(self, *args, user=None, query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.query = " ".join((query or "").split())[:100]
        organisations = Organisation.objects.order_by("name")
        # Validation accepts any organisation, so that asking twice gets the service's clear
        # answer; the list shows only those the user has not joined or asked to join, narrowed
        # by the filter.
        field = cast(forms.ModelChoiceField, self.fields["organisation"])
        field.queryset = organisations
        shown = organisations
        if user is not None and user.is_authenticated:
            shown = shown.exclude(memberships__user=user)
        if self.query:
            shown = shown.filter(name__icontains=self.query)
        listed = list(shown.only("pk", "name")[: ORGANISATION_CHOICES_LIMIT + 1])
        self.truncated = len(listed) > ORGANISATION_CHOICES_LIMIT
        self.shown_count = min(len(listed), ORGANISATION_CHOICES_LIMIT)
        field.choices = [("", field.empty_label)] + [
            (organisation.pk, organisation.name)
            for organisation in listed[:ORGANISATION_CHOICES_LIMIT]
        ]


class MembershipDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the person who asked)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "ds-input"}),
    )


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=MembershipRole.choices)


class ApiTokenForm(DesignsystemetMixin, forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("What will use the token, e.g. “Intranet sync”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
