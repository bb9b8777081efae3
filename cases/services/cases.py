"""Every write. Pages, API, admin actions and commands call these, never the ORM directly.

Each service takes keyword arguments, checks permissions in `cases.permissions`, validates
before it writes, runs in one transaction, locks the row it changes so a concurrent transition
cannot slip in between the check and the write, and leaves a CaseEvent behind.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import notifications, permissions, uploads
from ..models import (
    Adoption,
    Attachment,
    Case,
    CaseEvent,
    CaseReport,
    CaseRevision,
    CaseTerm,
    Organisation,
    SpreadActivity,
)
from ..text import norwegian_slug
from ..vocabularies import (
    AdoptionMode,
    AdoptionStatus,
    Benefit,
    CaseStatus,
    Channel,
    InnovationType,
    Origin,
    Sector,
    SpreadKind,
    Stage,
    WorkplaceType,
)


class Conflict(Exception):
    """The action no longer fits the object's state (someone else acted first). API: 409."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# The content of a case: what authors write, what a revision holds, what history snapshots.
TEXT_FIELDS = ["title", "summary", "problem", "solution", "results", "reuse_guide", "contact"]
CODE_FIELDS = {"workplace_type": WorkplaceType, "stage": Stage, "origin": Origin}
TERM_FIELDS = {
    "sectors": (CaseTerm.Vocabulary.SECTOR, Sector),
    "innovation_types": (CaseTerm.Vocabulary.INNOVATION_TYPE, InnovationType),
    "benefits": (CaseTerm.Vocabulary.BENEFIT, Benefit),
    "tags": (CaseTerm.Vocabulary.TAG, None),
}
CONTENT_FIELDS = [
    *TEXT_FIELDS,
    *CODE_FIELDS,
    *TERM_FIELDS,
    "links",
    "partners",
    "source_case",
    "source_description",
    "attachments",
]
MAX_TAG_LENGTH = 60


def case_snapshot(case: Case) -> dict[str, Any]:
    """The case's content as plain JSON: what history stores and revisions propose."""
    data: dict[str, Any] = {field: getattr(case, field) for field in TEXT_FIELDS}
    data.update({field: getattr(case, field) for field in CODE_FIELDS})
    terms = list(case.terms.all()) if case.pk else []
    for field, (vocabulary, _codes) in TERM_FIELDS.items():
        data[field] = sorted(t.code for t in terms if t.vocabulary == vocabulary)
    data["links"] = list(case.links or [])
    data["partners"] = sorted(case.partners.values_list("pk", flat=True)) if case.pk else []
    data["source_case"] = case.source_case_id
    data["source_description"] = case.source_description
    data["attachments"] = (
        sorted(case.attachments.filter(pending=False).values_list("pk", flat=True))
        if case.pk
        else []
    )
    return data


def case_version(case: Case) -> str:
    """An opaque token that changes whenever the case's content or status changes."""
    return f"{case.pk}:{case.updated_at.isoformat()}:{case.status}"


def snapshot_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """{field: [old, new]} for the fields that differ."""
    return {
        field: [before.get(field), after.get(field)]
        for field in CONTENT_FIELDS
        if before.get(field) != after.get(field)
    }


def _clean_data(data: dict[str, Any], *, owner: Organisation, case: Case | None) -> dict[str, Any]:
    """Normalise and validate proposed content. Raises ValidationError with per-field messages."""
    errors: dict[str, list[str]] = {}
    unknown = set(data) - set(CONTENT_FIELDS)
    if unknown:
        errors["__all__"] = [_("Unknown fields: %s.") % ", ".join(sorted(unknown))]
    clean: dict[str, Any] = {}
    for field in TEXT_FIELDS:
        if field in data:
            value = data[field] if data[field] is not None else ""
            if not isinstance(value, str):
                errors.setdefault(field, []).append(_("Must be text."))
                continue
            value = value.replace("\x00", "").strip()
            limit = Case._meta.get_field(field).max_length
            if limit and len(value) > limit:
                errors.setdefault(field, []).append(
                    _("At most %(limit)d characters (now %(length)d).")
                    % {"limit": limit, "length": len(value)}
                )
            clean[field] = value
    if "title" in clean and not clean["title"]:
        errors.setdefault("title", []).append(_("A case needs a title."))
    for field, choices in CODE_FIELDS.items():
        if field in data:
            value = data[field] or ""
            if field == "origin" and not value:
                value = Origin.UNKNOWN
            if value and value not in choices.values:
                errors.setdefault(field, []).append(
                    _("Unknown code “%(value)s”. Allowed: %(allowed)s.")
                    % {"value": value, "allowed": ", ".join(choices.values)}
                )
            clean[field] = value
    for field, (_vocabulary, choices) in TERM_FIELDS.items():
        if field in data:
            values = data[field] or []
            if isinstance(values, str):
                values = [values]
            codes = []
            for value in values:
                value = str(value).replace("\x00", "").strip()
                if choices is None:
                    value = value.lower()
                    if len(value) > MAX_TAG_LENGTH:
                        errors.setdefault(field, []).append(
                            _("A tag has at most %d characters.") % MAX_TAG_LENGTH
                        )
                        continue
                elif value not in choices.values:
                    errors.setdefault(field, []).append(
                        _("Unknown code “%(value)s”. Allowed: %(allowed)s.")
                        % {"value": value, "allowed": ", ".join(choices.values)}
                    )
                    continue
                if value and value not in codes:
                    codes.append(value)
            clean[field] = sorted(codes)
    if "links" in data:
        links = []
        for link in data["links"] or []:
            if isinstance(link, str):
                link = {"url": link, "title": ""}
            url = str(link.get("url", "")).strip() if isinstance(link, dict) else ""
            if not url.startswith(("https://", "http://")):
                errors.setdefault("links", []).append(
                    _("A link must start with https:// or http://.")
                )
                continue
            links.append({"url": url[:500], "title": str(link.get("title", "")).strip()[:200]})
        clean["links"] = links
    if "partners" in data:
        ids = [getattr(p, "pk", p) for p in data["partners"] or []]
        try:
            ids = sorted({int(pk) for pk in ids})
        except (TypeError, ValueError):
            errors.setdefault("partners", []).append(_("Partners are organisation ids."))
            ids = []
        found = set(Organisation.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if set(ids) - found:
            errors.setdefault("partners", []).append(_("Unknown partner organisation."))
        if owner.pk in found:
            errors.setdefault("partners", []).append(
                _("The owner organisation cannot also be a partner.")
            )
        clean["partners"] = sorted(found - {owner.pk})
    if "source_case" in data:
        source = data["source_case"]
        source_id = getattr(source, "pk", source)
        if source_id in ("", None):
            clean["source_case"] = None
        else:
            try:
                source_id = int(source_id)
            except (TypeError, ValueError):
                source_id = None
            if source_id is None or not Case.objects.published().filter(pk=source_id).exists():
                errors.setdefault("source_case", []).append(
                    _("The source must be a published case on this platform.")
                )
            elif case is not None and case.pk == source_id:
                errors.setdefault("source_case", []).append(_("A case cannot be its own source."))
            clean["source_case"] = source_id
    if "source_description" in data:
        clean["source_description"] = (data["source_description"] or "").strip()
    if "attachments" in data:
        ids = {int(pk) for pk in data["attachments"] or []}
        known = set(case.attachments.values_list("pk", flat=True)) if case else set()
        if ids - known:
            errors.setdefault("attachments", []).append(_("Unknown attachment."))
        clean["attachments"] = sorted(ids & known)
    # A first-of-its-kind case has no source: the database refuses it, so say so clearly.
    origin = clean.get("origin", case.origin if case else Origin.UNKNOWN)
    if origin == Origin.FIRST and (clean.get("source_case") or clean.get("source_description")):
        errors.setdefault("origin", []).append(
            _(
                "A case that is the first of its kind has no source; remove the source or "
                "choose another origin."
            )
        )
    if errors:
        raise ValidationError(errors)
    return clean


# Paths under /saker/ that a case slug must not shadow.
RESERVED_SLUGS = {"ny", "feed"}


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = norwegian_slug(title) or "case"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or (
        Case.all_objects.filter(slug=slug).exclude(pk=exclude_pk).exists()
    ):
        slug, n = f"{base}-{n}", n + 1
    return slug


def _apply(case: Case, clean: dict[str, Any]) -> None:
    """Write cleaned content onto the case row and its terms and partners (case must exist)."""
    for field in TEXT_FIELDS:
        if field in clean:
            setattr(case, field, clean[field])
    for field in CODE_FIELDS:
        if field in clean:
            setattr(case, field, clean[field])
    if "links" in clean:
        case.links = clean["links"]
    if "source_case" in clean:
        case.source_case_id = clean["source_case"]
    if "source_description" in clean:
        case.source_description = clean["source_description"]
    if case.origin == Origin.FIRST:
        case.source_case_id = None
        case.source_description = ""
    case.updated_at = timezone.now()
    case.save()
    for field, (vocabulary, _choices) in TERM_FIELDS.items():
        if field in clean:
            wanted = set(clean[field])
            existing = set(case.terms.filter(vocabulary=vocabulary).values_list("code", flat=True))
            case.terms.filter(vocabulary=vocabulary, code__in=existing - wanted).delete()
            CaseTerm.objects.bulk_create(
                [CaseTerm(case=case, vocabulary=vocabulary, code=c) for c in wanted - existing]
            )
    if "partners" in clean:
        case.partners.set(clean["partners"])
    refresh_search_extra(case)
    if "attachments" in clean:
        kept = clean["attachments"]
        case.attachments.filter(pk__in=kept).update(pending=False)
        case.attachments.exclude(pk__in=kept).update(deleted_at=timezone.now())


def refresh_search_extra(case: Case) -> None:
    """Keep the words from other tables that search should find (see Case.search_extra)."""
    words = [
        *case.terms.filter(vocabulary=CaseTerm.Vocabulary.TAG).values_list("code", flat=True),
        case.organisation.name,
        *case.partners.values_list("name", flat=True),
    ]
    extra = " ".join(words)
    if extra != case.search_extra:
        case.search_extra = extra
        Case.all_objects.filter(pk=case.pk).update(search_extra=extra)


def _event(case: Case, kind: str, *, actor, reason: str = "", **extra) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor, reason=reason, **extra)


def _locked(case: Case) -> Case:
    """The case row again, locked until the transaction ends (PostgreSQL; SQLite has one writer)."""
    return Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)


def _require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You do not have permission to do this."))


@transaction.atomic
def case_create(*, actor, organisation: Organisation, data: dict[str, Any]) -> Case:
    """Create a draft case for `organisation`. Only its members may."""
    _require(
        permissions.can_create_case(actor, organisation),
        _("Only members of %s can write cases for it.") % organisation,
    )
    clean = _clean_data(data, owner=organisation, case=None)
    if not clean.get("title"):
        raise ValidationError({"title": [_("A case needs a title.")]})
    now = timezone.now()
    case = Case(
        organisation=organisation,
        title=clean["title"],
        slug=_unique_slug(clean["title"]),
        created_by=actor,
        created_at=now,
        updated_at=now,
        status=CaseStatus.DRAFT,
    )
    _apply(case, clean)
    _event(
        case,
        CaseEvent.Kind.CREATED,
        actor=actor,
        to_status=CaseStatus.DRAFT,
        snapshot=case_snapshot(case),
    )
    return case


@transaction.atomic
def case_update(*, actor, case: Case, data: dict[str, Any]) -> Case | CaseRevision:
    """Edit a case. Unpublished cases change in place; a published case gets a pending revision
    and keeps serving its approved text until a moderator approves the revision.

    A save that changes nothing writes nothing. Returns the case, or the pending revision.
    """
    case = _locked(case)
    _require(permissions.can_edit_case(actor, case))
    clean = _clean_data(data, owner=case.organisation, case=case)
    if case.status == CaseStatus.PUBLISHED:
        return _propose_revision(actor=actor, case=case, clean=clean)
    before = case_snapshot(case)
    proposed = {**before, **clean}
    changes = snapshot_diff(before, proposed)
    if not changes:
        return case
    _apply(case, clean)
    _event(
        case,
        CaseEvent.Kind.EDITED,
        actor=actor,
        changes=changes,
        snapshot=case_snapshot(case),
        from_status=case.status,
        to_status=case.status,
    )
    return case


def _propose_revision(*, actor, case: Case, clean: dict[str, Any]) -> Case | CaseRevision:
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
    _event(
        case,
        CaseEvent.Kind.REVISION_SUBMITTED,
        actor=actor,
        changes=changes,
        snapshot=proposed,
        from_status=case.status,
        to_status=case.status,
    )
    notifications.revision_submitted(revision)
    return revision


def missing_for_submission(case: Case) -> list[str]:
    """The fields a case still needs before it can be submitted, as messages for the author."""
    missing = []
    if not case.title:
        missing.append(_("a title"))
    if not case.summary:
        missing.append(_("a summary"))
    if not case.problem:
        missing.append(_("the problem it solves"))
    if not case.solution:
        missing.append(_("the solution"))
    if not case.sectors:
        missing.append(_("at least one sector"))
    if not case.innovation_types:
        missing.append(_("at least one innovation type"))
    if not case.stage:
        missing.append(_("the stage"))
    if case.origin in (Origin.ADAPTED, Origin.COPIED) and not (
        case.source_case_id or case.source_description
    ):
        missing.append(_("the source it was adapted or copied from"))
    return missing


@transaction.atomic
def case_submit(*, actor, case: Case) -> Case:
    """Send a draft (or a case sent back) to the moderators."""
    case = _locked(case)
    if case.status == CaseStatus.SUBMITTED:
        raise Conflict(_("This case has already been submitted."))
    _require(permissions.can_submit_case(actor, case))
    missing = missing_for_submission(case)
    if missing:
        raise ValidationError(
            _("Before it can be submitted the case needs: %s.") % ", ".join(missing)
        )
    previous = case.status
    case.status = CaseStatus.SUBMITTED
    case.submitted_at = case.updated_at = timezone.now()
    case.save(update_fields=["status", "submitted_at", "updated_at"])
    _event(
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
def case_approve(*, actor, case: Case, reviewed_version: str | None = None) -> Case:
    """Publish a submitted case. Records the adoption its origin names, if any.

    `reviewed_version` is the case's version (see `case_version`) as the moderator saw it: if
    the authors changed the case since, nothing is published, so a moderator never publishes
    text they did not review.
    """
    case = _locked(case)
    if case.status != CaseStatus.SUBMITTED:
        raise Conflict(
            _("This case is no longer waiting for approval (it is %s).") % case.get_status_display()
        )
    _require(permissions.can_moderate_case(actor, case))
    if reviewed_version is not None and reviewed_version != case_version(case):
        raise Conflict(_("The case was changed while you reviewed it. Review it again."))
    now = timezone.now()
    case.status = CaseStatus.PUBLISHED
    case.published_at = case.published_at or now
    case.updated_at = now
    case.save(update_fields=["status", "published_at", "updated_at"])
    _event(
        case,
        CaseEvent.Kind.APPROVED,
        actor=actor,
        from_status=CaseStatus.SUBMITTED,
        to_status=case.status,
        snapshot=case_snapshot(case),
    )
    _record_origin_adoption(case, actor=actor)
    notifications.case_approved(case, actor=actor)
    return case


def _record_origin_adoption(case: Case, *, actor) -> None:
    """A published case that names a platform case as its source is an adoption of it."""
    if not case.source_case_id or case.origin not in (Origin.ADAPTED, Origin.COPIED):
        return
    source = Case.objects.published().filter(pk=case.source_case_id).first()
    if source is None or source.organisation_id == case.organisation_id:
        return
    existing = Adoption.objects.filter(case=source, organisation=case.organisation).first()
    if existing:
        if existing.derived_case_id is None:
            existing.derived_case = case
            existing.updated_at = timezone.now()
            existing.save(update_fields=["derived_case", "updated_at"])
        return
    adoption = Adoption.objects.create(
        case=source,
        organisation=case.organisation,
        source_organisation=source.organisation,
        mode=AdoptionMode.COPIED if case.origin == Origin.COPIED else AdoptionMode.ADAPTED,
        channel=Channel.PLATFORM,
        adopted_on=timezone.localdate(),
        status=AdoptionStatus.IN_USE,
        derived_case=case,
        recorded_by=actor,
        # No title here: the note stays public when the derived case later leaves the public
        # view, and the derived case is named (while it is public) by `derived_case`.
        note=_("Recorded when the derived case was published."),
    )
    _event(source, CaseEvent.Kind.ADOPTION_RECORDED, actor=actor, reason=str(adoption.organisation))
    notifications.adoption_recorded(adoption)


@transaction.atomic
def case_request_changes(*, actor, case: Case, reason: str) -> Case:
    """Send a submitted case back to its authors with a reason."""
    case = _locked(case)
    if case.status != CaseStatus.SUBMITTED:
        raise Conflict(
            _("This case is no longer waiting for approval (it is %s).") % case.get_status_display()
        )
    _require(permissions.can_moderate_case(actor, case))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say what must change.")]})
    case.status = CaseStatus.CHANGES_REQUESTED
    case.updated_at = timezone.now()
    case.save(update_fields=["status", "updated_at"])
    _event(
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
def case_archive(*, actor, case: Case, reason: str) -> Case:
    """Take a published case out of public view, with a reason. Its history stays."""
    case = _locked(case)
    if case.status == CaseStatus.ARCHIVED:
        raise Conflict(_("This case is already archived."))
    _require(permissions.can_archive_case(actor, case))
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
    _event(
        case,
        CaseEvent.Kind.ARCHIVED,
        actor=actor,
        reason=reason,
        from_status=previous,
        to_status=case.status,
    )
    return case


@transaction.atomic
def case_restore(*, actor, case: Case, reason: str = "") -> Case:
    """Bring an archived case back into public view as it was approved; its reuse records
    return with it. No new moderation: the content is what a moderator published."""
    case = _locked(case)
    if case.status != CaseStatus.ARCHIVED:
        raise Conflict(_("Only an archived case can be restored."))
    _require(permissions.can_restore_case(actor, case))
    previous = case.status
    case.status = CaseStatus.PUBLISHED
    case.updated_at = timezone.now()
    case.save(update_fields=["status", "updated_at"])
    _event(
        case,
        CaseEvent.Kind.RESTORED,
        actor=actor,
        reason=(reason or "").strip(),
        from_status=previous,
        to_status=case.status,
    )
    return case


@transaction.atomic
def case_delete(*, actor, case: Case, reason: str = "") -> Case:
    """Soft-delete a case that was never published. The row and its history stay."""
    case = _locked(case)
    _require(permissions.can_delete_case(actor, case))
    case.deleted_at = case.updated_at = timezone.now()
    case.save(update_fields=["deleted_at", "updated_at"])
    _event(
        case,
        CaseEvent.Kind.DELETED,
        actor=actor,
        reason=reason,
        from_status=case.status,
        to_status=case.status,
    )
    return case


@transaction.atomic
def revision_approve(*, actor, revision: CaseRevision) -> Case:
    """Copy exactly the reviewed revision onto the published case."""
    revision = CaseRevision.objects.select_for_update().get(pk=revision.pk)
    case = _locked(revision.case)
    if revision.status != CaseRevision.Status.PENDING:
        raise Conflict(_("This edit is no longer waiting for approval."))
    _require(permissions.is_moderator(actor))
    before = case_snapshot(case)
    clean = _clean_data(revision.data, owner=case.organisation, case=case)
    _apply(case, clean)
    now = timezone.now()
    revision.status = CaseRevision.Status.APPROVED
    revision.reviewed_by = actor
    revision.reviewed_at = now
    revision.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    _event(
        case,
        CaseEvent.Kind.REVISION_APPROVED,
        actor=actor,
        changes=snapshot_diff(before, case_snapshot(case)),
        snapshot=case_snapshot(case),
        from_status=case.status,
        to_status=case.status,
    )
    _record_origin_adoption(case, actor=actor)
    notifications.revision_decided(revision)
    return case


@transaction.atomic
def revision_reject(*, actor, revision: CaseRevision, reason: str) -> CaseRevision:
    """Send a proposed edit back; the published text stays as it is."""
    revision = CaseRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != CaseRevision.Status.PENDING:
        raise Conflict(_("This edit is no longer waiting for approval."))
    _require(permissions.is_moderator(actor))
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
    _event(revision.case, CaseEvent.Kind.REVISION_REJECTED, actor=actor, reason=reason)
    notifications.revision_decided(revision)
    return revision


@transaction.atomic
def case_report(*, actor, case: Case, reason: str) -> CaseReport:
    """A logged-in user flags a published case for the moderators."""
    _require(permissions.can_report_case(actor, case))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say what is wrong with the case.")]})
    report = CaseReport.objects.create(case=case, reporter=actor, reason=reason[:5000])
    _event(case, CaseEvent.Kind.REPORTED, actor=actor, reason=reason[:5000])
    notifications.case_reported(report)
    return report


@transaction.atomic
def report_resolve(*, actor, report: CaseReport, resolution: str = "") -> CaseReport:
    _require(permissions.is_moderator(actor))
    report = CaseReport.objects.select_for_update().get(pk=report.pk)
    if report.resolved_at:
        raise Conflict(_("This report has already been handled."))
    report.resolved_at = timezone.now()
    report.resolved_by = actor
    report.resolution = (resolution or "").strip()
    report.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return report


def _clean_adoption(
    *, mode, channel, status, adopted_on, derived_case, organisation, case
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    for field, value, choices in (
        ("mode", mode, AdoptionMode),
        ("channel", channel, Channel),
        ("status", status, AdoptionStatus),
    ):
        if value not in choices.values:
            errors[field] = [
                _("Unknown code “%(value)s”. Allowed: %(allowed)s.")
                % {"value": value, "allowed": ", ".join(choices.values)}
            ]
    if adopted_on is not None and not isinstance(adopted_on, datetime.date):
        errors["adopted_on"] = [_("Enter a valid date.")]
    elif adopted_on and adopted_on > timezone.localdate() and status != AdoptionStatus.PLANNED:
        errors["adopted_on"] = [_("A date in the future fits only a planned reuse.")]
    derived_id = getattr(derived_case, "pk", derived_case)
    if derived_id:
        derived = Case.objects.filter(pk=derived_id).first()
        if derived is None or derived.organisation_id != organisation.pk:
            errors["derived_case"] = [
                _("The derived case must be a case of the adopting organisation.")
            ]
        elif derived.pk == case.pk:
            errors["derived_case"] = [_("A case cannot be derived from itself.")]
    if errors:
        raise ValidationError(errors)
    return {"derived_case_id": derived_id or None}


def _already_recorded(organisation) -> Conflict:
    """The organisation has a reuse record of the case already: one per pair."""
    return Conflict(
        _("%s has already recorded that it reused this case; edit that record instead.")
        % organisation
    )


@transaction.atomic
def adoption_record(
    *,
    actor,
    case: Case,
    organisation: Organisation,
    mode: str,
    channel: str,
    adopted_on: datetime.date | None = None,
    status: str = AdoptionStatus.IN_USE,
    note: str = "",
    derived_case: Case | int | None = None,
) -> Adoption:
    """Record that `organisation` reused `case`. One record per case and organisation."""
    case = Case.objects.select_related("organisation").get(pk=case.pk)
    if not case.is_published:
        raise ValidationError(_("Only published cases can be recorded as reused."))
    if organisation.pk == case.organisation_id:
        raise ValidationError(_("An organisation cannot record reuse of its own case."))
    _require(
        permissions.is_member(actor, organisation),
        _("You can only record reuse for an organisation you are a member of."),
    )
    extra = _clean_adoption(
        mode=mode,
        channel=channel,
        status=status,
        adopted_on=adopted_on,
        derived_case=derived_case,
        organisation=organisation,
        case=case,
    )
    if Adoption.objects.filter(case=case, organisation=organisation).exists():
        raise _already_recorded(organisation)
    now = timezone.now()
    try:
        with transaction.atomic():
            adoption = Adoption.objects.create(
                case=case,
                organisation=organisation,
                source_organisation_id=case.organisation_id,
                mode=mode,
                channel=channel,
                adopted_on=adopted_on,
                status=status,
                note=(note or "").strip(),
                recorded_by=actor,
                created_at=now,
                updated_at=now,
                **extra,
            )
    except IntegrityError as error:
        # Two records for the same pair raced past the check above; the constraint decided.
        raise _already_recorded(organisation) from error
    _event(case, CaseEvent.Kind.ADOPTION_RECORDED, actor=actor, reason=str(organisation))
    notifications.adoption_recorded(adoption)
    return adoption


@transaction.atomic
def adoption_update(*, actor, adoption: Adoption, **fields) -> Adoption:
    """Change a reuse record (mode, channel, date, status, note, derived case)."""
    adoption = Adoption.objects.select_for_update().get(pk=adoption.pk)
    _require(permissions.can_change_adoption(actor, adoption))
    allowed = {"mode", "channel", "adopted_on", "status", "note", "derived_case"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("Unknown fields: %s.") % ", ".join(sorted(unknown)))
    merged = {
        "mode": fields.get("mode", adoption.mode),
        "channel": fields.get("channel", adoption.channel),
        "status": fields.get("status", adoption.status),
        "adopted_on": fields.get("adopted_on", adoption.adopted_on),
        "derived_case": fields.get("derived_case", adoption.derived_case_id),
    }
    extra = _clean_adoption(**merged, organisation=adoption.organisation, case=adoption.case)
    before = {
        f: str(getattr(adoption, f))
        for f in ("mode", "channel", "status", "adopted_on", "note", "derived_case_id")
    }
    adoption.mode = merged["mode"]
    adoption.channel = merged["channel"]
    adoption.status = merged["status"]
    adoption.adopted_on = merged["adopted_on"]
    adoption.derived_case_id = extra["derived_case_id"]
    if "note" in fields:
        adoption.note = (fields["note"] or "").strip()
    after = {f: str(getattr(adoption, f)) for f in before}
    changes = {f: [before[f], after[f]] for f in before if before[f] != after[f]}
    if not changes:
        return adoption
    adoption.updated_at = timezone.now()
    adoption.save()
    _event(
        adoption.case,
        CaseEvent.Kind.ADOPTION_CHANGED,
        actor=actor,
        reason=str(adoption.organisation),
        changes=changes,
    )
    return adoption


@transaction.atomic
def adoption_withdraw(*, actor, adoption: Adoption, reason: str = "") -> Adoption:
    """Withdraw a reuse record. It is kept (soft-deleted) and the history says so."""
    adoption = Adoption.objects.select_for_update().get(pk=adoption.pk)
    _require(permissions.can_change_adoption(actor, adoption))
    adoption.deleted_at = adoption.updated_at = timezone.now()
    adoption.save(update_fields=["deleted_at", "updated_at"])
    _event(
        adoption.case,
        CaseEvent.Kind.ADOPTION_WITHDRAWN,
        actor=actor,
        reason=reason or str(adoption.organisation),
    )
    return adoption


@transaction.atomic
def adoption_restore(*, actor, adoption: Adoption) -> Adoption:
    """Bring a withdrawn reuse record back, unless the organisation has recorded the reuse of
    the case again since. The adopting organisation's members and moderators may."""
    adoption = (
        Adoption.all_objects.select_for_update()
        .select_related("case", "organisation")
        .get(pk=adoption.pk)
    )
    _require(
        permissions.is_member(actor, adoption.organisation_id) or permissions.is_moderator(actor)
    )
    if adoption.deleted_at is None:
        return adoption
    if not adoption.case.is_published:
        raise ValidationError(_("Only published cases can be recorded as reused."))
    if Adoption.objects.filter(
        case_id=adoption.case_id, organisation_id=adoption.organisation_id
    ).exists():
        raise _already_recorded(adoption.organisation)
    adoption.deleted_at = None
    adoption.updated_at = timezone.now()
    try:
        with transaction.atomic():
            adoption.save(update_fields=["deleted_at", "updated_at"])
    except IntegrityError as error:
        raise _already_recorded(adoption.organisation) from error
    _event(
        adoption.case,
        CaseEvent.Kind.ADOPTION_RECORDED,
        actor=actor,
        reason=str(adoption.organisation),
    )
    return adoption


@transaction.atomic
def adoption_confirm(*, actor, adoption: Adoption) -> Adoption:
    """The source organisation's editor confirms that the reuse happened."""
    adoption = Adoption.objects.select_for_update().get(pk=adoption.pk)
    _require(permissions.is_editor(actor, adoption.source_organisation_id))
    if adoption.confirmed:
        raise Conflict(_("This reuse has already been confirmed."))
    adoption.confirmed = True
    adoption.confirmed_at = adoption.updated_at = timezone.now()
    adoption.confirmed_by = actor
    adoption.save(update_fields=["confirmed", "confirmed_at", "confirmed_by", "updated_at"])
    _event(
        adoption.case,
        CaseEvent.Kind.ADOPTION_CONFIRMED,
        actor=actor,
        reason=str(adoption.organisation),
    )
    return adoption


@transaction.atomic
def spread_activity_record(
    *,
    actor,
    organisation: Organisation,
    kind: str,
    channel: str,
    occurred_on: datetime.date,
    case: Case | None = None,
    description: str = "",
) -> SpreadActivity:
    """Record something an organisation did to spread its case (a talk, a visit, an article)."""
    _require(permissions.can_record_spread(actor, organisation))
    errors = {}
    if kind not in SpreadKind.values:
        errors["kind"] = [_("Unknown activity.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    if not isinstance(occurred_on, datetime.date):
        errors["occurred_on"] = [_("Enter a valid date.")]
    if case is not None and case.organisation_id != organisation.pk:
        errors["case"] = [_("An organisation spreads its own cases.")]
    if errors:
        raise ValidationError(errors)
    return SpreadActivity.objects.create(
        organisation=organisation,
        case=case,
        kind=kind,
        channel=channel,
        occurred_on=occurred_on,
        description=(description or "").strip(),
        recorded_by=actor,
    )


@transaction.atomic
def attachment_add(*, actor, case: Case, upload, title: str = "", alt_text: str = "") -> Attachment:
    """Store a file or image for a case. On a published case it waits, as part of the pending
    revision, for a moderator's approval before the public sees it."""
    case = _locked(case)
    _require(permissions.can_edit_case(actor, case))
    try:
        file_type = uploads.check_upload(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    title = (title or "").strip()[:200]
    alt_text = (alt_text or "").strip()[:300]
    if file_type.kind == "image" and not alt_text:
        raise ValidationError({"alt_text": [_("Describe the image for those who cannot see it.")]})
    published = case.status == CaseStatus.PUBLISHED
    before = case_snapshot(case)
    attachment = Attachment(
        case=case,
        kind=file_type.kind,
        title=title,
        alt_text=alt_text,
        original_name=(upload.name or "file")[-255:],
        content_type=file_type.content_type,
        size=upload.size,
        uploaded_by=actor,
        pending=published,
    )
    attachment.file.save(upload.name or "file", upload, save=False)
    attachment.save()
    if published:
        pending = case.revisions.filter(status=CaseRevision.Status.PENDING).first()
        proposed = pending.data["attachments"] if pending else before["attachments"]
        _propose_revision(
            actor=actor, case=case, clean={"attachments": sorted([*proposed, attachment.pk])}
        )
    else:
        _event(
            case,
            CaseEvent.Kind.EDITED,
            actor=actor,
            from_status=case.status,
            to_status=case.status,
            changes={"attachments": [before["attachments"], case_snapshot(case)["attachments"]]},
        )
    return attachment


@transaction.atomic
def attachment_remove(*, actor, case: Case, attachment: Attachment) -> None:
    """Remove a file. Soft: the row stays. On a published case the removal is proposed as a
    revision and the file stays public until a moderator approves."""
    case = _locked(case)
    _require(permissions.can_edit_case(actor, case))
    if attachment.case_id != case.pk or attachment.deleted_at is not None:
        raise ValidationError(_("Unknown attachment."))
    if case.status == CaseStatus.PUBLISHED and not attachment.pending:
        pending = case.revisions.filter(status=CaseRevision.Status.PENDING).first()
        proposed = pending.data["attachments"] if pending else case_snapshot(case)["attachments"]
        _propose_revision(
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
            _propose_revision(
                actor=actor,
                case=case,
                clean={
                    "attachments": [pk for pk in pending.data["attachments"] if pk != attachment.pk]
                },
            )
        return
    _event(
        case,
        CaseEvent.Kind.EDITED,
        actor=actor,
        from_status=case.status,
        to_status=case.status,
        changes={"attachments": [before, case_snapshot(case)["attachments"]]},
    )
