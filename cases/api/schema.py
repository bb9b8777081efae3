"""OpenAPI additions, made once here so the schema says what clients really receive and a
client generated from it works without edits:

- the error answers every operation can give, each an RFC 9457 problem
  (`application/problem+json`, cases/api/problems.py);
- conditional reads (`If-None-Match`, 304, `ETag`) on every GET;
- integer path ids; fields always present in answers marked required; request bodies that
  refuse unknown fields say so (`additionalProperties: false`);
- `servers`: the address the schema was read from.

The schema is generated in English whatever the request's language (`SchemaGenerator`), so that
names and descriptions do not change with `Accept-Language`.
"""

import json

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from drf_spectacular import generators

from .problems import CODES, FIELD_CODES, MEDIA_TYPE

MAX_ID = 2**63 - 1

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "An error (RFC 9457 problem details). `code` is stable and says what kind "
    "of error it is: "
    + "; ".join(f"`{code}`: {meaning}" for code, meaning in CODES.items())
    + ". `title` and `detail` are in the request's language.",
    "properties": {
        "type": {
            "type": "string",
            "format": "uri",
            "description": "The kind of error as a URI: `tag:…:problem:` and the `code`.",
        },
        "title": {"type": "string", "description": "The kind of error in words."},
        "status": {"type": "integer", "description": "The HTTP status."},
        "detail": {"type": "string", "description": "What went wrong this time."},
        "code": {"type": "string", "description": "The kind of error, machine-readable."},
        "instance": {"type": "string", "description": "The path the request went to."},
        "errors": {
            "type": "array",
            "description": "For invalid input: every field error.",
            "items": {"$ref": "#/components/schemas/FieldError"},
        },
    },
    "required": ["type", "title", "status", "detail", "code", "instance"],
}

FIELD_ERROR_SCHEMA = {
    "type": "object",
    "description": "One field of the input refused.",
    "properties": {
        "field": {
            "type": ["string", "null"],
            "description": "The field as a dotted path (`links.0.url`); null for the input as "
            "a whole.",
        },
        "code": {
            "type": "string",
            "description": "Why, machine-readable: `required`, `invalid`, `null`, `blank`, "
            "`max_length`, `min_value`, `max_value`, `invalid_choice`, `does_not_exist`, "
            + ", ".join(f"`{code}` ({meaning})" for code, meaning in FIELD_CODES.items())
            + ", and the services' own codes.",
        },
        "message": {"type": "string", "description": "Why, in the request's language."},
    },
    "required": ["field", "code", "message"],
}

DESCRIPTIONS = {
    "400": "Invalid input: `errors` lists the fields.",
    "401": "Not authenticated (missing or invalid token).",
    "403": "Not allowed.",
    "404": "Not found, or not visible to you.",
    "406": "None of the media types in Accept can be given.",
    "409": "The object's state changed: the action no longer fits.",
    "412": "The object changed since you read it (If-Match).",
    "413": "The request body is too large.",
    "414": "The address with its query is too long for the server (over about 4,000 "
    "characters); the server itself answers, not in JSON.",
    "415": "The body is not JSON.",
    "429": "Too many requests: wait as Retry-After says.",
    "503": "Temporarily unavailable: try again as Retry-After says.",
}

# Answered by the web server before the site sees the request: no body to promise.
NOT_JSON = {"414"}

RETRY_AFTER = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer"},
}

ETAG_HEADER = {
    "description": "The representation's tag: send it as If-None-Match to read again "
    "cheaply (304), or as If-Match to write only over what you read.",
    "schema": {"type": "string"},
}


READ_HEADERS = {
    "Cache-Control": {
        "description": "`public, max-age=60` for anonymous reads (`no-cache` for the change "
        "feed); `private, no-cache` for signed-in ones.",
        "schema": {"type": "string"},
    },
    "Last-Modified": {
        "description": "The object's `updated_at`. Not on list pages: their ETag tells when "
        "they changed.",
        "schema": {"type": "string"},
    },
}

LINK_HEADER = {
    "description": 'The first, previous, next and last pages (RFC 8288): `<url>; rel="next"`.',
    "schema": {"type": "string"},
}

RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": {
        "description": "Requests allowed in the window (a minute).",
        "schema": {"type": "integer"},
    },
    "RateLimit-Remaining": {
        "description": "Requests left in the window.",
        "schema": {"type": "integer"},
    },
    "RateLimit-Reset": {
        "description": "Seconds until a request leaves the window.",
        "schema": {"type": "integer"},
    },
}


def _errors_for(path: str, method: str, operation: dict) -> list[str]:
    # 404 everywhere: an unknown id, and a page past the end of a list. 414: a query with many
    # or long values (repeated filters, a long search) can outgrow the server's request line.
    codes = ["400", "404", "406", "414", "429", "503"]
    if method != "get":
        codes += ["401", "403", "409", "413", "415"]
    if method == "patch":
        codes.append("412")
    return codes


def _problem_content() -> dict:
    return {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["FieldError"] = FIELD_ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in _errors_for(path, method, operation):
                responses.setdefault(code, {"description": DESCRIPTIONS[code]})
            # Every error the operation documents (its own too: 410, 428…) is a problem.
            for code, response in responses.items():
                if int(code) < 400 or code in NOT_JSON:
                    continue
                if not response.get("description"):
                    response["description"] = DESCRIPTIONS.get(code, "Error.")
                response["content"] = _problem_content()
                if code in ("429", "503"):
                    response.setdefault("headers", {})["Retry-After"] = RETRY_AFTER
    return result


def _conditional_reads(operation: dict) -> None:
    """Every GET answer carries an ETag (ConditionalGetMiddleware); If-None-Match with it is
    answered 304 without a body."""
    parameters = operation.setdefault("parameters", [])
    if not any(p.get("name") == "If-None-Match" for p in parameters):
        parameters.append(
            {
                "in": "header",
                "name": "If-None-Match",
                "required": False,
                "description": "The ETag of the copy you have: 304 if it is still current.",
                "schema": {"type": "string"},
            }
        )
    for code, response in operation["responses"].items():
        if code.startswith("2"):
            headers = response.setdefault("headers", {})
            headers["ETag"] = ETAG_HEADER
            headers.update(READ_HEADERS)
            reference = json.dumps(response.get("content", {}))
            if "#/components/schemas/Paginated" in reference:
                headers["Link"] = LINK_HEADER
                # A page has no time of its own (cases/api/headers.py).
                del headers["Last-Modified"]
    operation["responses"].setdefault(
        "304",
        {
            "description": "Not modified: the copy named by If-None-Match is current.",
            "headers": {"ETag": ETAG_HEADER},
        },
    )


def _integer_path_ids(operation: dict) -> None:
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path" and parameter.get("name") == "id":
            parameter["schema"] = {
                "type": "integer",
                "format": "int64",
                "minimum": 1,
                "maximum": MAX_ID,
            }


def _mark_always_present(schemas: dict) -> None:
    """In answers, every field is present (null when it has no value), so every property is
    required there, except where a schema lists its own required fields as a subset on purpose
    (`BassFit`: its parameters come only with a fit). Request bodies keep their optional
    fields and refuse unknown ones."""
    for name, schema in schemas.items():
        if "properties" not in schema or name in ("Problem", "FieldError"):
            continue
        if name.endswith("Request"):
            schema["additionalProperties"] = False
        elif name not in ("BassFit", "CodedBassFit"):
            schema["required"] = list(schema["properties"])


def _typed_nulls(node) -> None:
    """OpenAPI 3.0's `nullable` (left by DRF's pagination schema, and by fields stated by hand)
    as 3.1 says it: null among the types."""
    if isinstance(node, list):
        for item in node:
            _typed_nulls(item)
        return
    if not isinstance(node, dict):
        return
    for value in node.values():
        _typed_nulls(value)
    if node.pop("nullable", False):
        kind = node.get("type")
        if isinstance(kind, str):
            node["type"] = [kind, "null"]
        elif isinstance(kind, list):
            node["type"] = [*kind, "null"] if "null" not in kind else kind
        else:
            alternatives = node.pop("oneOf", None) or [
                {key: node.pop(key) for key in list(node) if key not in ("description", "title")}
            ]
            node["oneOf"] = [*alternatives, {"type": "null"}]


def add_conventions(result, generator, request, public):
    _typed_nulls(result)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            _integer_path_ids(operation)
            for code, response in operation["responses"].items():
                if code.startswith("2") or code == "429":
                    response.setdefault("headers", {}).update(RATE_LIMIT_HEADERS)
            if method == "get":
                _conditional_reads(operation)
                # Public: no requirement at all. (`[{}, …]`, "optional", makes generators such
                # as openapi-python-client demand credentials; a token sent anyway still
                # counts, and shows the reader's own organisation's cases.)
                operation["security"] = []
    _mark_always_present(result.get("components", {}).get("schemas", {}))
    # Where the schema was read from (the command line: SITE_URL).
    base = request.build_absolute_uri("/") if request is not None else settings.SITE_URL
    result["servers"] = [{"url": base.rstrip("/"), "description": "This site"}]
    return result


class SchemaGenerator(generators.SchemaGenerator):
    """The schema, always in English (served or written by `manage.py spectacular`): names,
    titles and descriptions are the contract, and generated clients name classes after
    titles."""

    def get_schema(self, request=None, public=False):
        with translation.override("en"):
            # Labels are lazy: made text here, or they would be translated when rendered.
            return _as_text(super().get_schema(request=request, public=public))


def _as_text(node):
    if isinstance(node, dict):
        return {_as_text(key): _as_text(value) for key, value in node.items()}
    if isinstance(node, (list, tuple)):
        return [_as_text(item) for item in node]
    if isinstance(node, Promise):
        return str(node)
    return node
