"""Recording reuse of a case, and what an organisation did to spread its own."""

from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Case, Organisation
from ..vocabularies import AdoptionMode, AdoptionStatus, Channel, SpreadKind
from . import StyledFormMixin


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AdoptionForm(StyledFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Our organisation"), queryset=Organisation.objects.none(), empty_label=None
    )
    # Nothing is chosen in advance: a preselected answer would be counted as given.
    mode = forms.ChoiceField(
        label=_("How did you reuse it?"),
        choices=AdoptionMode.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Adapted: inspired by the case, but substantially changed. Copied: largely as it was."
        ),
    )
    channel = forms.ChoiceField(
        label=_("How did you learn of it?"), choices=[("", _("Choose one")), *Channel.choices]
    )
    adopted_on = forms.DateField(
        label=_("When did you start?"),
        required=False,
        widget=DateInput(),
        help_text=_("For planned reuse, the planned start."),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Choose one")), *AdoptionStatus.choices]
    )
    note = forms.CharField(
        label=_("What did you change?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you adapted helps the next ones who reuse it."),
    )
    derived_case_reference = forms.CharField(
        label=_("Your own case about it (optional)"),
        required=False,
        max_length=500,
        help_text=_("The address or exact title of your organisation's case on this platform."),
    )

    def __init__(self, *args, organisations, case: Case, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations
        if editing:
            self.fields["organisation"].disabled = True

    def clean_derived_case_reference(self):
        return self.cleaned_data["derived_case_reference"].strip().rstrip("/")

    def _derived_case(self, reference: str, organisation: Organisation) -> Case | None:
        """The organisation's own case named by `reference` (its address, slug or exact title).

        Only that organisation's cases are looked at, so the answer never tells whether some
        other organisation has an unpublished case by that name.
        """
        own = Case.objects.filter(organisation=organisation)
        slug = reference.rsplit("/", 1)[-1]
        return (
            own.filter(slug=slug).first()
            or own.filter(title__iexact=reference).order_by("-published_at", "-pk").first()
        )

    def clean(self):
        data = super().clean()
        reference = data.get("derived_case_reference")
        organisation = data.get("organisation")
        if reference and organisation:
            derived = self._derived_case(reference, organisation)
            if derived is None:
                self.add_error(
                    "derived_case_reference",
                    _("%(organisation)s has no case matching “%(reference)s”.")
                    % {"organisation": organisation, "reference": reference},
                )
            elif derived.pk == self.case.pk:
                self.add_error("derived_case_reference", _("A case cannot be derived from itself."))
            else:
                data["derived_case_reference"] = derived
        elif not reference:
            data["derived_case_reference"] = None
        adopted_on = data.get("adopted_on")
        if (
            adopted_on
            and adopted_on > timezone.localdate()
            and data.get("status") != AdoptionStatus.PLANNED
        ):
            self.add_error("adopted_on", _("A date in the future fits only a planned reuse."))
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "mode": data["mode"],
            "channel": data["channel"],
            "adopted_on": data["adopted_on"],
            "status": data["status"],
            "note": data["note"],
            "derived_case": data["derived_case_reference"],
        }


class SpreadActivityForm(StyledFormMixin, forms.Form):
    case = forms.ModelChoiceField(
        label=_("Which case?"),
        queryset=Case.objects.none(),
        required=False,
        empty_label=_("Several or none in particular"),
    )
    kind = forms.ChoiceField(label=_("What did you do?"), choices=SpreadKind.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput())
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the network, the conference or where the article appeared."),
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        cases = Case.objects.published().filter(organisation=organisation)
        cast(forms.ModelChoiceField, self.fields["case"]).queryset = cases
