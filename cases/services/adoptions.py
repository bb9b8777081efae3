"""Reuse records (adoptions) and spread activities."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import caching, notifications, permissions
from ..models import Adoption, Case, CaseEvent, Organisation, SpreadActivity, User
from ..refusals import Conflict
from ..vocabularies import AdoptionMode, AdoptionStatus, Channel, Origin, SpreadKind
from .common import record_event, require


def record_origin_adoption(case: Case, *, actor: User) -> None:
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
    record_event(
        source, CaseEvent.Kind.ADOPTION_RECORDED, actor=actor, reason=str(adoption.organisation)
    )
    notifications.adoption_recorded(adoption)


def _clean_adoption(
    *,
    mode: str,
    channel: str,
    status: str,
    adopted_on: object,
    derived_case: Case | int | None,
    organisation: Organisation,
    case: Case,
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
    derived_id = derived_case.pk if isinstance(derived_case, Case) else derived_case
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


def _already_recorded(organisation: Organisation) -> Conflict:
    """The organisation has a reuse record of the case already: one per pair."""
    return Conflict(
        _("%s has already recorded that it reused this case; edit that record instead.")
        % organisation
    )


@transaction.atomic
def adoption_record(
    *,
    actor: User,
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
    require(
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
    record_event(case, CaseEvent.Kind.ADOPTION_RECORDED, actor=actor, reason=str(organisation))
    notifications.adoption_recorded(adoption)
    return adoption


@transaction.atomic
def adoption_update(*, actor: User, adoption: Adoption, **fields: Any) -> Adoption:
    """Change a reuse record (mode, channel, date, status, note, derived case)."""
    adoption = Adoption.objects.select_for_update().get(pk=adoption.pk)
    require(permissions.can_change_adoption(actor, adoption))
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
    record_event(
        adoption.case,
        CaseEvent.Kind.ADOPTION_CHANGED,
        actor=actor,
        reason=str(adoption.organisation),
        changes=changes,
    )
    return adoption


@transaction.atomic
def adoption_withdraw(*, actor: User, adoption: Adoption, reason: str = "") -> Adoption:
    """Withdraw a reuse record. It is kept (soft-deleted) and the history says so."""
    adoption = Adoption.objects.select_for_update().get(pk=adoption.pk)
    require(permissions.can_change_adoption(actor, adoption))
    adoption.deleted_at = adoption.updated_at = timezone.now()
    adoption.save(update_fields=["deleted_at", "updated_at"])
    record_event(
        adoption.case,
        CaseEvent.Kind.ADOPTION_WITHDRAWN,
        actor=actor,
        reason=reason or str(adoption.organisation),
    )
    return adoption


@transaction.atomic
def adoption_restore(*, actor: User, adoption: Adoption) -> Adoption:
    """Bring a withdrawn reuse record back, unless the organisation has recorded the reuse of
    the case again since. The adopting organisation's members and moderators may."""
    adoption = (
        Adoption.all_objects.select_for_update()
        .select_related("case", "organisation")
        .get(pk=adoption.pk)
    )
    require(
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
    record_event(
        adoption.case,
        CaseEvent.Kind.ADOPTION_RECORDED,
        actor=actor,
        reason=str(adoption.organisation),
    )
    return adoption


@transaction.atomic
def adoption_confirm(*, actor: User, adoption: Adoption) -> Adoption:
    """The source organisation's editor confirms that the reuse happened."""
    adoption = Adoption.objects.select_for_update().get(pk=adoption.pk)
    require(permissions.is_editor(actor, adoption.source_organisation_id))
    if adoption.confirmed:
        raise Conflict(_("This reuse has already been confirmed."))
    adoption.confirmed = True
    adoption.confirmed_at = adoption.updated_at = timezone.now()
    adoption.confirmed_by = actor
    adoption.save(update_fields=["confirmed", "confirmed_at", "confirmed_by", "updated_at"])
    record_event(
        adoption.case,
        CaseEvent.Kind.ADOPTION_CONFIRMED,
        actor=actor,
        reason=str(adoption.organisation),
    )
    return adoption


@transaction.atomic
def spread_activity_record(
    *,
    actor: User,
    organisation: Organisation,
    kind: str,
    channel: str,
    occurred_on: datetime.date,
    case: Case | None = None,
    description: str = "",
) -> SpreadActivity:
    """Record something an organisation did to spread its case (a talk, a visit, an article)."""
    require(permissions.can_record_spread(actor, organisation))
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
    activity = SpreadActivity.objects.create(
        organisation=organisation,
        case=case,
        kind=kind,
        channel=channel,
        occurred_on=occurred_on,
        description=(description or "").strip(),
        recorded_by=actor,
    )
    # Shown on the organisation's page only.
    caching.organisation_page_changed(organisation)
    return activity
