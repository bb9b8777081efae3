from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Window
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

MAX_PAGE_SIZE = 200


# The largest row offset the database takes (a signed 64-bit integer).
MAX_OFFSET = 2**63 - 1


class CountingPaginator(Paginator):
    """Pages of the ids of a queryset of cases whose page query also counts them
    (COUNT(*) OVER ()), for a text search: counting apart finds and reads every match a second
    time. A page past the last has no row to carry the count: it is counted apart, and so is
    one whose offset no database takes (past the last page too)."""

    object_list: QuerySet

    def page(self, number):
        try:
            whole = int(number)
        except (TypeError, ValueError):
            whole = 0  # not a page number: the usual checks say why
        bottom = (whole - 1) * self.per_page
        if whole >= 1 and bottom + self.per_page <= MAX_OFFSET:
            rows = list(
                self.object_list.annotate(found=Window(Count("*"))).values_list("pk", "found")[
                    bottom : bottom + self.per_page
                ]
            )
            if rows:
                self.__dict__["count"] = rows[0][1]
                return self._get_page(
                    [pk for pk, _found in rows], self.validate_number(whole), self
                )
        # Ids, as the page above has them.
        self.object_list = self.object_list.values_list("pk", flat=True)
        return super().page(number)


class Pagination(PageNumberPagination):
    """`count`, `next`, `previous`, `results`; `page_size` up to 200. A larger or malformed
    page size is an error rather than silently something else. The answer's `Link` header
    (RFC 8288) names the first, previous, next and last pages too."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationError(
                {"page_size": [_("A whole number from 1 to %d.") % MAX_PAGE_SIZE]}
            )
        return size

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        links = {
            "first": self._page_link(1),
            "prev": self.get_previous_link(),
            "next": self.get_next_link(),
            "last": self._page_link(self.page.paginator.num_pages),
        }
        response["Link"] = ", ".join(
            f'<{url}>; rel="{relation}"' for relation, url in links.items() if url
        )
        return response

    def _page_link(self, number: int) -> str:
        assert self.request is not None  # set by paginate_queryset
        url = self.request.build_absolute_uri()
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_paginated_response_schema(self, schema):
        page = super().get_paginated_response_schema(schema)
        for name in ("next", "previous"):
            # OpenAPI 3.1: null is a type (DRF says `nullable`).
            page["properties"][name].pop("nullable", None)
            page["properties"][name]["type"] = ["string", "null"]
        return page
