"""Following a search, and changing how often it emails."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import SavedSearch
from . import StyledFormMixin

OFF = "off"


class FollowSearchForm(StyledFormMixin, forms.Form):
    frequency = forms.ChoiceField(
        label=_("Email me about new cases"),
        choices=SavedSearch.Frequency.choices,
        initial=SavedSearch.Frequency.WEEKLY,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how often you want email.")},
    )


class SavedSearchFrequencyForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Email"),
        choices=[*SavedSearch.Frequency.choices, (OFF, _("Off: no email"))],
        error_messages={"invalid_choice": _("Choose weekly, as soon as published, or off.")},
    )
