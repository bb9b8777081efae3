"""The domain: organisations, their members, innovation cases, their history and their reuse.

One module per concern; everything is importable from `cases.models`."""

from .accounts import MODERATORS_GROUP, ApiToken, User, UserManager
from .adoptions import Adoption, AdoptionQuerySet, SpreadActivity, refresh_adoption_counters
from .base import AliveManager, SoftDeleteQuerySet
from .cases import (
    COUNTER_FIELDS,
    Attachment,
    Case,
    CaseEvent,
    CaseQuerySet,
    CaseReport,
    CaseRevision,
    CaseTerm,
    attachment_path,
)
from .changes import Change, FeedEpoch
from .facets import refresh_facet_masks, refresh_owner_columns, refresh_term_masks
from .identity import IdentitySource
from .organisations import Membership, Organisation
from .outbox import OutgoingEmail
from .questions import (
    ANSWER_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    Question,
    QuestionQuerySet,
    refresh_question_count,
)
from .saved_searches import SavedSearch

__all__ = [
    "ANSWER_MAX_LENGTH",
    "COUNTER_FIELDS",
    "MODERATORS_GROUP",
    "QUESTION_MAX_LENGTH",
    "Adoption",
    "AdoptionQuerySet",
    "AliveManager",
    "ApiToken",
    "Attachment",
    "Case",
    "CaseEvent",
    "CaseQuerySet",
    "CaseReport",
    "CaseRevision",
    "CaseTerm",
    "Change",
    "FeedEpoch",
    "IdentitySource",
    "Membership",
    "Organisation",
    "OutgoingEmail",
    "Question",
    "QuestionQuerySet",
    "SavedSearch",
    "SoftDeleteQuerySet",
    "SpreadActivity",
    "User",
    "UserManager",
    "attachment_path",
    "refresh_adoption_counters",
    "refresh_facet_masks",
    "refresh_owner_columns",
    "refresh_question_count",
    "refresh_term_masks",
]
