"""Asking the owner of a case, answering, and hiding a question or an answer."""

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ANSWER_MAX_LENGTH, QUESTION_MAX_LENGTH, Organisation
from . import StyledFormMixin


class QuestionForm(StyledFormMixin, forms.Form):
    # Named with a prefix: the form sits on the case page beside others.
    prefix = "question"

    organisation = forms.ModelChoiceField(
        label=_("We ask for"), queryset=Organisation.objects.none(), empty_label=None
    )
    text = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The owner's editors are told and answer here. The question and the answer are "
            "public once answered, with your organisation's name (not yours)."
        ),
    )

    def __init__(self, *args, organisations: Iterable[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(organisations)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in choices]).order_by(
            "name"
        )
        if len(choices) == 1:
            # Nothing to choose: the one organisation is said in words, not offered.
            field.widget = forms.HiddenInput()
            field.initial = choices[0].pk


class AnswerForm(StyledFormMixin, forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Public on the case page, in the name of your organisation."),
    )


class HideForm(StyledFormMixin, forms.Form):
    PARTS = (("question", _("The question")), ("answer", _("The answer")))

    part = forms.ChoiceField(choices=PARTS, widget=forms.HiddenInput())
    reason = forms.CharField(
        label=_("Why is it hidden?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
