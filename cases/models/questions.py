"""Questions to the owner of a published case, and the owner's answers."""

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..vocabularies import CaseStatus
from .cases import Case
from .organisations import Organisation

# The longest question and the longest answer, in characters.
QUESTION_MAX_LENGTH = 2000
ANSWER_MAX_LENGTH = 5000

# A question the public may read: answered, neither it nor its answer hidden.
SHOWN = Q(answered_at__isnull=False, hidden_at__isnull=True, answer_hidden_at__isnull=True)


class QuestionQuerySet(models.QuerySet):
    def shown(self) -> Self:
        """Answered, neither the question nor its answer hidden (whatever the case's state)."""
        return self.filter(SHOWN)

    def public(self) -> Self:
        """What anyone may read: shown, on a published case, asked for an organisation that
        still exists."""
        return self.shown().filter(
            case__status=CaseStatus.PUBLISHED,
            case__deleted_at__isnull=True,
            organisation__deleted_at__isnull=True,
        )

    def waiting(self) -> Self:
        """Not answered yet and not hidden: the owner's editors are asked to answer these."""
        return self.filter(answered_at__isnull=True, hidden_at__isnull=True)


class Question(models.Model):
    """A question someone asked the owner of a case for their organisation, and its answer.

    Never deleted: a moderator hides the question or the answer, with a reason, and the row
    keeps who asked, answered and hid what, and when.
    """

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="questions"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("asked for"),
        on_delete=models.PROTECT,
        related_name="questions_asked",
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions_asked",
    )
    text = models.TextField(_("question"), max_length=QUESTION_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("answer"), blank=True, max_length=ANSWER_MAX_LENGTH)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_reason = models.TextField(blank=True)
    answer_hidden_at = models.DateTimeField(null=True, blank=True)
    answer_hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answer_hidden_reason = models.TextField(blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                name="question_answered_with_text",
            ),
            models.CheckConstraint(
                condition=Q(answer_hidden_at__isnull=True) | Q(answered_at__isnull=False),
                name="question_answer_hidden_only_when_answered",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "answered_at"]),
            models.Index(fields=["organisation", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.case}"

    @property
    def status_label(self) -> str:
        """Where the question stands, in words (for the person who asked it)."""
        if self.hidden_at is not None or self.answer_hidden_at is not None:
            return str(_("hidden by a moderator"))
        if self.answered_at is not None:
            return str(_("answered"))
        return str(_("waiting for an answer"))

    @property
    def is_shown(self) -> bool:
        return (
            self.answered_at is not None
            and self.hidden_at is None
            and self.answer_hidden_at is None
        )


def refresh_question_count(case_id: int) -> None:
    """Count the case's shown questions again into `Case.question_count` (written only here)."""
    counted = (
        Question.objects.shown()
        .filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Case.all_objects.filter(pk=case_id).update(question_count=Coalesce(Subquery(counted), 0))
