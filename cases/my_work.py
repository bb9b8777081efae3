"""What waits for a signed-in person: their organisations' cases by where each stands, the
reuse records of their cases that an editor is asked to confirm, the questions their organisations'
cases wait to have answered and those they asked, and the searches they follow. Private reads (unlike
`selectors`, which see public data only); the number of queries does not grow with the data."""

from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from . import permissions
from .models import Adoption, Case, CaseEvent, CaseRevision, Question, SavedSearch, User
from .vocabularies import CaseStatus, MembershipRole


@dataclass
class MyWork:
    # Sent back by a moderator, each with `send_back_reason`: the author's next step.
    sent_back: list[Case] = field(default_factory=list)
    drafts: list[Case] = field(default_factory=list)
    # Submitted cases, and published ones whose edit waits, for a moderator.
    waiting: list[Case] = field(default_factory=list)
    published: list[Case] = field(default_factory=list)
    archived: list[Case] = field(default_factory=list)
    # Reuse of the cases of organisations the person edits for, not yet confirmed.
    reuse_to_confirm: list[Adoption] = field(default_factory=list)
    # Questions about the published cases of organisations the person edits for, unanswered.
    questions_to_answer: list[Question] = field(default_factory=list)
    # The questions the person asked, newest first, each with where it stands (`status_label`).
    questions_asked: list[Question] = field(default_factory=list)
    # The searches the person follows (not part of `is_empty`: nothing in them waits).
    saved_searches: list[SavedSearch] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.sent_back,
                self.drafts,
                self.waiting,
                self.published,
                self.archived,
                self.reuse_to_confirm,
                self.questions_to_answer,
                self.questions_asked,
            )
        )


def _send_backs(case: OuterRef | int) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CHANGES_REQUESTED).order_by(
        "-created_at", "-pk"
    )


def send_back_reason(case: Case) -> str:
    """The reason the moderator gave when they last sent the case back ("" if they have not)."""
    if case.status != CaseStatus.CHANGES_REQUESTED:
        return ""
    return _send_backs(case.pk).values_list("reason", flat=True).first() or ""


def my_work(user: User) -> MyWork:
    """Six queries at most: saved searches, the questions asked, memberships (cached per
    request), cases, reuse records, questions to answer."""
    work = MyWork(
        saved_searches=list(SavedSearch.objects.filter(user=user).order_by("-created_at", "-pk")),
        questions_asked=list(
            Question.objects.filter(asked_by=user, case__deleted_at__isnull=True)
            .select_related("case", "case__organisation", "organisation")
            .order_by("-created_at", "-pk")
        ),
    )
    roles = permissions.roles(user)
    if not roles:
        return work
    last_send_back = _send_backs(OuterRef("pk")).values("reason")[:1]
    cases = (
        Case.objects.filter(organisation_id__in=list(roles))
        .select_related("organisation")
        .annotate(send_back_reason=Subquery(last_send_back))
        .prefetch_related(
            Prefetch(
                "revisions",
                queryset=CaseRevision.objects.filter(status=CaseRevision.Status.PENDING),
                to_attr="pending_revisions",
            )
        )
        .order_by("-updated_at", "-pk")
    )
    for case in cases:
        if case.status == CaseStatus.CHANGES_REQUESTED:
            work.sent_back.append(case)
        elif case.status == CaseStatus.DRAFT:
            work.drafts.append(case)
        elif case.status == CaseStatus.SUBMITTED:
            work.waiting.append(case)
        elif case.status == CaseStatus.PUBLISHED:
            work.published.append(case)
            if case.pending_revisions:
                work.waiting.append(case)
        elif case.status == CaseStatus.ARCHIVED:
            work.archived.append(case)
    edited_for = [pk for pk, role in roles.items() if role == MembershipRole.EDITOR]
    if edited_for:
        work.reuse_to_confirm = list(
            Adoption.objects.public()
            .filter(source_organisation_id__in=edited_for, confirmed=False)
            .select_related("case", "organisation")
            .order_by("-created_at", "-pk")
        )
        work.questions_to_answer = list(
            Question.objects.waiting()
            .filter(
                case__organisation_id__in=edited_for,
                case__status=CaseStatus.PUBLISHED,
                case__deleted_at__isnull=True,
            )
            .select_related("case", "organisation")
            .order_by("created_at", "pk")
        )
    return work
