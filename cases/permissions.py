"""Who may do what, in one place. Pages, admin, API and services all ask here.

Roles, from least to most: anonymous, a member of another organisation, a member of the owner
organisation, an editor of the owner organisation, a moderator (site-wide group). Moderators
moderate; they do not write other organisations' cases.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeGuard

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import (
    MODERATORS_GROUP,
    Adoption,
    Case,
    CaseRevision,
    Membership,
    Organisation,
    Question,
    User,
)
from .vocabularies import CaseStatus, MembershipRole, MembershipStatus

EDITABLE_STATES = {
    CaseStatus.DRAFT,
    CaseStatus.SUBMITTED,
    CaseStatus.CHANGES_REQUESTED,
    CaseStatus.PUBLISHED,
}


# Whoever asks: a user, an anonymous visitor, or no one (a command, a background job).
type Visitor = User | AnonymousUser | None


def _authenticated(user: Visitor) -> TypeGuard[User]:
    return bool(user and user.is_authenticated and user.is_active)


def is_moderator(user: Visitor) -> bool:
    """A moderator, or a superuser. Read once and kept on the user object (one request's)."""
    if not _authenticated(user):
        return False
    cached: bool | None = getattr(user, "_is_moderator", None)
    if cached is None:
        cached = user.is_superuser or user.groups.filter(name=MODERATORS_GROUP).exists()
        setattr(user, "_is_moderator", cached)  # noqa: B010 - an attribute User does not declare
    return cached


def roles(user: Visitor) -> dict[int, str]:
    """The user's active memberships as {organisation id: role}, cached on the user object."""
    if not _authenticated(user):
        return {}
    cached: dict[int, str] | None = getattr(user, "_roles", None)
    if cached is None:
        cached = dict(
            Membership.objects.filter(
                user=user,
                status=MembershipStatus.ACTIVE,
                organisation__deleted_at__isnull=True,
            ).values_list("organisation_id", "role")
        )
        setattr(user, "_roles", cached)  # noqa: B010 - an attribute User does not declare
    return cached


def forget(user: Visitor) -> None:
    """Drop the cached roles after memberships change."""
    for attribute in ("_roles", "_is_moderator"):
        if hasattr(user, attribute):
            delattr(user, attribute)


def _id(organisation: Organisation | int) -> int:
    return organisation if isinstance(organisation, int) else organisation.pk


def is_member(user: Visitor, organisation: Organisation | int) -> bool:
    return _id(organisation) in roles(user)


def is_editor(user: Visitor, organisation: Organisation | int) -> bool:
    return roles(user).get(_id(organisation)) == MembershipRole.EDITOR


def visible_cases_q(user: Visitor) -> Q:
    """The condition on Case rows that this user may see: published, or their own, or all."""
    published = Q(status=CaseStatus.PUBLISHED)
    if is_moderator(user):
        return Q()
    own = roles(user)
    if own:
        return published | Q(organisation_id__in=list(own))
    return published


def can_view_case(user: Visitor, case: Case) -> bool:
    if case.deleted_at is not None:
        return False
    return (
        case.status == CaseStatus.PUBLISHED
        or is_member(user, case.organisation_id)
        or is_moderator(user)
    )


def can_create_case(user: Visitor, organisation: Organisation | None = None) -> bool:
    if organisation is None:
        return bool(roles(user))
    return is_member(user, organisation)


def can_edit_case(user: Visitor, case: Case) -> bool:
    return (
        case.deleted_at is None
        and case.status in EDITABLE_STATES
        and is_member(user, case.organisation_id)
    )


def can_correct_case(user: Visitor, case: Case) -> bool:
    """Operators (staff allowed to change cases) correct any case in the admin, through the
    same service as its authors: an edit of a published case waits for a moderator."""
    return (
        _authenticated(user)
        and user.is_staff
        and user.has_perm("cases.change_case")
        and case.deleted_at is None
        and case.status in EDITABLE_STATES
    )


def can_submit_case(user: Visitor, case: Case) -> bool:
    return (
        case.deleted_at is None
        and case.status in (CaseStatus.DRAFT, CaseStatus.CHANGES_REQUESTED)
        and is_member(user, case.organisation_id)
    )


def can_moderate_case(user: Visitor, case: Case) -> bool:
    """Review (approve or request changes): moderators, on a submitted case."""
    return case.deleted_at is None and case.status == CaseStatus.SUBMITTED and is_moderator(user)


def is_own_organisations(user: Visitor, case: Case) -> bool:
    """Four eyes: a moderator does not approve their own organisation's text alone.

    MODERATION_SELF_APPROVAL lets a tiny installation with one moderator do it anyway.
    """
    return not settings.MODERATION_SELF_APPROVAL and is_member(user, case.organisation_id)


def can_view_history(user: Visitor, case: Case) -> bool:
    return case.deleted_at is None and (is_member(user, case.organisation_id) or is_moderator(user))


def can_review_edit(user: Visitor, case: Case) -> bool:
    """Approve or send back the edit waiting beside a published case: moderators."""
    return case.deleted_at is None and case.status == CaseStatus.PUBLISHED and is_moderator(user)


def can_approve_case(user: Visitor, case: Case) -> bool:
    return can_moderate_case(user, case) and not is_own_organisations(user, case)


def can_approve_edit(user: Visitor, revision: CaseRevision) -> bool:
    """Publish a proposed edit of a published case: a moderator outside its organisation who
    did not propose it."""
    case = revision.case
    return (
        case.deleted_at is None
        and is_moderator(user)
        and not is_own_organisations(user, case)
        and (
            settings.MODERATION_SELF_APPROVAL or revision.created_by_id != getattr(user, "pk", None)
        )
    )


def can_archive_case(user: Visitor, case: Case) -> bool:
    return (
        case.deleted_at is None
        and case.status == CaseStatus.PUBLISHED
        and (is_editor(user, case.organisation_id) or is_moderator(user))
    )


def can_restore_case(user: Visitor, case: Case) -> bool:
    """Bring an archived case back into public view: those who may archive it."""
    return (
        case.deleted_at is None
        and case.status == CaseStatus.ARCHIVED
        and case.published_at is not None
        and (is_editor(user, case.organisation_id) or is_moderator(user))
    )


def can_delete_case(user: Visitor, case: Case) -> bool:
    """Soft-delete a case that never went public: its organisation's editors, or moderators."""
    return (
        case.deleted_at is None
        and case.published_at is None
        and case.status in (CaseStatus.DRAFT, CaseStatus.CHANGES_REQUESTED)
        and (is_editor(user, case.organisation_id) or is_moderator(user))
    )


@dataclass(frozen=True)
class CaseAction:
    """Whether a user may do an action to a case, in two parts: whether their role may ever do
    it (if not, `refusal` says who may), and whether the case allows it now. Callers that tell
    the two apart (the API's 403 and 409) ask here rather than sorting the rule out again."""

    role_allows: bool
    state_allows: bool
    refusal: str

    @property
    def allowed(self) -> bool:
        return self.role_allows and self.state_allows


CaseRule = Callable[[Visitor, Case], bool]


def _owner_member(user: Visitor, case: Case) -> bool:
    return is_member(user, case.organisation_id)


def _moderator(user: Visitor, case: Case) -> bool:
    return is_moderator(user)


def _owner_member_or_moderator(user: Visitor, case: Case) -> bool:
    return is_member(user, case.organisation_id) or is_moderator(user)


def _owner_editor_or_moderator(user: Visitor, case: Case) -> bool:
    return is_editor(user, case.organisation_id) or is_moderator(user)


# action -> (the roles that may ever do it, the whole rule, what other roles are told). The
# whole rule is the can_* function the pages ask; given the role, what it adds is the state.
CASE_ACTIONS: dict[str, tuple[CaseRule, CaseRule, Promise]] = {
    "edit": (
        _owner_member,
        can_edit_case,
        _("Only members of the owner organisation can edit this case."),
    ),
    "submit": (
        _owner_member,
        can_submit_case,
        _("Only members of the owner organisation can submit this case."),
    ),
    # Four eyes (can_approve_case) is refused by the service, with its own message.
    "approve": (_moderator, can_moderate_case, _("Only moderators can approve cases.")),
    "request_changes": (_moderator, can_moderate_case, _("Only moderators can send cases back.")),
    "archive": (
        _owner_editor_or_moderator,
        can_archive_case,
        _("Only the owner organisation's editors and moderators can archive this case."),
    ),
    # Four eyes (can_approve_edit) is refused by the service, with its own message.
    "review_edit": (
        _moderator,
        can_review_edit,
        _("Only moderators can approve or send back edits."),
    ),
    "restore": (
        _owner_editor_or_moderator,
        can_restore_case,
        _("Only the owner organisation's editors and moderators can restore this case."),
    ),
    "delete": (
        _owner_editor_or_moderator,
        can_delete_case,
        _("Only the owner organisation's editors and moderators can delete this draft."),
    ),
    # Reading the edit that waits for approval: those who see the case's history.
    "read_pending_edit": (
        _owner_member_or_moderator,
        can_view_history,
        _("Only members of the owner organisation and moderators can read a pending edit."),
    ),
}


def case_action(user: Visitor, case: Case, action: str) -> CaseAction:
    """May `user` do `action` (a key of CASE_ACTIONS) to `case`: by role, and now."""
    role, rule, refusal = CASE_ACTIONS[action]
    role_allows = role(user, case)
    return CaseAction(
        role_allows=role_allows,
        state_allows=role_allows and rule(user, case),
        refusal=str(refusal),
    )


def can_report_case(user: Visitor, case: Case) -> bool:
    return _authenticated(user) and case.deleted_at is None and case.status == CaseStatus.PUBLISHED


def adopting_organisations(user: Visitor, case: Case) -> list[int]:
    """The organisations the user may record a reuse of this case for."""
    return [pk for pk in roles(user) if pk != case.organisation_id]


def can_record_adoption(user: Visitor, case: Case) -> bool:
    return (
        case.deleted_at is None
        and case.status == CaseStatus.PUBLISHED
        and bool(adopting_organisations(user, case))
    )


def can_change_adoption(user: Visitor, adoption: Adoption) -> bool:
    """Edit or withdraw: the adopting organisation's members, or moderators."""
    return adoption.deleted_at is None and (
        is_member(user, adoption.organisation_id) or is_moderator(user)
    )


def can_confirm_adoption(user: Visitor, adoption: Adoption) -> bool:
    return (
        adoption.deleted_at is None
        and not adoption.confirmed
        and is_editor(user, adoption.source_organisation_id)
    )


def can_record_spread(user: Visitor, organisation: Organisation | int) -> bool:
    return is_member(user, organisation)


def can_manage_members(user: Visitor, organisation: Organisation | int) -> bool:
    return is_editor(user, organisation) or is_moderator(user)


def can_view_queue(user: Visitor) -> bool:
    return is_moderator(user)


# Questions to a case's owner. Whoever answers for the owner: its editors (partners are named on
# a case but do not write or confirm for it anywhere, so they do not answer for it either).


def asking_organisations(user: Visitor) -> list[int]:
    """The organisations the user may ask a question for: each of their active memberships,
    their case's own owner included (a colleague may ask too)."""
    return sorted(roles(user))


def can_ask_question(user: Visitor, case: Case) -> bool:
    return (
        case.deleted_at is None
        and case.status == CaseStatus.PUBLISHED
        and bool(asking_organisations(user))
    )


def can_answer_questions(user: Visitor, case: Case) -> bool:
    """Answer the questions asked of a published case: the owner organisation's editors."""
    return (
        case.deleted_at is None
        and case.status == CaseStatus.PUBLISHED
        and is_editor(user, case.organisation_id)
    )


def can_answer_question(user: Visitor, question: Question) -> bool:
    return (
        question.answered_at is None
        and question.hidden_at is None
        and can_answer_questions(user, question.case)
    )


def can_hide_question(user: Visitor, question: Question) -> bool:
    return question.hidden_at is None and is_moderator(user)


def can_hide_answer(user: Visitor, question: Question) -> bool:
    return (
        question.answered_at is not None
        and question.answer_hidden_at is None
        and question.hidden_at is None
        and is_moderator(user)
    )


def can_view_question(user: Visitor, question: Question) -> bool:
    """The public reads a shown question of a published case; the asker, the owner's members
    and moderators also read one that waits for its answer."""
    if question.case.deleted_at is not None:
        return False
    if question.is_shown and question.case.status == CaseStatus.PUBLISHED:
        return True
    if is_moderator(user):
        return True
    if question.hidden_at is not None:
        return False
    asker = _authenticated(user) and question.asked_by_id == user.pk
    return asker or is_member(user, question.case.organisation_id)
