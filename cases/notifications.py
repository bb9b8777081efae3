"""Who is told what, by email. Messages are queued in the writing transaction and sent after it
commits (see OutgoingEmail), in the recipient's site language (Norwegian bokmål).

Emails about followed searches are sent by `send_queued_email` rather than inside the request
that published the case: a case that many people follow would otherwise keep the moderator
waiting for the mail server once per follower."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import links
from .links import site_url
from .models import (
    MODERATORS_GROUP,
    Adoption,
    Case,
    CaseReport,
    CaseRevision,
    OutgoingEmail,
    Question,
    SavedSearch,
    User,
)
from .vocabularies import MembershipRole, MembershipStatus

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10


def _moderator_emails() -> list[str]:
    User = get_user_model()
    return sorted(
        set(
            User.objects.filter(is_active=True, groups__name=MODERATORS_GROUP).values_list(
                "email", flat=True
            )
        )
    )


def _editor_emails(organisation_id: int) -> list[str]:
    User = get_user_model()
    return sorted(
        set(
            User.objects.filter(
                is_active=True,
                memberships__organisation_id=organisation_id,
                memberships__role=MembershipRole.EDITOR,
                memberships__status=MembershipStatus.ACTIVE,
            ).values_list("email", flat=True)
        )
    )


def _render(template: str, context: dict, *, body: bool = True) -> tuple[str, str]:
    """(subject, body) of a template, in the site's language, with links to SITE_URL."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
        subject = render_to_string(f"email/{template}_subject.txt", context).strip()
        text = render_to_string(f"email/{template}.txt", context) if body else ""
    return " ".join(subject.split()), text


# Emails that have an HTML part beside the plain text (email/<template>.html).
HTML_EMAILS = {"saved_search_match", "saved_search_digest"}


def _render_html(template: str, context: dict) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
        return render_to_string(f"email/{template}.html", context)


def queue(*, to: list[str], template: str, context: dict) -> OutgoingEmail | None:
    """Render and store an email; send it once the surrounding transaction commits."""
    to = [address for address in to if address]
    if not to:
        return None
    if template in LINK_EMAILS:
        raise ValueError(f"{template} carries a one-time link: use queue_with_link.")
    subject, body = _render(template, context)
    email = OutgoingEmail.objects.create(to=to, subject=subject, body=body, template=template)
    transaction.on_commit(lambda: send(email.pk))
    return email


def queue_with_link(
    *, to: list[str], template: str, params: dict | None = None, send_after_commit: bool = True
) -> OutgoingEmail | None:
    """Store an email that will carry a one-time link, without the link.

    Only the template and `params` (ids, never secrets) are stored; `send` renders the body
    with a fresh link and keeps it nowhere (see LINK_EMAILS). With `send_after_commit=False`
    nothing is sent inside the request: `send_queued_email` sends it.
    """
    to = [address for address in to if address]
    if not to:
        return None
    if template not in LINK_EMAILS:
        raise ValueError(f"No one-time link is made for {template}.")
    # Subjects name no secret (and no person): the admin lists them.
    subject, _body = _render(template, {}, body=False)
    email = OutgoingEmail.objects.create(
        to=to, subject=subject, body="", template=template, params=params or {}
    )
    if send_after_commit:
        transaction.on_commit(lambda: send(email.pk))
    return email


def password_reset_requested(*, email: str) -> None:
    """Queue a password-reset email for an address, without looking the address up.

    Whether it has an account is decided when the email is sent, by `send_queued_email`, never
    inside the request: the request does the same work (one row written, no mail server) and
    takes the same time either way, so it cannot tell anyone whether the address has an
    account. An address without one gets nothing, and its row is removed.
    """
    queue_with_link(to=[email.strip()], template="password_reset", send_after_commit=False)


# Emails with a one-time link: for each template, what it needs when it is sent, as
# (recipients, context), or None when there is no longer anyone to send it to.


def _addressee(email: OutgoingEmail):
    """The active user the email was queued for, if their address is still the same."""
    User = get_user_model()
    user = User.objects.filter(pk=email.params.get("user"), is_active=True).first()
    if user is None or [user.email.lower()] != [address.lower() for address in email.to]:
        return None
    return user


def _verify_email(email: OutgoingEmail) -> tuple[list[str], dict] | None:
    user = _addressee(email)
    if user is None or user.email_verified_at is not None:
        return None
    valid_days = max(1, links.verify_email_max_age() // 86400)
    return [user.email], {
        "user": user,
        "link": links.verification_url(user),
        "valid_days": valid_days,
    }


def _verify_email_existing(email: OutgoingEmail) -> tuple[list[str], dict] | None:
    """Someone tried to register an address that has an account. An unverified owner gets a
    password-reset link rather than a new verification link: the first registration may have
    been someone else's, with a password the owner does not know, and following the reset link
    both sets their own password and confirms the address."""
    user = _addressee(email)
    if user is None:
        return None
    verified = user.email_verified_at is not None
    return [user.email], {
        "user": user,
        "verified": verified,
        "login_link": site_url(reverse("login")),
        "reset_link": (
            site_url(reverse("password_reset")) if verified else links.password_reset_url(user)
        ),
    }


def _password_reset(email: OutgoingEmail) -> tuple[list[str], dict] | None:
    # Django's own choice of who may reset: active, with a usable password, the address equal
    # without Unicode case-folding tricks. The mail goes to the account's address, never to
    # what was typed.
    user = next(iter(PasswordResetForm().get_users(email.to[0])), None)
    if user is None:
        return None
    return [user.email], {"user": user, "link": links.password_reset_url(user)}


def _followed(email: OutgoingEmail) -> tuple[User, SavedSearch] | None:
    """The person and the saved search an email was queued for, while they still follow it."""
    user = _addressee(email)
    if user is None:
        return None
    saved = SavedSearch.objects.filter(
        pk=email.params.get("saved_search"), user=user, active=True
    ).first()
    return None if saved is None else (user, saved)


def _followed_context(user: User, saved: SavedSearch) -> dict:
    return {
        "user": user,
        "saved_search": saved,
        "search_url": site_url(saved.get_search_url()),
        "my_work_url": site_url(reverse("my-work")),
        "unsubscribe_url": links.unsubscribe_url(saved),
        "one_click_unsubscribe_url": links.one_click_unsubscribe_url(saved),
    }


def _saved_search_match(email: OutgoingEmail) -> tuple[list[str], dict] | None:
    found = _followed(email)
    if found is None:
        return None
    user, saved = found
    # Archived (or deleted) since it was published: nothing to tell any more.
    case = (
        Case.objects.published()
        .select_related("organisation")
        .filter(pk=email.params.get("case"))
        .first()
    )
    if case is None:
        return None
    return [user.email], {**_followed_context(user, saved), "case": case}


def _saved_search_digest(email: OutgoingEmail) -> tuple[list[str], dict] | None:
    found = _followed(email)
    if found is None:
        return None
    user, saved = found
    cases = list(
        Case.objects.published()
        .select_related("organisation")
        .filter(pk__in=email.params.get("cases") or [])
        .order_by("-published_at", "-pk")
    )
    if not cases:
        return None
    return [user.email], {
        **_followed_context(user, saved),
        "cases": cases,
        "more": int(email.params.get("more") or 0),
    }


LINK_EMAILS: dict[str, Callable[[OutgoingEmail], tuple[list[str], dict] | None]] = {
    "verify_email": _verify_email,
    "verify_email_existing": _verify_email_existing,
    "password_reset": _password_reset,
    "saved_search_match": _saved_search_match,
    "saved_search_digest": _saved_search_digest,
}


def send(pk: int) -> bool:
    """Try to send one queued email. Failures are logged and left for a retry.

    True when nothing is left to do: sent, sent before, or (for an email with a one-time link)
    nobody to send it to any more, in which case the row is removed.
    """
    email = OutgoingEmail.objects.filter(pk=pk, sent_at__isnull=True).first()
    if email is None:
        return True
    to, subject, body = email.to, email.subject, email.body
    html, headers = None, {}
    if email.template in LINK_EMAILS:
        made = LINK_EMAILS[email.template](email)
        if made is None:
            OutgoingEmail.objects.filter(pk=pk, sent_at__isnull=True).delete()
            return True
        to, context = made
        subject, body = _render(email.template, context)
        if email.template in HTML_EMAILS:
            html = _render_html(email.template, context)
        if one_click := context.get("one_click_unsubscribe_url"):
            # RFC 8058: a mail program offers "unsubscribe" and POSTs to the address itself.
            headers = {
                "List-Unsubscribe": f"<{one_click}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            }
    try:
        message = EmailMultiAlternatives(
            subject, body, settings.DEFAULT_FROM_EMAIL, to, headers=headers
        )
        if html is not None:
            message.attach_alternative(html, "text/html")
        message.send()
    except Exception as error:  # any transport failure: keep the message for the next try
        log.warning("Sending email %s failed: %s", email.pk, error)
        OutgoingEmail.objects.filter(pk=pk).update(
            attempts=email.attempts + 1, last_error=str(error)[:2000]
        )
        return False
    OutgoingEmail.objects.filter(pk=pk).update(
        to=to, sent_at=timezone.now(), attempts=email.attempts + 1
    )
    return True


def send_queued() -> tuple[int, int]:
    """Retry every unsent email that has attempts left. Returns (sent, failed)."""
    sent = failed = 0
    pending = OutgoingEmail.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
    for pk in pending.values_list("pk", flat=True):
        if send(pk):
            sent += 1
        else:
            failed += 1
    return sent, failed


def case_submitted(case: Case) -> None:
    queue(to=_moderator_emails(), template="case_submitted", context={"case": case})


def revision_submitted(revision: CaseRevision) -> None:
    queue(
        to=_moderator_emails(),
        template="revision_submitted",
        context={"revision": revision, "case": revision.case},
    )


def case_reported(report: CaseReport) -> None:
    queue(
        to=_moderator_emails(),
        template="case_reported",
        context={"report": report, "case": report.case},
    )


def _authors(case: Case) -> list[str]:
    addresses = set(_editor_emails(case.organisation_id))
    if (creator := case.created_by) is not None and creator.is_active:
        addresses.add(creator.email)
    return sorted(addresses)


def case_approved(case: Case, *, actor) -> None:
    queue(to=_authors(case), template="case_approved", context={"case": case})


def changes_requested(case: Case, *, reason: str) -> None:
    queue(to=_authors(case), template="changes_requested", context={"case": case, "reason": reason})


def revision_decided(revision: CaseRevision) -> None:
    to = _authors(revision.case)
    if (proposer := revision.created_by) is not None and proposer.is_active:
        to = sorted(set(to) | {proposer.email})
    queue(to=to, template="revision_decided", context={"revision": revision, "case": revision.case})


def adoption_recorded(adoption: Adoption) -> None:
    queue(
        to=_editor_emails(adoption.source_organisation_id),
        template="adoption_recorded",
        context={"adoption": adoption, "case": adoption.case},
    )


def question_asked(question: Question) -> None:
    """The owner's editors are told of a new question, with the page where they answer it."""
    queue(
        to=_editor_emails(question.case.organisation_id),
        template="question_asked",
        context={
            "question": question,
            "case": question.case,
            "answer_url": reverse(
                "question-answer", kwargs={"slug": question.case.slug, "pk": question.pk}
            ),
        },
    )


def question_answered(question: Question) -> None:
    """The asker is told that their question has an answer, with where it stands."""
    asker = question.asked_by
    if asker is None or not asker.is_active:
        return
    queue(
        to=[asker.email],
        template="question_answered",
        context={"question": question, "case": question.case},
    )


def saved_search_matched(saved_search: SavedSearch, case: Case) -> OutgoingEmail | None:
    """A newly published case matches a search someone follows as it happens."""
    return queue_with_link(
        to=[saved_search.user.email],
        template="saved_search_match",
        params={"user": saved_search.user_id, "saved_search": saved_search.pk, "case": case.pk},
        send_after_commit=False,
    )


def saved_search_digest(
    saved_search: SavedSearch, case_ids: list[int], *, more: int = 0
) -> OutgoingEmail | None:
    """The week's new cases of a search someone follows weekly (`more`: those not listed)."""
    return queue_with_link(
        to=[saved_search.user.email],
        template="saved_search_digest",
        params={
            "user": saved_search.user_id,
            "saved_search": saved_search.pk,
            "cases": case_ids,
            "more": more,
        },
        send_after_commit=False,
    )
