"""What every case service shares: refusing, locking and writing the history."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ..models import Case, CaseEvent


def record_event(case: Case, kind: str, *, actor, reason: str = "", **extra) -> CaseEvent:
    """The one place a case's history is written."""
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor, reason=reason, **extra)


def locked_case(case: Case) -> Case:
    """The case row again, locked until the transaction ends (PostgreSQL; SQLite has one writer)."""
    return Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You do not have permission to do this."))
