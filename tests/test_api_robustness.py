"""What fuzzing the API from its own schema (.ci/fuzz-api) and probing its edges found, each
kept as a regression test: inputs that once reached the database or a decoder and came back as
a 500 now come back as a 4xx that says what is wrong, in the client's language, and change
nothing."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, Change
from cases.vocabularies import MembershipRole
from tests import factories
from tests.api_helpers import invalid, problem
from tests.conftest import person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner(db):
    return factories.MunicipalityFactory(name="Fuzzvik")


@pytest.fixture
def editor(owner):
    return person(owner, MembershipRole.EDITOR)


@pytest.fixture
def api(editor):
    _token, key = services.api_token_create(user=editor, name="fuzz")
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def draft(owner, editor):
    return services.case_create(actor=editor, organisation=owner, data={"title": "Utkast"})


@pytest.fixture
def published(owner):
    return factories.CaseFactory(organisation=owner, published=True, title="Publisert", adopters=1)


def error(response, status: int) -> dict:
    """The problem; for invalid input, its messages by field."""
    body = problem(response, status)
    return invalid(response) if body["code"] == "invalid" else body


# --- times with offsets beyond PostgreSQL's range, and at the ends of the calendar -----------


@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/adoptions/"])
def test_updated_since_with_a_far_offset_means_the_same_moment_in_utc(published, path):
    """ISO 8601 allows offsets up to ±23:59; PostgreSQL refused those beyond ±15:59 (found as
    `updated_since=1039-02-08T05:43:46-23:12`, a 500)."""
    client = APIClient()
    far = client.get(path, {"updated_since": "2000-01-01T12:00:00-23:12"})
    same = client.get(path, {"updated_since": "2000-01-02T11:12:00Z"})
    assert far.status_code == same.status_code == 200
    assert far.json()["count"] == same.json()["count"] == 1
    later = client.get(path, {"updated_since": "2999-01-01T00:00:00+23:59"})
    assert later.status_code == 200
    assert later.json()["count"] == 0


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-10:00"]
)
@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/adoptions/"])
def test_updated_since_at_the_ends_of_the_calendar_is_400(published, path, value):
    body = error(APIClient().get(path, {"updated_since": value}), 400)
    assert body["updated_since"] == ["Oppgi gyldig dato og tidspunkt."]
    english = APIClient(HTTP_ACCEPT_LANGUAGE="en").get(path, {"updated_since": value})
    assert error(english, 400)["updated_since"] == ["Enter a valid date/time."]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"published_from": "0001-01-01"}, "published_from"),
        ({"published_to": "9999-12-31"}, "published_to"),
        ({"published_from": "1899-12-31"}, "published_from"),
        ({"published_to": "3000-01-01"}, "published_to"),
    ],
)
def test_statistics_periods_at_the_ends_of_the_calendar_are_400(published, params, field):
    """A day at the end of the calendar cannot be turned into the moment it starts or ends:
    once a 500 (OverflowError), now a message on the field."""
    body = error(APIClient().get("/api/v1/stats/diffusion/", params), 400)
    assert list(body) == [field]
    english = APIClient(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/stats/diffusion/", params)
    assert "Ensure this value is" in error(english, 400)[field][0]
    wide = APIClient().get(
        "/api/v1/stats/diffusion/", {"published_from": "1900-01-01", "published_to": "2999-12-31"}
    )
    assert wide.status_code == 200
    assert wide.json()["cases"]["total"] == 1


# --- bodies the decoder cannot take -----------------------------------------------------------


def test_json_nested_too_deeply_is_400_and_writes_nothing(api, owner, draft):
    """`[[[[…]]]]` deeper than the decoder follows raised RecursionError: a 500."""
    changes = Change.objects.count()
    deep = "[" * 100_000 + "]" * 100_000
    for response in (
        api.post("/api/v1/cases/", deep, content_type="application/json"),
        api.patch(
            f"/api/v1/cases/{draft.pk}/",
            '{"links": ' + deep + "}",
            content_type="application/json",
        ),
    ):
        assert error(response, 400)["detail"] == "Misformet forespørsel."
    assert Case.objects.count() == 1
    assert Change.objects.count() == changes


def test_a_body_over_the_size_limit_is_413_json(api, draft, settings):
    """Django's limit on a request body came back as its bare HTML 400 page."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"problem": "ø" * 20_000})
    response = api.patch(f"/api/v1/cases/{draft.pk}/", body, content_type="application/json")
    assert error(response, 413)["detail"]
    draft.refresh_from_db()
    assert draft.problem == ""


def test_the_schema_documents_413_for_writes(db):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    patch = schema["paths"]["/api/v1/cases/{id}/"]["patch"]["responses"]
    assert "413" in patch
    assert "413" not in schema["paths"]["/api/v1/cases/"]["get"]["responses"]


def test_the_schema_documents_414_without_promising_json(db):
    """Random fuzzing found GET /api/v1/changes/ and /api/v1/adoptions/ with queries longer
    than the server's request line (gunicorn: 4,094 bytes) answered 414 by the server itself,
    in HTML, where the schema promised no such status."""
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    operations = [
        operation
        for path in schema["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "responses" in operation
    ]
    assert operations
    for operation in operations:
        assert "414" in operation["responses"]
        assert "content" not in operation["responses"]["414"]


# --- ids beyond 64 bits -----------------------------------------------------------------------


def test_a_partner_id_beyond_64_bits_is_400_not_a_database_error(api, draft):
    """SQLite cannot take such an id as a parameter (OverflowError, a 500)."""
    response = api.patch(f"/api/v1/cases/{draft.pk}/", {"partners": [2**70]}, format="json")
    assert "partners" in error(response, 400)
    assert not draft.partners.exists()


def test_case_ids_beyond_64_bits_are_400(api, owner, draft):
    response = api.patch(
        f"/api/v1/cases/{draft.pk}/", {"source_case": 2**70, "origin": "adapted"}, format="json"
    )
    assert "source_case" in error(response, 400)
    draft.refresh_from_db()
    assert (draft.source_case_id, draft.origin) == (None, "unknown")
    other = factories.CaseFactory(published=True)
    response = api.post(
        f"/api/v1/cases/{other.pk}/adoptions/",
        {"organisation": owner.pk, "mode": "copied", "channel": "network", "derived_case": 2**70},
        format="json",
    )
    assert "derived_case" in error(response, 400)
    assert not owner.adoptions.exists()


def test_updated_since_is_compared_in_utc(published):
    """The same moment written with two offsets selects the same cases."""
    moment = timezone.now() - datetime.timedelta(minutes=5)
    oslo = moment.astimezone(datetime.timezone(datetime.timedelta(hours=14)))
    client = APIClient()
    first = client.get("/api/v1/cases/", {"updated_since": moment.isoformat()}).json()
    second = client.get("/api/v1/cases/", {"updated_since": oslo.isoformat()}).json()
    assert first["count"] == second["count"] == 1
