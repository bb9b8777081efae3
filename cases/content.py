"""A case's content, defined once: its fields, their labels, limits and vocabularies, and the
rules that hold between them.

`CaseContent` is that definition, as a Django form. The services validate every proposed
content through it (`clean_content`), so the editor, the API, the admin and the commands meet
the same limits with the same messages. The editor's form is this form with widgets; the API's
write serializer and the admin's form take their fields' limits from here.

The rest of the module is what a case's content is as data: the snapshot that history stores
and revisions propose, and the difference between two snapshots.
"""

import hashlib
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, RegexValidator, URLValidator
from django.db.models import Choices, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Case, CaseRevision, CaseTerm, Organisation
from .vocabularies import Benefit, InnovationType, Origin, Sector, Stage, WorkplaceType

# How long each text may be, in characters, after surrounding spaces are trimmed.
LONG_TEXT = 50_000
TEXT_LIMITS = {
    "title": 200,
    "summary": 600,
    "problem": LONG_TEXT,
    "solution": LONG_TEXT,
    "results": LONG_TEXT,
    "reuse_guide": LONG_TEXT,
    "contact": 5_000,
    "contact_name": 200,
    "contact_role": 200,
    "contact_email": 254,
    "contact_phone": 30,
    "source_description": 5_000,
}
MAX_TAGS = 50
MAX_TAG_LENGTH = 60
MAX_LINKS = 50
MAX_URL_LENGTH = 500
MAX_LINK_TITLE_LENGTH = 200
MAX_PARTNERS = 100
# Ids are positive 64-bit integers; a larger one names nothing (SQLite cannot even take it).
MAX_ID = 2**63 - 1

# The contact person: who others can ask, in fields of its own (the old free text stays in
# `contact`, shown when no person is named).
CONTACT_FIELDS = ["contact_name", "contact_role", "contact_email", "contact_phone"]
TEXT_FIELDS = [
    "title", "summary", "problem", "solution", "results", "reuse_guide", "contact",
    *CONTACT_FIELDS,
]  # fmt: skip
CODE_FIELDS = {"workplace_type": WorkplaceType, "stage": Stage, "origin": Origin}
TERM_FIELDS = {
    "sectors": (CaseTerm.Vocabulary.SECTOR, Sector),
    "innovation_types": (CaseTerm.Vocabulary.INNOVATION_TYPE, InnovationType),
    "benefits": (CaseTerm.Vocabulary.BENEFIT, Benefit),
    "tags": (CaseTerm.Vocabulary.TAG, None),
}
CONTENT_FIELDS = [
    *TEXT_FIELDS,
    *CODE_FIELDS,
    *TERM_FIELDS,
    "links",
    "partners",
    "source_case",
    "source_description",
    "attachments",
]


def unknown_code(value: object, choices: type[Choices]) -> ValidationError:
    """The one message for a code that is not in its list, naming the allowed codes."""
    return ValidationError(
        gettext("Unknown code “%(value)s”. Allowed: %(allowed)s.")
        % {"value": str(value)[:100], "allowed": ", ".join(str(code) for code in choices.values)},
        code="invalid_choice",
    )


def _items(value: Any) -> list[Any]:
    """A list from what a door sends: a list, one value, or nothing."""
    if value in (None, ""):
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


class TextField(forms.CharField):
    """Text as authors write it, with surrounding spaces trimmed. Null characters are refused."""

    def __init__(self, *, name: str, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(max_length=TEXT_LIMITS[name], **kwargs)

    def to_python(self, value: Any) -> str | None:
        if value is not None and not isinstance(value, str):
            raise ValidationError(gettext("Must be text."), code="invalid")
        return super().to_python(value or "")


# A phone number as people write it: an optional +, then digits with spaces or hyphens between
# groups; 3 to 15 digits (short numbers such as 113 to international ones).
PHONE = RegexValidator(
    r"^\+?[0-9](?:[ -]?[0-9]){2,14}$",
    _("A phone number is digits, optionally with a + first and spaces between groups."),
    code="invalid_phone",
)


class CodeField(forms.ChoiceField):
    """One code of a vocabulary, or none."""

    def __init__(self, vocabulary: type[Choices], **kwargs: Any) -> None:
        self.vocabulary = vocabulary
        kwargs.setdefault("required", False)
        super().__init__(choices=[("", _("Not specified")), *vocabulary.choices], **kwargs)

    def validate(self, value: Any) -> None:
        if value and value not in self.vocabulary.values:
            raise unknown_code(value, self.vocabulary)
        super(forms.ChoiceField, self).validate(value)


class CodesField(forms.MultipleChoiceField):
    """Codes of a vocabulary, each once, in code order."""

    def __init__(self, vocabulary: type[Choices], **kwargs: Any) -> None:
        self.vocabulary = vocabulary
        kwargs.setdefault("required", False)
        super().__init__(choices=vocabulary.choices, **kwargs)

    def to_python(self, value: Any) -> list[str]:
        return [str(item).strip() for item in _items(value)]

    def validate(self, value: Any) -> None:
        for code in value:
            if code not in self.vocabulary.values:
                raise unknown_code(code, self.vocabulary)

    def clean(self, value: Any) -> list[str]:
        return sorted(set(super().clean(value)))


class TagsField(forms.Field):
    """Free keywords: a list, or one text with commas between them. Lower-cased, each once."""

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, str):
            value = value.split(",")
        tags: list[str] = []
        for item in _items(value):
            if not isinstance(item, str):
                raise ValidationError(gettext("A tag is a word or a few words."), code="invalid")
            if "\x00" in item:
                raise ValidationError(gettext("Null characters are not allowed."), code="null")
            tag = item.strip().lower()
            if tag and tag not in tags:
                tags.append(tag)
        return sorted(tags)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if any(len(tag) > MAX_TAG_LENGTH for tag in value):
            raise ValidationError(
                gettext("A tag has at most %d characters.") % MAX_TAG_LENGTH, code="max_length"
            )
        if len(value) > MAX_TAGS:
            raise ValidationError(gettext("At most %d tags.") % MAX_TAGS, code="max_tags")


class LinksField(forms.Field):
    """Web addresses with an optional title: a list of {url, title} (or plain addresses), or one
    text with a line each, the address first and the title after a space."""

    is_web_address = URLValidator(schemes=["http", "https"])

    def to_python(self, value: Any) -> list[dict[str, str]]:
        if isinstance(value, str):
            value = [line for line in value.splitlines() if line.strip()]
        links = []
        url: object
        title: object
        for item in _items(value):
            if isinstance(item, str):
                url, _space, title = item.strip().partition(" ")
            elif isinstance(item, dict) and set(item) <= {"url", "title"}:
                url, title = item.get("url"), item.get("title") or ""
            else:
                raise ValidationError(
                    gettext("A link is an address and optionally a title."), code="invalid"
                )
            if not isinstance(url, str) or not isinstance(title, str):
                raise ValidationError(
                    gettext("A link is an address and optionally a title."), code="invalid"
                )
            if "\x00" in url + title:
                raise ValidationError(gettext("Null characters are not allowed."), code="null")
            links.append({"url": url.strip(), "title": title.strip()})
        return links

    def validate(self, value: Any) -> None:
        super().validate(value)
        if len(value) > MAX_LINKS:
            raise ValidationError(gettext("At most %d links.") % MAX_LINKS, code="max_links")
        for link in value:
            url = link["url"]
            if len(url) > MAX_URL_LENGTH:
                raise ValidationError(
                    gettext("A web address has at most %d characters.") % MAX_URL_LENGTH,
                    code="max_length",
                )
            try:
                self.is_web_address(url)
            except ValidationError:
                raise ValidationError(
                    gettext("“%s” is not a web address (https://…).") % url[:100], code="invalid"
                ) from None
            if len(link["title"]) > MAX_LINK_TITLE_LENGTH:
                raise ValidationError(
                    gettext("A link's title has at most %d characters.") % MAX_LINK_TITLE_LENGTH,
                    code="max_length",
                )


def _ids(value: Any, message: str) -> list[int]:
    """Positive 64-bit ids from organisations, cases or their ids (as numbers or digits)."""
    ids = []
    for item in _items(value):
        item = getattr(item, "pk", item)
        if isinstance(item, bool) or not isinstance(item, (int, str)) or not str(item).isdigit():
            raise ValidationError(message, code="invalid")
        number = int(item)
        if not 0 < number <= MAX_ID:
            raise ValidationError(message, code="invalid")
        ids.append(number)
    return ids


if TYPE_CHECKING:
    _OrganisationsField = forms.ModelMultipleChoiceField[Organisation]
else:  # the class takes no type argument when the site runs
    _OrganisationsField = forms.ModelMultipleChoiceField


class PartnersField(_OrganisationsField):
    """Other organisations that took part, by id."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(queryset=Organisation.objects.order_by("name"), **kwargs)

    # A list, not a queryset: the organisations are read once, here.
    def clean(self, value: Any) -> list[Organisation]:  # type: ignore[override]
        ids = sorted(set(_ids(value, gettext("Partners are organisation ids."))))
        if len(ids) > MAX_PARTNERS:
            raise ValidationError(
                gettext("At most %d partners.") % MAX_PARTNERS, code="max_partners"
            )
        queryset = cast(QuerySet[Organisation], self.queryset)  # set in __init__
        found = list(queryset.filter(pk__in=ids)) if ids else []
        if len(found) != len(ids):
            raise ValidationError(gettext("Unknown partner organisation."), code="invalid_choice")
        return found


class SourceCaseField(forms.Field):
    """The published case on this platform that the case was adapted or copied from."""

    def clean(self, value: Any) -> Case | None:
        value = getattr(value, "pk", value)
        if value in (None, ""):
            return None
        message = gettext("The source must be a published case on this platform.")
        (source_id,) = _ids([value], message)
        source = Case.objects.published().filter(pk=source_id).first()
        if source is None:
            raise ValidationError(message, code="invalid_choice")
        return source


class AttachmentsField(forms.Field):
    """The case's files that are part of its content, by id."""

    def clean(self, value: Any) -> list[int]:
        return sorted(set(_ids(value, gettext("Unknown attachment."))))


class CaseContent(forms.Form):
    """Every field of a case's content. Only `title` is needed to save a draft; what else a
    case needs before it is submitted is `missing_for_submission`'s to say."""

    title = TextField(
        name="title",
        label=_("Title"),
        required=True,
        help_text=_("A short name others will recognise, such as “Mobile X-ray at nursing homes”."),
        error_messages={"required": _("A case needs a title.")},
    )
    summary = TextField(
        name="summary",
        label=_("Summary"),
        help_text=_(
            "Two or three sentences for someone who has never heard of it: what you did and why "
            "it matters."
        ),
    )
    problem = TextField(
        name="problem",
        label=_("The problem"),
        help_text=_(
            "What was difficult before, and for whom? Write it so that others can tell whether "
            "they have the same problem."
        ),
    )
    solution = TextField(
        name="solution",
        label=_("The solution"),
        help_text=_("What did you do, step by step? Who took part, and what did it take?"),
    )
    results = TextField(
        name="results",
        label=_("Results"),
        help_text=_(
            "What changed, and for whom? Give figures where you have them, also if it did not go "
            "as hoped."
        ),
    )
    reuse_guide = TextField(
        name="reuse_guide",
        label=_("How to reuse it"),
        help_text=_(
            "What others need to know to do the same: the cost, what must be in place first, "
            "what they must adapt, and what you would do differently."
        ),
    )
    contact = TextField(
        name="contact",
        label=_("Other contact information"),
        help_text=_(
            "Anything else others should know about whom to ask, such as opening hours or a "
            "shared mailbox."
        ),
    )
    contact_name = TextField(
        name="contact_name",
        label=_("Contact person's name"),
        help_text=_(
            "The name, role, email and phone are shown to everyone on the case's page and in the "
            "open data, because you publish them here. Give only what the person agrees to share."
        ),
    )
    contact_role = TextField(
        name="contact_role",
        label=_("Role"),
        help_text=_("For example head of department or project manager."),
    )
    contact_email = TextField(
        name="contact_email",
        label=_("Email"),
        validators=[EmailValidator(message=_("Enter a valid email address."))],
    )
    contact_phone = TextField(name="contact_phone", label=_("Phone"), validators=[PHONE])
    sectors = CodesField(
        Sector, label=_("Sectors"), help_text=_("Tick every area the case belongs to.")
    )
    innovation_types = CodesField(
        InnovationType,
        label=_("Innovation types"),
        help_text=_(
            "What is new: a service, a way of working, how you talk with others, or a "
            "product? Tick all that fit."
        ),
    )
    workplace_type = CodeField(
        WorkplaceType, label=_("Workplace type"), help_text=_("Where the work is done.")
    )
    stage = CodeField(Stage, label=_("Stage"), help_text=_("How far you have come."))
    benefits = CodesField(
        Benefit, label=_("Benefits"), help_text=_("What it gives. Tick all that fit.")
    )
    tags = TagsField(
        label=_("Tags"),
        required=False,
        help_text=_(
            "Words others might search for, separated by commas, such as: welfare "
            "technology, nursing home."
        ),
    )
    links = LinksField(
        label=_("Links"),
        required=False,
        help_text=_(
            "One link per line: the address first, then, if you like, a space and a title."
        ),
    )
    partners = PartnersField(
        label=_("Partners"),
        help_text=_(
            "Other municipalities, research institutions or companies that took part. Search "
            "by name and tick them."
        ),
    )
    origin = CodeField(
        Origin,
        label=_("Origin"),
        initial=Origin.UNKNOWN,
        help_text=_("Was this the first of its kind, or did you get the idea from others?"),
    )
    source_case = SourceCaseField(label=_("Source case on this platform"), required=False)
    source_description = TextField(
        name="source_description",
        label=_("Source outside this platform"),
        help_text=_("For example a solution from a Danish municipality, with a link."),
    )
    attachments = AttachmentsField(label=_("Files"), required=False)

    def __init__(
        self, *args: Any, owner: Organisation | None, case: Case | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.case = case

    def content(self) -> dict[str, Any]:
        """The cleaned fields in the shape the services take (organisations and cases by id)."""
        data = self.cleaned_data
        content = {field: data[field] for field in CONTENT_FIELDS if field in self.fields}
        if "partners" in content:
            content["partners"] = [organisation.pk for organisation in content["partners"]]
        if "source_case" in content:
            content["source_case"] = content["source_case"].pk if content["source_case"] else None
        return content

    def clean_origin(self) -> str:
        return self.cleaned_data["origin"] or Origin.UNKNOWN

    def clean_source_case(self) -> Case | None:
        source: Case | None = self.cleaned_data["source_case"]
        if source is not None and self.case is not None and source.pk == self.case.pk:
            raise ValidationError(gettext("A case cannot be its own source."), code="own_source")
        if source is not None and self.case is not None and source_chain_reaches(source, self.case):
            raise ValidationError(SOURCE_CYCLE, code="source_cycle")
        return source

    def clean_attachments(self) -> list[int]:
        ids: list[int] = self.cleaned_data["attachments"]
        known = set(self.case.attachments.values_list("pk", flat=True)) if self.case else set()
        if set(ids) - known:
            raise ValidationError(gettext("Unknown attachment."), code="invalid_choice")
        return ids

    def clean_contact_email(self) -> str:
        return str(self.cleaned_data["contact_email"]).lower()

    def clean_contact_phone(self) -> str:
        return " ".join(str(self.cleaned_data["contact_phone"]).split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        owner = self.owner
        # A role, an address or a number is someone's; the page names whose. Only checked when
        # the name is among the fields given, as an edit may send the others alone.
        if "contact_name" in self.fields and not data.get("contact_name"):
            given = [field for field in CONTACT_FIELDS[1:] if data.get(field)]
            if given:
                self.add_error(
                    "contact_name", gettext("Name the person the contact details belong to.")
                )
        if owner is not None and any(p.pk == owner.pk for p in data.get("partners") or []):
            self.add_error("partners", gettext("The owner organisation cannot also be a partner."))
        # The origin as it will be: given now, or as the case has it.
        origin = data.get("origin") or (self.case.origin if self.case else Origin.UNKNOWN)
        if origin == Origin.FIRST and (data.get("source_case") or data.get("source_description")):
            self.add_error(
                "origin",
                gettext(
                    "A case that is the first of its kind has no source; remove the source or "
                    "choose another origin."
                ),
            )
        return data


def field_label(field: str) -> str:
    """A content field's name as people read it, in the active language (its form label)."""
    form_field = CaseContent.base_fields.get(field)
    return str(form_field.label) if form_field is not None else field


SOURCE_CYCLE = _(
    "That case builds on this one (through its sources), so it cannot also be its source."
)


def source_chain_reaches(source: Case, case: Case) -> bool:
    """Whether following source cases up from `source` reaches `case`: naming `source` as the
    case's source would make the case its own ancestor. One query per step; stops at a loop."""
    seen: set[int] = set()
    current: int | None = source.pk
    while current is not None and current not in seen:
        if current == case.pk:
            return True
        seen.add(current)
        current = (
            Case.all_objects.filter(pk=current).values_list("source_case_id", flat=True).first()
        )
    return False


def form_initial(content: dict[str, Any]) -> dict[str, Any]:
    """A form's initial values from a snapshot (the published text or a pending revision):
    tags as one text with commas, links one a line, as CaseContent reads them back."""
    initial = dict(content)
    initial["tags"] = ", ".join(content.get("tags", []))
    initial["links"] = "\n".join(
        f"{link['url']} {link.get('title', '')}".strip() for link in content.get("links", [])
    )
    return initial


def clean_content(
    data: dict[str, Any], *, owner: Organisation, case: Case | None
) -> dict[str, Any]:
    """Check proposed content against CaseContent and return it normalised, in the shape of a
    snapshot. Only the fields given are checked (an edit may send some); unknown fields are
    refused. Raises ValidationError with a message per field."""
    unknown = set(data) - set(CONTENT_FIELDS)
    if unknown:
        raise ValidationError(
            {"__all__": [gettext("Unknown fields: %s.") % ", ".join(sorted(unknown))]}
        )
    form = CaseContent(data=data, owner=owner, case=case)
    form.fields = {name: field for name, field in form.fields.items() if name in data}
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    clean = dict(form.cleaned_data)
    if "partners" in clean:
        clean["partners"] = sorted(p.pk for p in clean["partners"])
    if "source_case" in clean:
        clean["source_case"] = clean["source_case"].pk if clean["source_case"] else None
    return clean


def case_snapshot(case: Case) -> dict[str, Any]:
    """The case's content as plain JSON: what history stores and revisions propose."""
    data: dict[str, Any] = {field: getattr(case, field) for field in TEXT_FIELDS}
    data.update({field: getattr(case, field) for field in CODE_FIELDS})
    terms = list(case.terms.all()) if case.pk else []
    for field, (vocabulary, _codes) in TERM_FIELDS.items():
        data[field] = sorted(t.code for t in terms if t.vocabulary == vocabulary)
    data["links"] = list(case.links or [])
    data["partners"] = sorted(case.partners.values_list("pk", flat=True)) if case.pk else []
    data["source_case"] = case.source_case_id
    data["source_description"] = case.source_description
    data["attachments"] = (
        sorted(case.attachments.filter(pending=False).values_list("pk", flat=True))
        if case.pk
        else []
    )
    return data


def snapshot_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that differ."""
    return {
        field: [before.get(field), after.get(field)]
        for field in CONTENT_FIELDS
        if before.get(field) != after.get(field)
    }


def case_version(case: Case | int) -> str:
    """An opaque token that changes whenever anything a reviewer or an editor acts on changes.

    It covers the case's content, files and status (each change of them moves `updated_at`)
    and the edit waiting for approval (its own `updated_at`, which proposed files move too), so
    that an approval or an `If-Match` names exactly what was seen. Read from the database in
    one query, whatever the object in memory holds.
    """
    pending = CaseRevision.objects.filter(
        case=OuterRef("pk"), status=CaseRevision.Status.PENDING
    ).values("updated_at")[:1]
    pk = case if isinstance(case, int) else case.pk
    seen = Case.objects.filter(pk=pk).values_list("pk", "updated_at", "status", Subquery(pending))
    return hashlib.sha256(repr(seen.get()).encode()).hexdigest()[:32]
