"""What clients see and send. Field names are the contract in DESIGN.md; do not rename."""

import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core import validators
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.manager import BaseManager
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from .. import content
from ..models import Adoption, Case, CaseTerm, Organisation, Question
from ..vocabularies import (
    AdoptionMode,
    AdoptionStatus,
    Benefit,
    CaseStatus,
    Channel,
    InnovationType,
    MembershipRole,
    Origin,
    Sector,
    SizeClass,
    Stage,
    WorkplaceType,
)

# Ids are positive 64-bit integers; a larger one is refused here rather than by the database
# (SQLite cannot even take it as a parameter).
MAX_ID = 2**63 - 1


class CodeField(serializers.ChoiceField):
    """A vocabulary code; an unknown one is refused with the list of allowed codes.

    The message is built when it is raised, so that it is in the request's language (the
    services use the same wording)."""

    def to_internal_value(self, data):
        if data == "" and self.allow_blank:
            return ""
        try:
            return self.choice_strings_to_values[str(data)]
        except KeyError:
            allowed = ", ".join(str(code) for code in self.choices)
            raise serializers.ValidationError(
                gettext("Unknown code “%(value)s”. Allowed: %(allowed)s.")
                % {"value": str(data)[:100], "allowed": allowed},
                code="invalid_choice",
            ) from None


class RefusesUnknownFields:
    """A body with a field the operation does not take is refused (400, `unknown_field`) rather
    than half applied: a misspelt name would otherwise be dropped without a word. The other
    fields are checked too, and their errors come in the same answer."""

    def to_internal_value(self, data):
        unknown: dict[str, list] = {}
        if isinstance(data, Mapping):
            allowed = ", ".join(self.fields)
            unknown = {
                name[:100]: [
                    serializers.ErrorDetail(
                        gettext("Unknown field. Allowed: %s.") % allowed, code="unknown_field"
                    )
                ]
                for name in sorted(str(name) for name in set(data) - set(self.fields))
            }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, Mapping):
                raise serializers.ValidationError({**error.detail, **unknown}) from None
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


def code_field(choices, **kwargs):
    return CodeField(choices=choices.choices, **kwargs)


def codes_field(choices, **kwargs):
    return serializers.ListField(child=code_field(choices), **kwargs)


class PlaceSerializer(serializers.Serializer):
    """A municipality or county, as number and name."""

    number = serializers.CharField()
    name = serializers.CharField()


# The fields below state the schema of what the row renderer gives ("Rendering many at once").


@extend_schema_field(PlaceSerializer(allow_null=True))
class PlaceField(serializers.ReadOnlyField):
    """A municipality or county, or null."""


@extend_schema_field(serializers.IntegerField(allow_null=True))
class PublishedCaseField(serializers.ReadOnlyField):
    """A case's id if it is published, else null: an id must not reveal a draft."""


# An organisation as a case or an adoption names it.
class OrganisationRefSerializer(serializers.ModelSerializer):
    municipality = PlaceField()
    county = PlaceField()

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "number", "municipality", "county"]


class PartnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "number"]


class LinkSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


# A serializer whose fields state the schema and whose output is the row renderer's (see
# "Rendering many at once" below): what clients read is built in one place, one object or a
# page at a time, never field by field. (Not a docstring: the schema would show it.)
class RenderedFromRows:
    @staticmethod
    def render(ids: list[int], request) -> dict[int, dict]:
        raise NotImplementedError

    def to_representation(self, instance):
        return self.render([instance.pk], self.context.get("request"))[instance.pk]


class RenderedListSerializer(serializers.ListSerializer):
    """Many objects in the renderer's fixed number of queries, in the order given."""

    def to_representation(self, data):
        if isinstance(data, BaseManager):
            data = data.all()
        if isinstance(data, QuerySet):
            ids = list(data.values_list("pk", flat=True))
        else:
            ids = [item.pk for item in data]
        shown = self.child.render(ids, self.context.get("request")) if ids else {}
        # A row deleted outright since it was read is left out rather than shown.
        return [shown[pk] for pk in ids if pk in shown]


class ContactPersonSerializer(serializers.Serializer):
    """The person others can ask about a case, as its author published them."""

    name = serializers.CharField()
    role = serializers.CharField(allow_blank=True)
    email = serializers.EmailField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)


# The contact person's keys in the API, each the case's field `contact_<key>`.
CONTACT_PERSON_KEYS = ("name", "role", "email", "phone")


def client_field(field: str) -> str:
    """A content field's name as clients write it: the contact person's fields inside
    `contact_person`, the others as they are."""
    if field in content.CONTACT_FIELDS:
        return "contact_person." + field.removeprefix("contact_")
    return field


def contact_person(row: dict[str, Any], prefix: str = "contact_") -> dict[str, str] | None:
    """The contact person of a case's row or snapshot, or None when no person is named."""
    if not row.get(f"{prefix}name"):
        return None
    return {key: row.get(f"{prefix}{key}") or "" for key in CONTACT_PERSON_KEYS}


class CaseSerializer(RenderedFromRows, serializers.ModelSerializer):
    """A case as clients read it (lists, detail and the change feed alike)."""

    url = serializers.URLField(read_only=True)
    organisation = OrganisationRefSerializer()
    partners = PartnerSerializer(many=True)
    sectors = serializers.ListField(child=code_field(Sector))
    innovation_types = serializers.ListField(child=code_field(InnovationType))
    benefits = serializers.ListField(child=code_field(Benefit))
    tags = serializers.ListField(child=serializers.CharField())
    links = LinkSerializer(many=True)
    source_case = PublishedCaseField()
    status = code_field(CaseStatus)
    contact = serializers.CharField(
        help_text=_("Free text about whom to ask; older cases have only this.")
    )
    contact_person = ContactPersonSerializer(
        allow_null=True, help_text=_("The person others can ask, or null when none is named.")
    )
    adoption_count = serializers.IntegerField(read_only=True)
    question_count = serializers.IntegerField(
        read_only=True,
        help_text="How many questions to the owner are answered and public "
        "(/api/v1/cases/{id}/questions/). An answer, or a moderator hiding one, changes it and "
        "brings the case into the change feed again.",
    )

    class Meta:
        model = Case
        fields = [
            "id", "slug", "url", "title", "summary", "problem", "solution", "results",
            "reuse_guide", "contact", "contact_person", "organisation", "partners", "sectors",
            "innovation_types", "workplace_type", "stage", "benefits", "tags", "links", "origin",
            "source_case", "source_description", "status", "adoption_count", "question_count",
            "created_at",
            "updated_at", "published_at",
        ]  # fmt: skip
        list_serializer_class = RenderedListSerializer

    @staticmethod
    def render(ids: list[int], request) -> dict[int, dict]:
        return render_cases(with_ids(Case.all_objects.all(), ids), request)


class AskingOrganisationSerializer(serializers.ModelSerializer):
    """The organisation a question was asked for (never the person who asked)."""

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "number"]


class QuestionSerializer(serializers.ModelSerializer):
    """A question to the case's owner, with the owner's answer."""

    organisation = AskingOrganisationSerializer(read_only=True)
    question = serializers.CharField(source="text", read_only=True)
    asked_at = serializers.DateTimeField(source="created_at", read_only=True)
    answered_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = Question
        fields = ["id", "organisation", "question", "answer", "asked_at", "answered_at"]


class LimitStatedNotChecked:
    """A field whose length limit (cases/content.py) the schema states but the services check,
    so that every door refuses with the same message."""

    def run_validators(self, value):
        self.validators = [
            v for v in self.validators if not isinstance(v, validators.MaxLengthValidator)
        ]
        super().run_validators(value)


class Text(serializers.CharField):
    """A text a client writes: a JSON string (a number or true is refused, not written down as
    "123" or "True")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ContentText(LimitStatedNotChecked, Text):
    """A text of a case's content."""

    def __init__(self, *, limit: int, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(max_length=limit, **kwargs)


class ContentList(LimitStatedNotChecked, serializers.ListField):
    """A list of a case's content."""

    def __init__(self, child, *, max_items: int, **kwargs):
        super().__init__(child=child, required=False, max_length=max_items, **kwargs)


class ContentLinkSerializer(RefusesUnknownFields, serializers.Serializer):
    url = ContentText(limit=content.MAX_URL_LENGTH, required=True, allow_blank=False)
    title = ContentText(limit=content.MAX_LINK_TITLE_LENGTH)


class ContactPersonWriteSerializer(RefusesUnknownFields, serializers.Serializer):
    name = ContentText(limit=content.TEXT_LIMITS["contact_name"], required=True, allow_blank=False)
    role = ContentText(limit=content.TEXT_LIMITS["contact_role"])
    email = ContentText(limit=content.TEXT_LIMITS["contact_email"])
    phone = ContentText(limit=content.TEXT_LIMITS["contact_phone"])


class CaseWriteSerializer(RefusesUnknownFields, serializers.Serializer):
    """What a client may send to create or edit a case: the content of cases/content.py, typed
    for JSON. The services check the rest."""

    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        help_text=_("The owner organisation's id (create only)."),
    )
    title = ContentText(limit=content.TEXT_LIMITS["title"], required=True, allow_null=False)
    summary = ContentText(limit=content.TEXT_LIMITS["summary"])
    problem = ContentText(limit=content.TEXT_LIMITS["problem"])
    solution = ContentText(limit=content.TEXT_LIMITS["solution"])
    results = ContentText(limit=content.TEXT_LIMITS["results"])
    reuse_guide = ContentText(limit=content.TEXT_LIMITS["reuse_guide"])
    contact = ContentText(limit=content.TEXT_LIMITS["contact"])
    contact_person = ContactPersonWriteSerializer(
        required=False,
        allow_null=True,
        help_text=_(
            "The person others can ask; null removes them. Published as given: send only what "
            "the person agrees to share."
        ),
    )
    partners = ContentList(
        serializers.IntegerField(min_value=1, max_value=MAX_ID), max_items=content.MAX_PARTNERS
    )
    sectors = codes_field(Sector, required=False)
    innovation_types = codes_field(InnovationType, required=False)
    benefits = codes_field(Benefit, required=False)
    tags = ContentList(ContentText(limit=content.MAX_TAG_LENGTH), max_items=content.MAX_TAGS)
    links = ContentLinkSerializer(many=True, required=False)
    workplace_type = code_field(WorkplaceType, required=False, allow_blank=True)
    stage = code_field(Stage, required=False, allow_blank=True)
    origin = code_field(Origin, required=False)
    source_case = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    source_description = ContentText(limit=content.TEXT_LIMITS["source_description"])

    def content(self) -> dict:
        """The validated data in the shape the services take (without the owner)."""
        data = dict(self.validated_data)
        data.pop("organisation", None)
        if "links" in data:
            data["links"] = [dict(link) for link in data["links"]]
        if "contact_person" in data:
            person = data.pop("contact_person") or {}
            data.update({f"contact_{key}": person.get(key, "") for key in CONTACT_PERSON_KEYS})
        return data


class ReasonSerializer(RefusesUnknownFields, serializers.Serializer):
    reason = Text(max_length=5000)


class OptionalReasonSerializer(RefusesUnknownFields, serializers.Serializer):
    reason = Text(max_length=5000, required=False, allow_blank=True, default="")


class ProposedChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text=_("A field of the case, as clients write it."))
    published = serializers.JSONField(help_text=_("The value the public sees now."))
    proposed = serializers.JSONField(help_text=_("The value the edit proposes."))


def proposed_changes(published: dict[str, Any], proposed: dict[str, Any]) -> list[dict]:
    """The fields a proposed edit changes, named as clients write them: the contact person's
    fields as one `contact_person`."""
    changes = [
        {"field": field, "published": before, "proposed": after}
        for field, (before, after) in content.snapshot_diff(published, proposed).items()
        if field not in content.CONTACT_FIELDS
    ]
    if contact_person(published) != contact_person(proposed):
        changes.append(
            {
                "field": "contact_person",
                "published": contact_person(published),
                "proposed": contact_person(proposed),
            }
        )
    return changes


class PendingEditSerializer(serializers.Serializer):
    """An edit of a published case that waits for a moderator: what it changes."""

    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    changes = ProposedChangeSerializer(many=True)


class AdoptionUpdateSerializer(RefusesUnknownFields, serializers.Serializer):
    """A change of a reuse record: the fields sent change, the others stay."""

    mode = code_field(AdoptionMode, required=False)
    channel = code_field(Channel, required=False)
    adopted_on = serializers.DateField(required=False, allow_null=True)
    status = code_field(AdoptionStatus, required=False)
    note = Text(required=False, allow_blank=True, max_length=5000)
    derived_case = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )


class MembershipRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = code_field(MembershipRole)


class MeSerializer(serializers.Serializer):
    """Who the token belongs to and what they may do."""

    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()
    moderator = serializers.BooleanField()
    organisations = MembershipRefSerializer(many=True)


# A record of reuse as clients read it (lists and the change feed alike).
class AdoptionSerializer(RenderedFromRows, serializers.ModelSerializer):
    organisation = OrganisationRefSerializer()
    derived_case = PublishedCaseField()
    mode = code_field(AdoptionMode)
    channel = code_field(Channel)
    status = code_field(AdoptionStatus)

    class Meta:
        model = Adoption
        fields = [
            "id", "case", "organisation", "mode", "channel", "adopted_on", "status", "note",
            "derived_case", "confirmed", "created_at", "updated_at",
        ]  # fmt: skip
        list_serializer_class = RenderedListSerializer

    @staticmethod
    def render(ids: list[int], request) -> dict[int, dict]:
        return render_adoptions(with_ids(Adoption.all_objects.all(), ids), request)


class AdoptionWriteSerializer(RefusesUnknownFields, serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), help_text=_("Your organisation's id.")
    )
    mode = code_field(AdoptionMode)
    channel = code_field(Channel)
    adopted_on = serializers.DateField(required=False, allow_null=True)
    status = code_field(AdoptionStatus, required=False, default=AdoptionStatus.IN_USE)
    note = Text(required=False, allow_blank=True, max_length=5000, default="")
    derived_case = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )


class OrganisationSerializer(serializers.ModelSerializer):
    county = serializers.SerializerMethodField()
    # Derived, and blank for organisations outside a municipality (counties, agencies).
    size_class = code_field(SizeClass, allow_blank=True, read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id", "name", "slug", "kind", "number", "parent", "county", "region",
            "size_class", "centrality_class", "population",
        ]  # fmt: skip

    @extend_schema_field(PlaceSerializer(allow_null=True))
    def get_county(self, organisation):
        place = organisation.county
        return {"number": place.number, "name": place.name} if place else None


class LabelsSerializer(serializers.Serializer):
    nb = serializers.CharField()
    en = serializers.CharField()


class VocabularyEntrySerializer(serializers.Serializer):
    code = serializers.CharField()
    # A field named like the attribute `Field.label` of the serializer classes.
    label = LabelsSerializer()  # type: ignore[assignment]


class IntegerVocabularyEntrySerializer(VocabularyEntrySerializer):
    code = serializers.IntegerField()  # type: ignore[assignment]


def _change_serializer(name: str, kind: str, shown, about: str) -> type[serializers.Serializer]:
    """The schema of one kind of change-feed entry: `kind` is the constant the discriminator
    reads, `object` the object as its list shows it (null for `delete`)."""
    kind_field = extend_schema_field({"type": "string", "const": kind})(
        type(f"{name}KindField", (serializers.CharField,), {})
    )
    return type(
        f"{name}ChangeSerializer",
        (serializers.Serializer,),
        {
            "__doc__": f"A change of {about}: `object` as the list shows it, null for `delete`.",
            "cursor": serializers.CharField(),
            "kind": kind_field(),
            "id": serializers.IntegerField(),
            "action": serializers.ChoiceField(choices=["upsert", "delete"]),
            "object": shown(allow_null=True),
        },
    )


CHANGE_SERIALIZERS: dict[str, serializers.Serializer | type[serializers.Serializer]] = {
    "case": _change_serializer("Case", "case", CaseSerializer, "a case"),
    "adoption": _change_serializer("Adoption", "adoption", AdoptionSerializer, "a reuse record"),
    "organisation": _change_serializer(
        "Organisation", "organisation", OrganisationSerializer, "an organisation"
    ),
}


CHANGE = PolymorphicProxySerializer(
    component_name="Change",
    serializers=CHANGE_SERIALIZERS,
    resource_type_field_name="kind",
    many=True,
)


class ChangePageSerializer(serializers.Serializer):
    results = CHANGE
    next_cursor = serializers.CharField()
    has_more = serializers.BooleanField()


# Rendering many at once ----------------------------------------------------------------------
#
# The only way a case or an adoption is read: built from plain rows, a page of the list or of
# the change feed is three queries and a loop, instead of a model instance and a tree of field
# objects per case (a feed page of a thousand cases took seconds that way). CaseSerializer and
# AdoptionSerializer state the schema of this output and hand their objects to it.

PLACE_COLUMNS = ("id", "name", "kind", "number")


def _organisation_columns(prefix: str) -> tuple[str, ...]:
    return (
        *(f"{prefix}{name}" for name in PLACE_COLUMNS),
        f"{prefix}municipality_id",
        f"{prefix}municipality__number",
        f"{prefix}municipality__name",
        f"{prefix}county_id",
        f"{prefix}county__number",
        f"{prefix}county__name",
    )


CASE_COLUMNS = (
    "id", "slug", "title", "summary", "problem", "solution", "results", "reuse_guide",
    "contact", "contact_name", "contact_role", "contact_email", "contact_phone",
    "workplace_type", "stage", "links", "origin", "source_description", "status",
    "adoption_count", "question_count", "created_at", "updated_at", "published_at",
    "source_case_id",
    "source_case__status", "source_case__deleted_at", *_organisation_columns("organisation__"),
)  # fmt: skip

ADOPTION_COLUMNS = (
    "id", "case_id", "mode", "channel", "adopted_on", "status", "note", "confirmed",
    "created_at", "updated_at", "derived_case_id", "derived_case__status",
    "derived_case__deleted_at", *_organisation_columns("organisation__"),
)  # fmt: skip

# A slug the URL pattern takes as it is (reverse() neither quotes nor refuses it).
PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
SLUG_PLACEHOLDER = "case-slug"


class _Render:
    """What every row of one page shares: the time zone, the case URLs' beginning and end."""

    def __init__(self, request=None):
        self.request = request
        self.zone = timezone.get_current_timezone() if settings.USE_TZ else None
        self._datetime_field = serializers.DateTimeField()
        path = reverse("case-detail", kwargs={"slug": SLUG_PLACEHOLDER})
        head, _placeholder, self.url_tail = path.rpartition(SLUG_PLACEHOLDER)
        self.url_head = request.build_absolute_uri(head) if request else head

    def url(self, slug: str) -> str:
        if PLAIN_SLUG.fullmatch(slug):
            return self.url_head + slug + self.url_tail
        path = reverse("case-detail", kwargs={"slug": slug})
        return self.request.build_absolute_uri(path) if self.request else path

    def datetime(self, value):
        if value is None:
            return None
        if self.zone is None or isinstance(value, str) or timezone.is_naive(value):
            return self._datetime_field.to_representation(value)
        text = value.astimezone(self.zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    @staticmethod
    def organisation(row: dict) -> dict:
        municipality = county = None
        if row["organisation__municipality_id"] is not None:
            municipality = {
                "number": row["organisation__municipality__number"],
                "name": row["organisation__municipality__name"],
            }
        if row["organisation__county_id"] is not None:
            county = {
                "number": row["organisation__county__number"],
                "name": row["organisation__county__name"],
            }
        return {
            "id": row["organisation__id"],
            "name": row["organisation__name"],
            "kind": row["organisation__kind"],
            "number": row["organisation__number"],
            "municipality": municipality,
            "county": county,
        }


def with_ids(queryset, ids):
    """`queryset` narrowed to these ids (a page's: up to a thousand).

    On PostgreSQL as a join with the list rather than a long IN (...): the planner sizes the
    join right, and looks each id up in the primary key, where it takes a long list for a
    good part of the table and reads narrow tables (adoptions) whole, in parallel.
    """
    ids = list(ids)
    if connection.vendor == "postgresql":
        return queryset.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (ids,)))
    return queryset.filter(pk__in=ids)


def _published(status, deleted_at) -> bool:
    return status == CaseStatus.PUBLISHED and deleted_at is None


def _links(links):
    """The links as LinkSerializer(many=True) shows them; anything but the usual shape goes
    through it."""
    if isinstance(links, list) and all(
        type(link) is dict and type(link.get("url")) is str and type(link.get("title", "")) is str
        for link in links
    ):
        return [{"url": link["url"], "title": link.get("title", "")} for link in links]
    return LinkSerializer(many=True).to_representation(links)


def render_cases(queryset, request=None) -> dict[int, dict]:
    """Every case of `queryset` as clients read it (CaseSerializer), by id, in three queries."""
    queryset = queryset.prefetch_related(None).order_by()
    rows = list(queryset.values(*CASE_COLUMNS))
    if not rows:
        return {}
    ids = [row["id"] for row in rows]
    vocabularies: dict[str, str] = {
        CaseTerm.Vocabulary.SECTOR: "sectors",
        CaseTerm.Vocabulary.INNOVATION_TYPE: "innovation_types",
        CaseTerm.Vocabulary.BENEFIT: "benefits",
        CaseTerm.Vocabulary.TAG: "tags",
    }
    terms: dict[int, dict[str, list[str]]] = {
        pk: {name: [] for name in vocabularies.values()} for pk in ids
    }
    for case_id, vocabulary, code in CaseTerm.objects.filter(case_id__in=ids).values_list(
        "case_id", "vocabulary", "code"
    ):
        name = vocabularies.get(vocabulary)
        if name is not None:
            terms[case_id][name].append(code)
    partners: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    # As the case's `partners` manager shows them: organisations that are not deleted, by name.
    for case_id, *partner in (
        Case.partners.through.objects.filter(case_id__in=ids, organisation__deleted_at__isnull=True)
        .order_by("organisation__name", "organisation_id")
        .values_list("case_id", *(f"organisation__{name}" for name in PLACE_COLUMNS))
    ):
        partners[case_id].append(dict(zip(PLACE_COLUMNS, partner, strict=True)))
    render = _Render(request)
    results = {}
    for row in rows:
        pk = row["id"]
        codes = terms[pk]
        results[pk] = {
            "id": pk,
            "slug": row["slug"],
            "url": render.url(row["slug"]),
            "title": row["title"],
            "summary": row["summary"],
            "problem": row["problem"],
            "solution": row["solution"],
            "results": row["results"],
            "reuse_guide": row["reuse_guide"],
            "contact": row["contact"],
            "contact_person": contact_person(row),
            "organisation": render.organisation(row),
            "partners": partners[pk],
            "sectors": sorted(codes["sectors"]),
            "innovation_types": sorted(codes["innovation_types"]),
            "workplace_type": row["workplace_type"],
            "stage": row["stage"],
            "benefits": sorted(codes["benefits"]),
            "tags": sorted(codes["tags"]),
            "links": _links(row["links"]),
            "origin": row["origin"],
            "source_case": (
                row["source_case_id"]
                if _published(row["source_case__status"], row["source_case__deleted_at"])
                else None
            ),
            "source_description": row["source_description"],
            "status": row["status"],
            "adoption_count": int(row["adoption_count"]),
            "question_count": int(row["question_count"]),
            "created_at": render.datetime(row["created_at"]),
            "updated_at": render.datetime(row["updated_at"]),
            "published_at": render.datetime(row["published_at"]),
        }
    return results


def render_adoptions(queryset, request=None) -> dict[int, dict]:
    """Every adoption of `queryset` as clients read it (AdoptionSerializer), by id, in one
    query."""
    render = _Render(request)
    return {
        row["id"]: {
            "id": row["id"],
            "case": row["case_id"],
            "organisation": render.organisation(row),
            "mode": row["mode"],
            "channel": row["channel"],
            "adopted_on": row["adopted_on"].isoformat() if row["adopted_on"] else None,
            "status": row["status"],
            "note": row["note"],
            "derived_case": (
                row["derived_case_id"]
                if _published(row["derived_case__status"], row["derived_case__deleted_at"])
                else None
            ),
            "confirmed": bool(row["confirmed"]),
            "created_at": render.datetime(row["created_at"]),
            "updated_at": render.datetime(row["updated_at"]),
        }
        for row in queryset.prefetch_related(None).order_by().values(*ADOPTION_COLUMNS)
    }
