"""The schema of what `GET /api/v1/stats/diffusion/` answers (cases/statistics/caching.py,
`diffusion`): serializers that state its shape for the OpenAPI document. The answer itself is
built by the statistics; tests check every answer against this."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

NULLABLE_NUMBER = {"type": ["number", "null"]}


class ShareSerializer(serializers.Serializer):
    """A share with what it is made of: `share` (0–1) and `percent` are null when the
    denominator is 0, and when it is below the site's minimum for showing a share
    (STATISTICS_MIN_DENOMINATOR, 10 unless set): then `suppressed` is true and the counts stay."""

    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True, help_text="A fraction from 0 to 1.")
    percent = serializers.FloatField(allow_null=True, help_text="Percent, one decimal.")
    suppressed = serializers.BooleanField(
        help_text="True when the denominator is too small for a share to be shown."
    )


class CodedShareSerializer(ShareSerializer):
    code = serializers.CharField(allow_null=True)


class DistributionBucketSerializer(ShareSerializer):
    bucket = serializers.CharField()
    min = serializers.IntegerField()
    max = serializers.IntegerField(allow_null=True)


class OriginCountsSerializer(serializers.Serializer):
    first = serializers.IntegerField()
    adapted = serializers.IntegerField()
    copied = serializers.IntegerField()
    unknown = serializers.IntegerField()


class OriginSharesSerializer(serializers.Serializer):
    first = ShareSerializer()
    adapted = ShareSerializer()
    copied = ShareSerializer()


class OriginSerializer(serializers.Serializer):
    known = serializers.IntegerField()
    counts = OriginCountsSerializer()
    shares_of_known = OriginSharesSerializer()
    unknown = ShareSerializer()


class StatsFiltersSerializer(serializers.Serializer):
    """The filters applied: lists of codes (empty: not filtered), dates or null."""

    sector = serializers.ListField(child=serializers.CharField())
    innovation_type = serializers.ListField(child=serializers.CharField())
    workplace_type = serializers.ListField(child=serializers.CharField())
    employee_band = serializers.ListField(child=serializers.CharField())
    county = serializers.ListField(child=serializers.CharField())
    region = serializers.ListField(child=serializers.CharField())
    size_class = serializers.ListField(child=serializers.CharField())
    centrality_class = serializers.ListField(child=serializers.IntegerField(min_value=1))
    published_from = serializers.DateField(allow_null=True)
    published_to = serializers.DateField(allow_null=True)


class CaseFiguresSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    origin = OriginSerializer()


class AdoptionFiguresSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_mode = CodedShareSerializer(many=True)
    by_channel = CodedShareSerializer(many=True)
    by_status = CodedShareSerializer(many=True)


class ReuseFiguresSerializer(serializers.Serializer):
    cases = serializers.IntegerField()
    reused = ShareSerializer()
    mean_adopters = serializers.FloatField(allow_null=True)
    median_adopters = serializers.FloatField(allow_null=True)
    distribution = DistributionBucketSerializer(many=True)


class ActivitiesSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_channel = CodedShareSerializer(many=True)


class SpreaderFiguresSerializer(serializers.Serializer):
    owners = serializers.IntegerField()
    active = ShareSerializer()
    adopted = ShareSerializer()
    activities = ActivitiesSerializer()


class BreakdownRowSerializer(serializers.Serializer):
    """One group of a breakdown; `code` null collects "not stated"."""

    code = serializers.CharField(allow_null=True)
    cases = serializers.IntegerField()
    origin = OriginSerializer()
    adoptions = serializers.IntegerField()
    adopters_per_case = serializers.FloatField(allow_null=True)
    reused = ShareSerializer()
    owners = serializers.IntegerField()
    active_spreaders = ShareSerializer()
    adopted_owners = ShareSerializer()


class CentralityBreakdownRowSerializer(BreakdownRowSerializer):
    """A centrality class is an integer here as everywhere (1 most central to 6)."""

    code = serializers.IntegerField(allow_null=True, min_value=1)  # type: ignore[assignment]


class CountyBreakdownRowSerializer(BreakdownRowSerializer):
    name = serializers.CharField()


class BreakdownsSerializer(serializers.Serializer):
    sector = BreakdownRowSerializer(many=True)
    innovation_type = BreakdownRowSerializer(many=True)
    workplace_type = BreakdownRowSerializer(many=True)
    employee_band = BreakdownRowSerializer(many=True)
    size_class = BreakdownRowSerializer(many=True)
    centrality_class = CentralityBreakdownRowSerializer(many=True)
    region = BreakdownRowSerializer(many=True)
    county = CountyBreakdownRowSerializer(many=True)


class MonthSerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")
    cases = serializers.IntegerField()
    adoptions = serializers.IntegerField()
    cumulative_cases = serializers.IntegerField()
    cumulative_adoptions = serializers.IntegerField()


class MonthlySerializer(serializers.Serializer):
    months = MonthSerializer(many=True)
    adoptions_after_this_month = serializers.IntegerField()


class TimeToFirstAdoptionSerializer(serializers.Serializer):
    adopted_cases = serializers.IntegerField()
    mean_days = serializers.FloatField(allow_null=True)
    buckets = CodedShareSerializer(many=True)


class SpreaderOrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    kind = serializers.CharField()


class TopSpreaderSerializer(serializers.Serializer):
    organisation = SpreaderOrganisationSerializer()
    adopters = serializers.IntegerField()
    adoptions = serializers.IntegerField()
    cases = serializers.IntegerField()
    municipalities = serializers.IntegerField()
    counties = serializers.IntegerField()


class BassFitSerializer(serializers.Serializer):
    """A Bass diffusion model fitted to the adoptions per month. `status` "ok" brings the
    parameters and the series; "too-few-data" and "no-fit" only the counts."""

    status = serializers.ChoiceField(choices=["ok", "too-few-data", "no-fit"])
    months = serializers.IntegerField()
    adoptions = serializers.IntegerField()
    min_months = serializers.IntegerField()
    min_adoptions = serializers.IntegerField()
    start = serializers.CharField(allow_null=True, help_text="The first month, YYYY-MM.")
    p = serializers.FloatField(required=False)
    q = serializers.FloatField(required=False)
    m = serializers.FloatField(required=False)
    r_squared = serializers.FloatField(required=False, allow_null=True)
    rmse = serializers.FloatField(required=False)
    r_squared_monthly = serializers.FloatField(required=False, allow_null=True)
    m_at_bound = serializers.BooleanField(required=False)
    peak_month = serializers.FloatField(required=False, allow_null=True)
    p_per_year = serializers.FloatField(required=False, help_text="p per year (`p` is per month).")
    q_per_year = serializers.FloatField(required=False, help_text="q per year (`q` is per month).")
    p_interval = serializers.ListField(
        child=serializers.FloatField(),
        required=False,
        allow_null=True,
        help_text="95 % interval of p per year: [low, high].",
    )
    q_interval = serializers.ListField(
        child=serializers.FloatField(),
        required=False,
        allow_null=True,
        help_text="95 % interval of q per year: [low, high].",
    )
    m_interval = serializers.ListField(
        child=serializers.FloatField(),
        required=False,
        allow_null=True,
        help_text="95 % interval of m: [low, high].",
    )
    identifiable = serializers.BooleanField(
        required=False,
        help_text="False when the data do not determine the parameters (far from saturation).",
    )
    observed = serializers.ListField(child=serializers.IntegerField(), required=False)
    fitted = serializers.ListField(child=serializers.FloatField(), required=False)


class CodedBassFitSerializer(BassFitSerializer):
    code = serializers.CharField()


class BassSerializer(serializers.Serializer):
    all = BassFitSerializer()
    sector = CodedBassFitSerializer(many=True)
    innovation_type = CodedBassFitSerializer(many=True)
    min_months = serializers.IntegerField()
    min_adoptions = serializers.IntegerField()


@extend_schema_field(
    {
        "type": "object",
        "description": "Each survey's published figure by survey key (see `sources`): a "
        "percent, or codes in order.",
        "additionalProperties": {
            "oneOf": [{"type": "number"}, {"type": "array", "items": {"type": "string"}}]
        },
    }
)
class SurveyFiguresField(serializers.DictField):
    pass


@extend_schema_field(
    {
        "description": "The platform's figure: a share, a list of shares with codes, or null "
        "when the platform has no denominator for it.",
        "oneOf": [
            {"$ref": "#/components/schemas/Share"},
            {"type": "array", "items": {"$ref": "#/components/schemas/CodedShare"}},
            {"type": "null"},
        ],
    }
)
class PlatformFigureField(serializers.JSONField):
    pass


class ComparisonRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    survey = SurveyFiguresField()
    platform = PlatformFigureField()


@extend_schema_field(
    {
        "type": "object",
        "description": "The surveys by key: their name, country (ISO 3166 code), the year the "
        "edition was published, the period its questions were about, how many workplaces "
        "answered, and where it is published.",
        "additionalProperties": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "country": {"type": "string"},
                "year": {"type": "integer"},
                "period": {"type": "string"},
                "sample": {"type": "integer"},
                "url": {"type": "string", "format": "uri"},
            },
            "required": ["name", "country", "year", "period", "sample", "url"],
            "additionalProperties": False,
        },
    }
)
class SurveySourcesField(serializers.DictField):
    pass


class ComparisonSerializer(serializers.Serializer):
    sources = SurveySourcesField()
    rows = ComparisonRowSerializer(many=True)


class DiffusionStatsSerializer(serializers.Serializer):
    """Every diffusion statistic for the published cases the filters describe."""

    filters = StatsFiltersSerializer()
    cases = CaseFiguresSerializer()
    adoptions = AdoptionFiguresSerializer()
    reuse = ReuseFiguresSerializer()
    spreaders = SpreaderFiguresSerializer()
    breakdowns = BreakdownsSerializer()
    monthly = MonthlySerializer()
    time_to_first_adoption = TimeToFirstAdoptionSerializer()
    top_spreaders = TopSpreaderSerializer(many=True)
    bass = BassSerializer()
    comparison = ComparisonSerializer()
