"""`GET /api/v1/stats/municipalities/`: the statistics per municipality, the numbers the map of
reuse across Norway draws, with the statistics' filters."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..statistics.filters import filters_as_json
from ..statistics.municipalities import municipality_figures
from .stats_schema import ShareSerializer
from .views import ERRORS, STATS_PARAMETERS, stats_filters


class CountyRefSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="Two digits.")
    name = serializers.CharField()


class MunicipalityFiguresSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="The municipality's four-digit number.")
    name = serializers.CharField()
    county = CountyRefSerializer(allow_null=True)
    population = serializers.IntegerField(
        allow_null=True, help_text="Inhabitants on 1 January of the registry's population year."
    )
    cases = serializers.IntegerField(
        help_text="Published cases of the municipality or its workplaces that the filters describe."
    )
    reused_cases = serializers.IntegerField(
        help_text="Of those cases, the ones with at least one recorded reuse."
    )
    reuse_share = ShareSerializer(
        help_text="Share of the municipality's cases that were reused: `reused_cases` of `cases`."
    )
    reuses = serializers.IntegerField(
        help_text="Reuses recorded by the municipality or its workplaces, of the cases the "
        "filters describe (whoever owns them)."
    )
    reuses_per_10000 = serializers.FloatField(
        allow_null=True,
        help_text="`reuses` per 10,000 inhabitants, two decimals; null without a population.",
    )


class MunicipalityStatsSerializer(serializers.Serializer):
    filters = serializers.DictField(help_text="The filters applied (lists of codes, ISO dates).")
    municipalities = MunicipalityFiguresSerializer(many=True)


class MunicipalityStatsView(APIView):
    @extend_schema(
        summary="Diffusion statistics per municipality",
        description=(
            "Every municipality of the registry, ordered by number, with the published cases "
            "the filters describe, the reuses it recorded, reuses per 10,000 inhabitants and "
            "the share of its cases that were reused (with numerator and denominator). The "
            "filters are those of the diffusion statistics; within one filter the values are "
            "alternatives (repeat the parameter); filters combine."
        ),
        parameters=STATS_PARAMETERS,
        responses={200: MunicipalityStatsSerializer, 400: ERRORS[400], 429: ERRORS[429]},
    )
    def get(self, request):
        filters = stats_filters(request)
        return Response(
            {
                "filters": filters_as_json(filters),
                "municipalities": municipality_figures(filters=filters),
            }
        )
