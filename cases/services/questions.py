"""Questions to the owner of a published case: asking, answering, and hiding by a moderator.

Every change that moves a question into or out of the public view counts the case's shown
questions again and writes a change-feed entry for the case: its `question_count` changed, and
that count is how the feed and the API carry questions with the case (docs/api.md).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import notifications, permissions
from ..changefeed.record import record
from ..models import (
    ANSWER_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    Case,
    Change,
    Organisation,
    Question,
    User,
    refresh_question_count,
)
from ..refusals import Conflict
from .common import require


def _text(value: str, *, field: str, limit: int, empty: str) -> str:
    """The text trimmed, or a ValidationError on `field` when it is empty or too long."""
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [empty]})
    if len(text) > limit:
        raise ValidationError(
            {field: [_("At most %(limit)d characters, please.") % {"limit": limit}]}
        )
    return text


def _shown_changed(question: Question) -> None:
    """The case's count of shown questions, and its feed entry, after a question entered or
    left the public view."""
    refresh_question_count(question.case_id)
    record(Change.Kind.CASE, [question.case_id])


def _locked(question: Question) -> Question:
    return Question.objects.select_for_update().select_related("case").get(pk=question.pk)


@transaction.atomic
def question_ask(*, actor: User, case: Case, organisation: Organisation, text: str) -> Question:
    """`actor` asks the owner of a published case a question for one of their organisations.
    The owner's editors are emailed; nothing is public until they have answered."""
    case = Case.objects.select_related("organisation").get(pk=case.pk)
    require(
        permissions.can_ask_question(actor, case),
        _("Only members of an organisation can ask about a published case."),
    )
    require(
        organisation.pk in permissions.asking_organisations(actor),
        _("You can only ask for an organisation you are a member of."),
    )
    question = Question.objects.create(
        case=case,
        organisation=organisation,
        asked_by=actor,
        text=_text(text, field="text", limit=QUESTION_MAX_LENGTH, empty=_("Write your question.")),
    )
    notifications.question_asked(question)
    return question


@transaction.atomic
def question_answer(*, actor: User, question: Question, answer: str) -> Question:
    """An editor of the case's owner answers a question; it becomes public, and the asker is
    emailed. A question is answered once."""
    question = _locked(question)
    require(
        permissions.can_answer_questions(actor, question.case),
        _("Only the editors of the organisation that owns the case can answer its questions."),
    )
    if question.hidden_at is not None:
        raise Conflict(_("A moderator has hidden this question."))
    if question.answered_at is not None:
        raise Conflict(_("This question has already been answered."))
    question.answer = _text(
        answer, field="answer", limit=ANSWER_MAX_LENGTH, empty=_("Write your answer.")
    )
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    _shown_changed(question)
    notifications.question_answered(question)
    return question


def _reason(reason: str) -> str:
    return _text(
        reason, field="reason", limit=2000, empty=_("Say why it is hidden: the owner can read it.")
    )


@transaction.atomic
def question_hide(*, actor: User, question: Question, reason: str) -> Question:
    """A moderator hides a question (and with it any answer). It is kept, with the reason."""
    question = _locked(question)
    require(permissions.is_moderator(actor), _("Only moderators can hide questions."))
    if question.hidden_at is not None:
        raise Conflict(_("This question is hidden already."))
    was_shown = question.is_shown
    question.hidden_reason = _reason(reason)
    question.hidden_by = actor
    question.hidden_at = timezone.now()
    question.save(update_fields=["hidden_reason", "hidden_by", "hidden_at"])
    if was_shown:
        _shown_changed(question)
    return question


@transaction.atomic
def question_hide_answer(*, actor: User, question: Question, reason: str) -> Question:
    """A moderator hides the answer to a question: the question leaves the public view with it.
    The answer is kept, with the reason."""
    question = _locked(question)
    require(permissions.is_moderator(actor), _("Only moderators can hide answers."))
    if question.answered_at is None:
        raise ValidationError(_("This question has no answer to hide."))
    if question.answer_hidden_at is not None or question.hidden_at is not None:
        raise Conflict(_("This answer is hidden already."))
    was_shown = question.is_shown
    question.answer_hidden_reason = _reason(reason)
    question.answer_hidden_by = actor
    question.answer_hidden_at = timezone.now()
    question.save(update_fields=["answer_hidden_reason", "answer_hidden_by", "answer_hidden_at"])
    if was_shown:
        _shown_changed(question)
    return question
