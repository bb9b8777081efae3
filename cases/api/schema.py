"""OpenAPI additions: the error answers every operation can give, documented once here so
the schema says what clients really receive (400 with per-field messages, 401, 403, 404,
409, 412, 413, 414, 429, 503), instead of listing them on every view."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` for general errors; for invalid input, one list of messages per "
    "field (and `non_field_errors`).",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}

DESCRIPTIONS = {
    "400": "Invalid input: per-field messages.",
    "401": "Not authenticated (missing or invalid token).",
    "403": "Not allowed.",
    "404": "Not found, or not visible to you.",
    "409": "The object's state changed: the action no longer fits.",
    "412": "The object changed since you read it (If-Match).",
    "413": "The request body is too large.",
    "414": "The address with its query is too long for the server (over about 4,000 "
    "characters); the server itself answers, not in JSON.",
    "429": "Too many requests: wait as Retry-After says.",
    "503": "Temporarily unavailable: try again as Retry-After says.",
}


# Answered by the web server before the site sees the request: no JSON body to promise.
NOT_JSON = {"414"}


def _errors_for(path: str, method: str, operation: dict) -> list[str]:
    # 404 everywhere: an unknown id, and a page past the end of a list. 414: a query with many
    # or long values (repeated filters, a long search) can outgrow the server's request line.
    codes = ["400", "404", "414", "429", "503"]
    if method != "get":
        codes += ["401", "403", "409", "413"]
    if method == "patch":
        codes.append("412")
    return codes


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code in _errors_for(path, method, operation):
                response = {"description": DESCRIPTIONS[code]}
                if code not in NOT_JSON:
                    response["content"] = {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    }
                operation["responses"].setdefault(code, response)
    return result
