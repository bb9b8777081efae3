"""What every case service shares: refusing, locking and writing the history."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import search
from ..content import case_version
from ..models import Case, CaseEvent, User
from ..refusals import Conflict


def record_event(
    case: Case, kind: str, *, actor: User | None, reason: str = "", **extra: Any
) -> CaseEvent:
    """The one place a case's history is written."""
    if case.published_at is not None:
        # Published, or was: what search suggests from the published words may change.
        search.lexicon_changed()
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor, reason=reason, **extra)


def record_change(case: Case, kind: str, *, actor: User | None, **extra: Any) -> CaseEvent:
    """A change to the case that leaves its status as it is, in its history."""
    return record_event(
        case, kind, actor=actor, from_status=case.status, to_status=case.status, **extra
    )


def locked_case(case: Case) -> Case:
    """The case row again, locked until the transaction ends (PostgreSQL; SQLite has one writer)."""
    return Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)


def require(allowed: bool, message: str | Promise | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You do not have permission to do this."))


# Said when a moderator would approve their own organisation's text (permissions.is_own_organisations).
FOUR_EYES = gettext_lazy(
    "You are a member of the organisation that owns this case, or you proposed this edit: "
    "another moderator must approve it."
)


def require_reviewed(case: Case, reviewed_version: str) -> None:
    """Refuse an approval unless it names the version of the case the moderator saw."""
    if not reviewed_version or reviewed_version != case_version(case):
        raise Conflict(_("The case was changed while you reviewed it. Review it again."))
