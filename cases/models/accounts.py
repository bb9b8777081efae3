"""People and their API tokens."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with an email address; belongs to organisations through memberships."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    email_verified_at = models.DateTimeField(_("email verified"), null=True, blank=True)
    service_account = models.BooleanField(
        _("service account"),
        default=False,
        help_text=_(
            "Made by an operator with issue_token for a REST client, without a password. "
            "issue_token gives other accounts no key unless the operator takes them over."
        ),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    # AbstractBaseUser keeps a changed raw password here until the next save; its stubs omit it.
    _password: str | None

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.email

    # A new password (or none) ends every other way in. Sessions end by themselves, since
    # Django binds each to the password's hash; API tokens are revoked on save. Every door
    # that sets a password (the password and reset pages, the admin, `changepassword`,
    # issue_token --force) goes through set_password or set_unusable_password and save.
    # A rehash of the same password on login (check_password) clears `_password` before
    # saving, and is not a change.

    def set_unusable_password(self):
        super().set_unusable_password()
        self._password_removed = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        changed = not self._state.adding and (
            self._password is not None or getattr(self, "_password_removed", False)
        )
        super().save(*args, **kwargs)
        if changed:
            self._password_removed = False
            self.api_tokens.revoke()

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


MODERATORS_GROUP = "moderators"


class ApiTokenQuerySet(models.QuerySet):
    def revoke(self) -> int:
        """Revoke every token here that still works; returns how many."""
        return self.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


class ApiToken(models.Model):
    """A named API token. Only a hash of the key is stored; the key is shown once at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
