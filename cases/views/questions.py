"""Questions to the owner of a case: asking, answering, and hiding by a moderator."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions, ratelimit, refusals, services
from ..forms.questions import AnswerForm, HideForm, QuestionForm
from ..middleware import too_many_requests
from ..models import Case, Organisation, Question, User
from .cases import _case_or_404


def question_url(question: Question) -> str:
    """Where a question stands on its case's page."""
    return f"{question.case.get_absolute_url()}#sporsmal-{question.pk}"


def _question_or_404(request: HttpRequest, case: Case, pk: int) -> Question:
    question = get_object_or_404(
        Question.objects.select_related("case", "case__organisation", "organisation"),
        pk=pk,
        case=case,
    )
    if not permissions.can_view_question(request.user, question):
        raise Http404
    return question


@login_required
def question_ask(request: HttpRequest, slug: str) -> HttpResponse:
    """The form to ask the owner (also on the case page); asking goes back to the case page."""
    case = _case_or_404(request, slug)
    if not permissions.can_ask_question(request.user, case):
        messages.error(
            request,
            _(
                "To ask the owner you must be a member of an organisation. Ask to join one on "
                "your profile page."
            )
            if case.is_published
            else _("Questions can only be asked about published cases."),
        )
        return redirect(case.get_absolute_url())
    organisations = Organisation.objects.filter(
        pk__in=permissions.asking_organisations(request.user)
    ).order_by("name")
    form = QuestionForm(request.POST or None, organisations=organisations)
    context = {"case": case, "form": form, "organisations": organisations}
    if request.method == "POST" and form.is_valid():
        try:
            # The owner's editors are emailed: counted like every form that sends email.
            ratelimit.email_sent(request)
        except ratelimit.Limited as over:
            form.add_error(None, over.message)
            return too_many_requests(request, over, "cases/question_form.html", context)
        try:
            question = services.question_ask(
                actor=cast(User, request.user),  # login_required
                case=case,
                organisation=form.cleaned_data["organisation"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            refusals.onto_form(form, error)
        else:
            messages.success(
                request,
                _("Your question is sent. %s is told, and we email you when it is answered.")
                % case.organisation.name,
            )
            return redirect(question_url(question))
    return render(request, "cases/question_form.html", context)


@login_required
def question_answer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An editor of the owner answers one question; back to "My work" or the case page."""
    case = _case_or_404(request, slug)
    question = _question_or_404(request, case, pk)
    if not permissions.can_answer_question(request.user, question):
        if question.answered_at is not None and permissions.can_answer_questions(
            request.user, case
        ):
            messages.info(request, _("This question has already been answered."))
            return redirect(question_url(question))
        raise Http404
    form = AnswerForm(request.POST or None)
    back_to_my_work = request.POST.get("next", request.GET.get("next")) == reverse("my-work")
    if request.method == "POST" and form.is_valid():
        try:
            services.question_answer(
                actor=cast(User, request.user),
                question=question,
                answer=form.cleaned_data["answer"],
            )
        except ValidationError as error:
            refusals.onto_form(form, error)
        except (PermissionDenied, services.Conflict) as error:
            refusals.tell(request, error)
            return redirect(question_url(question))
        else:
            messages.success(request, _("Your answer is published on the case page."))
            return redirect("my-work" if back_to_my_work else question_url(question))
    return render(
        request,
        "cases/question_answer.html",
        {"case": case, "question": question, "form": form, "back_to_my_work": back_to_my_work},
    )


@login_required
@require_POST
def question_hide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A moderator hides a question or its answer, with a reason."""
    case = _case_or_404(request, slug)
    question = _question_or_404(request, case, pk)
    if not permissions.is_moderator(request.user):
        raise Http404
    form = HideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why it is hidden: the owner can read it."))
        return redirect(question_url(question))
    hide = (
        services.question_hide_answer
        if form.cleaned_data["part"] == "answer"
        else services.question_hide
    )
    try:
        hide(actor=cast(User, request.user), question=question, reason=form.cleaned_data["reason"])
    except (ValidationError, services.Conflict) as error:
        refusals.tell(request, error)
    else:
        messages.success(request, _("It is hidden. The reason is kept with it."))
    return redirect(f"{case.get_absolute_url()}#sporsmal")
