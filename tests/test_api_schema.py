"""The OpenAPI 3 schema: it generates without warnings and validates, it describes the contract
of DESIGN.md (every endpoint, filter and field), the answers of the running API match it, and
the browsable docs at /api/docs/ use only files the site serves itself (no CDN: they work
offline and under the site's Content-Security-Policy)."""

import datetime
import json
import re
import urllib.parse

import jsonschema
import pytest
import yaml
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.management import call_command
from django.utils.translation import trans_real
from rest_framework.test import APIClient

from cases import services
from cases.models import MODERATORS_GROUP, Adoption, Membership
from cases.vocabularies import CaseStatus, MembershipRole, Region
from tests import factories

pytestmark = pytest.mark.django_db

CONTRACT_PATHS = {
    "/api/v1/cases/": {"get", "post"},
    "/api/v1/": {"get"},
    "/api/v1/me/": {"get"},
    "/api/v1/cases/{id}/": {"get", "patch", "delete"},
    "/api/v1/cases/{id}/restore/": {"post"},
    "/api/v1/cases/{id}/pending-edit/": {"get"},
    "/api/v1/cases/{id}/pending-edit/approve/": {"post"},
    "/api/v1/cases/{id}/pending-edit/reject/": {"post"},
    "/api/v1/adoptions/{id}/withdraw/": {"post"},
    "/api/v1/cases/{id}/submit/": {"post"},
    "/api/v1/cases/{id}/approve/": {"post"},
    "/api/v1/cases/{id}/request-changes/": {"post"},
    "/api/v1/cases/{id}/archive/": {"post"},
    "/api/v1/cases/{id}/adoptions/": {"get", "post"},
    "/api/v1/adoptions/": {"get"},
    "/api/v1/adoptions/{id}/": {"get", "patch"},
    "/api/v1/organisations/": {"get"},
    "/api/v1/organisations/{id}/": {"get"},
    "/api/v1/vocabularies/": {"get"},
    "/api/v1/stats/diffusion/": {"get"},
    "/api/v1/stats/municipalities/": {"get"},
    "/api/v1/changes/": {"get"},
}

CONTRACT_FILTERS = {
    ("/api/v1/cases/", "get"): {
        "q", "sector", "innovation_type", "workplace_type", "origin", "stage", "county",
        "municipality", "organisation", "updated_since", "ordering", "page", "page_size",
    },
    ("/api/v1/adoptions/", "get"): {
        "case", "organisation", "mode", "channel", "updated_since", "page", "page_size",
    },
    ("/api/v1/organisations/", "get"): {"kind", "number", "county", "region", "q"},
    ("/api/v1/stats/diffusion/", "get"): {
        "sector", "innovation_type", "workplace_type", "employee_band", "county", "region",
        "size_class", "centrality_class", "published_from", "published_to",
    },
    ("/api/v1/stats/municipalities/", "get"): {
        "sector", "innovation_type", "workplace_type", "employee_band", "county", "region",
        "size_class", "centrality_class", "published_from", "published_to",
    },
    ("/api/v1/changes/", "get"): {"since", "limit"},
}  # fmt: skip

CONTRACT_COMPONENTS = {
    "Case": {
        "id", "slug", "url", "title", "summary", "problem", "solution", "results",
        "reuse_guide", "contact", "contact_person", "organisation", "partners", "sectors",
        "innovation_types", "workplace_type", "stage", "benefits", "tags", "links", "origin",
        "source_case", "source_description", "status", "adoption_count", "question_count",
        "created_at", "updated_at", "published_at",
    },
    "Question": {"id", "organisation", "question", "answer", "asked_at", "answered_at"},
    "ContactPerson": {"name", "role", "email", "phone"},
    "Adoption": {
        "id", "case", "organisation", "mode", "channel", "adopted_on", "status", "note",
        "derived_case", "confirmed", "created_at", "updated_at",
    },
    "Organisation": {
        "id", "name", "slug", "kind", "number", "parent", "county", "region", "size_class",
        "centrality_class", "population",
    },
    "OrganisationRef": {"id", "name", "kind", "number", "municipality", "county"},
    "ChangePage": {"results", "next_cursor", "has_more"},
    "CaseChange": {"cursor", "kind", "id", "action", "object"},
    "AdoptionChange": {"cursor", "kind", "id", "action", "object"},
    "PaginatedCaseList": {"count", "next", "previous", "results"},
}  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    """The schema as /api/schema/ serves it (JSON)."""
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


# --- The schema itself ----------------------------------------------------------------------


def test_schema_generates_without_warnings_and_validates(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    generated = yaml.safe_load(target.read_text())
    assert generated["openapi"].startswith("3.")
    assert set(CONTRACT_PATHS) <= set(generated["paths"])


def test_schema_is_served(db):
    response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    document = yaml.safe_load(response.content)
    assert document["info"]["title"] == "Innovasjonsdeling API"
    as_json = APIClient().get("/api/schema/", {"format": "json"})
    assert as_json.status_code == 200
    assert json.loads(as_json.content)["openapi"] == document["openapi"]


def test_schema_has_every_endpoint_of_the_contract(schema):
    for path, methods in CONTRACT_PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), (path, set(schema["paths"][path]))
    # Edits are partial (PATCH), never whole replacements; only drafts are deleted.
    for path, operations in schema["paths"].items():
        assert "put" not in operations, path
        assert "delete" not in operations or path == "/api/v1/cases/{id}/", path


def test_schema_has_every_filter_of_the_contract(schema):
    for (path, method), names in CONTRACT_FILTERS.items():
        parameters = {p["name"] for p in schema["paths"][path][method].get("parameters", [])}
        assert names <= parameters, (path, names - parameters)


def test_schema_components_have_exactly_the_contract_fields(schema):
    components = schema["components"]["schemas"]
    for name, fields in CONTRACT_COMPONENTS.items():
        assert set(components[name]["properties"]) == fields, name


def test_schema_documents_codes_and_orderings(schema):
    components = schema["components"]["schemas"]
    assert components["CaseStatusEnum"]["enum"] == [
        "draft",
        "submitted",
        "published",
        "changes-requested",
        "archived",
    ]
    assert components["AdoptionStatusEnum"]["enum"] == ["planned", "in-use", "discontinued"]
    # Change-feed entries are told apart by `kind` (a discriminator generated clients read).
    assert components["Change"]["discriminator"] == {
        "propertyName": "kind",
        "mapping": {
            "case": "#/components/schemas/CaseChange",
            "adoption": "#/components/schemas/AdoptionChange",
            "organisation": "#/components/schemas/OrganisationChange",
        },
    }
    assert components["CaseChange"]["properties"]["kind"] == {"type": "string", "const": "case"}
    assert set(components["ChangeActionEnum"]["enum"]) == {"upsert", "delete"}
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]}
    assert {"-published_at", "title", "-adoption_count", "-updated_at"} <= set(
        parameters["ordering"]["schema"]["enum"]
    )
    sector = parameters["sector"]["schema"]["items"]["enum"]
    assert set(sector) == {
        "health-care",
        "education",
        "transport",
        "culture",
        "technical",
        "welfare",
        "planning",
        "administration",
    }


def test_schema_documents_both_ways_to_authenticate(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearerAuth"]["description"],
    }
    assert schemes["cookieAuth"]["in"] == "cookie"


def test_schema_documents_the_protection_statuses(schema):
    patch = schema["paths"]["/api/v1/cases/{id}/"]["patch"]
    assert {"200", "202", "400", "401", "403", "404", "409", "412", "429"} <= set(
        patch["responses"]
    )
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in patch["parameters"])
    feed = set(schema["paths"]["/api/v1/changes/"]["get"]["responses"])
    assert {"400", "410", "429", "503"} <= feed


# --- Answers match the schema ---------------------------------------------------------------


def _nullable(schema: dict) -> dict:
    """OpenAPI 3.0's `nullable: true` as JSON Schema."""
    schema = dict(schema)
    if not schema.pop("nullable", False):
        return schema
    if "type" in schema and set(schema) <= {"type", "format", "readOnly", "title", "description"}:
        schema["type"] = [schema["type"], "null"]
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


def to_json_schema(node, *, strict: bool):
    """An OpenAPI schema object as JSON Schema. `strict` (for answers): every property listed
    is required and no other may appear, so a field missing from either side is caught."""
    if isinstance(node, list):
        return [to_json_schema(item, strict=strict) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {
        key: (
            {name: to_json_schema(value, strict=strict) for name, value in item.items()}
            if key == "properties"
            else to_json_schema(item, strict=strict)
        )
        for key, item in node.items()
        if key not in ("readOnly", "writeOnly", "example", "discriminator", "xml")
    }
    if strict and "properties" in converted and "additionalProperties" not in converted:
        # The schema says which fields are always there (all of them, but for a few said
        # otherwise on purpose); none may be missing and no other may appear.
        converted.setdefault("required", sorted(converted["properties"]))
        converted["additionalProperties"] = False
    return _nullable(converted)


FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    parsed = datetime.datetime.fromisoformat(value)
    return parsed.tzinfo is not None


@FORMATS.checks("date", raises=ValueError)
def _date(value) -> bool:
    return not isinstance(value, str) or bool(datetime.date.fromisoformat(value))


@FORMATS.checks("uri")
def _uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urllib.parse.urlsplit(value)
    if parts.scheme == "tag":  # RFC 4151: the problem types (tag:authority,date:specific)
        return bool(re.fullmatch(r"tag:[^,:]+,\d{4}(-\d{2}){0,2}:.+", value))
    return bool(parts.scheme in ("http", "https") and parts.netloc)


class Checker:
    """Validates answers against the operation's documented response."""

    def __init__(self, schema):
        self.schema = schema
        self.components = {
            name: to_json_schema(component, strict=not name.endswith("Request"))
            for name, component in schema["components"]["schemas"].items()
        }
        self.checked: set[tuple[str, str, str]] = set()

    def operation(self, path: str, method: str) -> tuple[str, dict]:
        for template, operations in self.schema["paths"].items():
            pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
            if re.match(pattern, path) and method in operations:
                return template, operations[method]
        raise AssertionError(f"{method.upper()} {path} is not in the schema")

    def __call__(self, response, method: str = "get", status: int | None = None):
        """Check the answer against the schema (and its status, if given); its body."""
        if status is not None:
            assert response.status_code == status, response.content
        path = urllib.parse.urlsplit(response.wsgi_request.get_full_path()).path
        template, operation = self.operation(path, method)
        status = str(response.status_code)
        assert status in operation["responses"], (method, template, status)
        content = operation["responses"][status].get("content")
        if content is None:  # documented without a body
            self.checked.add((method, template, status))
            return response.json()
        media_type = response["Content-Type"].split(";")[0]
        assert media_type in content, (method, template, status, media_type)
        document = {
            "$ref": "#/$defs/__target",
            "$defs": {
                "__target": to_json_schema(content[media_type]["schema"], strict=True),
                **self.components,
            },
        }
        text = json.dumps(document).replace("#/components/schemas/", "#/$defs/")
        validator = jsonschema.Draft202012Validator(json.loads(text), format_checker=FORMATS)
        errors = sorted(validator.iter_errors(response.json()), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
        self.checked.add((method, template, status))
        return response.json()


@pytest.fixture
def check(schema):
    return Checker(schema)


@pytest.fixture
def world(db):
    agder = factories.CountyFactory(
        name="Agder", number="42", slug="agder", region=Region.AGDER_SOR_OSTLANDET
    )
    kristiansand = factories.MunicipalityFactory(
        name="Kristiansand", number="4204", slug="kristiansand", parent=agder, population=116_000
    )
    arendal = factories.MunicipalityFactory(
        name="Arendal", number="4203", slug="arendal", parent=agder
    )
    skole = factories.UnitFactory(name="Lund skole", slug="lund-skole", parent=kristiansand)
    people = {}
    for organisation in (kristiansand, arendal):
        user = factories.UserFactory(email=f"redaktor@{organisation.slug}.kommune.no")
        Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.EDITOR)
        people[organisation.slug] = user
    moderator = factories.UserFactory(email="moderator@ks.no")
    moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    people["moderator"] = moderator
    clients = {}
    for name, user in people.items():
        _token, key = services.api_token_create(user=user, name="Skjema")
        clients[name] = APIClient()
        clients[name].credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return {
        "kristiansand": kristiansand,
        "arendal": arendal,
        "skole": skole,
        "clients": clients,
        "people": people,
    }


CASE = {
    "title": "Skolehage på Lund",
    "summary": "Elevene dyrker grønnsaker til kantina.",
    "problem": "Lite praktisk læring.",
    "solution": "En skolehage drevet av elevene.",
    "sectors": ["education"],
    "innovation_types": ["service"],
    "benefits": ["quality"],
    "tags": ["skolehage"],
    "links": [{"url": "https://www.kristiansand.kommune.no/lund", "title": "Lund skole"}],
    "workplace_type": "primary-school",
    "stage": "in-use",
    "origin": "adapted",
    "source_description": "Skolehager i Danmark",
}


@pytest.mark.django_db(transaction=True)
def test_every_answer_of_the_main_endpoints_matches_the_schema(world, check):
    editor, other = world["clients"]["kristiansand"], world["clients"]["arendal"]
    moderator = world["clients"]["moderator"]
    anonymous = APIClient()

    created = check(
        editor.post(
            "/api/v1/cases/",
            {**CASE, "organisation": world["kristiansand"].pk, "partners": [world["arendal"].pk]},
            format="json",
        ),
        "post",
        201,
    )
    path = f"/api/v1/cases/{created['id']}/"
    check(editor.patch(path, {"results": "Mer frukt i kantina."}, format="json"), "patch")
    check(editor.get(path))
    check(editor.post(path + "submit/"), "post")
    check(moderator.post(path + "request-changes/", {"reason": "Bilder?"}, format="json"), "post")
    check(editor.post(path + "submit/"), "post")
    check(moderator.post(path + "approve/"), "post", 428)
    check(moderator.post(path + "approve/", HTTP_IF_MATCH=moderator.get(path)["ETag"]), "post")
    check(editor.patch(path, {"title": "Skolehage på Lund skole"}, format="json"), "patch")
    adoption = check(
        other.post(
            path + "adoptions/",
            {
                "organisation": world["arendal"].pk,
                "mode": "copied",
                "channel": "conference",
                "adopted_on": "2025-04-01",
            },
            format="json",
        ),
        "post",
    )
    check(editor.patch(path, {"title": "x"}, format="json", HTTP_IF_MATCH='"gammel"'), "patch", 412)
    check(anonymous.get(path + "adoptions/"))
    check(anonymous.get(path))
    check(anonymous.get("/api/v1/cases/"))
    check(anonymous.get("/api/v1/cases/", {"sector": "education", "ordering": "title"}))
    check(anonymous.get("/api/v1/adoptions/"))
    check(anonymous.get(f"/api/v1/adoptions/{adoption['id']}/"))
    check(anonymous.get("/api/v1/organisations/"))
    check(anonymous.get(f"/api/v1/organisations/{world['skole'].pk}/"))
    check(anonymous.get("/api/v1/vocabularies/"))
    check(anonymous.get("/api/v1/stats/diffusion/"))
    check(anonymous.get("/api/v1/stats/diffusion/", {"sector": "education"}))
    check(anonymous.get("/api/v1/stats/municipalities/"))
    check(anonymous.get("/api/v1/stats/municipalities/", {"sector": "education"}))
    feed = check(anonymous.get("/api/v1/changes/"))
    assert {entry["action"] for entry in feed["results"]} == {"upsert"}
    assert {entry["kind"] for entry in feed["results"]} == {"case", "adoption", "organisation"}

    # Archived: the feed says delete, for the case and its adoption.
    check(editor.post(path + "archive/", {"reason": "Hagen er lagt ned."}, format="json"), "post")
    later = check(anonymous.get("/api/v1/changes/", {"since": feed["next_cursor"]}))
    assert {(e["kind"], e["action"]) for e in later["results"]} == {
        ("case", "delete"),
        ("adoption", "delete"),
    }
    assert Adoption.objects.filter(case_id=created["id"]).exists()

    # Errors are documented statuses too.
    check(anonymous.get("/api/v1/cases/987654/"))
    check(anonymous.post("/api/v1/cases/", {}, format="json"), "post")
    check(editor.post("/api/v1/cases/", {"title": ""}, format="json"), "post")
    check(other.patch(path, {"title": "x"}, format="json"), "patch")
    check(editor.patch(path, {"title": "x"}, format="json"), "patch", 409)
    check(moderator.post(path + "approve/", HTTP_IF_MATCH=moderator.get(path)["ETag"]), "post")
    check(anonymous.get("/api/v1/changes/", {"limit": "0"}))

    statuses = {(method, template, status) for method, template, status in check.checked}
    assert ("patch", "/api/v1/cases/{id}/", "202") in statuses
    assert ("patch", "/api/v1/cases/{id}/", "412") in statuses
    assert ("post", "/api/v1/cases/{id}/approve/", "409") in statuses
    assert ("post", "/api/v1/cases/{id}/approve/", "428") in statuses


def test_every_case_in_a_list_matches_the_schema(world, check):
    published = []
    for state in (CaseStatus.PUBLISHED, CaseStatus.PUBLISHED, CaseStatus.DRAFT):
        case = factories.CaseFactory(
            organisation=world["skole"],
            status=state,
            sectors=["education"],
            innovation_types=["product"],
            partners=[world["arendal"]],
        )
        if state == CaseStatus.PUBLISHED:
            published.append(case)
    factories.AdoptionFactory(case=published[0], organisation=world["arendal"])
    body = check(APIClient().get("/api/v1/cases/", {"page_size": 1}))
    assert body["count"] == 2
    assert body["next"]
    check(APIClient().get(body["next"]))
    check(APIClient().get("/api/v1/adoptions/"))


# --- The browsable docs ---------------------------------------------------------------------


def _asset_urls(html: str) -> list[str]:
    """Every address the page loads or links to, but the in-page anchors and the footer's link
    to the data licence (which is somewhere else by design)."""
    return [
        url
        for url in re.findall(r'(?:src|href)="([^"]+)"', html)
        if not url.startswith("#") and url != settings.DATA_LICENCE["uri"]
    ]


EXPLORER = "/api/docs/utforsker/"


def test_the_reference_lists_every_operation_and_data_type_of_the_schema(schema, db):
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "patch", "put", "delete"):
                assert f'id="{operation["operationId"]}"' in html, (method, path)
                assert f"<code>{method.upper()} {path}</code>" in html, (method, path)
    for name in schema["components"]["schemas"]:
        assert f'id="schema-{name}"' in html, name
    assert f'href="{EXPLORER}"' in html


def test_docs_use_only_files_the_site_serves(db):
    response = APIClient().get(EXPLORER)
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    urls = _asset_urls(html)
    assert urls, html
    for url in urls:
        parts = urllib.parse.urlsplit(url)
        assert not parts.scheme, f"{url} is not on this site"
        assert not parts.netloc, f"{url} is not on this site"
        assert url.startswith("/"), url
        if url.startswith(
            settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/"
        ):
            relative = url.split("/static/", 1)[1]
            assert finders.find(relative), f"{url} is not among the site's static files"
        else:
            assert APIClient().get(url).status_code == 200, url
    assert "cdn" not in html.lower()
    # No inline script: the site's Content-Security-Policy allows none.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html)


def test_the_docs_start_up_script_is_served_by_the_site_and_loads_the_local_schema(db):
    page = APIClient().get(EXPLORER).content.decode()
    script_url = next(url for url in _asset_urls(page) if "script" in url)
    response = APIClient().get(script_url)
    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
    script = response.content.decode()
    assert "/api/schema/" in script
    for url in re.findall(r"https?://[^\s\"'`)]+", script):
        assert urllib.parse.urlsplit(url).hostname in (None, "testserver"), url


def test_swagger_ui_files_come_from_the_sidecar_package():
    for name in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        found = finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{name}")
        assert found
        assert "drf_spectacular_sidecar" in str(found)


def test_generating_the_schema_leaves_the_pages_filters_alone(db):
    """The schema generator builds the API filters' form fields; the pages' and dashboard's
    filter sets (which fill in the counties per request) must not inherit them, or their
    county filter would refuse every county once someone had opened /api/docs/."""
    from cases.filters import CaseFilter
    from cases.models import Case
    from cases.statistics.filters import StatsFilter

    vestland = factories.CountyFactory(name="Vestland", number="46", slug="vestland")
    trondelag = factories.CountyFactory(name="Trøndelag", number="50", slug="trondelag")
    in_vestland = factories.CaseFactory(
        organisation=factories.MunicipalityFactory(name="Voss", number="4621", parent=vestland),
        published=True,
    )
    factories.CaseFactory(
        organisation=factories.MunicipalityFactory(name="Frøya", number="5014", parent=trondelag),
        published=True,
    )
    assert APIClient().get("/api/schema/").status_code == 200
    assert APIClient().get("/api/schema/", {"format": "json"}).status_code == 200

    pages = CaseFilter({"county": ["46"]}, queryset=Case.objects.published())
    assert pages.is_valid(), pages.errors
    assert list(pages.qs) == [in_vestland]
    assert StatsFilter({"county": ["46"]}).is_valid()
    listed = APIClient().get("/api/v1/cases/", {"county": "46"})
    assert [item["id"] for item in listed.json()["results"]] == [in_vestland.pk]
    assert APIClient().get("/api/v1/stats/diffusion/", {"county": "50"}).status_code == 200


def test_parameters_are_described_in_english(schema):
    """The schema is generated in English: no parameter is described by its Norwegian label,
    as one named at import time in the default language would be."""
    catalog = trans_real.translation("nb")._catalog
    norwegian = {
        text for key, text in catalog.items() if isinstance(key, str) and text != key and text
    }
    described = {
        (path, parameter["name"]): parameter.get("description", "").split("\n")[0]
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
    }
    assert {key: text for key, text in described.items() if text in norwegian} == {}
    assert described["/api/v1/cases/", "county"] == "County"
    assert described["/api/v1/stats/diffusion/", "size_class"] == "Municipality size"
