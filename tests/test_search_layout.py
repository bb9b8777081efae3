"""The search page's layout, as the server renders it: the chosen filters as chips above the
results (each removes just its own value), the filter groups that fold (a group with a chosen
option open, options without results under "Show N more", a chosen option always in sight), the
numbers the filter panel shows, and templates that are valid HTML (htmx's `data-hx-*`).

What the browser does with them (the panel, focus, the live status) is in
tests/browser/test_search_layout.py.
"""

import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.test.html import Element, parse_html
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("case-list")


# --- helpers ----------------------------------------------------------------------------------


def elements(node, predicate):
    """Every element under `node` (itself included) for which `predicate(element)` is true,
    in document order."""
    found = []
    if isinstance(node, Element):
        if predicate(node):
            found.append(node)
        for child in node.children:
            found += elements(child, predicate)
    return found


def attr(element: Element, name: str):
    return dict(element.attributes).get(name)


def has_class(name: str):
    return lambda e: name in (attr(e, "class") or "").split()


def text(node) -> str:
    if isinstance(node, str):
        return node
    return " ".join(text(child) for child in node.children)


def squash(value: str) -> str:
    return re.sub(r"\s+", " ", unescape(value)).strip()


def page(client, params) -> Element:
    response = client.get(URL, params)
    assert response.status_code == 200
    return parse_html(response.content.decode())


def chips(tree) -> list[dict]:
    """The chips above the results: their accessible text, and the query of their link."""
    found = []
    for link in elements(tree, lambda e: e.name == "a" and has_class("ds-chip")(e)):
        href = attr(link, "href")
        found.append(
            {
                "text": squash(text(link)),
                "query": sorted(parse_qsl(urlsplit(href).query)),
                "name": attr(link, "data-remove-name"),
                "value": attr(link, "data-remove-value"),
            }
        )
    return found


def group(tree, name: str) -> Element:
    (found,) = elements(tree, lambda e: e.name == "details" and attr(e, "data-facet") == name)
    return found


def box_ids(node) -> list[str]:
    return [attr(e, "id") for e in elements(node, lambda e: e.name == "input")]


@pytest.fixture
def county(db):
    return factories.CountyFactory(name="Vestland", number="46", slug="vestland")


@pytest.fixture
def owner(county):
    return factories.MunicipalityFactory(
        name="Bjørnafjorden", slug="bjornafjorden", number="4624", parent=county
    )


@pytest.fixture
def catalogue(owner, county):
    other = factories.MunicipalityFactory(name="Askøy", slug="askoy", number="4627", parent=county)
    cases = [
        factories.CaseFactory(
            organisation=owner,
            published=True,
            title=f"Robot nummer {n}",
            sectors=["health-care", "education"][: n + 1],
            origin=["first", "adapted", "copied"][n],
            days_ago=n,
        )
        for n in range(3)
    ]
    factories.CaseFactory(
        organisation=other, published=True, title="Sykkelvei", sectors=["transport"]
    )
    factories.AdoptionFactory(case=cases[0])
    return cases


# --- chips ------------------------------------------------------------------------------------


def test_each_chip_removes_just_its_own_value(client, catalogue, owner):
    params = {
        "q": "robot",
        "sector": ["health-care", "education"],
        "reused": "true",
        "organisation": str(owner.pk),
        "ordering": "title",
    }
    with_everything = sorted(
        [
            ("q", "robot"),
            ("sector", "health-care"),
            ("sector", "education"),
            ("reused", "true"),
            ("organisation", str(owner.pk)),
            ("ordering", "title"),
        ]
    )
    found = {chip["text"]: chip for chip in chips(page(client, params))}
    assert list(found) == [
        "Fjern søkeordene: “robot”",
        "Fjern filter: Gjenbrukt av andre",
        "Fjern filter: Helse og omsorg",
        "Fjern filter: Oppvekst og utdanning",
        "Fjern filter: Organisasjon: Bjørnafjorden",
    ]
    for chip_text, removed in [
        ("Fjern søkeordene: “robot”", ("q", "robot")),
        ("Fjern filter: Gjenbrukt av andre", ("reused", "true")),
        ("Fjern filter: Helse og omsorg", ("sector", "health-care")),
        ("Fjern filter: Oppvekst og utdanning", ("sector", "education")),
        ("Fjern filter: Organisasjon: Bjørnafjorden", ("organisation", str(owner.pk))),
    ]:
        expected = list(with_everything)
        expected.remove(removed)
        assert found[chip_text]["query"] == expected, chip_text
    # What the page's script needs to clear the control instead: its name (and value).
    health = found["Fjern filter: Helse og omsorg"]
    assert (health["name"], health["value"]) == ("sector", "health-care")
    words = found["Fjern søkeordene: “robot”"]
    assert (words["name"], words["value"]) == ("q", "")


def test_remove_all_keeps_the_search_words_and_the_order(client, catalogue):
    tree = page(
        client,
        {"q": "robot", "sector": "health-care", "origin": "first", "ordering": "title", "page": 1},
    )
    links = elements(tree, lambda e: e.name == "a" and attr(e, "data-remove-all") is not None)
    assert {squash(text(link)) for link in links} == {"Fjern alle filtre"}
    for link in links:
        assert sorted(parse_qsl(urlsplit(attr(link, "href")).query)) == [
            ("ordering", "title"),
            ("q", "robot"),
        ]


def test_a_single_filter_has_no_remove_all_beside_the_chips(client, catalogue):
    tree = page(client, {"q": "robot", "sector": "health-care"})
    (tools,) = elements(tree, has_class("results-tools"))
    assert not elements(tools, lambda e: attr(e, "data-remove-all") is not None)
    assert len(chips(tree)) == 2


def test_no_chips_without_filters(client, catalogue):
    tree = page(client, {})
    assert chips(tree) == []
    assert not elements(tree, has_class("chip-list"))


def test_every_chosen_facet_option_gets_a_chip(client, catalogue):
    """Chips come from the page's facet groups, whatever groups there are: one chip per chosen
    option of every group, named by the option's label."""
    response = client.get(URL)
    facets = response.context["facets"]
    params: dict[str, list[str]] = {}
    for facet in facets:
        params[facet["name"]] = [facet["options"][0]["value"], facet["options"][-1]["value"]]
    response = client.get(URL, params)
    labels = [
        option["label"]
        for facet in response.context["facets"]
        for option in facet["options"]
        if option["selected"]
    ]
    assert len(labels) == sum(len(set(values)) for values in params.values())
    assert [chip["text"] for chip in chips(parse_html(response.content.decode()))] == [
        f"Fjern filter: {label}" for label in labels
    ]


def test_the_filter_button_counts_the_chosen_filters(client, catalogue):
    tree = page(client, {"q": "robot", "sector": ["health-care", "education"], "reused": "true"})
    (button,) = elements(tree, has_class("filter-toggle"))
    assert squash(text(button)) == "Filtrer (3)"
    assert attr(button, "aria-controls") == "filters"
    assert attr(button, "aria-expanded") == "false"
    (button,) = elements(page(client, {"q": "robot"}), has_class("filter-toggle"))
    assert squash(text(button)) == "Filtrer"


def test_chips_in_english(client, catalogue):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    found = [chip["text"] for chip in chips(page(client, {"q": "robot", "sector": "health-care"}))]
    assert found == ["Remove the search words: “robot”", "Remove filter: Health and care"]


# --- filter groups ----------------------------------------------------------------------------


def test_a_group_with_a_chosen_option_starts_open(client, catalogue):
    tree = page(client, {"sector": "health-care"})
    assert ("open", None) in group(tree, "sector").attributes
    for name in ("reused", "origin", "county"):
        assert ("open", None) not in group(tree, name).attributes, name
    summary = elements(group(tree, "sector"), lambda e: e.name == "summary")[0]
    assert squash(text(summary)) == "Sektor 1 valgt"


def test_options_without_results_fold_and_a_chosen_one_stays_in_sight(client, catalogue):
    """ "robot" finds three cases in health care and education. Culture has none of them but is
    chosen: it stays beside the options with results; the other empty ones fold under "Show N
    more"."""
    response = client.get(URL, {"q": "robot", "sector": "culture"})
    tree = parse_html(response.content.decode())
    sector = group(tree, "sector")
    (more,) = elements(sector, lambda e: e.name == "details" and has_class("facet-more")(e))
    folded = box_ids(more)
    shown = [box for box in box_ids(sector) if box not in folded]
    (facet,) = [f for f in response.context["facets"] if f["name"] == "sector"]
    counts = {option["id"]: option["count"] for option in facet["options"]}
    assert "f-sector-culture" in shown
    assert counts["f-sector-culture"] == 0
    assert set(folded) == {i for i, count in counts.items() if count == 0} - {"f-sector-culture"}
    assert all(counts[box] > 0 for box in shown if box != "f-sector-culture")
    assert {"f-sector-health-care", "f-sector-education"} <= set(shown)
    # The boxes keep their order within each list.
    order = [option["id"] for option in facet["options"]]
    assert shown == sorted(shown, key=order.index)
    assert folded == sorted(folded, key=order.index)
    summary = elements(more, lambda e: e.name == "summary")[0]
    assert squash(text(summary)) == f"Vis {len(folded)} til uten treff"
    assert ("hidden", None) not in more.attributes


def test_every_group_folds_exactly_its_options_without_results(client, catalogue):
    response = client.get(URL, {"q": "robot", "origin": "first"})
    tree = parse_html(response.content.decode())
    for facet in response.context["facets"]:
        (more,) = elements(
            group(tree, facet["name"]),
            lambda e: e.name == "details" and has_class("facet-more")(e),
        )
        expected = [o["id"] for o in facet["options"] if not o["count"] and not o["selected"]]
        assert box_ids(more) == expected, facet["name"]
        assert (("hidden", None) in more.attributes) == (not expected), facet["name"]
    # "Reused" is one box: it never folds.
    assert not elements(group(tree, "reused"), has_class("facet-more"))


def test_htmx_answer_updates_what_depends_on_the_results(client, catalogue):
    """The boxes are not swapped (a box ticked meanwhile stays ticked), but every number
    beside them is: counts, each group's chosen number, the panel's "Show N cases"."""
    response = client.get(URL, {"q": "robot", "sector": "health-care"}, HTTP_HX_REQUEST="true")
    partial = response.content.decode()
    assert 'type="checkbox"' not in partial
    assert re.search(
        r'<span class="facet-chosen" id="chosen-sector" data-hx-swap-oob="true">1 valgt</span>',
        partial,
    )
    assert (
        '<span class="facet-chosen" id="chosen-origin" data-hx-swap-oob="true"></span>' in partial
    )
    assert re.search(
        r'<span id="filters-done-label" data-hx-swap-oob="true">Vis 3 innovasjoner</span>', partial
    )
    assert re.search(
        r'<p id="search-status" data-hx-swap-oob="innerHTML">3 innovasjoner funnet</p>', partial
    )
    full = client.get(URL, {"q": "robot", "sector": "health-care"}).content.decode()
    for oob_id in re.findall(r'id="([^"]+)" data-hx-swap-oob=', partial):
        assert f'id="{oob_id}"' in full, oob_id


# --- valid HTML -------------------------------------------------------------------------------

# An htmx attribute in a tag: hx-get="…", hx-swap-oob=…, hx-on::after-request="…". Valid HTML
# allows only data-* for attributes of one's own; htmx reads data-hx-* just the same.
BARE_HTMX = re.compile(r"<[a-zA-Z][^<>]*?(?<=[\s\"'])(hx-[\w:.-]+)\s*=", re.S)


def test_the_check_for_bare_htmx_attributes_finds_them():
    assert BARE_HTMX.search('<form method="get" hx-get="/saker/">')
    assert BARE_HTMX.search('<span class="count"\n      hx-swap-oob="true">')
    assert BARE_HTMX.search("<button hx-on::after-request='x'>")
    assert not BARE_HTMX.search('<form data-hx-get="/saker/" data-hx-swap-oob="true">')
    assert not BARE_HTMX.search("<p>Attributes such as hx-get= belong in data-hx-get.</p>")


def test_no_template_uses_bare_htmx_attributes():
    roots = [Path(directory) for directory in settings.TEMPLATES[0]["DIRS"]]
    templates = [path for root in roots for path in root.rglob("*.html")]
    assert templates
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(1)}"
        for path in templates
        for match in BARE_HTMX.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
