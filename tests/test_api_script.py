"""The issue's "done when", end to end over real HTTP: a script with only an HTTP library
(`urllib` from the standard library) and tokens from `issue_token` creates a case, submits
it, has a moderator approve it, records an adoption from another organisation and sees all of
it arrive through the change feed; archiving the case makes it arrive as a delete, for the
case and its adoption."""

import io
import json
import time
import urllib.error
import urllib.request

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


class Api:
    """What a client script needs: a base URL, a token and urllib."""

    def __init__(self, base: str, token: str | None = None):
        self.base, self.token = base.rstrip("/"), token

    def call(
        self, method: str, path: str, body: dict | None = None, headers: dict | None = None
    ) -> tuple[int, dict]:
        request = urllib.request.Request(
            self.base + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Accept": "application/json", "Accept-Language": "en", **(headers or {})},
        )
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                self.etag = response.headers.get("ETag")
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def get(self, path):
        return self.call("GET", path)

    def post(self, path, body=None):
        return self.call("POST", path, body if body is not None else {})

    def approve(self, case_path):
        """Read the case, then approve that version of it (If-Match with the ETag read)."""
        self.get(case_path)
        return self.call("POST", case_path + "approve/", {}, {"If-Match": self.etag or ""})


class Mirror:
    """The client's copy, kept with the change feed alone."""

    def __init__(self, api: Api):
        self.api, self.cursor = api, ""
        self.cases: dict[int, dict] = {}
        self.adoptions: dict[int, dict] = {}
        self.organisations: dict[int, dict] = {}

    def sync(self) -> list[dict]:
        seen = []
        while True:
            status, page = self.api.get(f"/api/v1/changes/?since={self.cursor}&limit=2")
            assert status == 200, page
            for entry in page["results"]:
                store = {
                    "case": self.cases,
                    "adoption": self.adoptions,
                    "organisation": self.organisations,
                }[entry["kind"]]
                if entry["action"] == "upsert":
                    store[entry["id"]] = entry["object"]
                else:
                    store.pop(entry["id"], None)
            seen += page["results"]
            self.cursor = page["next_cursor"]
            if not page["has_more"]:
                return seen

    def sync_until(self, condition, timeout=10) -> list[dict]:
        """Poll as a client would, until what it waits for has arrived."""
        seen, deadline = [], time.monotonic() + timeout
        while True:
            seen += self.sync()
            if condition(seen) or time.monotonic() > deadline:
                return seen
            time.sleep(0.1)


def token(email: str, organisation: str, *extra: str) -> str:
    out = io.StringIO()
    call_command("issue_token", email, "--organisation", organisation, *extra, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_a_script_with_only_urllib_and_tokens(live_server):
    cache.clear()
    agder = factories.CountyFactory(name="Agder", number="42", slug="agder")
    factories.MunicipalityFactory(
        name="Kristiansand", number="4204", slug="kristiansand", parent=agder
    )
    factories.MunicipalityFactory(name="Arendal", number="4203", slug="arendal", parent=agder)
    author = Api(live_server.url, token("innovasjon@kristiansand.kommune.no", "4204"))
    moderator = Api(live_server.url, token("moderator@agder.no", "42", "--moderator"))
    adopter = Api(live_server.url, token("innovasjon@arendal.kommune.no", "arendal"))
    public = Api(live_server.url)

    mirror = Mirror(public)
    mirror.sync()
    assert mirror.cases == {}
    assert mirror.adoptions == {}

    # The organisations' ids, from the API itself.
    status, found = public.get("/api/v1/organisations/?number=4204")
    owner_id = found["results"][0]["id"]
    status, found = public.get("/api/v1/organisations/?q=Arendal")
    adopter_id = found["results"][0]["id"]

    # 1. Create: a draft, not public.
    status, case = author.post(
        "/api/v1/cases/",
        {
            "organisation": owner_id,
            "title": "Bysykler for hjemmetjenesten",
            "summary": "Elsykler i stedet for biler på korte besøk.",
            "problem": "Bilene står i kø i sentrum.",
            "solution": "Elsykler med kasse til utstyret.",
            "reuse_guide": "Kostnad om lag 40 000 kroner per sykkel.",
            "sectors": ["health-care", "transport"],
            "innovation_types": ["process"],
            "stage": "in-use",
            "origin": "first",
        },
    )
    assert status == 201, case
    assert case["status"] == "draft"
    path = f"/api/v1/cases/{case['id']}/"
    assert public.get(path)[0] == 404

    # 2. Submit. 3. A moderator approves.
    status, case = author.post(path + "submit/")
    assert (status, case["status"]) == (200, "submitted")
    assert author.approve(path)[0] == 403  # authors do not publish their own cases
    assert moderator.post(path + "approve/")[0] == 428  # an approval names what was read
    status, case = moderator.approve(path)
    assert (status, case["status"]) == (200, "published")
    assert public.get(path)[1]["title"] == "Bysykler for hjemmetjenesten"

    # 4. Another organisation records its reuse.
    status, adoption = adopter.post(
        path + "adoptions/",
        {
            "organisation": adopter_id,
            "mode": "adapted",
            "channel": "network",
            "adopted_on": "2025-10-01",
            "note": "Vi bruker vanlige sykler med kasse.",
        },
    )
    assert status == 201, adoption
    assert adoption["organisation"]["name"] == "Arendal"

    # 5. All of it arrives through the change feed.
    mirror.sync_until(lambda seen: case["id"] in mirror.cases and mirror.adoptions)
    assert mirror.cases[case["id"]]["status"] == "published"
    assert mirror.cases[case["id"]]["adoption_count"] == 1
    assert mirror.cases[case["id"]]["organisation"]["name"] == "Kristiansand"
    assert mirror.adoptions == {
        adoption["id"]: public.get(f"/api/v1/adoptions/{adoption['id']}/")[1]
    }
    assert mirror.cases[case["id"]] == public.get(path)[1]

    # 6. Archiving it arrives as a delete, for the case and its adoption.
    status, archived = author.post(path + "archive/", {"reason": "Prosjektet er avsluttet."})
    assert (status, archived["status"]) == (200, "archived")
    seen = mirror.sync_until(lambda seen: case["id"] not in mirror.cases)
    assert {(e["kind"], e["id"], e["action"]) for e in seen} == {
        ("case", case["id"], "delete"),
        ("adoption", adoption["id"], "delete"),
    }
    assert mirror.cases == {}
    assert mirror.adoptions == {}
    assert public.get(path)[0] == 404
    assert public.get("/api/v1/adoptions/")[1]["count"] == 0
