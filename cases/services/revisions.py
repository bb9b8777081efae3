"""Proposed edits of published cases: proposing, approving, sending back."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import notifications, permissions
from ..content import case_snapshot, clean_content, snapshot_diff
from ..models import Case, CaseEvent, CaseRevision, User
from ..refusals import Conflict
from .adoptions import record_origin_adoption
from .common import FOUR_EYES, locked_case, record_change, record_event, require, require_reviewed
from .content import apply_content


def propose_revision(*, actor: User, case: Case, clean: dict[str, Any]) -> Case | CaseRevision:
    pending = case.revisions.select_for_update().filter(status=CaseRevision.Status.PENDING).first()
    base = pending.data if pending else case_snapshot(case)
    proposed = {**base, **clean}
    if proposed == base:
        return pending or case
    changes = snapshot_diff(case_snapshot(case), proposed)
    if not changes:
        # The edit brings the text back to what is published: nothing is left to approve.
        if pending:
            pending.status = CaseRevision.Status.WITHDRAWN
            pending.updated_at = timezone.now()
            pending.save(update_fields=["status", "updated_at"])
        return case
    now = timezone.now()
    if pending:
        pending.data = proposed
        pending.updated_at = now
        pending.created_by = actor
        pending.save(update_fields=["data", "updated_at", "created_by"])
        revision = pending
    else:
        revision = CaseRevision.objects.create(
            case=case, data=proposed, created_by=actor, created_at=now, updated_at=now
        )
    record_change(
        case,
        CaseEvent.Kind.REVISION_SUBMITTED,
        actor=actor,
        changes=changes,
        snapshot=proposed,
    )
    notifications.revision_submitted(revision)
    return revision


@transaction.atomic
def revision_approve(*, actor: User, revision: CaseRevision, reviewed_version: str) -> Case:
    """Copy exactly the reviewed revision onto the published case.

    `reviewed_version` is the case's version as the moderator saw it (it covers the pending
    edit and the proposed files): if the authors changed the edit since, nothing is published.
    """
    revision = CaseRevision.objects.select_for_update().get(pk=revision.pk)
    case = locked_case(revision.case)
    if revision.status != CaseRevision.Status.PENDING:
        raise Conflict(_("This edit is no longer waiting for approval."))
    require(permissions.is_moderator(actor))
    require(permissions.can_approve_edit(actor, revision), FOUR_EYES)
    require_reviewed(case, reviewed_version)
    before = case_snapshot(case)
    clean = clean_content(revision.data, owner=case.organisation, case=case)
    apply_content(case, clean)
    now = timezone.now()
    revision.status = CaseRevision.Status.APPROVED
    revision.reviewed_by = actor
    revision.reviewed_at = now
    revision.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    record_change(
        case,
        CaseEvent.Kind.REVISION_APPROVED,
        actor=actor,
        changes=snapshot_diff(before, case_snapshot(case)),
        snapshot=case_snapshot(case),
    )
    record_origin_adoption(case, actor=actor)
    notifications.revision_decided(revision)
    return case


@transaction.atomic
def revision_reject(*, actor: User, revision: CaseRevision, reason: str) -> CaseRevision:
    """Send a proposed edit back; the published text stays as it is."""
    revision = CaseRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != CaseRevision.Status.PENDING:
        raise Conflict(_("This edit is no longer waiting for approval."))
    require(permissions.is_moderator(actor))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say what must change.")]})
    revision.status = CaseRevision.Status.REJECTED
    revision.reviewed_by = actor
    revision.reviewed_at = timezone.now()
    revision.reason = reason
    revision.save(update_fields=["status", "reviewed_by", "reviewed_at", "reason"])
    # Files proposed with the edit go with it; the published ones stay.
    revision.case.attachments.filter(pending=True).update(deleted_at=timezone.now())
    record_event(revision.case, CaseEvent.Kind.REVISION_REJECTED, actor=actor, reason=reason)
    notifications.revision_decided(revision)
    return revision
