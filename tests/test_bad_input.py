"""Bad input on the web pages and the API: unknown codes, null bytes, odd and very long Unicode,
lone surrogates, invalid and out-of-range dates, absurd page numbers and ids, hostile file names.

Every one gets an answer that says what is wrong, in the user's language, writes nothing, and a
form shows again with what the user typed. Never a 500. (Hostile Markdown is in
test_markdown.py, hostile and oversized uploads in test_attachments.py, the API's malformed
JSON, cursors, page sizes and throttling in test_api_protection.py, what fuzzing the API found
in test_api_robustness.py.)
"""

import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services
from cases.models import Adoption, Attachment, Case, User
from cases.vocabularies import MembershipRole
from tests import factories
from tests.api_helpers import invalid
from tests.conftest import person

pytestmark = pytest.mark.django_db

# Right-to-left override, a joined emoji family, a combining accent, Sámi and CJK letters.
ODD = "\u202eevird\u202c 👩\u200d👩\u200d👧 Ole\u0301 ŋđčž 東京"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def author(owner):
    return person(owner, MembershipRole.EDITOR)


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def case_form(owner, **changes) -> dict:
    data = {
        "organisation": owner.pk,
        "title": "Tittelen jeg skrev",
        "summary": "Sammendraget mitt",
        "problem": "Problemet",
        "solution": "Løsningen",
        "sectors": ["health-care"],
        "innovation_types": ["service"],
        "stage": "pilot",
        "origin": "unknown",
        "save": "1",
    }
    data.update(changes)
    return data


def form_errors(response) -> dict:
    assert response.status_code == 200, response.status_code
    return {field: list(errors) for field, errors in response.context["form"].errors.items()}


# --- the case editor --------------------------------------------------------------------------


def test_null_bytes_in_the_case_form_are_refused_and_the_text_kept(client, author, owner):
    client.force_login(author)
    response = client.post(
        reverse("case-create"), case_form(owner, title="Hei\x00du", summary="Mitt sammendrag")
    )
    assert form_errors(response) == {"title": ["Null-tegn er ikke tillatt."]}
    html = response.content.decode()
    assert "Mitt sammendrag" in html
    assert "Hei" in html
    assert not Case.all_objects.exists()


def test_a_form_post_over_the_size_limit_gets_the_sites_own_page(client, author, owner, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client.force_login(author)
    response = client.post(reverse("case-create"), case_form(owner, summary="x" * 20_000))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Forespørselen kunne ikke behandles" in html
    assert 'lang="nb"' in html
    assert not Case.all_objects.exists()


def test_unknown_codes_in_the_case_form_are_named_per_field(client, author, owner):
    client.force_login(author)
    response = client.post(
        reverse("case-create"),
        case_form(owner, sectors=["romfart"], stage="ferdig", origin="kopi", workplace_type="?"),
    )
    errors = form_errors(response)
    assert set(errors) == {"sectors", "stage", "origin", "workplace_type"}
    # The same message as the API and the admin give: the content has one definition.
    assert errors["sectors"] == [
        "Ukjent kode «romfart». Tillatt: health-care, education, transport, culture, technical, "
        "welfare, planning, administration."
    ]
    assert 'value="Tittelen jeg skrev"' in response.content.decode()
    assert not Case.all_objects.exists()


def test_a_too_long_title_is_refused_in_the_users_language(english, author, owner):
    english.force_login(author)
    response = english.post(reverse("case-create"), case_form(owner, title="ø" * 201))
    assert form_errors(response) == {
        "title": ["Ensure this value has at most 200 characters (it has 201)."]
    }
    assert "ø" * 201 in response.content.decode()
    assert not Case.all_objects.exists()


def test_a_partner_id_beyond_64_bits_is_an_unknown_choice(client, author, owner):
    """SQLite cannot take such an id as a parameter: it was a 500."""
    client.force_login(author)
    response = client.post(reverse("case-create"), case_form(owner, partners=[str(2**70)]))
    assert list(form_errors(response)) == ["partners"]
    assert not Case.all_objects.exists()


def test_odd_unicode_is_stored_exactly_and_shown_escaped(client, author, owner):
    client.force_login(author)
    long_text = "Ærlig talt " * 4_500  # 49,500 characters: just under the limit
    response = client.post(
        reverse("case-create"),
        case_form(owner, title=ODD, problem=f"{ODD}\n\n<b>{ODD}</b>", results=long_text),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.title == ODD
    assert case.results == long_text.strip()
    assert case.slug.isascii()
    page = client.get(case.get_absolute_url()).content.decode()
    assert ODD in page
    assert f"<b>{ODD}</b>" not in page


def test_invalid_utf8_in_a_form_post_is_replaced_not_an_error(client, author, owner):
    client.force_login(author)
    body = f"organisation={owner.pk}&origin=unknown&save=1&title=Hei%ED%A0%80du%FF&summary=%C3%28"
    response = client.post(
        reverse("case-create"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.title.startswith("Hei\ufffd")
    assert "du" in case.title
    assert case.summary == "\ufffd("


# --- recording reuse --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2026-02-30", "i fjor", "20260101", "\x00"])
def test_an_invalid_date_in_the_adoption_form_is_refused(client, outsider, published_case, value):
    client.force_login(outsider)
    organisation = outsider.memberships.get().organisation
    response = client.post(
        reverse("adoption-create", kwargs={"slug": published_case.slug}),
        {
            "organisation": organisation.pk,
            "mode": "copied",
            "channel": "network",
            "adopted_on": value,
            "status": "in-use",
            "note": "Notatet mitt",
        },
    )
    errors = form_errors(response)
    assert "adopted_on" in errors
    assert "Notatet mitt" in response.content.decode()
    assert not Adoption.all_objects.exists()


# --- accounts ---------------------------------------------------------------------------------


def test_registration_refuses_null_bytes_and_overlong_names(client):
    response = client.post(
        reverse("register"),
        {
            "full_name": "N" * 151,
            "email": "kari\x00@example.no",
            "password1": "et langt og godt passord",
            "password2": "et langt og godt passord",
        },
    )
    assert set(form_errors(response)) == {"full_name", "email"}
    assert not User.objects.exists()


# --- search, feed, statistics -----------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "0"},
        {"ordering": "\x00title"},
        {"q": "ø" * 10_000},
        {"q": ODD},
        {"sector": ["romfart", "health-care"]},
        {"county": "\x00"},
        {"municipality": "9" * 50},
        {"reused": "kanskje"},
        {"updated_since": "i går"},
    ],
)
def test_odd_search_parameters_get_a_page(client, published_case, params):
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get(reverse("case-list"), params, **headers)
        assert response.status_code == 200, (params, response.status_code)
    feed = client.get(reverse("feed-cases"), params)
    assert feed.status_code == 200, params


def test_invalid_utf8_in_a_query_string_gets_a_page(client, published_case):
    for path in (reverse("case-list"), reverse("feed-cases"), "/api/v1/cases/"):
        response = client.get(f"{path}?q=%ED%A0%80%FF&sector=%C3%28")
        assert response.status_code in (200, 400), (path, response.status_code)


@pytest.mark.parametrize(
    "params",
    [
        {"page": str(10**40)},
        {"organisation": str(10**40)},
        {"updated_since": "2020-01-01T00:00:00-23:00"},
        {"updated_since": "0001-01-01T00:00:00"},
        {"updated_since": "9999-12-31T23:59:59-10:00"},
    ],
)
def test_search_parameters_at_the_ends_of_the_number_line_and_calendar(
    client, published_case, params
):
    """Numbers beyond 64 bits and times that PostgreSQL or the conversion to UTC cannot take
    (offsets beyond ±15:59, year 1, year 9999)."""
    response = client.get(reverse("case-list"), params)
    assert response.status_code == 200, (params, response.status_code)
    assert client.get(reverse("feed-cases"), params).status_code == 200, params


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"published_from": "0001-01-01"}, "published_from"),
        ({"published_to": "9999-12-31"}, "published_to"),
        ({"published_from": "2026-02-30"}, "published_from"),
        ({"published_from": "\x00"}, "published_from"),
    ],
)
def test_statistics_dates_out_of_range_are_explained(client, published_case, params, field):
    page = client.get(reverse("stats-dashboard"), params)
    assert page.status_code == 200
    assert field in page.context["errors"]
    # The figures are still there, without the filter that was not understood.
    assert page.context["result"]["cases"]["total"] == 1
    csv = client.get(reverse("stats-csv", kwargs={"table": "saker"}), params)
    assert csv.status_code == 400
    assert csv.content.decode().startswith(f"{field}: ")


# --- uploads: names ---------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.parametrize(
    "name",
    [
        "rap\x00port.pdf",
        "r" * 400 + ".pdf",
        "\u202efdp.exe\u202c.pdf",
        "../../etc/passwd.pdf",
        'skjema "med" anførsel;.pdf',
    ],
    ids=["null-byte", "400-characters", "right-to-left", "path", "quotes"],
)
def test_hostile_file_names_are_stored_safely(client, author, owner, settings, name):
    case = services.case_create(actor=author, organisation=owner, data={"title": "Med fil"})
    client.force_login(author)
    response = client.post(
        reverse("attachment-add", kwargs={"slug": case.slug}),
        {"file": SimpleUploadedFile(name, PDF), "title": ODD},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert "\x00" not in attachment.original_name
    assert "/" not in attachment.original_name
    assert len(attachment.original_name) <= 255
    assert attachment.file.name.startswith(f"attachments/{case.pk}/")
    assert ".." not in attachment.file.name
    download = client.get(attachment.get_absolute_url())
    assert download.status_code == 200
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\n" not in disposition
    assert "\x00" not in disposition
    b"".join(download.streaming_content)


# --- the API ----------------------------------------------------------------------------------


@pytest.fixture
def key(author):
    return services.api_token_create(user=author, name="test")[1]


@pytest.fixture
def api(key):
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


def test_api_keeps_odd_unicode_exactly(api, owner):
    response = api.post(
        "/api/v1/cases/",
        {"organisation": owner.pk, "title": ODD, "tags": [ODD[:60]], "contact": ODD},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["title"] == ODD
    assert body["contact"] == ODD
    assert body["tags"] == [ODD[:60].strip().lower()]


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "a\\ud800b"), ("summary", "\\udfff"), ("tags", ["\\ud83d"])],
)
def test_api_refuses_lone_surrogates(api, owner, field, value):
    """JSON can carry half of a UTF-16 pair ("\\ud800"); no database can store it."""
    payload = json.dumps({"organisation": owner.pk, "title": "Tittel", field: value})
    payload = payload.replace("\\\\u", "\\u")
    response = api.post("/api/v1/cases/", payload, content_type="application/json")
    assert field in invalid(response)
    assert not Case.all_objects.exists()


@pytest.mark.parametrize("value", ["2026-02-30", "30.01.2026", "\x00", "9" * 20])
def test_api_refuses_invalid_adoption_dates(key, owner, value):
    case = factories.CaseFactory(published=True)
    english_api = APIClient(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Token {key}")
    response = english_api.post(
        f"/api/v1/cases/{case.pk}/adoptions/",
        {"organisation": owner.pk, "mode": "copied", "channel": "network", "adopted_on": value},
        format="json",
    )
    assert invalid(response)["adopted_on"][0].startswith("Date has wrong format.")
    assert not Adoption.all_objects.exists()


@pytest.mark.parametrize("page", [str(10**40), "1e3", "٣"])
def test_api_page_numbers_beyond_reason_are_404_json(published_case, page):
    response = Client().get("/api/v1/cases/", {"page": page})
    assert response.status_code == 404
    assert response.json()["detail"]
