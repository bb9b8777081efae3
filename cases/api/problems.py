"""Error answers as RFC 9457 problem details (`application/problem+json`).

Every error the API gives, from a view, a middleware or the URL resolver, has the same shape:

    {"type": "tag:innovasjonsdeling.no,2026:problem:invalid", "title": "Invalid input",
     "status": 400, "detail": "…", "code": "invalid", "instance": "/api/v1/cases/",
     "errors": [{"field": "title", "code": "required", "message": "…"}]}

`code` is stable and machine-readable (one per kind of error, also the last part of `type`);
`title` and `detail` are in the request's language; `errors` lists the field errors of invalid
input (`field` is a dotted path such as `links.0.url`, or null for the input as a whole).
"""

from collections.abc import Iterable

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "tag:innovasjonsdeling.no,2026:problem:"

TITLES = {
    400: _("Invalid input"),
    401: _("Not authenticated"),
    403: _("Not allowed"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    409: _("Conflict"),
    410: _("Gone"),
    412: _("Precondition failed"),
    413: _("Request too large"),
    415: _("Unsupported media type"),
    422: _("Unprocessable request"),
    428: _("Precondition required"),
    429: _("Too many requests"),
    500: _("Server error"),
    503: _("Service unavailable"),
}

# Every `code` the API gives, with what it means: the schema lists them (cases/api/schema.py).
CODES = {
    "invalid": "The input was refused; `errors` says where and why.",
    "parse_error": "The body is not valid JSON.",
    "unsupported_media_type": "The body is not JSON (`Content-Type: application/json`).",
    "not_authenticated": "No credentials: log in or send a token.",
    "authentication_failed": "The token or the Authorization header is wrong or revoked.",
    "permission_denied": "Your role does not allow this.",
    "not_found": "No such object or address, or not visible to you.",
    "method_not_allowed": "The address does not take this method.",
    "not_acceptable": "None of the media types in Accept can be given.",
    "conflict": "The object's state does not allow the action now.",
    "cursor_expired": "The change-feed cursor is from before a restore: sync from the start.",
    "precondition_failed": "The object changed since you read it (If-Match).",
    "precondition_required": "The action needs If-Match.",
    "request_too_large": "The body is over the size limit.",
    "idempotency_key_reused": "The Idempotency-Key was used with another request body.",
    "throttled": "Too many requests: wait as Retry-After says.",
    "server_error": "Something went wrong on the server.",
    "service_unavailable": "The service is temporarily unavailable: see Retry-After.",
    "feed_unavailable": "The change feed is paused after a restore: see Retry-After.",
}

# The field codes of `errors` beyond the ones Django and DRF name themselves (`required`,
# `invalid`, `null`, `blank`, `max_length`, `invalid_choice`, …).
FIELD_CODES = {"unknown_field": "The field is not one the operation takes."}


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str | None = None,
    errors: Iterable[dict] | None = None,
) -> dict:
    body: dict = {
        "type": TYPE_PREFIX + code,
        "title": str(TITLES.get(status, _("Error"))),
        "status": status,
        "detail": str(detail),
        "code": code,
    }
    if instance is not None:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = list(errors)
    return body


def problem_response(request, status: int, code: str, detail: str, **kwargs) -> JsonResponse:
    """A problem answer outside DRF's views (middleware, the URL resolver's 404)."""
    body = problem(status, code, detail, instance=request.path, **kwargs)
    return JsonResponse(body, status=status, content_type=MEDIA_TYPE)


def field_errors(detail, path: str | None = None) -> list[dict]:
    """DRF's nested validation detail as a flat list of `{field, code, message}`."""
    found: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                found += field_errors(value, path)
            else:
                found += field_errors(value, f"{path}.{key}" if path else str(key))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                # A list of objects (links): each object's errors under its index.
                found += field_errors(value, f"{path}.{index}" if path else str(index))
            else:
                found += field_errors(value, path)
    else:
        found.append(
            {
                "field": path,
                "code": getattr(detail, "code", None) or "invalid",
                "message": str(detail),
            }
        )
    return found
