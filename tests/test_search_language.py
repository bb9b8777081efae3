"""Norwegian full-text search, on PostgreSQL and SQLite alike: stemming, compounds, typos,
ignored common words, ranking by where a word stands; on PostgreSQL the generated search vector
and its index."""

import io
import re
from contextlib import contextmanager
from html import unescape

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from cases import search
from cases.filters import CaseFilter, PageRequest, count_and_page
from cases.models import Case
from cases.services.content import apply_content
from tests import factories

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's index; run with DATABASE_URL=postgres://...",
)

URL = reverse("case-list")


def found(q: str) -> list[str]:
    filterset = CaseFilter({"q": q}, queryset=Case.objects.published())
    return [case.title for case in filterset.qs.order_by("-rank", "pk")]


@pytest.fixture
def library(municipality):
    """Real-looking cases whose words come in other forms than the searches below use."""
    factories.CaseFactory(
        organisation=municipality,
        published=True,
        title="Mobil røntgen på sykehjem",
        summary="En røntgenbil kjører mellom sykehjemmene.",
        problem="Skrøpelige eldre måtte til sykehuset for å ta bilder.",
    )
    factories.CaseFactory(
        organisation=municipality,
        published=True,
        title="Vekslingsmodellen",
        summary="Elevene veksler mellom skole og bedrift.",
        problem="Mange elever på yrkesfag slutter.",
    )
    factories.CaseFactory(
        organisation=municipality,
        published=True,
        title="Medisinrobot i hjemmetjenesten",
        summary="En robot deler ut medisiner.",
        tags=["multidoserobot", "velferdsteknologi"],
    )
    factories.CaseFactory(
        organisation=municipality,
        published=True,
        title="Langvakter og ny turnus",
        summary="Ansatte på sykehjem går langvakter i helgene.",
    )
    factories.CaseFactory(
        organisation=municipality,
        published=True,
        title="Meråpent bibliotek",
        summary="Biblioteket er åpent uten ansatte om kvelden.",
        problem="Innbyggere ønsker lengre åpningstid.",
    )
    factories.CaseFactory(
        organisation=municipality,
        published=True,
        title="Kirkegårdsdrift med droner",
        summary="Kirken bruker droner.",
    )


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("sykehjemmet", ["Langvakter og ny turnus", "Mobil røntgen på sykehjem"]),
        ("sykehjemmene", ["Langvakter og ny turnus", "Mobil røntgen på sykehjem"]),
        ("skolene", ["Vekslingsmodellen"]),
        ("elev", ["Vekslingsmodellen"]),
        ("bibliotekene", ["Meråpent bibliotek"]),
        ("robotene", ["Medisinrobot i hjemmetjenesten"]),
    ],
)
def test_norwegian_stemming_finds_other_forms(library, q, expected):
    assert sorted(found(q)) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("rontgen", "Mobil røntgen på sykehjem"),  # no ø on the keyboard
        ("røntgn", "Mobil røntgen på sykehjem"),  # a letter missing
        ("vekslingsmodelen", "Vekslingsmodellen"),  # a letter missing
        ("multidos", "Medisinrobot i hjemmetjenesten"),  # the first part of a compound
        ("medisinrobbot", "Medisinrobot i hjemmetjenesten"),  # a letter too many
    ],
)
def test_typos_and_word_parts(library, q, expected):
    assert expected in found(q)


def test_tolerance_is_not_a_free_for_all(library):
    # "sykehjemmet" is a word of its own, not "hjemmetjenesten".
    assert "Medisinrobot i hjemmetjenesten" not in found("sykehjemmet")
    # Short words match whole words only: "ki" is not the start of "kirken".
    assert found("ki") == []
    assert found("xyzzyq") == []


def test_common_words_are_left_out_not_required(library):
    assert found("sykehjem og turnus") == ["Langvakter og ny turnus"]
    assert found("turnus på sykehjem") == ["Langvakter og ny turnus"]


def test_only_common_words_finds_nothing_and_says_why(client, library):
    response = client.get(URL, {"q": "og i på"})
    html = response.content.decode()
    assert re.search(r'id="results-heading">0 ', html)
    assert 'class="no-results"' in html
    # Norwegian quotes in the nb text, English ones in the source.
    assert "«og»" in unescape(html) or "“og”" in unescape(html)


def test_title_ranks_above_summary_above_the_rest(municipality):
    body = factories.CaseFactory(
        organisation=municipality,
        published=True,
        title="Tredje",
        solution="Vi innførte kvantelekter.",
    )
    summary = factories.CaseFactory(
        organisation=municipality, published=True, title="Andre", summary="Om kvantelekter."
    )
    title = factories.CaseFactory(
        organisation=municipality, published=True, title="Kvantelekter i kommunen"
    )
    assert found("kvantelekter") == [title.title, summary.title, body.title]
    ranks = {
        case.title: case.rank
        for case in CaseFilter({"q": "kvantelekter"}, queryset=Case.objects.published()).qs
    }
    assert ranks[title.title] > ranks[summary.title] > ranks[body.title] > 0


def test_search_page_ranks_and_highlights_stems(client, library):
    response = client.get(URL, {"q": "sykehjemmet"})
    html = response.content.decode()
    assert "Mobil røntgen på <mark>sykehjem</mark>" in html
    assert "<mark>sykehjemmene</mark>" in html


def test_stop_words_and_stems_are_parsed_once_per_query(db):
    query = search.parse("Sykehjemmet og skolene")
    assert [term.word for term in query.terms] == ["sykehjemmet", "skolene"]
    assert "'sykehjem':*" in query.tsquery
    assert "'skol':*" in query.tsquery
    assert "og" not in query.tsquery


def test_the_terms_follow_every_edit_through_the_services(municipality):
    """The services keep the terms (Case.search_*): every edit and approved revision writes
    through apply_content. A row changed behind their back is brought back by the rebuild
    command."""
    case = factories.CaseFactory(organisation=municipality, published=True, title="Gammel tittel")
    assert found("sommerskole") == []
    apply_content(case, {"results": "Vi startet sommerskolen."})
    assert found("sommerskole") == ["Gammel tittel"]
    Case.objects.filter(pk=case.pk).update(title="Nattskole")
    assert found("nattskolen") == []
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert found("nattskolen") == ["Nattskole"]


@postgresql_only
def test_the_search_index_exists(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases_case'")
        indexes = dict(cursor.fetchall())
        cursor.execute(
            "SELECT attgenerated FROM pg_attribute "
            "WHERE attrelid = 'cases_case'::regclass AND attname = 'search_vector'"
        )
        generated = cursor.fetchone()[0]
    assert "USING gin (search_vector)" in indexes["cases_case_search_vector_gin"]
    assert generated == "s"  # a stored generated column, from the terms


@postgresql_only
def test_the_case_row_keeps_what_every_match_reads_and_puts_long_texts_beside_it(municipality):
    """A search reads the row of every matching case: the long texts and the full vector go
    beside it (TOAST) so that many rows fit a page; the title and the rank's vector stay."""
    long_text = " ".join(f"ord{n} sykehjem" for n in range(600))
    case = factories.CaseFactory(
        organisation=municipality, published=True, title="Robot", problem=long_text
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'cases_case'")
        options = cursor.fetchone()[0]
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'cases_case'::regclass "
            "AND attname IN ('title', 'search_head', 'problem')"
        )
        storage = dict(cursor.fetchall())
    assert "toast_tuple_target=256" in options
    assert storage == {"title": "m", "search_head": "m", "problem": "x"}
    assert Case.objects.get(pk=case.pk).problem == long_text


def matching_plan(query: search.Search) -> str:
    sql, params = search.matching_ids(query)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def planner_settings() -> str:
    """The planner's settings that plan_with_index changes, as they are."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan')"
        )
        return "/".join(cursor.fetchone())


@pytest.fixture
def thirty(municipality):
    """Thirty cases: so few rows that the planner, left alone, would read the whole table."""
    for n in range(30):
        factories.CaseFactory(
            organisation=municipality, published=True, title=f"Sak {n}", summary=f"Tekst nummer {n}"
        )


@postgresql_only
def test_the_search_uses_the_index(thirty):
    """The matching ids come from the search vector's GIN index, not from reading every row:
    the planner does not count what reading each row's vector from beside the row costs, so
    every statement that matches the vector is planned without a scan of the table."""
    plan = matching_plan(search.parse("sykehjemmet robot"))
    assert "Bitmap Index Scan on cases_case_search_vector_gin" in plan
    assert "Seq Scan on cases_case" not in plan


@contextmanager
def statements_sent():
    """The statements as PostgreSQL receives them (after search.plan_with_index)."""
    sent: list[str] = []

    def spy(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    connection.ensure_connection()
    with connection.execute_wrapper(spy):  # inside the ones installed on the connection
        yield sent


@postgresql_only
def test_every_statement_that_matches_is_planned_without_a_table_scan(client, thirty):
    with statements_sent() as sent:
        assert client.get(URL, {"q": "tekst"}).status_code == 200
        assert client.get("/api/v1/cases/", {"q": "tekst"}).json()["count"] == 30
    matching = [sql for sql in sent if "search_vector @@" in sql]
    assert len(matching) == 2  # the page's counts and page; the API's page with its count
    assert all(sql.startswith(search.NO_TABLE_SCAN + "; ") for sql in matching), matching
    assert not any(search.NO_TABLE_SCAN in sql for sql in sent if sql not in matching)


@postgresql_only
def test_the_planner_setting_lasts_one_statement_inside_a_transaction(thirty):
    assert planner_settings() == "on/on"
    assert "Seq Scan" not in matching_plan(search.parse("tekst"))
    assert planner_settings() == "on/on"
    assert "Seq Scan on cases_case" in Case.objects.filter(title__startswith="Sak").explain()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_planner_setting_lasts_one_statement_outside_a_transaction(thirty):
    assert connection.get_autocommit()
    assert "Seq Scan" not in matching_plan(search.parse("tekst"))
    assert planner_settings() == "on/on"


@pytest.fixture
def ranked(municipality):
    """Cases whose rank spreads widely: a few with the word many times in the title, many with
    it once in the long texts, and some with a word that starts with its stem (kvantelekt-)."""
    for n in range(6):
        factories.CaseFactory(
            organisation=municipality,
            published=True,
            title=f"Kvantelekter kvantelekter kvantelekter {n}",
            summary="Kvantelekter i kommunen.",
        )
    for n in range(14):
        factories.CaseFactory(
            organisation=municipality,
            published=True,
            title=f"Sak {n}",
            results=f"Vi brukte kvantelekter i år {n}.",
        )
    for n in range(4):
        factories.CaseFactory(
            organisation=municipality,
            published=True,
            title=f"Kvantelektor {n}",
            summary="Noe annet.",
        )


@pytest.mark.parametrize("size", [3, 5, 7])
def test_a_ranked_page_is_the_full_ranking(ranked, size):
    """The page of a ranked search, from the counting statement, is exactly the order of the
    full rank."""
    filterset = CaseFilter({"q": "kvantelekter"}, queryset=Case.objects.published())
    ordering = ("-rank", "-published_at", "-pk")
    everything = list(filterset.qs.order_by(*ordering).values_list("pk", flat=True))
    assert len(everything) == 24
    for offset in range(0, 24, size):
        page = PageRequest(ordering, offset, size)
        counts, ids = count_and_page(filterset, page)
        assert ids == everything[offset : offset + size]
        assert counts["total"]["all"] == 24
