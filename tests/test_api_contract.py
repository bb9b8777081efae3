"""The API's conventions for clients generated from its schema and for other sites: an OpenAPI
3.1 schema without guesswork (JSON bodies only, integer path ids, required fields, stable
English names, a discriminator on feed entries, typed statistics and vocabularies), RFC 9457
problem details for every error, unknown fields refused, and `Bearer` tokens."""

import json
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils.http import http_date
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from cases import services
from cases.models import Case, Membership
from cases.vocabularies import MembershipRole
from tests import factories
from tests.api_helpers import field_messages, invalid, problem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner(db):
    return factories.MunicipalityFactory(
        name="Kristiansand", number="4204", slug="kristiansand", centrality_class=2
    )


@pytest.fixture
def editor(owner):
    user = factories.UserFactory()
    Membership.objects.create(user=user, organisation=owner, role=MembershipRole.EDITOR)
    return user


@pytest.fixture
def key(editor):
    return services.api_token_create(user=editor, name="Klient")[1]


@pytest.fixture
def api(key):
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def published(owner):
    return factories.CaseFactory(organisation=owner, published=True, title="Havnebuss")


def read_schema(**headers) -> dict:
    response = APIClient().get("/api/schema/", {"format": "json"}, **headers)
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return read_schema()


def operations(schema):
    for path, items in schema["paths"].items():
        for method, operation in items.items():
            yield path, method, operation


def walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


# --- The schema -----------------------------------------------------------------------------


def test_the_schema_is_openapi_3_1_and_every_null_is_typed(schema):
    assert schema["openapi"] == "3.1.0"
    for node in walk(schema):
        # OpenAPI 3.0's `nullable` is not 3.1: a null is a JSON Schema type.
        assert "nullable" not in node, node


def test_the_schema_is_the_same_in_every_language_and_in_english(db):
    english = read_schema(HTTP_ACCEPT_LANGUAGE="en")
    assert read_schema(HTTP_ACCEPT_LANGUAGE="nb") == english
    assert APIClient().get("/api/schema/", {"format": "json", "lang": "nb"}).json() == english
    components = english["components"]["schemas"]
    for name in components:
        assert re.fullmatch("[A-Z][A-Za-z0-9]+", name), name
    # Labels are the English ones (generated clients name classes after titles).
    assert components["Adoption"]["properties"]["adopted_on"]["title"] == "Date adopted"
    assert "`draft` - Draft" in components["CaseStatusEnum"]["description"]


def test_request_bodies_are_json_only_and_closed(schema):
    for path, method, operation in operations(schema):
        body = operation.get("requestBody")
        if body is None:
            continue
        assert set(body["content"]) == {"application/json"}, (method, path)
        reference = body["content"]["application/json"]["schema"]["$ref"]
        component = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]
        assert component["additionalProperties"] is False, reference


def test_path_ids_are_integers(schema):
    seen = 0
    for _path, _method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                assert parameter["schema"]["type"] == "integer", parameter
                seen += 1
    assert seen >= 8


def test_answers_mark_every_field_they_always_carry_as_required(schema):
    components = schema["components"]["schemas"]
    for name in ("Case", "Adoption", "Organisation", "OrganisationRef", "PaginatedCaseList"):
        assert set(components[name]["required"]) == set(components[name]["properties"]), name
    # Fields a client may leave out are optional in requests: only the title and owner are
    # needed to create a case.
    assert set(components["CaseWriteRequest"]["required"]) == {"title", "organisation"}
    assert "required" not in components["PatchedCaseWriteRequest"]


def test_reads_are_public_and_writes_need_credentials(schema):
    for path, method, operation in operations(schema):
        if method == "get":
            assert operation["security"] == [], path
        else:
            assert {} not in operation["security"], (method, path)
            assert {"bearerAuth": []} in operation["security"], (method, path)


def test_every_error_is_a_documented_problem(schema):
    components = schema["components"]["schemas"]
    assert {"type", "title", "status", "detail", "code", "instance"} <= set(
        components["Problem"]["required"]
    )
    assert components["FieldError"]["required"] == ["field", "code", "message"]
    for path, method, operation in operations(schema):
        errors = {code for code in operation["responses"] if int(code) >= 400}
        assert {"400", "404", "429"} <= errors, (method, path)
        if method != "get":
            assert {"401", "403", "415"} <= errors, (method, path)
        for code in errors - {"414"}:
            content = operation["responses"][code]["content"]
            assert content == {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            }, (method, path, code)


def test_conditional_reads_are_documented_on_every_get(schema):
    for path, method, operation in operations(schema):
        if method != "get":
            continue
        assert "304" in operation["responses"], path
        names = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert "If-None-Match" in names, path
        assert "ETag" in operation["responses"]["200"]["headers"], path


def test_the_schema_names_its_servers_licence_and_contact(schema, settings):
    assert schema["servers"] == [{"url": "http://testserver", "description": "This site"}]
    assert schema["info"]["license"] == {
        "name": settings.DATA_LICENCE["name"],
        "url": settings.DATA_LICENCE["uri"],
    }
    assert schema["info"]["license"]["url"] == "https://data.norge.no/nlod/no/2.0"
    assert schema["info"]["contact"]["email"] == settings.CATALOGUE_CONTACT_EMAIL


def test_statistics_and_vocabularies_have_schemas(schema):
    components = schema["components"]["schemas"]
    stats = schema["paths"]["/api/v1/stats/diffusion/"]["get"]["responses"]["200"]
    assert stats["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DiffusionStats"
    }
    assert {"filters", "cases", "breakdowns", "bass", "comparison"} <= set(
        components["DiffusionStats"]["required"]
    )
    vocabularies = components["Vocabularies"]["properties"]
    assert vocabularies["centrality_class"]["items"] == {
        "$ref": "#/components/schemas/IntegerVocabularyEntry"
    }
    assert components["IntegerVocabularyEntry"]["properties"]["code"]["type"] == "integer"
    # centrality_class is an integer wherever it appears.
    organisation = components["Organisation"]["properties"]["centrality_class"]
    assert {"$ref": "#/components/schemas/CentralityClassEnum"} in organisation["oneOf"]
    assert components["CentralityClassEnum"]["type"] == "integer"
    row = components["CentralityBreakdownRow"]["properties"]["code"]
    assert row["type"] == ["integer", "null"]
    applied = components["StatsFilters"]["properties"]["centrality_class"]
    assert applied["items"]["type"] == "integer"


def test_centrality_class_is_an_integer_in_every_answer(owner, published):
    client = APIClient()
    vocabulary = client.get("/api/v1/vocabularies/").json()["centrality_class"]
    assert [entry["code"] for entry in vocabulary] == [1, 2, 3, 4, 5, 6]
    assert client.get(f"/api/v1/organisations/{owner.pk}/").json()["centrality_class"] == 2
    figures = client.get("/api/v1/stats/diffusion/", {"centrality_class": ["2", "3"]}).json()
    assert figures["filters"]["centrality_class"] == [2, 3]
    codes = [row["code"] for row in figures["breakdowns"]["centrality_class"]]
    assert all(code is None or isinstance(code, int) for code in codes)
    assert 2 in codes


def test_the_statistics_answer_matches_its_schema(schema, owner, published):
    from tests.test_api_schema import Checker

    factories.AdoptionFactory(case=published)
    response = APIClient().get("/api/v1/stats/diffusion/")
    Checker(schema)(response, status=200)


# --- JSON bodies only -----------------------------------------------------------------------


@pytest.mark.parametrize("format_", ["multipart", None])
def test_form_bodies_are_refused_with_415_and_change_nothing(api, owner, format_):
    data = {"title": "Fra et skjema", "organisation": owner.pk}
    if format_:
        response = api.post("/api/v1/cases/", data, format=format_)
    else:
        response = api.post(
            "/api/v1/cases/",
            "title=Fra+et+skjema",
            content_type="application/x-www-form-urlencoded",
        )
    body = problem(response, 415, "unsupported_media_type")
    assert "application/json" in body["detail"]
    assert not Case.all_objects.filter(title="Fra et skjema").exists()


# --- Problem details ------------------------------------------------------------------------


def test_field_errors_say_where_with_a_code(api, owner):
    response = api.post(
        "/api/v1/cases/",
        {"organisation": owner.pk, "links": [{"url": "https://a.no"}, {"title": "Uten adresse"}]},
        format="json",
    )
    body = problem(response, 400, "invalid")
    assert body["instance"] == "/api/v1/cases/"
    errors = {(e["field"], e["code"]) for e in body["errors"]}
    assert ("title", "required") in errors
    assert ("links.1.url", "required") in errors


def test_a_services_refusal_is_a_problem_with_field_errors(api, owner):
    """Submitting a case without what publication needs: the services' ValidationError."""
    created = api.post("/api/v1/cases/", {"title": "Halvferdig", "organisation": owner.pk})
    submitted = api.post(f"/api/v1/cases/{created.json()['id']}/submit/")
    body = problem(submitted, 400, "invalid")
    assert body["errors"], body
    assert all(error["code"] for error in body["errors"])


def test_errors_outside_the_views_are_problems_too(api):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    problem(client.get("/api/v1/nothing-here/"), 404, "not_found")
    problem(client.get("/api/v1/cases/abc/"), 404, "not_found")
    problem(api.delete("/api/v1/cases/"), 405, "method_not_allowed")
    problem(
        client.post("/api/v1/cases/", "{", content_type="application/json"),
        401,
        "not_authenticated",
    )


def test_malformed_json_is_a_parse_error(api):
    problem(api.post("/api/v1/cases/", "{", content_type="application/json"), 400, "parse_error")


def test_an_html_client_gets_the_problem_as_json(api):
    response = api.get("/api/v1/cases/987654/", HTTP_ACCEPT="text/html")
    problem(response, 404, "not_found")


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1/min", "user": "5/min"})


def test_the_norwegian_429_is_norwegian(low_rates, db):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="nb")
    assert client.get("/api/v1/vocabularies/").status_code == 200
    body = problem(client.get("/api/v1/vocabularies/"), 429, "throttled")
    wait = body["detail"].removeprefix("For mange forespørsler. Prøv igjen om ")
    assert re.fullmatch(r"\d+ sekund(er)?\.", wait), body["detail"]
    assert body["title"] == "For mange forespørsler"


# --- Unknown fields -------------------------------------------------------------------------


def test_unknown_body_fields_are_refused_by_name(api, owner, published):
    created = api.post(
        "/api/v1/cases/", {"title": "Ny sak", "organisation": owner.pk, "sumary": "Skrivefeil"}
    )
    body = problem(created, 400, "invalid")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("sumary", "unknown_field")]
    assert "summary" in body["errors"][0]["message"]
    assert not Case.all_objects.filter(title="Ny sak").exists()

    draft = services.case_create(
        actor=Membership.objects.get(organisation=owner).user,
        organisation=owner,
        data={"title": "Utkast"},
    )
    patched = api.patch(f"/api/v1/cases/{draft.pk}/", {"titel": "Annet"})
    assert field_messages(problem(patched, 400, "invalid")).keys() == {"titel"}
    nested = api.patch(
        f"/api/v1/cases/{draft.pk}/", {"links": [{"url": "https://a.no", "tittel": "A"}]}
    )
    assert [e["field"] for e in problem(nested, 400)["errors"]] == ["links.0.tittel"]
    archived = api.post(f"/api/v1/cases/{published.pk}/archive/", {"reason": "x", "hvorfor": 1})
    assert "hvorfor" in invalid(archived)
    draft.refresh_from_db()
    assert draft.title == "Utkast"
    assert draft.links == []


def test_every_error_of_a_body_comes_in_one_answer(api, owner, published):
    """A misspelt field and a wrongly typed one are both named, and a number is not a text."""
    created = api.post(
        "/api/v1/cases/",
        {"title": "Ny sak", "organisation": owner.pk, "sumary": "Skrivefeil", "problem": 123},
    )
    body = problem(created, 400, "invalid")
    assert sorted((e["field"], e["code"]) for e in body["errors"]) == [
        ("problem", "invalid"),
        ("sumary", "unknown_field"),
    ]
    archived = api.post(f"/api/v1/cases/{published.pk}/archive/", {"reason": 123})
    assert [e["field"] for e in problem(archived, 400)["errors"]] == ["reason"]
    for value in (123, True, ["tekst"], {"tekst": 1}):
        refused = api.post(
            "/api/v1/cases/", {"title": "Ny sak", "organisation": owner.pk, "summary": value}
        )
        assert [e["field"] for e in problem(refused, 400)["errors"]] == ["summary"], value
    assert not Case.all_objects.filter(title="Ny sak").exists()


def test_unknown_fields_in_an_adoption_are_refused(published):
    other = factories.MunicipalityFactory(name="Arendal", number="4203", slug="arendal")
    user = factories.UserFactory()
    Membership.objects.create(user=user, organisation=other)
    key = services.api_token_create(user=user, name="A")[1]
    response = APIClient(HTTP_AUTHORIZATION=f"Bearer {key}").post(
        f"/api/v1/cases/{published.pk}/adoptions/",
        {"organisation": other.pk, "mode": "copied", "channel": "network", "confirmed": True},
    )
    assert "confirmed" in invalid(response)
    assert not published.adoptions.exists()


# --- Bearer tokens --------------------------------------------------------------------------


def test_bearer_and_token_both_authenticate(key, owner):
    for word in ("Bearer", "Token", "bearer"):
        client = APIClient(HTTP_AUTHORIZATION=f"{word} {key}")
        response = client.post("/api/v1/cases/", {"title": f"Med {word}", "organisation": owner.pk})
        assert response.status_code == 201, response.content


@pytest.mark.parametrize("header", ["Bearer feil", "Bearer", "Bearer a b", "bearer " + "x" * 300])
def test_a_bad_bearer_token_is_401_even_for_a_read(db, header):
    response = APIClient().get("/api/v1/cases/", HTTP_AUTHORIZATION=header)
    problem(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_session_clients_still_read_and_write(editor, owner):
    browser = Client()
    browser.force_login(editor)
    assert browser.get("/api/v1/cases/").status_code == 200


# --- Writes without the trailing slash ------------------------------------------------------


def test_writes_without_the_trailing_slash_are_answered_where_they_were_meant(api, owner):
    created = api.post("/api/v1/cases", {"title": "Uten skråstrek", "organisation": owner.pk})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    edited = api.patch(f"/api/v1/cases/{pk}", {"summary": "Kort."})
    assert edited.status_code == 200, edited.content
    assert Case.all_objects.get(pk=pk).summary == "Kort."
    submitted = api.post(f"/api/v1/cases/{pk}/submit")
    problem(submitted, 400, "invalid")  # not ready: the submit view itself answered
    # An address that does not exist with the slash either is a plain 404.
    problem(api.post("/api/v1/saker", {"title": "x"}), 404, "not_found")
    # Reads are still redirected, as for the pages.
    read = api.get("/api/v1/cases")
    assert read.status_code == 301
    assert read["Location"] == "/api/v1/cases/"


def test_a_session_write_without_the_slash_still_needs_the_csrf_token(editor, owner):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    payload = json.dumps({"title": "Fra nettleseren", "organisation": owner.pk})
    response = browser.post("/api/v1/cases", payload, content_type="application/json")
    assert response.status_code == 403
    assert not Case.all_objects.filter(title="Fra nettleseren").exists()


# --- Location, ETag, Idempotency-Key --------------------------------------------------------


def test_a_created_case_has_its_location_and_etag(api, owner):
    created = api.post("/api/v1/cases/", {"title": "Med adresse", "organisation": owner.pk})
    assert created.status_code == 201
    assert created["Location"] == f"http://testserver/api/v1/cases/{created.json()['id']}/"
    again = api.get(created["Location"])
    assert again.json() == created.json()
    assert again["ETag"] == created["ETag"]
    # The write answer's ETag is what If-Match takes next.
    edited = api.patch(created["Location"], {"stage": "idea"}, HTTP_IF_MATCH=created["ETag"])
    assert edited.status_code == 200
    assert edited["ETag"] != created["ETag"]


@pytest.fixture
def adopter(owner):
    other = factories.MunicipalityFactory(name="Arendal", number="4203", slug="arendal")
    user = factories.UserFactory()
    Membership.objects.create(user=user, organisation=other)
    key = services.api_token_create(user=user, name="A")[1]
    return other, APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_a_recorded_adoption_has_its_location_and_etag(adopter, published):
    other, client = adopter
    created = client.post(
        f"/api/v1/cases/{published.pk}/adoptions/",
        {"organisation": other.pk, "mode": "copied", "channel": "network"},
    )
    assert created.status_code == 201
    assert created["Location"] == f"http://testserver/api/v1/adoptions/{created.json()['id']}/"
    read = client.get(created["Location"])
    assert read.json() == created.json()
    assert read["ETag"] == created["ETag"]
    assert client.get(created["Location"], HTTP_IF_NONE_MATCH=created["ETag"]).status_code == 304


def test_the_same_idempotency_key_and_body_give_the_first_answer(api, owner):
    body = {"title": "Bare én gang", "organisation": owner.pk}
    first = api.post("/api/v1/cases/", body, HTTP_IDEMPOTENCY_KEY="7f1c9a")
    assert first.status_code == 201
    again = api.post("/api/v1/cases/", dict(reversed(body.items())), HTTP_IDEMPOTENCY_KEY="7f1c9a")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert Case.all_objects.filter(title="Bare én gang").count() == 1
    # Another key is another request.
    other = api.post("/api/v1/cases/", body, HTTP_IDEMPOTENCY_KEY="8a2d0b")
    assert other.status_code == 201
    assert Case.all_objects.filter(title="Bare én gang").count() == 2


def test_the_same_idempotency_key_with_another_body_is_422(api, owner):
    api.post(
        "/api/v1/cases/", {"title": "Først", "organisation": owner.pk}, HTTP_IDEMPOTENCY_KEY="k1"
    )
    response = api.post(
        "/api/v1/cases/", {"title": "Annen", "organisation": owner.pk}, HTTP_IDEMPOTENCY_KEY="k1"
    )
    problem(response, 422, "idempotency_key_reused")
    assert not Case.all_objects.filter(title="Annen").exists()


def test_idempotency_keys_are_per_user_and_refusals_are_not_kept(api, owner, adopter):
    refused = api.post("/api/v1/cases/", {"organisation": owner.pk}, HTTP_IDEMPOTENCY_KEY="k2")
    problem(refused, 400, "invalid")
    fixed = api.post(
        "/api/v1/cases/", {"title": "Rettet", "organisation": owner.pk}, HTTP_IDEMPOTENCY_KEY="k2"
    )
    assert fixed.status_code == 201
    # Another user's same key is theirs alone.
    _other, stranger = adopter
    response = stranger.post(
        "/api/v1/cases/", {"title": "Rettet", "organisation": owner.pk}, HTTP_IDEMPOTENCY_KEY="k2"
    )
    problem(response, 403)


def test_a_bad_idempotency_key_is_refused(api, owner):
    response = api.post(
        "/api/v1/cases/", {"title": "x", "organisation": owner.pk}, HTTP_IDEMPOTENCY_KEY="x" * 300
    )
    assert "Idempotency-Key" in invalid(response)
    assert not Case.all_objects.exists()


def test_a_retry_while_the_first_is_running_is_409(api, owner):
    from cases.api import idempotency

    request = APIClient().get("/").wsgi_request  # only for the user and path of the key
    request.user = Membership.objects.get(organisation=owner).user
    request.path = "/api/v1/cases/"
    cache.add(idempotency._cache_key(request, "k3") + ":running", 1)
    response = api.post(
        "/api/v1/cases/", {"title": "Samtidig", "organisation": owner.pk}, HTTP_IDEMPOTENCY_KEY="k3"
    )
    problem(response, 409, "conflict")
    assert not Case.all_objects.filter(title="Samtidig").exists()


# --- Headers for readers and other sites ----------------------------------------------------


def test_public_reads_are_open_to_other_sites_without_credentials(published):
    client = APIClient(HTTP_ORIGIN="https://region.example.org")
    for path in ("/api/v1/cases/", f"/api/v1/cases/{published.pk}/", "/api/schema/"):
        response = client.get(path)
        assert response["Access-Control-Allow-Origin"] == "*", path
        assert "Access-Control-Allow-Credentials" not in response
        assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/v1/cases/",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert preflight.status_code == 200
    assert set(preflight["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "authorization" not in preflight["Access-Control-Allow-Headers"]
    # Pages are not shared with other sites.
    assert "Access-Control-Allow-Origin" not in client.get("/")


def test_writes_cannot_be_made_from_another_site(db):
    preflight = APIClient(HTTP_ORIGIN="https://region.example.org").options(
        "/api/v1/cases/",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")
    assert "authorization" not in preflight.get("Access-Control-Allow-Headers", "")


def test_data_is_compressed_and_html_pages_are_not(published):
    client = Client(HTTP_ACCEPT_ENCODING="gzip")
    for _ in range(30):
        factories.CaseFactory(organisation=published.organisation, published=True)
    api = client.get("/api/v1/cases/", {"page_size": 50})
    assert api["Content-Encoding"] == "gzip"
    assert client.get("/saker/feed/")["Content-Encoding"] == "gzip"
    assert client.get("/api/schema/")["Content-Encoding"] == "gzip"
    page = client.get("/saker/")
    assert page.status_code == 200
    assert "Content-Encoding" not in page
    # A member's page carries a CSRF token (anonymous pages carry none, to be cached whole).
    client.force_login(factories.UserFactory())
    page = client.get("/saker/")
    assert b"csrfmiddlewaretoken" in page.content
    assert "Content-Encoding" not in page


def test_public_reads_say_how_long_to_keep_them_and_since_when(published, key, moderator):
    anonymous = APIClient()
    detail = anonymous.get(f"/api/v1/cases/{published.pk}/")
    assert detail["Cache-Control"] == "public, max-age=60"
    assert "Accept-Language" in detail["Vary"]
    published.refresh_from_db()
    assert detail["Last-Modified"] == http_date(published.updated_at.timestamp())
    unchanged = anonymous.get(
        f"/api/v1/cases/{published.pk}/", HTTP_IF_MODIFIED_SINCE=detail["Last-Modified"]
    )
    assert unchanged.status_code == 304
    # A list page has no Last-Modified: the newest updated_at in it would not move when an item
    # left it. Its ETag tells.
    listed = anonymous.get("/api/v1/cases/")
    assert "Last-Modified" not in listed
    assert anonymous.get("/api/v1/cases/", HTTP_IF_NONE_MATCH=listed["ETag"]).status_code == 304
    services.case_archive(actor=moderator, case=published, reason="Utgått")
    after = anonymous.get("/api/v1/cases/", HTTP_IF_MODIFIED_SINCE=detail["Last-Modified"])
    assert after.status_code == 200
    assert published.pk not in [item["id"] for item in after.json()["results"]]
    assert anonymous.get("/api/v1/changes/")["Cache-Control"] == "public, no-cache"
    member = APIClient(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/cases/")
    assert member["Cache-Control"] == "private, no-cache"


def test_pages_are_linked_in_the_link_header(owner):
    for number in range(5):
        factories.CaseFactory(organisation=owner, published=True, title=f"Sak {number}")
    response = APIClient().get("/api/v1/cases/", {"page_size": 2, "page": 2})
    links = {
        relation: url for url, relation in re.findall(r'<([^>]+)>; rel="(\w+)"', response["Link"])
    }
    assert links == {
        "first": "http://testserver/api/v1/cases/?page_size=2",
        "prev": "http://testserver/api/v1/cases/?page_size=2",
        "next": "http://testserver/api/v1/cases/?page=3&page_size=2",
        "last": "http://testserver/api/v1/cases/?page=3&page_size=2",
    }
    assert response.json()["next"] == links["next"]
    first = APIClient().get("/api/v1/cases/", {"page_size": 2})
    assert 'rel="prev"' not in first["Link"]


def test_answers_carry_the_rate_limit(monkeypatch, db):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})
    client = APIClient()
    seen = []
    for _ in range(3):
        response = client.get("/api/v1/vocabularies/")
        assert response.status_code == 200
        seen.append((response["RateLimit-Limit"], response["RateLimit-Remaining"]))
        assert 0 < int(response["RateLimit-Reset"]) <= 60
    assert seen == [("3", "2"), ("3", "1"), ("3", "0")]
    refused = client.get("/api/v1/vocabularies/")
    problem(refused, 429, "throttled")
    assert refused["RateLimit-Remaining"] == "0"
    assert int(refused["RateLimit-Reset"]) == int(refused["Retry-After"])
