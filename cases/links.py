"""Links that carry a secret: confirming an email address, choosing a new password, and
unsubscribing from a followed search.

Whoever holds one can act as the person it was made for, so they are made only when an email
is sent (see `notifications.LINK_EMAILS`) and kept nowhere: not in the outbox, not in the
admin. Links point at SITE_URL, never at the host a request named.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

VERIFY_EMAIL_SALT = "cases.accounts.verify-email"
DEFAULT_VERIFY_EMAIL_MAX_AGE = 3 * 24 * 60 * 60


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def verify_email_max_age() -> int:
    """How long a verification link works, in seconds: EMAIL_VERIFICATION_MAX_AGE, or three
    days."""
    return getattr(settings, "EMAIL_VERIFICATION_MAX_AGE", DEFAULT_VERIFY_EMAIL_MAX_AGE)


def verification_token(user) -> str:
    """A signed, expiring token naming the user and the address being confirmed."""
    return signing.TimestampSigner(salt=VERIFY_EMAIL_SALT).sign_object(
        {"u": user.pk, "e": user.email}, compress=True
    )


def verification_url(user) -> str:
    return site_url(reverse("verify-email", kwargs={"token": verification_token(user)}))


def password_reset_url(user) -> str:
    """Django's one-time link to choose a new password; it stops working once used."""
    return site_url(
        reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    )


# Unsubscribing from a followed search. The link must work for as long as emails are sent, so it
# does not expire; it names one saved search of one person and does nothing else.
UNSUBSCRIBE_SALT = "cases.saved-search.unsubscribe"


def unsubscribe_token(saved_search) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(
        {"s": saved_search.pk, "u": saved_search.user_id}
    )


def unsubscribe_token_ids(token: str) -> tuple[int, int] | None:
    """(saved search id, user id) of a token, or None if it was not made here or was altered."""
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    search, user = data.get("s"), data.get("u")
    if not isinstance(search, int) or not isinstance(user, int):
        return None
    return search, user


def unsubscribe_url(saved_search) -> str:
    """The page that asks "stop these emails?" and stops them on a click, without logging in."""
    return site_url(
        reverse("saved-search-unsubscribe", kwargs={"token": unsubscribe_token(saved_search)})
    )


def one_click_unsubscribe_url(saved_search) -> str:
    """RFC 8058's address: a mail program POSTs "List-Unsubscribe=One-Click" to it."""
    return site_url(
        reverse(
            "saved-search-unsubscribe-one-click",
            kwargs={"token": unsubscribe_token(saved_search)},
        )
    )
