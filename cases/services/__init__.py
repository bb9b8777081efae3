"""Every write, by concern: `cases` (a case's content and moderation), `revisions` (proposed
edits of published cases), `attachments`, `reports`, `questions` (to a case's owner), `adoptions` (reuse records and spread
activities), `accounts` (users, memberships, API tokens) and `identity` (a first login through
an identity provider). Callers use `from cases import services`."""

from ..content import case_snapshot, case_version, snapshot_diff
from ..refusals import Conflict
from .accounts import (
    VerificationError,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    membership_approve,
    membership_decline,
    membership_grant,
    membership_remove,
    membership_request,
    membership_set_role,
    moderator_grant,
    user_mark_email_verified,
    user_register,
    user_resend_verification,
    user_take_over,
    user_verify_email,
    verification_token_user,
)
from .adoptions import (
    adoption_confirm,
    adoption_record,
    adoption_restore,
    adoption_update,
    adoption_withdraw,
    spread_activity_record,
)
from .attachments import attachment_add, attachment_remove, attachment_withdraw
from .cases import (
    NEEDED_TO_SUBMIT,
    case_approve,
    case_archive,
    case_create,
    case_delete,
    case_request_changes,
    case_restore,
    case_submit,
    case_update,
    missing_fields,
    missing_for_submission,
)
from .common import locked_case
from .content import refresh_search_extra
from .identity import identity_claims, identity_first_login
from .organisations import organisation_check, organisation_delete, organisation_save
from .questions import question_answer, question_ask, question_hide, question_hide_answer
from .reports import case_report, report_resolve
from .revisions import revision_approve, revision_reject
from .saved_searches import (
    saved_search_delete,
    saved_search_digests,
    saved_search_follow,
    saved_search_from_token,
    saved_search_set_frequency,
    saved_search_unsubscribe,
)

__all__ = [
    "NEEDED_TO_SUBMIT",
    "Conflict",
    "VerificationError",
    "adoption_confirm",
    "adoption_record",
    "adoption_restore",
    "adoption_update",
    "adoption_withdraw",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "attachment_add",
    "attachment_remove",
    "attachment_withdraw",
    "case_approve",
    "case_archive",
    "case_create",
    "case_delete",
    "case_report",
    "case_request_changes",
    "case_restore",
    "case_snapshot",
    "case_submit",
    "case_update",
    "case_version",
    "identity_claims",
    "identity_first_login",
    "locked_case",
    "membership_approve",
    "membership_decline",
    "membership_grant",
    "membership_remove",
    "membership_request",
    "membership_set_role",
    "missing_fields",
    "missing_for_submission",
    "moderator_grant",
    "organisation_check",
    "organisation_delete",
    "organisation_save",
    "question_answer",
    "question_ask",
    "question_hide",
    "question_hide_answer",
    "refresh_search_extra",
    "report_resolve",
    "revision_approve",
    "revision_reject",
    "saved_search_delete",
    "saved_search_digests",
    "saved_search_follow",
    "saved_search_from_token",
    "saved_search_set_frequency",
    "saved_search_unsubscribe",
    "snapshot_diff",
    "spread_activity_record",
    "user_mark_email_verified",
    "user_register",
    "user_resend_verification",
    "user_take_over",
    "user_verify_email",
    "verification_token_user",
]
