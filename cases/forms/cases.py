"""The case editor and the small forms of the workflow (reasons, reports, uploads)."""

from typing import Any, cast

from django import forms
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..content import CaseContent, form_initial
from ..models import Case, Organisation, User
from ..uploads import (
    allowed_extensions,
    check_attachment,
    held_upload,
    hold_upload,
    release_upload,
)
from ..vocabularies import MembershipStatus, Origin
from . import StyledFormMixin, styled


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


def shared_names() -> set[str]:
    """Names more than one organisation has (Oslo the municipality and Oslo the county)."""
    return set(
        Organisation.objects.order_by()
        .values("name")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("name", flat=True)
    )


def partner_label(shared: set[str]):
    """An organisation as a partner option: its name, and its kind where the name alone would
    not tell it from another."""

    def label(organisation: Organisation) -> str:
        if organisation.name in shared:
            return f"{organisation.name} ({organisation.get_kind_display().lower()})"
        return organisation.name

    return label


class MemberSelect(forms.Select):
    """The owner's members, each option carrying the name and email that choosing it fills in
    (static/js/contact.js does so at once; without the script the form does it on saving)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people: dict[int, tuple[str, str]] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        person = self.people.get(int(value)) if str(value).isdigit() else None
        if person is not None:
            option["attrs"]["data-name"], option["attrs"]["data-email"] = person
        return option


class CaseForm(StyledFormMixin, CaseContent):
    """The editor: a case's content (cases/content.py) with the widgets authors write in, the
    owner organisation, and the source case named as an author would (its address or title).
    Saving as a draft needs only a title; submitting needs the rest (the service names what is
    missing)."""

    organisation = forms.ModelChoiceField(
        label=_("Owner organisation"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        help_text=_("The organisation the case belongs to. It answers questions about it."),
    )
    source_case_reference = forms.CharField(
        label=_("Source case on this platform"),
        required=False,
        max_length=500,
        help_text=_("If you adapted or copied a case published here: its address or exact title."),
    )
    contact_member = forms.TypedChoiceField(
        label=_("Choose one of the organisation's members"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=MemberSelect,
        help_text=_("Fills in the name and email below. Or type another person's."),
    )

    # Rows of the text areas, by field.
    ROWS = {
        "summary": 3,
        "problem": 6,
        "solution": 8,
        "results": 5,
        "reuse_guide": 6,
        "contact": 2,
        "links": 3,
        "source_description": 2,
    }

    # The texts shown as Markdown that authors write at length, each with a formatting preview.
    FORMATTED = ("problem", "solution", "results", "reuse_guide")

    def __init__(self, *args, organisations, case: Case | None = None, **kwargs):
        super().__init__(*args, owner=None, case=case, **kwargs)
        # Files are added and removed beside the form; the source case is named by reference.
        del self.fields["attachments"], self.fields["source_case"]
        for name, rows in self.ROWS.items():
            attrs: dict[str, str | int] = {"rows": rows}
            if name in self.FORMATTED:
                attrs["data-preview"] = "true"  # static/js/editor.js adds a "Preview" button
            self.fields[name].widget = forms.Textarea(attrs=attrs)
        for name in ("sectors", "innovation_types", "benefits"):
            choices = cast(forms.ChoiceField, self.fields[name]).choices
            # The stubs type the choices' getter like their setter; it returns normalised choices.
            self.fields[name].widget = forms.CheckboxSelectMultiple(choices=choices)  # type: ignore[arg-type]
        self.fields["tags"].widget = forms.TextInput()
        self.fields["contact_email"].widget = forms.EmailInput()
        self.fields["contact_phone"].widget = forms.TextInput(attrs={"type": "tel"})
        for name in services.NEEDED_TO_SUBMIT:
            if name in self.fields and not self.fields[name].required:
                # Marked beside the label (templates/django/forms/field.html): a draft saves
                # without it, but it cannot be submitted.
                self.fields[name].needed_to_submit = True  # type: ignore[attr-defined]
        partners = cast(forms.ModelMultipleChoiceField, self.fields["partners"])
        partners.label_from_instance = partner_label(shared_names())  # type: ignore[method-assign]
        # Ticked in a list (searchable with JavaScript, static/js/editor.js), never Ctrl-clicked.
        partners.widget = forms.CheckboxSelectMultiple(choices=partners.choices)  # type: ignore[arg-type]
        cast(forms.ChoiceField, self.fields["origin"]).choices = Origin.choices
        self.fields["origin"].widget = forms.RadioSelect(choices=Origin.choices)
        styled(self)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations
        if case is not None:
            # The owner does not change after creation (and a disabled field's dimmed help text
            # would be too faint to read, so it has none).
            self.fields["organisation"].disabled = True
            self.fields["organisation"].help_text = ""
            self.owner = case.organisation
            assert partners.queryset is not None  # CaseContent declares it
            partners.queryset = partners.queryset.exclude(pk=case.organisation_id)
        elif organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()
        self.members = {
            user.pk: user
            for user in User.objects.filter(
                is_active=True,
                memberships__organisation__in=organisations,
                memberships__status=MembershipStatus.ACTIVE,
            )
            .distinct()
            .order_by("full_name", "email")
        }
        member_field = cast(forms.TypedChoiceField, self.fields["contact_member"])
        member_field.choices = [
            ("", _("Choose a person")),
            *(
                (pk, f"{user.full_name or user.email} ({user.email})")
                for pk, user in self.members.items()
            ),
        ]
        widget = cast(MemberSelect, member_field.widget)
        widget.people = {pk: (user.full_name, user.email) for pk, user in self.members.items()}

    def clean_organisation(self):
        self.owner = self.cleaned_data["organisation"]
        return self.owner

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
        # The content's rules (an original has no source) read the source as `source_case`.
        self.cleaned_data["source_case"] = self.cleaned_data.get("source_case_reference")
        member = self.members.get(self.cleaned_data.get("contact_member") or 0)
        if member is not None:
            # Chosen from the list: the member's name and address, whatever was typed.
            self.cleaned_data["contact_name"] = member.full_name or member.email
            self.cleaned_data["contact_email"] = member.email.lower()
        return super().clean()

    def content(self) -> dict:
        source = self.cleaned_data["source_case"]
        return {**super().content(), "source_case": source.pk if source else None}

    @staticmethod
    def initial_from(content: dict) -> dict:
        """Form initial values from a case snapshot (the published text or a pending revision)."""
        initial = form_initial(content)
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
    """A file or image for a case. In the editor a chosen file that passed its own checks is
    kept server-side when something else is refused (`keep_file`), so the author fixes only
    what is missing; `held` names the kept file in the next request."""

    file = forms.FileField(label=_("File or image"), required=False)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Shown as the link text. Leave empty to use the file name."),
    )
    alt_text = forms.CharField(
        label=_("Image description"),
        max_length=300,
        required=False,
        help_text=_(
            "Only for images, and then required: say what the image shows, for those who "
            "cannot see it."
        ),
    )
    held = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args, session: SessionBase | None = None, case_id: int | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.session = session
        self.case_id = case_id
        self.fields["file"].help_text = gettext(
            "Allowed: %(types)s. Images up to 5 MB, documents up to 20 MB."
        ) % {"types": allowed_extensions()}

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is None and data.get("held") and self.session is not None:
            upload = held_upload(self.session, data["held"], case_id=self.case_id)
        if upload is None:
            self.add_error("file", _("Choose a file to upload."))
            return data
        data["upload"] = upload
        try:
            check_attachment(upload, alt_text=data.get("alt_text", ""))
        except ValidationError as error:
            self.add_error(None, error)
        return data

    @property
    def held_name(self) -> str:
        """The name of the file kept from the last try, if any."""
        upload = getattr(self, "cleaned_data", {}).get("upload")
        return upload.name if upload is not None and "file" not in self.errors else ""

    def keep_file(self) -> None:
        """The chosen file was fine but something else was refused: keep it for the next try."""
        upload = self.cleaned_data.get("upload")
        if self.session is None or upload is None or "file" in self.errors:
            return
        if self.cleaned_data.get("file") is not None:  # newly chosen, not already kept
            self.release_file()  # a file kept from an earlier try is replaced by this one
            token = hold_upload(self.session, upload, case_id=self.case_id)
            # The bound data is an immutable QueryDict; the page shows the token from a copy.
            data = QueryDict(mutable=True)
            data.update(self.data)
            data[self.add_prefix("held")] = token
            self.data = data

    def release_file(self) -> None:
        """Forget the kept copy (the file is stored with the case, or replaced)."""
        token = self.cleaned_data.get("held")
        if self.session is not None and token:
            release_upload(self.session, token)
