"""The benchmark's pure pieces: the new-query addresses, the ratios to the floor, the goals and
the tables. `make bench` itself needs PostgreSQL, Redis and minutes; these need none."""

import sys
import urllib.parse
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import figures
import words
from scenarios import GROUPS, PROBED, Goal


def test_candidate_words_are_distinct_lower_case_words_of_four_letters_or_more():
    found = words.candidate_words(["Mobil røntgen på sykehjem", "mobil", "NAV-kontor", "e-lås"])
    assert found == ["mobil", "røntgen", "sykehjem"]


def test_common_words_match_about_a_third_and_rare_ones_a_handful():
    counts = {"third": 330, "half": 500, "tenth": 90, "most": 900, "one": 1, "ten": 10, "none": 0}
    common, rare = words.pick_words(counts, 1000)
    assert common[0] == "third"
    assert "tenth" not in common  # under COMMON_MIN_SHARE
    assert rare == ["one", "ten"]  # at least one case, fewest first


def test_no_words_without_cases():
    assert words.pick_words({"a": 1}, 0) == ([], [])


def queried(path: str) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)


@pytest.mark.parametrize("kind", [words.PAGE, words.API])
def test_every_new_query_address_is_distinct_and_the_words_take_turns(kind):
    chosen = ["digital", "sykehjem", "tana"]
    counts = {"digital": 400, "sykehjem": 45, "tana": 2}
    paths = words.query_paths(kind, chosen, counts, salt=7)
    assert len(paths) == len(set(paths))
    assert {queried(path)["q"][0] for path in paths[:3]} == set(chosen)


def test_the_search_page_asks_only_for_pages_the_word_has():
    paths = words.query_paths(words.PAGE, ["tana"], {"tana": 45}, salt=1)
    pages = {int(queried(path).get("page", ["1"])[0]) for path in paths}
    assert pages == {1, 2, 3}  # 45 matches, 20 a page
    assert len(paths) == 3 * len(words.PAGE_ORDERINGS)


def test_the_api_never_asks_for_the_search_pages_page_size():
    paths = words.query_paths(words.API, ["tana"], {"tana": 2}, salt=1)
    sizes = {int(queried(path)["page_size"][0]) for path in paths}
    assert words.PAGE_SIZE not in sizes
    assert len(sizes) > 100


def test_the_salt_orders_the_addresses_and_the_same_salt_gives_the_same_order():
    chosen, counts = ["digital", "tana"], {"digital": 400, "tana": 2}
    first = words.query_paths(words.PAGE, chosen, counts, salt=1)
    assert words.query_paths(words.PAGE, chosen, counts, salt=1) == first
    other = words.query_paths(words.PAGE, chosen, counts, salt=2)
    assert other != first
    assert sorted(other) == sorted(first)


def test_a_pool_says_when_its_addresses_ran_out():
    pool = words.Pool(["/a", "/b", "/c"])
    pool.consumed(2)
    assert pool.start() == 2
    assert not pool.exhausted
    pool.consumed(2)
    assert pool.exhausted


def test_percentile_is_the_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert figures.percentile(values, 95) == 95.0
    assert figures.percentile(values, 50) == 50.0
    assert figures.percentile([3.0, 1.0], 95) == 3.0
    assert figures.percentile([], 95) is None


def rows() -> list[dict]:
    return [
        {"name": "16 conn.: floor", "group": "16 connections", "rps": 1000.0, "p95_ms": 4.0},
        {"name": "16 conn.: home", "group": "16 connections", "rps": 600.0, "p95_ms": 30.0},
        {"name": "16 conn.: search page", "group": "16 connections", "rps": 200.0, "p95_ms": 90.0},
        {"name": "after a write: floor", "group": "after a write", "rps": None, "p95_ms": 2.0},
        {"name": "after a write: home", "group": "after a write", "rps": None, "p95_ms": 150.0},
        {
            "name": "after a write: API list",
            "group": "after a write",
            "rps": None,
            "p95_ms": 50.0,
            "errors": 1,
        },
    ]


def test_each_row_is_compared_with_the_floor_of_its_own_group():
    measured = rows()
    figures.add_ratios(measured)
    by_name = {row["name"]: row for row in measured}
    assert by_name["16 conn.: home"]["rps_over_floor"] == 0.6
    assert by_name["16 conn.: home"]["p95_over_floor"] == 7.5
    assert by_name["after a write: home"]["p95_over_floor"] == 75.0
    assert by_name["after a write: home"]["rps_over_floor"] is None


def test_the_goals_are_judged_on_the_run():
    measured = rows()
    figures.add_ratios(measured)
    by_name = {row["name"]: row for row in measured}
    assert by_name["16 conn.: home"]["met"] is True  # 60 % of the floor, 50 % asked
    assert by_name["16 conn.: search page"]["met"] is False  # 20 %, 25 % asked
    assert by_name["after a write: home"]["met"] is False  # 150 ms, under 100 asked
    assert by_name["after a write: API list"]["met"] is False  # fast, but with an error
    assert "met" not in by_name["16 conn.: floor"]


def test_a_share_of_the_floor_cannot_be_judged_without_a_floor():
    assert Goal("rps_share", 0.5).met({"rps": 10.0}, None) is None
    assert Goal("p95_ms", 100).met({"p95_ms": None}, None) is None
    assert Goal("p95_ms", 100).met({"p95_ms": 50.0, "repeats": True}, None) is False


def test_the_tables_show_the_goal_and_whether_it_is_met():
    measured = rows()
    figures.add_ratios(measured)
    markdown = figures.markdown_table(measured).splitlines()
    assert markdown[0].endswith("| goal | met? |")
    home = next(line for line in markdown if line.startswith("| 16 conn.: home "))
    assert home.endswith("| >=50% floor | yes |")
    text = figures.text_table(measured)
    assert "[after a write]" in text
    assert "p95<100" in text


def test_memory_and_query_counts_are_judged_too():
    assert figures.memory_row(180.0, 300)["met"] is True
    assert figures.memory_row(None, 300)["met"] is None
    assert figures.queries_constant([{"queries_small": 4, "queries_full": 4}]) is True
    assert figures.queries_constant([{"queries_small": 4, "queries_full": 5}]) is False


def test_every_group_has_a_floor_and_names_are_unique():
    names = [scenario.name for group in GROUPS.values() for scenario in group]
    assert len(names) == len(set(names))
    for group in GROUPS.values():
        assert sum(figures.is_floor({"name": s.name}) for s in group) == 1
    assert all("{written_slug}" not in scenario.path for scenario in PROBED)
