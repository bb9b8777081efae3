"""What clients see and send. Field names are the contract in DESIGN.md; do not rename."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Adoption, Case, Organisation
from ..vocabularies import (
    AdoptionMode,
    AdoptionStatus,
    Benefit,
    CaseStatus,
    Channel,
    InnovationType,
    Origin,
    Sector,
    SizeClass,
    Stage,
    WorkplaceType,
)


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


def code_field(choices, **kwargs):
    return CodeField(choices=choices.choices, **kwargs)


def codes_field(choices, **kwargs):
    return serializers.ListField(child=code_field(choices), **kwargs)


class PlaceSerializer(serializers.Serializer):
    """A municipality or county, as number and name."""

    number = serializers.CharField()
    name = serializers.CharField()


class OrganisationRefSerializer(serializers.ModelSerializer):
    municipality = serializers.SerializerMethodField()
    county = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "number", "municipality", "county"]

    @extend_schema_field(PlaceSerializer(allow_null=True))
    def get_municipality(self, organisation):
        place = organisation.municipality
        return {"number": place.number, "name": place.name} if place else None

    @extend_schema_field(PlaceSerializer(allow_null=True))
    def get_county(self, organisation):
        place = organisation.county
        return {"number": place.number, "name": place.name} if place else None


class PartnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "number"]


class LinkSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CaseSerializer(serializers.ModelSerializer):
    """A case as clients read it (lists, detail and the change feed alike)."""

    url = serializers.SerializerMethodField()
    organisation = OrganisationRefSerializer()
    partners = PartnerSerializer(many=True)
    sectors = serializers.ListField(child=code_field(Sector))
    innovation_types = serializers.ListField(child=code_field(InnovationType))
    benefits = serializers.ListField(child=code_field(Benefit))
    tags = serializers.ListField(child=serializers.CharField())
    links = LinkSerializer(many=True)
    source_case = serializers.SerializerMethodField()
    status = code_field(CaseStatus)
    adoption_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Case
        fields = [
            "id", "slug", "url", "title", "summary", "problem", "solution", "results",
            "reuse_guide", "contact", "organisation", "partners", "sectors", "innovation_types",
            "workplace_type", "stage", "benefits", "tags", "links", "origin", "source_case",
            "source_description", "status", "adoption_count", "created_at", "updated_at",
            "published_at",
        ]  # fmt: skip

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, case):
        path = case.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_source_case(self, case):
        # Only a published source is named: an id must not reveal a draft.
        source = case.source_case
        return source.pk if source is not None and source.is_published else None


class CaseWriteSerializer(serializers.Serializer):
    """What a client may send to create or edit a case. The services validate the rest."""

    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        help_text=_("The owner organisation's id (create only)."),
    )
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=600, required=False, allow_blank=True)
    problem = serializers.CharField(required=False, allow_blank=True, max_length=50000)
    solution = serializers.CharField(required=False, allow_blank=True, max_length=50000)
    results = serializers.CharField(required=False, allow_blank=True, max_length=50000)
    reuse_guide = serializers.CharField(required=False, allow_blank=True, max_length=50000)
    contact = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    partners = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=100
    )
    sectors = codes_field(Sector, required=False)
    innovation_types = codes_field(InnovationType, required=False)
    benefits = codes_field(Benefit, required=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=50
    )
    links = LinkSerializer(many=True, required=False)
    workplace_type = code_field(WorkplaceType, required=False, allow_blank=True)
    stage = code_field(Stage, required=False, allow_blank=True)
    origin = code_field(Origin, required=False)
    source_case = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    source_description = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def content(self) -> dict:
        """The validated data in the shape the services take (without the owner)."""
        data = dict(self.validated_data)
        data.pop("organisation", None)
        if "links" in data:
            data["links"] = [dict(link) for link in data["links"]]
        return data


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class AdoptionSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer()
    derived_case = serializers.SerializerMethodField()
    mode = code_field(AdoptionMode)
    channel = code_field(Channel)
    status = code_field(AdoptionStatus)

    class Meta:
        model = Adoption
        fields = [
            "id", "case", "organisation", "mode", "channel", "adopted_on", "status", "note",
            "derived_case", "confirmed", "created_at", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_derived_case(self, adoption):
        derived = adoption.derived_case
        return derived.pk if derived is not None and derived.is_published else None


class AdoptionWriteSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), help_text=_("Your organisation's id.")
    )
    mode = code_field(AdoptionMode)
    channel = code_field(Channel)
    adopted_on = serializers.DateField(required=False, allow_null=True)
    status = code_field(AdoptionStatus, required=False, default=AdoptionStatus.IN_USE)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    derived_case = serializers.IntegerField(required=False, allow_null=True, min_value=1)


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


class VocabularyEntrySerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.DictField(child=serializers.CharField())


@extend_schema_field(
    {
        "oneOf": [
            {"$ref": "#/components/schemas/Case"},
            {"$ref": "#/components/schemas/Adoption"},
        ],
        "nullable": True,
        "description": "The case or adoption as the lists show it; null for `delete`.",
    }
)
class ChangeObjectField(serializers.DictField):
    pass


class ChangeSerializer(serializers.Serializer):
    cursor = serializers.CharField()
    kind = serializers.ChoiceField(choices=["case", "adoption"])
    id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=["upsert", "delete"])
    object = ChangeObjectField(allow_null=True)


class ChangePageSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    next_cursor = serializers.CharField()
    has_more = serializers.BooleanField()
