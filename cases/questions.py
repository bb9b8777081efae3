"""What a person sees of the questions asked of a case: the public its answered ones; the asker
also their own that wait; the owner's members and moderators every one that waits.
Private reads (the public's part is `Question.objects.public()`); one query for the questions,
and one for the organisations a member may ask for."""

from dataclasses import dataclass, field

from django.db.models import Q

from . import permissions
from .models import Case, Organisation, Question
from .models.questions import SHOWN
from .permissions import Visitor

# The asker's organisation and the case's owner, named beside each question.
RELATED = ("organisation", "case", "case__organisation")


@dataclass
class CaseQuestions:
    # Answered and shown to everyone, oldest first.
    shown: list[Question] = field(default_factory=list)
    # Not yet answered, and visible to this person (their own, or all for the owner's members
    # and moderators), oldest first.
    waiting: list[Question] = field(default_factory=list)
    # The organisations this person may ask for (empty: they may not ask).
    organisations: list[Organisation] = field(default_factory=list)
    can_answer: bool = False
    can_moderate: bool = False


def case_questions(user: Visitor, case: Case) -> CaseQuestions:
    """The questions of a published case as `user` may see them (nothing for any other case)."""
    if not case.is_published:
        return CaseQuestions()
    waiting = Question.objects.waiting()
    moderator = permissions.is_moderator(user)
    if moderator or permissions.is_member(user, case.organisation_id):
        visible = SHOWN | Q(pk__in=waiting.values("pk"))
    elif user is not None and user.is_authenticated:
        visible = SHOWN | Q(pk__in=waiting.filter(asked_by=user).values("pk"))
    else:
        visible = SHOWN
    found = CaseQuestions(
        can_answer=permissions.can_answer_questions(user, case), can_moderate=moderator
    )
    questions = (
        Question.objects.filter(visible, case=case, organisation__deleted_at__isnull=True)
        .select_related(*RELATED)
        .order_by("created_at", "pk")
    )
    for question in questions:
        (found.shown if question.is_shown else found.waiting).append(question)
    if permissions.can_ask_question(user, case):
        found.organisations = list(
            Organisation.objects.filter(pk__in=permissions.asking_organisations(user)).order_by(
                "name"
            )
        )
    return found
