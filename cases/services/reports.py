"""Reports: a logged-in user flags a published case for the moderators."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import notifications, permissions
from ..models import Case, CaseEvent, CaseReport, User
from ..refusals import Conflict
from .common import record_event, require


@transaction.atomic
def case_report(*, actor: User, case: Case, reason: str) -> CaseReport:
    """A logged-in user flags a published case for the moderators."""
    require(permissions.can_report_case(actor, case))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say what is wrong with the case.")]})
    report = CaseReport.objects.create(case=case, reporter=actor, reason=reason[:5000])
    notifications.case_reported(report)
    return report


@transaction.atomic
def report_resolve(*, actor: User, report: CaseReport, resolution: str = "") -> CaseReport:
    require(permissions.is_moderator(actor))
    report = CaseReport.objects.select_for_update().get(pk=report.pk)
    if report.resolved_at:
        raise Conflict(_("This report has already been handled."))
    report.resolved_at = timezone.now()
    report.resolved_by = actor
    report.resolution = (resolution or "").strip()
    report.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    # The owner's members read the history: it names neither the reporter nor the reason.
    record_event(report.case, CaseEvent.Kind.REPORT_HANDLED, actor=None)
    return report
