"""Who is told what, by email. Messages are queued in the writing transaction and sent after it
commits (see OutgoingEmail), in the recipient's site language (Norwegian bokmål)."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import MODERATORS_GROUP, Adoption, Case, CaseReport, CaseRevision, OutgoingEmail
from .vocabularies import MembershipRole, MembershipStatus

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


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


def queue(*, to: list[str], template: str, context: dict) -> OutgoingEmail | None:
    """Render and store an email; send it once the surrounding transaction commits."""
    to = [address for address in to if address]
    if not to:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
        subject = render_to_string(f"email/{template}_subject.txt", context).strip()
        body = render_to_string(f"email/{template}.txt", context)
    email = OutgoingEmail.objects.create(to=to, subject=" ".join(subject.split()), body=body)
    transaction.on_commit(lambda: send(email.pk))
    return email


def send(pk: int) -> bool:
    """Try to send one queued email. Failures are logged and left for a retry."""
    email = OutgoingEmail.objects.filter(pk=pk, sent_at__isnull=True).first()
    if email is None:
        return True
    try:
        EmailMessage(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, email.to).send()
    except Exception as error:  # any transport failure: keep the message for the next try
        log.warning("Sending email %s failed: %s", email.pk, error)
        OutgoingEmail.objects.filter(pk=pk).update(
            attempts=email.attempts + 1, last_error=str(error)[:2000]
        )
        return False
    OutgoingEmail.objects.filter(pk=pk).update(sent_at=timezone.now(), attempts=email.attempts + 1)
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
    if case.created_by_id and case.created_by.is_active:
        addresses.add(case.created_by.email)
    return sorted(addresses)


def case_approved(case: Case, *, actor) -> None:
    queue(to=_authors(case), template="case_approved", context={"case": case})


def changes_requested(case: Case, *, reason: str) -> None:
    queue(to=_authors(case), template="changes_requested", context={"case": case, "reason": reason})


def revision_decided(revision: CaseRevision) -> None:
    to = _authors(revision.case)
    if revision.created_by_id and revision.created_by.is_active:
        to = sorted(set(to) | {revision.created_by.email})
    queue(to=to, template="revision_decided", context={"revision": revision, "case": revision.case})


def adoption_recorded(adoption: Adoption) -> None:
    queue(
        to=_editor_emails(adoption.source_organisation_id),
        template="adoption_recorded",
        context={"adoption": adoption, "case": adoption.case},
    )
