"""API views: thin. Reads use the same filters as the pages; writes call the services."""

import copy
import hashlib

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse as absolute_reverse
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from .. import caching, permissions, search, services
from ..filters import CaseFilter, StrictBooleanFilter, UtcIsoDateTimeFilter
from ..models import Adoption, Case, CaseRevision, Organisation, Question
from ..services import Conflict
from ..statistics.caching import diffusion
from ..statistics.filters import MULTIPLE, StatsFilter
from ..vocabularies import VOCABULARIES
from . import changes
from .exceptions import PreconditionFailed, PreconditionRequired
from .idempotency import idempotent
from .pagination import CountingPaginator
from .parsers import PARSERS
from .serializers import (
    AdoptionSerializer,
    AdoptionUpdateSerializer,
    AdoptionWriteSerializer,
    CaseSerializer,
    CaseWriteSerializer,
    ChangePageSerializer,
    IntegerVocabularyEntrySerializer,
    MeSerializer,
    OptionalReasonSerializer,
    OrganisationSerializer,
    PendingEditSerializer,
    QuestionSerializer,
    ReasonSerializer,
    VocabularyEntrySerializer,
    proposed_changes,
    render_cases,
    with_ids,
)
from .stats_schema import DiffusionStatsSerializer

ERRORS = {
    400: OpenApiResponse(description="Invalid input: per-field messages."),
    401: OpenApiResponse(description="Not authenticated (missing or invalid token)."),
    403: OpenApiResponse(description="Not allowed."),
    404: OpenApiResponse(description="Not found (or not visible to you)."),
    409: OpenApiResponse(description="The object's state changed: the action no longer fits."),
    429: OpenApiResponse(description="Too many requests: see Retry-After."),
}


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "Any unique text (a UUID): sending the same create again with the same key within "
        "24 hours gives the first answer again (with `Idempotent-Replayed: true`) instead of "
        "a second object; the same key with another body is 422."
    ),
)

CREATED_HEADERS = [
    OpenApiParameter(
        "Location",
        OpenApiTypes.URI,
        OpenApiParameter.HEADER,
        response=[201],
        description="The address of the new object in the API.",
    ),
    OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200, 201, 202],
        description="The tag of the object as answered (If-Match, If-None-Match).",
    ),
]


# Writes that honour If-Match: 412, and nothing written, when the object changed since it was read.
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you read: 412 instead of the write if the object changed since.",
)
CHANGED_SINCE_READ = {412: OpenApiResponse(description="The object changed since you read it.")}


def body_etag(data) -> str:
    """The ETag a later GET of the same representation gets (ConditionalGetMiddleware)."""
    digest = hashlib.md5(JSONRenderer().render(data), usedforsecurity=False).hexdigest()
    return f'"{digest}"'


def case_etag(case: Case | int, data) -> str:
    """A case's ETag: its version (what `If-Match` is compared with, see `case_version`) and a
    digest of the representation (so that `If-None-Match` sees derived figures change too)."""
    digest = hashlib.md5(JSONRenderer().render(data), usedforsecurity=False).hexdigest()[:16]
    return f'"{services.case_version(case)}.{digest}"'


def named_tags(if_match: str) -> set[str]:
    """The ETags an `If-Match` header names, as a GET gives them (or `*`)."""
    return {tag.strip().removeprefix("W/") for tag in if_match.split(",")}


def named_versions(if_match: str) -> set[str]:
    """The case versions an `If-Match` header names (the version part of each ETag, or `*`)."""
    return {tag.strip('"').split(".", 1)[0] for tag in named_tags(if_match)}


def matches_version(if_match: str, case: Case) -> bool:
    """Whether an `If-Match` header names the case's current version (`*` matches anything)."""
    named = named_versions(if_match)
    return "*" in named or services.case_version(case) in named


def unchanged_case(request, case: Case) -> Case:
    """The case locked, when the request's `If-Match` names its current version (412 when it
    names another); as it is without `If-Match`. Inside the write's transaction, so that no
    other write slips in between the comparison and the write."""
    expected = request.headers.get("If-Match")
    if not expected:
        return case
    case = services.locked_case(case)
    if not matches_version(expected, case):
        raise PreconditionFailed()
    return case


def _reason(request, serializer_class: type[Serializer]) -> str:
    """The reason a request gives for an action, validated by `serializer_class`."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["reason"]


# Ids are positive 64-bit integers; anything else is refused instead of reaching the database.
MAX_ID = 2**63 - 1


def id_filter(field_name: str, **kwargs) -> filters.NumberFilter:
    return filters.NumberFilter(
        field_name=field_name, min_value=1, max_value=MAX_ID, decimal_places=0, **kwargs
    )


def own_filters(cls):
    """Give an API filter set its own copies of the filters it inherits.

    Filter objects are shared with the parent class (the pages' CaseFilter, the dashboard's
    StatsFilter), and the schema generator builds and caches each filter's form field on
    them. The parents fill some choices in per instance (the counties come from the
    database), so a field cached on a shared filter would freeze its choices, empty, for the
    web pages too. Copies keep the API's schema generation away from the pages' filters.
    """
    cls.base_filters = copy.deepcopy(cls.base_filters)
    return cls


class CodesListedFilterSet(filters.FilterSet):
    """A filter set whose unknown codes are refused with the list of allowed codes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            # A form field cached on the class's filter (see own_filters) was built before this
            # instance set its choices: build it again from `extra`.
            filter_.__dict__.pop("_field", None)
            choices = filter_.extra.get("choices")
            if callable(choices):
                choices = choices()
            if not choices:
                continue
            allowed = ", ".join(str(value) for value, _label in choices)
            message = _("Unknown code “%(value)s”. Allowed: %(allowed)s.") % {
                "value": "%(value)s",
                "allowed": allowed.replace("%", "%%"),
            }
            filter_.extra["error_messages"] = {"invalid_choice": message}


@own_filters
class CaseApiFilter(CodesListedFilterSet, CaseFilter):
    """The page's filters, with the API's sort orders."""

    ordering = filters.OrderingFilter(
        fields=(
            ("published_at", "published_at"),
            ("title", "title"),
            ("adoption_count", "adoption_count"),
            ("updated_at", "updated_at"),
        ),
        label=gettext_lazy("Sort order"),
    )
    organisation = id_filter("organisation", label=gettext_lazy("Organisation"))
    # A boolean as a client sends it: `false` asks for the cases nobody else reused, where the
    # page's box, unticked, asks for nothing; a value that is neither is refused.
    reused = StrictBooleanFilter(label=gettext_lazy("Reused by others"), method="filter_reused")
    updated_since = UtcIsoDateTimeFilter(
        label=gettext_lazy("Updated since"), field_name="updated_at", lookup_expr="gte"
    )
    county = filters.MultipleChoiceFilter(
        label=gettext_lazy("County"),
        choices=[],
        field_name="organisation__county__number",
        method="filter_county",
    )

    # As the page's, with the field it reads named, so that the schema says its values are text.
    adopter_county = filters.MultipleChoiceFilter(
        label=gettext_lazy("Reused by: county"),
        choices=[],
        field_name="adoptions__organisation__county__number",
        method="filter_adopter_county",
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_adopter_county(self, queryset, name, value):
        return self.filter_adopter(queryset, "adopter_county", value)

    def filter_reused(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(has_adopters=value)

    def filter_county(self, queryset, name, value):
        """The owner's county by id rather than by a join on the county's number: PostgreSQL
        takes such a join for one organisation instead of hundreds, and then picks a plan that
        visits every case of them twice per page (the page and its count)."""
        if not value:
            return queryset
        ids = (
            Organisation.all_objects.filter(number__in=value)
            .order_by()
            .values_list("pk", flat=True)
        )
        return queryset.filter(organisation__county_id__in=list(ids))


@own_filters
class AdoptionApiFilter(CodesListedFilterSet):
    case = id_filter("case")
    organisation = id_filter("organisation")
    mode = filters.MultipleChoiceFilter(choices=Adoption._meta.get_field("mode").choices)
    channel = filters.MultipleChoiceFilter(choices=Adoption._meta.get_field("channel").choices)
    updated_since = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Adoption
        fields: list[str] = []


@own_filters
class OrganisationApiFilter(CodesListedFilterSet):
    kind = filters.MultipleChoiceFilter(choices=Organisation._meta.get_field("kind").choices)
    number = filters.CharFilter(field_name="number")
    county = filters.CharFilter(field_name="county__number", label=gettext_lazy("County number"))
    region = filters.MultipleChoiceFilter(choices=Organisation._meta.get_field("region").choices)
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=100)
    updated_since = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Organisation
        fields: list[str] = []


# Which of cases.permissions.CASE_ACTIONS each transition is.
TRANSITIONS = {
    services.case_submit: "submit",
    services.case_approve: "approve",
    services.case_request_changes: "request_changes",
    services.case_archive: "archive",
    services.case_restore: "restore",
}


@extend_schema_view(
    list=extend_schema(
        summary="Published cases",
        parameters=[
            OpenApiParameter(
                "ordering",
                OpenApiTypes.STR,
                enum=[
                    "-published_at",
                    "published_at",
                    "title",
                    "-title",
                    "-adoption_count",
                    "adoption_count",
                    "-updated_at",
                    "updated_at",
                ],
            )
        ],
    ),
    retrieve=extend_schema(summary="One case", responses={200: CaseSerializer, 404: ERRORS[404]}),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = "[0-9]+"  # anything else is 404 at the URL, not an error inside
    # Anonymous reads are kept whole until what they show changes (cases/caching.py).
    cache_scopes = {
        "list": lambda request: [caching.LISTS],
        "retrieve": lambda request, pk: [f"case:{pk}"],
    }
    serializer_class = CaseSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = CaseApiFilter
    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = PARSERS

    def get_queryset(self):
        if self.action == "list":
            # Only the ids are read for the page (see list); render_cases reads the rest.
            return Case.objects.published().order_by("-published_at", "-pk")
        # One case: its organisation and moderators see it in any state.
        return (
            Case.objects.filter(permissions.visible_cases_q(self.request.user))
            .select_related(
                "organisation",
                "organisation__municipality",
                "organisation__county",
                "source_case",
            )
            .prefetch_related("terms", "partners")
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action == "list":
            # The id breaks ties (many cases share a title or an adoption count), so that pages
            # neither repeat nor skip a case.
            chosen = queryset.query.order_by if self.request.query_params.get("ordering") else ()
            queryset = queryset.order_by(*(chosen or ("-published_at",)), "-pk")
        return queryset

    def list(self, request, *args, **kwargs):
        # The page's ids first, ordered and limited over an index, then those cases in full.
        queryset = self.filter_queryset(self.get_queryset())
        if search.parse(request.query_params.get("q", "")).terms:
            # A search reads its matches once, for the page and its count together.
            self.paginator.django_paginator_class = CountingPaginator
            ids = self.paginate_queryset(queryset)
        else:
            ids = self.paginate_queryset(queryset.values_list("pk", flat=True))
        shown = render_cases(with_ids(Case.objects.published(), ids), request) if ids else {}
        # A case unpublished between the two queries is left out rather than shown.
        return self.get_paginated_response([shown[pk] for pk in ids if pk in shown])

    def retrieve(self, request, *args, **kwargs):
        data = self._shown(self.filter_queryset(self.get_queryset()), kwargs["pk"])
        return self._with_etag(Response(data), data["id"])

    @staticmethod
    def _with_etag(response: Response, case: Case | int) -> Response:
        response["ETag"] = case_etag(case, response.data)
        return response

    def _shown(self, queryset, pk) -> dict:
        """The case as clients read it, or 404."""
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise Http404 from None
        shown = render_cases(queryset.filter(pk=pk), self.request) if 0 < pk <= MAX_ID else {}
        if pk not in shown:
            raise Http404
        return shown[pk]

    def _case(self, pk) -> Case:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def _respond(self, case: Case, status_code=status.HTTP_200_OK) -> Response:
        response = Response(self._shown(self.get_queryset(), case.pk), status=status_code)
        return self._with_etag(response, case)

    @extend_schema(
        summary="Create a case (a draft of your organisation)",
        request=CaseWriteSerializer,
        parameters=[IDEMPOTENCY_KEY, *CREATED_HEADERS],
        responses={
            201: CaseSerializer,
            422: OpenApiResponse(description="The Idempotency-Key was used with another body."),
            **ERRORS,
        },
    )
    @idempotent
    def create(self, request):
        serializer = CaseWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_create(
            actor=request.user,
            organisation=serializer.validated_data["organisation"],
            data=serializer.content(),
        )
        response = self._respond(case, status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(
            reverse("api-case-detail", kwargs={"pk": case.pk})
        )
        return response

    @extend_schema(
        summary="Edit a case",
        description=(
            "Unpublished cases change at once (200). A published case keeps its published "
            "content until a moderator approves the edit: the answer is 202 with the case as "
            "published. Send `If-Match` with the ETag you read to get 412 instead of "
            "overwriting someone else's change."
        ),
        request=CaseWriteSerializer(partial=True),
        parameters=[
            OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER),
            *CREATED_HEADERS,
        ],
        responses={
            200: CaseSerializer,
            202: CaseSerializer,
            412: OpenApiResponse(description="The case changed since you read it."),
            **ERRORS,
        },
    )
    def partial_update(self, request, pk=None):
        case = self._case(pk)
        self._check_action(case, "edit")
        serializer = CaseWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            # The version covers the edit waiting for approval: a second editor with the same
            # ETag gets 412, not a silent replacement of the first one's edit.
            case = unchanged_case(request, case)
            result = services.case_update(actor=request.user, case=case, data=serializer.content())
        pending = not isinstance(result, Case)
        return self._respond(case, status.HTTP_202_ACCEPTED if pending else status.HTTP_200_OK)

    @staticmethod
    def _reviewed_version(request, case: Case) -> str:
        """The version an approval names: its `If-Match` (required), as the moderator read it."""
        expected = request.headers.get("If-Match")
        if not expected:
            raise PreconditionRequired()
        current = services.case_version(case)
        # `*` names no version: an approval must name the one reviewed.
        if current not in named_versions(expected):
            raise PreconditionFailed()
        return current

    @staticmethod
    def _check(case: Case, role_allows: bool, state_allows: bool, message: str) -> None:
        """403 when the user's role can never do this, 409 when the case's state does not allow
        it now: the same cells as `cases.permissions`, with a status that says which."""
        if not role_allows:
            raise PermissionDenied(message)
        if not state_allows:
            raise Conflict(
                _("This cannot be done to a case with the status “%s”.") % case.get_status_display()
            )

    def _check_action(self, case: Case, action: str) -> None:
        answer = permissions.case_action(self.request.user, case, action)
        self._check(case, answer.role_allows, answer.state_allows, answer.refusal)

    def _transition(self, request, pk, service, *, reason: type[Serializer] | None = None):
        case = self._case(pk)
        self._check_action(case, TRANSITIONS[service])
        kwargs = {}
        if service is services.case_approve:
            kwargs["reviewed_version"] = self._reviewed_version(request, case)
        if reason:
            kwargs["reason"] = _reason(request, reason)
        with transaction.atomic():
            if service is not services.case_approve:  # which requires its own If-Match
                case = unchanged_case(request, case)
            service(actor=request.user, case=case, **kwargs)
        return self._respond(case)

    @extend_schema(
        summary="Submit for moderation",
        request=None,
        parameters=[*CREATED_HEADERS, IF_MATCH],
        responses={200: CaseSerializer, **CHANGED_SINCE_READ, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(request, pk, services.case_submit)

    @extend_schema(
        summary="Approve and publish (moderators)",
        description=(
            "Send `If-Match` with the ETag of the case as you reviewed it: without it the answer "
            "is 428, and if the case or its files changed since, 412 and nothing is published. "
            "A moderator who is a member of the owner organisation gets 403: another moderator "
            "must approve."
        ),
        request=None,
        parameters=[
            OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True),
            *CREATED_HEADERS,
        ],
        responses={
            200: CaseSerializer,
            412: OpenApiResponse(description="The case changed since you read it."),
            428: OpenApiResponse(description="If-Match is missing."),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._transition(request, pk, services.case_approve)

    @extend_schema(
        summary="Send back with a reason (moderators)",
        request=ReasonSerializer,
        parameters=[*CREATED_HEADERS, IF_MATCH],
        responses={200: CaseSerializer, **CHANGED_SINCE_READ, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        return self._transition(request, pk, services.case_request_changes, reason=ReasonSerializer)

    @extend_schema(
        summary="Archive with a reason (owner's editors, moderators)",
        request=ReasonSerializer,
        parameters=[*CREATED_HEADERS, IF_MATCH],
        responses={200: CaseSerializer, **CHANGED_SINCE_READ, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._transition(request, pk, services.case_archive, reason=ReasonSerializer)

    @extend_schema(
        summary="Restore an archived case (owner's editors, moderators)",
        description="The case returns to public view as it was approved, with its reuse records.",
        request=OptionalReasonSerializer,
        parameters=[IF_MATCH],
        responses={200: CaseSerializer, **CHANGED_SINCE_READ, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        return self._transition(request, pk, services.case_restore, reason=OptionalReasonSerializer)

    @extend_schema(
        summary="Delete a draft that was never published (owner's editors, moderators)",
        description=(
            "The draft leaves every view; its history is kept. Published cases are archived, "
            "not deleted. Send `If-Match` to get 412 if the draft changed since you read it."
        ),
        request=None,
        parameters=[OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER)],
        responses={
            204: OpenApiResponse(description="Deleted."),
            412: OpenApiResponse(description="The case changed since you read it."),
            **ERRORS,
        },
    )
    def destroy(self, request, pk=None):
        case = self._case(pk)
        self._check_action(case, "delete")
        with transaction.atomic():
            case = unchanged_case(request, case)
            services.case_delete(actor=request.user, case=case)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _pending_edit(self, pk, action: str) -> tuple[Case, CaseRevision]:
        if not self.request.user.is_authenticated:
            raise NotAuthenticated()
        case = self._case(pk)
        self._check_action(case, action)
        revision = case.revisions.filter(status=CaseRevision.Status.PENDING).first()
        if revision is None:
            raise NotFound(_("No edit of this case is waiting for approval."))
        return case, revision

    @extend_schema(
        summary="The edit waiting for approval (owner's members, moderators)",
        description=(
            "What a proposed edit of a published case changes, field by field. The ETag is the "
            "case's version: send it as `If-Match` to approve exactly what you read. 404 when "
            "no edit waits."
        ),
        responses={200: PendingEditSerializer, **{k: v for k, v in ERRORS.items() if k != 409}},
    )
    @action(detail=True, methods=["get"], url_path="pending-edit")
    def pending_edit(self, request, pk=None):
        case, revision = self._pending_edit(pk, "read_pending_edit")
        published = services.case_snapshot(case)
        changes = proposed_changes(published, revision.data)
        data = PendingEditSerializer(
            {
                "id": revision.pk,
                "case_id": case.pk,
                "created_at": revision.created_at,
                "updated_at": revision.updated_at,
                "changes": changes,
            }
        ).data
        response = Response(data)
        response["ETag"] = f'"{services.case_version(case)}"'
        return response

    @extend_schema(
        summary="Approve the edit waiting for approval (moderators)",
        description=(
            "Publishes exactly the edit you read: send `If-Match` with the ETag of the case or "
            "of its pending edit. Without it 428; if the edit changed since, 412. A moderator "
            "of the owner organisation, or who proposed the edit, gets 403."
        ),
        request=None,
        parameters=[
            OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True)
        ],
        responses={
            200: CaseSerializer,
            412: OpenApiResponse(description="The edit changed since you read it."),
            428: OpenApiResponse(description="If-Match is missing."),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["post"], url_path="pending-edit/approve")
    def approve_pending_edit(self, request, pk=None):
        case, revision = self._pending_edit(pk, "review_edit")
        services.revision_approve(
            actor=request.user,
            revision=revision,
            reviewed_version=self._reviewed_version(request, case),
        )
        return self._respond(case)

    @extend_schema(
        summary="Send the edit waiting for approval back, with a reason (moderators)",
        description="The published text stays as it is; the authors are told the reason.",
        request=ReasonSerializer,
        parameters=[IF_MATCH],
        responses={200: CaseSerializer, **CHANGED_SINCE_READ, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="pending-edit/reject")
    def reject_pending_edit(self, request, pk=None):
        case, revision = self._pending_edit(pk, "review_edit")
        reason = _reason(request, ReasonSerializer)
        with transaction.atomic():
            # The case's version covers its pending edit: an edit saved since it was read is not
            # rejected unseen.
            unchanged_case(request, case)
            services.revision_reject(actor=request.user, revision=revision, reason=reason)
        return self._respond(case)

    @extend_schema(
        methods=["get"],
        summary="The case's recorded reuse",
        responses={200: AdoptionSerializer(many=True), 404: ERRORS[404]},
    )
    @extend_schema(
        methods=["post"],
        summary="Record that your organisation reused the case",
        request=AdoptionWriteSerializer,
        parameters=[IDEMPOTENCY_KEY, *CREATED_HEADERS],
        responses={
            201: AdoptionSerializer,
            422: OpenApiResponse(description="The Idempotency-Key was used with another body."),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    @idempotent
    def adoptions(self, request, pk=None):
        case = self._case(pk)
        if request.method == "GET":
            if not case.is_published:
                return Response([])
            adoptions = Adoption.objects.public().filter(case=case).order_by("adopted_on", "pk")
            return Response(AdoptionSerializer(adoptions, many=True).data)
        serializer = AdoptionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        self._check(
            case,
            permissions.is_member(request.user, data["organisation"]),
            case.is_published,
            _("You can only record reuse for an organisation you are a member of."),
        )
        adoption = services.adoption_record(
            actor=request.user,
            case=case,
            organisation=data["organisation"],
            mode=data["mode"],
            channel=data["channel"],
            adopted_on=data.get("adopted_on"),
            status=data["status"],
            note=data["note"],
            derived_case=data.get("derived_case"),
        )
        data = AdoptionSerializer(adoption, context={"request": request}).data
        return Response(
            data,
            status=status.HTTP_201_CREATED,
            headers={
                "Location": request.build_absolute_uri(
                    reverse("api-adoption-detail", kwargs={"pk": adoption.pk})
                ),
                "ETag": body_etag(data),
            },
        )

    @extend_schema(
        summary="The case's answered questions",
        description=(
            "Questions asked of the case's owner, with the owner's answers, oldest first: only "
            "those answered and not hidden by a moderator, and only of a published case (an "
            "empty list otherwise). The case's `question_count` says how many there are."
        ),
        responses={200: QuestionSerializer(many=True), 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def questions(self, request, pk=None):
        case = self._case(pk)
        questions = (
            Question.objects.public()
            .filter(case=case)
            .select_related("organisation")
            .order_by("created_at", "pk")
        )
        data = QuestionSerializer(questions, many=True).data
        return Response(data, headers={"ETag": body_etag(data)})


@extend_schema_view(
    list=extend_schema(summary="Recorded reuse of published cases"),
    retrieve=extend_schema(summary="One reuse record"),
)
class AdoptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = "[0-9]+"  # anything else is 404 at the URL, not an error inside
    # A reuse record is shown with its case, whose scopes its writes replace.
    cache_scopes = {"list": lambda request: [caching.LISTS]}
    serializer_class = AdoptionSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = AdoptionApiFilter

    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = PARSERS

    def get_queryset(self):
        # Only the ids: the serializer renders the page's rows from them (render_adoptions).
        return Adoption.objects.public().order_by("-updated_at", "-pk").only("pk")

    def _adoption(self, pk) -> Adoption:
        adoption = get_object_or_404(
            Adoption.objects.public().select_related("case", "organisation"), pk=pk
        )
        if not permissions.can_change_adoption(self.request.user, adoption):
            raise PermissionDenied(
                _("Only the reusing organisation's members and moderators can change this record.")
            )
        return adoption

    def _unchanged(self, adoption: Adoption) -> Adoption:
        """The record locked, when the request's `If-Match` names the ETag a GET of it gives
        now (412 when it names another); as it is without `If-Match`. Inside the write's
        transaction."""
        expected = self.request.headers.get("If-Match")
        if not expected:
            return adoption
        locked = (
            Adoption.objects.public()
            .select_related("case", "organisation")
            .select_for_update(of=("self",))
            .filter(pk=adoption.pk)
            .first()
        )
        if locked is None:  # withdrawn, or its case unpublished, since it was read
            raise PreconditionFailed()
        named = named_tags(expected)
        if "*" not in named and body_etag(AdoptionSerializer(locked).data) not in named:
            raise PreconditionFailed()
        return locked

    @extend_schema(
        summary="Change a reuse record (the reusing organisation's members, moderators)",
        description="The fields sent change; the others stay as they are.",
        request=AdoptionUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: AdoptionSerializer, **CHANGED_SINCE_READ, **ERRORS},
    )
    def partial_update(self, request, pk=None):
        adoption = self._adoption(pk)
        serializer = AdoptionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            adoption = services.adoption_update(
                actor=request.user,
                adoption=self._unchanged(adoption),
                **serializer.validated_data,
            )
        return Response(AdoptionSerializer(adoption).data)

    @extend_schema(
        summary="Withdraw a reuse record (the reusing organisation's members, moderators)",
        description=(
            "The record leaves the public view and the case's count; it is kept, and the case's "
            "history says who withdrew it and why."
        ),
        request=OptionalReasonSerializer,
        parameters=[IF_MATCH],
        responses={
            204: OpenApiResponse(description="Withdrawn."),
            **CHANGED_SINCE_READ,
            **ERRORS,
        },
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        adoption = self._adoption(pk)
        reason = _reason(request, OptionalReasonSerializer)
        with transaction.atomic():
            services.adoption_withdraw(
                actor=request.user, adoption=self._unchanged(adoption), reason=reason
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="Organisations"), retrieve=extend_schema(summary="One organisation")
)
class OrganisationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    lookup_value_regex = "[0-9]+"
    serializer_class = OrganisationSerializer
    cache_scopes = {
        "list": lambda request: [caching.ORGANISATIONS],
        "retrieve": lambda request, pk: [f"organisation:{pk}"],
    }
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = OrganisationApiFilter

    def get_queryset(self):
        return Organisation.objects.select_related("county").order_by(
            "kind", "number", "name", "pk"
        )


def _is_integer(choices) -> bool:
    return all(isinstance(member.value, int) for member in choices)


class VocabulariesView(APIView):
    @extend_schema(
        summary="Every code list with its Norwegian and English labels",
        description=(
            "Codes are typed as the objects carry them: `centrality_class` is an integer "
            "here as on organisations and in the statistics; the others are text."
        ),
        responses={
            200: inline_serializer(
                "Vocabularies",
                {
                    name: (
                        IntegerVocabularyEntrySerializer(many=True)
                        if _is_integer(choices)
                        else VocabularyEntrySerializer(many=True)
                    )
                    for name, choices in VOCABULARIES.items()
                },
            )
        },
    )
    def get(self, request):
        body = {}
        for name, choices in VOCABULARIES.items():
            entries = []
            for member in choices:
                labels = {}
                for language in ("nb", "en"):
                    with translation.override(language):
                        labels[language] = str(member.label)
                code = member.value if _is_integer(choices) else str(member.value)
                entries.append({"code": code, "label": labels})
            body[name] = entries
        return Response(body)


@own_filters
class StatsApiFilter(CodesListedFilterSet, StatsFilter):
    """The dashboard's filters, with unknown codes listed in the message."""


# The statistics' filters, as the schema documents them (the diffusion figures and the figures
# per municipality alike).
STATS_PARAMETERS = [
    *(
        OpenApiParameter(
            name,
            OpenApiTypes.STR,
            many=True,
            explode=True,
            enum=[str(code) for code, _label in StatsFilter.base_filters[name].extra["choices"]]
            or None,
            description=StatsFilter.base_filters[name].label,
        )
        for name in MULTIPLE
    ),
    OpenApiParameter("published_from", OpenApiTypes.DATE),
    OpenApiParameter("published_to", OpenApiTypes.DATE),
]


def stats_filters(request) -> dict:
    """The statistics' filters of the query string, cleaned; 400 for what is not understood."""
    filterset = StatsApiFilter(request.query_params)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.form.cleaned_data


class DiffusionStatsView(APIView):
    @extend_schema(
        summary="Diffusion statistics",
        description=(
            "The dashboard's figures for the published cases the filters describe; every "
            "share comes with its numerator and denominator: `{numerator, denominator, share, "
            "percent, suppressed}`. A share whose denominator is under the site's minimum "
            "(STATISTICS_MIN_DENOMINATOR, 10 unless set) is not given: `share` and `percent` "
            "are null and `suppressed` is true, the counts stay. Bass fits give p and q per "
            "year (`p_per_year`, `q_per_year`; `p` and `q` are per month) with 95 % intervals "
            "(`p_interval`, `q_interval`, `m_interval`, each [low, high]) and `identifiable`, "
            "false when the data do not determine the parameters. Within one filter the "
            "values are alternatives (repeat the parameter); filters combine."
        ),
        parameters=STATS_PARAMETERS,
        responses={200: DiffusionStatsSerializer, 400: ERRORS[400], 429: ERRORS[429]},
    )
    def get(self, request):
        figures = diffusion(filters=stats_filters(request))
        # The cached figures are shared: a copy of the part changed. Centrality classes are
        # integers in the answer, as everywhere in the API (the form cleans them to text).
        applied = dict(figures["filters"])
        applied["centrality_class"] = [int(code) for code in applied["centrality_class"]]
        return Response({**figures, "filters": applied})


class ChangesView(APIView):
    @extend_schema(
        summary="The change feed, for keeping a copy in sync",
        description=(
            "Start without `since` and follow `next_cursor` until `has_more` is false; later, "
            "poll with the last `next_cursor`. `upsert` carries the object as the list shows "
            "it; `delete` means it left the public view. No change is ever skipped, also while "
            "others write. A cursor from before the database was restored is answered 410: "
            "sync again from the start, without `since`."
        ),
        parameters=[
            OpenApiParameter("since", OpenApiTypes.STR, description="A cursor from this feed."),
            OpenApiParameter("limit", OpenApiTypes.INT, description="1 to 1000 (default 100)."),
        ],
        responses={
            200: ChangePageSerializer,
            400: ERRORS[400],
            410: OpenApiResponse(
                description="The cursor is from before the database was restored: sync again "
                "from the start, without `since`."
            ),
            429: ERRORS[429],
            503: OpenApiResponse(
                description="The feed is paused until a restored database is prepared for it; "
                "see Retry-After."
            ),
        },
    )
    def get(self, request):
        limit = changes.parse_limit(request.query_params.get("limit"))
        return Response(
            changes.read(
                since=request.query_params.get("since"),
                limit=limit,
                context={"request": request},
            )
        )


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Who you are: your organisations and roles",
        responses={200: MeSerializer, 401: ERRORS[401], 429: ERRORS[429]},
    )
    def get(self, request):
        user = request.user
        roles = permissions.roles(user)
        organisations = Organisation.objects.filter(pk__in=roles).order_by("name", "pk")
        return Response(
            MeSerializer(
                {
                    "id": user.pk,
                    "email": user.email,
                    "name": user.get_full_name() or user.email,
                    "moderator": permissions.is_moderator(user),
                    "organisations": [
                        {"id": o.pk, "name": o.name, "role": roles[o.pk]} for o in organisations
                    ],
                }
            ).data
        )


# The resources the root lists, by URL name; each name's absolute address is the resource.
ROOT_RESOURCES = {
    "cases": "api-case-list",
    "adoptions": "api-adoption-list",
    "organisations": "api-organisation-list",
    "vocabularies": "api-vocabularies",
    "statistics": "api-stats-diffusion",
    "changes": "api-changes",
    "removed": "api-removed",
    "me": "api-me",
    "schema": "api-schema",
    "documentation": "api-docs",
    "catalogue": "catalogue",
}


class ApiRootView(APIView):
    @extend_schema(
        summary="What this API offers, and on which terms",
        responses={
            200: inline_serializer(
                "ApiRoot",
                {
                    "resources": serializers.DictField(child=serializers.URLField()),
                    "licence": inline_serializer(
                        "DataLicence",
                        {"name": serializers.CharField(), "url": serializers.URLField()},
                    ),
                    "contact": serializers.EmailField(),
                },
            ),
            429: ERRORS[429],
        },
    )
    def get(self, request):
        return Response(
            {
                "resources": {
                    name: absolute_reverse(url_name, request=request)
                    for name, url_name in ROOT_RESOURCES.items()
                },
                "licence": {
                    "name": settings.DATA_LICENCE["name"],
                    "url": settings.DATA_LICENCE["uri"],
                },
                "contact": settings.CATALOGUE_CONTACT_EMAIL,
            }
        )
