"""Files and images of a case."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions, uploads
from ..content import case_snapshot, snapshot_diff
from ..models import Attachment, Case, CaseEvent, CaseRevision, User
from ..vocabularies import CaseStatus
from .common import locked_case, record_change, require
from .revisions import propose_revision


@transaction.atomic
def attachment_add(
    *, actor: User, case: Case, upload: UploadedFile[bytes], title: str = "", alt_text: str = ""
) -> Attachment:
    """Store a file or image for a case. On a published case it waits, as part of the pending
    revision, for a moderator's approval before the public sees it."""
    case = locked_case(case)
    require(permissions.can_edit_case(actor, case))
    file_type = uploads.check_attachment(upload, alt_text=alt_text)
    title = (title or "").strip()[:200]
    alt_text = (alt_text or "").strip()[:300]
    published = case.status == CaseStatus.PUBLISHED
    before = case_snapshot(case)
    attachment = Attachment(
        case=case,
        kind=file_type.kind,
        title=title,
        alt_text=alt_text,
        original_name=(upload.name or "file")[-255:],
        content_type=file_type.content_type,
        size=upload.size or 0,
        uploaded_by=actor,
        pending=published,
    )
    attachment.file.save(upload.name or "file", upload, save=False)
    attachment.save()
    if published:
        pending = case.revisions.filter(status=CaseRevision.Status.PENDING).first()
        proposed = pending.data["attachments"] if pending else before["attachments"]
        propose_revision(
            actor=actor, case=case, clean={"attachments": sorted([*proposed, attachment.pk])}
        )
    else:
        files_changed(case, actor=actor, before=before["attachments"])
    return attachment


def files_changed(case: Case, *, actor: User, before: list[int]) -> None:
    """The files of an unpublished case changed: touch it and say so in its history."""
    touch(case)
    record_change(
        case,
        CaseEvent.Kind.EDITED,
        actor=actor,
        changes={"attachments": [before, case_snapshot(case)["attachments"]]},
    )


def touch(case: Case) -> None:
    """A file of an unpublished case changed: so did the case (and its version, which a
    moderator's approval names)."""
    case.updated_at = timezone.now()
    case.save(update_fields=["updated_at"])


@transaction.atomic
def attachment_remove(*, actor: User, case: Case, attachment: Attachment) -> None:
    """Remove a file. Soft: the row stays. On a published case the removal is proposed as a
    revision and the file stays public until a moderator approves."""
    case = locked_case(case)
    require(permissions.can_edit_case(actor, case))
    if attachment.case_id != case.pk or attachment.deleted_at is not None:
        raise ValidationError(_("Unknown attachment."))
    if case.status == CaseStatus.PUBLISHED and not attachment.pending:
        pending = case.revisions.filter(status=CaseRevision.Status.PENDING).first()
        proposed = pending.data["attachments"] if pending else case_snapshot(case)["attachments"]
        propose_revision(
            actor=actor,
            case=case,
            clean={"attachments": [pk for pk in proposed if pk != attachment.pk]},
        )
        return
    before = case_snapshot(case)["attachments"]
    Attachment.objects.filter(pk=attachment.pk).update(deleted_at=timezone.now())
    if case.status == CaseStatus.PUBLISHED:
        # A file that was only proposed leaves the pending revision too.
        pending = case.revisions.filter(status=CaseRevision.Status.PENDING).first()
        if pending:
            propose_revision(
                actor=actor,
                case=case,
                clean={
                    "attachments": [pk for pk in pending.data["attachments"] if pk != attachment.pk]
                },
            )
        return
    files_changed(case, actor=actor, before=before)


@transaction.atomic
def attachment_withdraw(*, actor: User, attachment: Attachment, reason: str = "") -> None:
    """A moderator takes a file down at once (an unlawful image, say), published or not; the
    case's history says who did and why. Authors use attachment_remove instead."""
    require(permissions.is_moderator(actor))
    case = locked_case(attachment.case)
    if attachment.deleted_at is not None or attachment.case_id != case.pk:
        raise ValidationError(_("Unknown attachment."))
    before = case_snapshot(case)
    Attachment.objects.filter(pk=attachment.pk).update(deleted_at=timezone.now())
    after = case_snapshot(case)
    touch(case)
    record_change(
        case,
        CaseEvent.Kind.EDITED,
        actor=actor,
        changes=snapshot_diff(before, after) or None,
        snapshot=after,
        reason=(reason or "").strip() or _("File “%s” removed by a moderator.") % attachment,
    )
