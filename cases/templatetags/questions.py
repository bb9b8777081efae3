"""The case page's questions and answers, read where the section is drawn
(templates/cases/_questions.html), so that the case page needs only to include it."""

from django import template

from ..forms.questions import HideForm, QuestionForm
from ..models import Case
from ..questions import CaseQuestions, case_questions

register = template.Library()


@register.simple_tag(takes_context=True)
def questions_of(context: template.Context, case: Case) -> dict[str, object]:
    """The questions `case` shows to the person reading the page, and the forms they may use."""
    request = context.get("request")
    found: CaseQuestions = case_questions(getattr(request, "user", None), case)
    return {
        "found": found,
        "form": QuestionForm(organisations=found.organisations) if found.organisations else None,
        "hide_form": HideForm() if found.can_moderate else None,
    }
