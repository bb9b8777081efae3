"""The case editor and the small forms of the workflow (reasons, reports, uploads)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Case, Organisation
from ..uploads import allowed_extensions
from ..vocabularies import Benefit, InnovationType, Origin, Sector, Stage, WorkplaceType
from . import StyledFormMixin


def _case_from_reference(reference: str) -> Case | None:
    """A published case named by its id, slug or page address (as an author would paste it)."""
    reference = reference.strip().rstrip("/")
    if not reference:
        return None
    slug = reference.rsplit("/", 1)[-1]
    published = Case.objects.published()
    found = published.filter(slug=slug).first() or published.filter(title__iexact=reference).first()
    if found is None and slug.isdigit():
        found = published.filter(pk=int(slug)).first()
    return found


class OrganisationsField(forms.ModelMultipleChoiceField):
    """Organisations by id. An id beyond 64 bits names no organisation: it is refused as an
    unknown choice here, before it reaches the database (SQLite cannot even take it)."""

    def _check_values(self, value):
        for pk in value:
            if str(pk).isdigit() and int(pk) >= 2**63:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class CaseForm(StyledFormMixin, forms.Form):
    """Every field an author writes. Saving as a draft needs only a title; submitting needs
    the rest (the service names what is missing)."""

    organisation = forms.ModelChoiceField(
        label=_("Owner organisation"), queryset=Organisation.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two or three plain sentences: what it is and why it matters."),
    )
    problem = forms.CharField(
        label=_("The problem"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What was the challenge? Markdown is allowed."),
    )
    solution = forms.CharField(
        label=_("The solution"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What did you do, and how? Markdown is allowed."),
    )
    results = forms.CharField(
        label=_("Results"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What changed? Figures where you have them. Markdown is allowed."),
    )
    reuse_guide = forms.CharField(
        label=_("How to reuse it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Cost, prerequisites, what must be adapted, pitfalls. Markdown is allowed."),
    )
    contact = forms.CharField(
        label=_("Contact"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who others can ask: name, role, email or phone."),
    )
    sectors = forms.MultipleChoiceField(
        label=_("Sectors"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    innovation_types = forms.MultipleChoiceField(
        label=_("Innovation types"),
        choices=InnovationType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    workplace_type = forms.ChoiceField(
        label=_("Workplace type"),
        choices=[("", _("Not specified")), *WorkplaceType.choices],
        required=False,
    )
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[("", _("Not specified")), *Stage.choices], required=False
    )
    benefits = forms.MultipleChoiceField(
        label=_("Benefits"),
        choices=Benefit.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Free keywords, separated by commas."),
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: the address, then optionally a space and a title."),
    )
    partners = OrganisationsField(
        label=_("Partners"),
        queryset=Organisation.objects.exclude(kind="unit").order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Other municipalities, research institutions or companies that took part."),
    )
    origin = forms.ChoiceField(
        label=_("Origin"),
        choices=Origin.choices,
        initial=Origin.UNKNOWN,
        widget=forms.RadioSelect,
    )
    source_case_reference = forms.CharField(
        label=_("Source case on this platform"),
        required=False,
        max_length=500,
        help_text=_("If you adapted or copied a case published here: its address or exact title."),
    )
    source_description = forms.CharField(
        label=_("Source outside this platform"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example a solution from a Danish municipality, with a link."),
    )

    def __init__(self, *args, organisations, case: Case | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["organisation"].queryset = organisations
        if case is not None:
            # The owner does not change after creation.
            self.fields["organisation"].disabled = True
            self.fields["partners"].queryset = self.fields["partners"].queryset.exclude(
                pk=case.organisation_id
            )
        if organisations.count() == 1 and case is None:
            self.fields["organisation"].initial = organisations.first()

    def clean_tags(self):
        return sorted(
            {t.strip().lower() for t in self.cleaned_data["tags"].split(",") if t.strip()}
        )

    def clean_links(self):
        links = []
        for line in self.cleaned_data["links"].splitlines():
            if not line.strip():
                continue
            url, _space, title = line.strip().partition(" ")
            if not url.startswith(("https://", "http://")):
                raise ValidationError(_("“%s” is not a web address (https://…).") % url)
            links.append({"url": url, "title": title.strip()})
        return links

    def clean_source_case_reference(self):
        reference = self.cleaned_data["source_case_reference"]
        if not reference.strip():
            return None
        case = _case_from_reference(reference)
        if case is None:
            raise ValidationError(_("No published case matches “%s”.") % reference)
        if self.case is not None and case.pk == self.case.pk:
            raise ValidationError(_("A case cannot be its own source."))
        return case

    def clean(self):
        data = super().clean()
        if data.get("origin") == Origin.FIRST and (
            data.get("source_case_reference") or data.get("source_description")
        ):
            self.add_error(
                "origin",
                _(
                    "A case that is the first of its kind has no source; remove the source or "
                    "choose another origin."
                ),
            )
        return data

    def content(self) -> dict:
        """The cleaned data in the shape the services take."""
        data = self.cleaned_data
        content = {
            field: data[field]
            for field in (
                "title",
                "summary",
                "problem",
                "solution",
                "results",
                "reuse_guide",
                "contact",
                "sectors",
                "innovation_types",
                "workplace_type",
                "stage",
                "benefits",
                "tags",
                "links",
                "origin",
                "source_description",
            )
        }
        content["partners"] = [o.pk for o in data["partners"]]
        content["source_case"] = data["source_case_reference"]
        return content

    @staticmethod
    def initial_from(content: dict) -> dict:
        """Form initial values from a case snapshot (the published text or a pending revision)."""
        initial = dict(content)
        initial["tags"] = ", ".join(content.get("tags", []))
        initial["links"] = "\n".join(
            f"{link['url']} {link.get('title', '')}".strip() for link in content.get("links", [])
        )
        source = content.get("source_case")
        if source:
            slug = Case.objects.filter(pk=source).values_list("slug", flat=True).first()
            initial["source_case_reference"] = slug or ""
        return initial


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Give a reason.")},
    )


class AttachmentForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    alt_text = forms.CharField(
        label=_("Image description"),
        max_length=300,
        required=False,
        help_text=_("Required for images: describe the image for those who cannot see it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "Allowed: %(types)s. Images up to 5 MB, documents up to 20 MB."
        ) % {"types": allowed_extensions()}
