"""`GET /api/v1/removed/?since=<time>`: what left the public view since a moment, for clients
that keep a copy in sync through the lists' `updated_since` rather than the change feed.

A list filtered by `updated_since` shows what is public now and changed since; it cannot show
what is no longer there (an archived or deleted case, a withdrawn reuse record, a deleted
organisation). This list names those, from the change log: every write of an object writes
an entry there, so an object that is not public now and has an entry since the moment left the
public view (or changed while out of it) since then. Objects that were never public (drafts
never published, and what belongs to them) are never named, as in the change feed.
"""

from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from ..filters import UtcIsoDateTimeFilter
from ..models import Adoption, Case, Change, Organisation
from .views import ERRORS


class RemovedObjectSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Change.Kind.choices)
    id = serializers.IntegerField(source="object_id")
    removed_at = serializers.DateTimeField(
        help_text="The last write of the object since `since`: when it left the public view, "
        "or later."
    )


class RemovedFilter(filters.FilterSet):
    since = UtcIsoDateTimeFilter(
        label=_("Since"),
        field_name="created_at",
        lookup_expr="gte",
        help_text="An ISO 8601 time, e.g. the start of your last sync, a little before it. "
        "Without it: everything that ever left the public view.",
    )
    kind = filters.MultipleChoiceFilter(label=_("Kind"), choices=Change.Kind.choices)

    class Meta:
        model = Change
        fields: list[str] = []


def not_public() -> Q:
    """Entries of objects that are not public now but were once (see the module's text)."""
    cases = (
        Q(kind=Change.Kind.CASE)
        & ~Q(object_id__in=Case.objects.published().values("pk"))
        & ~Q(object_id__in=Case.all_objects.filter(published_at__isnull=True).values("pk"))
    )
    adoptions = (
        Q(kind=Change.Kind.ADOPTION)
        & ~Q(object_id__in=Adoption.objects.public().values("pk"))
        & ~Q(
            object_id__in=Adoption.all_objects.filter(case__published_at__isnull=True).values("pk")
        )
    )
    # Every organisation is public while it exists (as the organisations list shows).
    organisations = Q(kind=Change.Kind.ORGANISATION) & ~Q(
        object_id__in=Organisation.objects.values("pk")
    )
    return cases | adoptions | organisations


class RemovedView(ListAPIView):
    serializer_class = RemovedObjectSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = RemovedFilter

    def get_queryset(self) -> QuerySet:
        # Grouped after the filter set has limited the entries to those since `since`.
        return Change.objects.filter(not_public())

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return (
            super()
            .filter_queryset(queryset)
            .values("kind", "object_id")
            .annotate(removed_at=Max("created_at"))
            .order_by("removed_at", "kind", "object_id")
        )

    @extend_schema(
        summary="What left the public view since a moment",
        description=(
            "Cases, reuse records and organisations that are not public now and were written "
            "since `since` (without it: ever): archived or deleted cases, withdrawn reuse records (and those of a "
            "case that left), deleted organisations. With the lists' `updated_since` this keeps "
            "a copy in sync; the change feed (`/api/v1/changes/`) does both in one and never "
            "skips a change."
        ),
        responses={200: RemovedObjectSerializer(many=True), 400: ERRORS[400], 429: ERRORS[429]},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
