"""The API reference page: every operation of the OpenAPI schema, as a page of the site.

Read from the same schema as /api/schema/ (so it cannot drift from the API), and written as
plain HTML in the site's frame, with headings, tables and the site's language, so that it is
accessible; the interactive explorer (Swagger UI) is a separate page for trying requests.
"""

import functools
from typing import Any

from django.shortcuts import render
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "patch", "put", "delete")


@functools.cache
def _schema() -> dict[str, Any]:
    """The OpenAPI document, generated once. In English, the language the API's descriptions
    are written in, so that the reference reads as one text (the page marks it `lang="en"`)."""
    with translation.override("en"):
        return SchemaGenerator().get_schema(request=None, public=True)


def _name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def describe(schema: dict[str, Any] | None) -> str:
    """A schema's type in a few words: "string (date)", "array of Case", "one of: A, B"."""
    if not schema:
        return ""
    if "$ref" in schema:
        return _name(schema["$ref"])
    for combiner, words in (("oneOf", "one of"), ("anyOf", "any of"), ("allOf", "all of")):
        if combiner in schema:
            parts = [describe(part) for part in schema[combiner]]
            return parts[0] if len(parts) == 1 else f"{words}: {', '.join(parts)}"
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = " or ".join(kind)
    if kind == "array":
        return f"array of {describe(schema.get('items'))}"
    if "format" in schema:
        kind = f"{kind} ({schema['format']})"
    if "enum" in schema:
        kind += ": " + ", ".join(str(value) for value in schema["enum"] if value not in ("", None))
    return kind


def _body(content: dict[str, Any] | None) -> list[dict[str, str]]:
    return [
        {"media_type": media_type, "schema": describe(entry.get("schema"))}
        for media_type, entry in (content or {}).items()
    ]


def _operation(path: str, method: str, operation: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": operation.get("operationId", f"{method}-{path}"),
        "method": method.upper(),
        "path": path,
        "summary": operation.get("summary", ""),
        "description": operation.get("description", ""),
        "parameters": [
            {
                "name": parameter["name"],
                "where": parameter["in"],
                "type": describe(parameter.get("schema")),
                "required": parameter.get("required", False),
                "description": parameter.get("description", ""),
            }
            for parameter in operation.get("parameters", [])
        ],
        "request": _body((operation.get("requestBody") or {}).get("content")),
        "responses": [
            {
                "status": status,
                "description": response.get("description", ""),
                "bodies": _body(response.get("content")),
            }
            for status, response in operation.get("responses", {}).items()
        ],
    }


def _component(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    required = set(schema.get("required", []))
    return {
        "name": name,
        "description": schema.get("description", ""),
        "type": describe({k: v for k, v in schema.items() if k != "properties"}),
        "properties": [
            {
                "name": field,
                "type": describe(spec),
                "required": field in required,
                "read_only": spec.get("readOnly", False),
                "nullable": spec.get("nullable", False) or "null" in (spec.get("type") or []),
                "description": spec.get("description", ""),
            }
            for field, spec in schema.get("properties", {}).items()
        ],
    }


def reference(schema: dict[str, Any]) -> dict[str, Any]:
    """What the page shows of a schema: its info, the operations and the data types."""
    return {
        "info": schema.get("info", {}),
        "operations": [
            _operation(path, method, item[method])
            for path, item in schema.get("paths", {}).items()
            for method in METHODS
            if method in item
        ],
        "components": [
            _component(name, component)
            for name, component in schema.get("components", {}).get("schemas", {}).items()
        ],
    }


def api_reference(request):
    return render(
        request,
        "api/reference.html",
        reference(_schema()),
    )
