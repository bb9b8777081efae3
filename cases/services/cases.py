"""Cases: creating, editing and every transition of their moderation.

Each service takes keyword arguments, checks permissions in `cases.permissions`, validates
before it writes, runs in one transaction, locks the row it changes so a concurrent transition
cannot slip in between the check and the write, and leaves a CaseEvent behind.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import notifications, permissions
from ..content import (
    SOURCE_CYCLE,
    case_snapshot,
    clean_content,
    snapshot_diff,
    source_chain_reaches,
)
from ..models import Case, CaseEvent, CaseRevision, Organisation, User
from ..refusals import Conflict
from ..vocabularies import CaseStatus, Origin
from .adoptions import record_origin_adoption
from .common import FOUR_EYES, locked_case, record_change, record_event, require, require_reviewed
from .content import apply_content, provisional_slug, publish_slug
from .revisions import propose_revision
from .saved_searches import saved_searches_case_published


@transaction.atomic
def case_create(*, actor: User, organisation: Organisation, data: dict[str, Any]) -> Case:
    """Create a draft case for `organisation`. Only its members may."""
    require(
        permissions.can_create_case(actor, organisation),
        _("Only members of %s can write cases for it.") % organisation,
    )
    clean = clean_content(data, owner=organisation, case=None)
    if not clean.get("title"):
        raise ValidationError({"title": [_("A case needs a title.")]})
    now = timezone.now()
    case = Case(
        organisation=organisation,
        title=clean["title"],
        slug=provisional_slug(clean["title"]),
        created_by=actor,
        created_at=now,
        updated_at=now,
        status=CaseStatus.DRAFT,
    )
    apply_content(case, clean)
    record_event(
        case,
        CaseEvent.Kind.CREATED,
        actor=actor,
        to_status=CaseStatus.DRAFT,
        snapshot=case_snapshot(case),
    )
    return case


@transaction.atomic
def case_update(*, actor: User, case: Case, data: dict[str, Any]) -> Case | CaseRevision:
    """Edit a case. Unpublished cases change in place; a published case gets a pending revision
    and keeps serving its approved text until a moderator approves the revision.

    A save that changes nothing writes nothing. Returns the case, or the pending revision.
    """
    case = locked_case(case)
    require(permissions.can_edit_case(actor, case) or permissions.can_correct_case(actor, case))
    clean = clean_content(data, owner=case.organisation, case=case)
    if case.status == CaseStatus.PUBLISHED:
        return propose_revision(actor=actor, case=case, clean=clean)
    before = case_snapshot(case)
    proposed = {**before, **clean}
    changes = snapshot_diff(before, proposed)
    if not changes:
        return case
    apply_content(case, clean)
    record_change(
        case,
        CaseEvent.Kind.EDITED,
        actor=actor,
        changes=changes,
        snapshot=case_snapshot(case),
    )
    return case


# What a case needs before it can be submitted (a draft may lack any of it): each field, and
# what the author is told when it is missing. The editor marks these fields.
NEEDED_TO_SUBMIT = {
    "title": gettext_lazy("a title"),
    "summary": gettext_lazy("a summary"),
    "problem": gettext_lazy("the problem it solves"),
    "solution": gettext_lazy("the solution"),
    "sectors": gettext_lazy("at least one sector"),
    "innovation_types": gettext_lazy("at least one innovation type"),
    "stage": gettext_lazy("the stage"),
}


def missing_fields(case: Case) -> list[tuple[str, str]]:
    """What a case still needs before it can be submitted: (the editor's field, what the author
    is told), in the editor's order."""
    missing = [
        (field, str(message))
        for field, message in NEEDED_TO_SUBMIT.items()
        if not getattr(case, field)
    ]
    if case.origin in (Origin.ADAPTED, Origin.COPIED) and not (
        case.source_case_id or case.source_description
    ):
        missing.append(("source_description", _("the source it was adapted or copied from")))
    return missing


def missing_for_submission(case: Case) -> list[str]:
    """The fields a case still needs before it can be submitted, as messages for the author."""
    return [message for _field, message in missing_fields(case)]


@transaction.atomic
def case_submit(*, actor: User, case: Case) -> Case:
    """Send a draft (or a case sent back) to the moderators."""
    case = locked_case(case)
    if case.status == CaseStatus.SUBMITTED:
        raise Conflict(_("This case has already been submitted."))
    require(permissions.can_submit_case(actor, case))
    missing = missing_for_submission(case)
    if missing:
        raise ValidationError(
            _("Before it can be submitted the case needs: %s.") % ", ".join(missing)
        )
    previous = case.status
    case.status = CaseStatus.SUBMITTED
    case.submitted_at = case.updated_at = timezone.now()
    case.save(update_fields=["status", "submitted_at", "updated_at"])
    record_event(
        case,
        CaseEvent.Kind.SUBMITTED,
        actor=actor,
        from_status=previous,
        to_status=case.status,
        snapshot=case_snapshot(case),
    )
    notifications.case_submitted(case)
    return case


@transaction.atomic
def case_approve(*, actor: User, case: Case, reviewed_version: str) -> Case:
    """Publish a submitted case. Records the adoption its origin names, if any.

    `reviewed_version` is the case's version (see `case_version`) as the moderator saw it: if
    the authors changed the case or its files since, nothing is published, so a moderator never
    publishes what they did not review.
    """
    case = locked_case(case)
    if case.status != CaseStatus.SUBMITTED:
        raise Conflict(
            _("This case is no longer waiting for approval (it is %s).") % case.get_status_display()
        )
    require(permissions.can_moderate_case(actor, case))
    require(permissions.can_approve_case(actor, case), FOUR_EYES)
    require_reviewed(case, reviewed_version)
    # Its source may have come to build on it since it was written.
    if case.source_case and source_chain_reaches(case.source_case, case):
        raise ValidationError({"source_case": [SOURCE_CYCLE]})
    now = timezone.now()
    first_publication = case.published_at is None
    case.status = CaseStatus.PUBLISHED
    case.published_at = case.published_at or now
    case.updated_at = now
    case.save(update_fields=["status", "published_at", "updated_at"])
    publish_slug(case)
    record_event(
        case,
        CaseEvent.Kind.APPROVED,
        actor=actor,
        from_status=CaseStatus.SUBMITTED,
        to_status=case.status,
        snapshot=case_snapshot(case),
    )
    record_origin_adoption(case, actor=actor)
    notifications.case_approved(case, actor=actor)
    if first_publication:
        # Followers hear of a case once, when it first becomes public.
        saved_searches_case_published(case)
    return case


@transaction.atomic
def case_request_changes(*, actor: User, case: Case, reason: str) -> Case:
    """Send a submitted case back to its authors with a reason."""
    case = locked_case(case)
    if case.status != CaseStatus.SUBMITTED:
        raise Conflict(
            _("This case is no longer waiting for approval (it is %s).") % case.get_status_display()
        )
    require(permissions.can_moderate_case(actor, case))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say what must change.")]})
    case.status = CaseStatus.CHANGES_REQUESTED
    case.updated_at = timezone.now()
    case.save(update_fields=["status", "updated_at"])
    record_event(
        case,
        CaseEvent.Kind.CHANGES_REQUESTED,
        actor=actor,
        reason=reason,
        from_status=CaseStatus.SUBMITTED,
        to_status=case.status,
    )
    notifications.changes_requested(case, reason=reason)
    return case


@transaction.atomic
def case_archive(*, actor: User, case: Case, reason: str) -> Case:
    """Take a published case out of public view, with a reason. Its history stays."""
    case = locked_case(case)
    if case.status == CaseStatus.ARCHIVED:
        raise Conflict(_("This case is already archived."))
    require(permissions.can_archive_case(actor, case))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the case is archived.")]})
    previous = case.status
    case.status = CaseStatus.ARCHIVED
    case.updated_at = timezone.now()
    case.save(update_fields=["status", "updated_at"])
    case.revisions.filter(status=CaseRevision.Status.PENDING).update(
        status=CaseRevision.Status.WITHDRAWN, updated_at=case.updated_at
    )
    record_event(
        case,
        CaseEvent.Kind.ARCHIVED,
        actor=actor,
        reason=reason,
        from_status=previous,
        to_status=case.status,
    )
    return case


@transaction.atomic
def case_restore(*, actor: User, case: Case, reason: str = "") -> Case:
    """Bring an archived case back into public view as it was approved; its reuse records
    return with it. No new moderation: the content is what a moderator published."""
    case = locked_case(case)
    if case.status != CaseStatus.ARCHIVED:
        raise Conflict(_("Only an archived case can be restored."))
    require(permissions.can_restore_case(actor, case))
    previous = case.status
    case.status = CaseStatus.PUBLISHED
    case.updated_at = timezone.now()
    case.save(update_fields=["status", "updated_at"])
    record_event(
        case,
        CaseEvent.Kind.RESTORED,
        actor=actor,
        reason=(reason or "").strip(),
        from_status=previous,
        to_status=case.status,
    )
    return case


@transaction.atomic
def case_delete(*, actor: User, case: Case, reason: str = "") -> Case:
    """Soft-delete a case that was never published. The row and its history stay."""
    case = locked_case(case)
    require(permissions.can_delete_case(actor, case))
    case.deleted_at = case.updated_at = timezone.now()
    case.save(update_fields=["deleted_at", "updated_at"])
    record_change(
        case,
        CaseEvent.Kind.DELETED,
        actor=actor,
        reason=reason,
    )
    return case
