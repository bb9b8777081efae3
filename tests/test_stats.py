"""Diffusion statistics (cases/statistics/) on a small hand-built dataset.

Every expected number below is worked out by hand from the dataset in `build_dataset`, whose
docstring lists it. The dataset also holds things that must never count: a draft, an archived
and a deleted case with adoptions, a withdrawn (deleted) adoption, an adoption by a deleted
organisation and spread activities about unpublished cases.
"""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone

from cases.models import Organisation
from cases.statistics import sql
from cases.statistics.caching import diffusion
from cases.statistics.filters import StatsFilter
from cases.statistics.generations import ROGERS_CATEGORIES, rogers_category
from cases.statistics.groups import TERM_BREAKDOWNS
from cases.vocabularies import CaseStatus, OrganisationKind
from tests.factories import (
    AdoptionFactory,
    CaseFactory,
    CountyFactory,
    MunicipalityFactory,
    SpreadActivityFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")


def at(year, month, day, hour=12, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=OSLO)


def build_dataset() -> SimpleNamespace:
    """The dataset every number in these tests is worked out from.

    Counties: "03" Oslo (oslo-viken), "46" Vestland (vestlandet), "50" Trøndelag (trondelag).
    Owners: Large (0301-ish, large, centrality 1, county 03), Medium (medium, centrality 3,
    county 46), Small (small, centrality 5, county 46), Unit (a workplace under Medium,
    50-99 employees). Adopters A1-A9 are municipalities (A1-A4 in 03, A5-A8 in 46, A9 in 50);
    A10 is a workplace under A1.

    Published cases:
      C1 Large  first    health-care           service        nursing-home   2024-01-15
      C2 Medium adapted  health-care+education process        primary-school 2024-02-10
         (source C1)
      C3 Small  copied   education             service        -              2024-03-05 23:30
         (source C2)
      C4 Unit   unknown  welfare               communication  home-care      2024-03-20
      C5 Large  adapted  technical             product        -              2024-04-01 00:30
    (times are Norwegian; C3 and C5 sit at the edges of a day and a month in UTC)

    Adoptions (date, mode, channel, status when not in use):
      C1: A1 02-05 adapted network; A2 02-20 copied conference; A3 03-10 adapted network;
          A4 03-10 adapted platform (recorded after A3); A5 04-01 copied direct;
          A6 05-15 adapted network; A7 06-01 adapted conference;
          A8 06-20 copied platform discontinued; A9 no date (recorded 07-03) adapted network;
          A10 08-01 copied supplier planned                                         -> 10
      C2: A1 03-01 adapted network                                                  -> 1
      C3: A2 05-21 adapted direct; A3 06-01 copied network                          -> 2
      C4: none                                                                      -> 0
      C5: A1 04-15 copied media; A2 05-10 adapted network; A3 05-11 adapted conference;
          A4 07-01 copied research; Small 07-02 adapted other                       -> 5
    All in 2024.

    Never counted: draft D (Small, culture) adopted by A1 in 2023-06; archived X (Medium,
    transport) adopted by A2 in 2023-06; deleted published Y (Large, planning) adopted by A3
    in 2023-06; a withdrawn adoption of C2 by A4; an adoption of C3 by a deleted
    municipality; spread activities about D and X.

    Spread activities: Large about C1 (network); Unit about no case (conference); Small about
    D (media); Medium about X (direct); A1, not an owner, about no case (other).
    """
    oslo = CountyFactory(number="03", name="Oslo", slug="oslo-fk", region="oslo-viken")
    vestland = CountyFactory(number="46", name="Vestland", slug="vestland-fk", region="vestlandet")
    trondelag = CountyFactory(
        number="50", name="Trøndelag", slug="trondelag-fk", region="trondelag"
    )

    def municipality(number, name, county, population, centrality):
        return MunicipalityFactory(
            number=number,
            name=name,
            slug=name.lower(),
            parent=county,
            population=population,
            centrality_class=centrality,
        )

    large = municipality("0301", "Large", oslo, 700_000, 1)
    medium = municipality("4602", "Medium", vestland, 12_000, 3)
    small = municipality("4603", "Small", vestland, 3_000, 5)
    unit = UnitFactory(parent=medium, name="Unit", slug="unit", employee_band="50-99")

    adopters = {}
    for index in range(1, 10):
        county = oslo if index <= 4 else vestland if index <= 8 else trondelag
        number = {oslo: "03", vestland: "46", trondelag: "50"}[county] + f"{10 + index:02d}"
        adopters[f"A{index}"] = municipality(number, f"A{index}", county, 8_000, 4)
    adopters["A10"] = UnitFactory(parent=adopters["A1"], name="A10", slug="a10")
    gone = municipality("4699", "Gone", vestland, 2_000, 6)
    Organisation.all_objects.filter(pk=gone.pk).update(deleted_at=timezone.now())

    c1 = CaseFactory(
        organisation=large,
        published=True,
        published_at=at(2024, 1, 15),
        origin="first",
        sectors=["health-care"],
        innovation_types=["service"],
        workplace_type="nursing-home",
    )
    c2 = CaseFactory(
        organisation=medium,
        published=True,
        published_at=at(2024, 2, 10),
        origin="adapted",
        source_case=c1,
        sectors=["health-care", "education"],
        innovation_types=["process"],
        workplace_type="primary-school",
    )
    c3 = CaseFactory(
        organisation=small,
        published=True,
        published_at=at(2024, 3, 5, 23, 30),
        origin="copied",
        source_case=c2,
        sectors=["education"],
        innovation_types=["service"],
    )
    c4 = CaseFactory(
        organisation=unit,
        published=True,
        published_at=at(2024, 3, 20),
        origin="unknown",
        sectors=["welfare"],
        innovation_types=["communication"],
        workplace_type="home-care",
    )
    c5 = CaseFactory(
        organisation=large,
        published=True,
        published_at=at(2024, 4, 1, 0, 30),
        origin="adapted",
        sectors=["technical"],
        innovation_types=["product"],
    )

    def adopt(case, org, day, mode, channel, *, status="in-use", recorded=None):
        return AdoptionFactory(
            case=case,
            organisation=org,
            adopted_on=day,
            mode=mode,
            channel=channel,
            status=status,
            created_at=recorded or at(day.year, day.month, day.day),
        )

    a = adopters
    d = dt.date
    adopt(c1, a["A1"], d(2024, 2, 5), "adapted", "network")
    adopt(c1, a["A2"], d(2024, 2, 20), "copied", "conference")
    adopt(c1, a["A3"], d(2024, 3, 10), "adapted", "network", recorded=at(2024, 3, 10, 9))
    adopt(c1, a["A4"], d(2024, 3, 10), "adapted", "platform", recorded=at(2024, 3, 10, 15))
    adopt(c1, a["A5"], d(2024, 4, 1), "copied", "direct")
    adopt(c1, a["A6"], d(2024, 5, 15), "adapted", "network")
    adopt(c1, a["A7"], d(2024, 6, 1), "adapted", "conference")
    adopt(c1, a["A8"], d(2024, 6, 20), "copied", "platform", status="discontinued")
    AdoptionFactory(
        case=c1,
        organisation=a["A9"],
        adopted_on=None,
        mode="adapted",
        channel="network",
        created_at=at(2024, 7, 3),
    )
    adopt(c1, a["A10"], d(2024, 8, 1), "copied", "supplier", status="planned")
    adopt(c2, a["A1"], d(2024, 3, 1), "adapted", "network")
    adopt(c3, a["A2"], d(2024, 5, 21), "adapted", "direct")
    adopt(c3, a["A3"], d(2024, 6, 1), "copied", "network")
    adopt(c5, a["A1"], d(2024, 4, 15), "copied", "media")
    adopt(c5, a["A2"], d(2024, 5, 10), "adapted", "network")
    adopt(c5, a["A3"], d(2024, 5, 11), "adapted", "conference")
    adopt(c5, a["A4"], d(2024, 7, 1), "copied", "research")
    adopt(c5, small, d(2024, 7, 2), "adapted", "other")

    # What must never count.
    draft = CaseFactory(organisation=small, status=CaseStatus.DRAFT, sectors=["culture"])
    archived = CaseFactory(
        organisation=medium,
        status=CaseStatus.ARCHIVED,
        published_at=at(2023, 5, 1),
        origin="first",
        sectors=["transport"],
    )
    deleted = CaseFactory(
        organisation=large,
        published=True,
        published_at=at(2023, 5, 2),
        origin="first",
        sectors=["planning"],
        deleted_at=timezone.now(),
    )
    adopt(draft, a["A1"], d(2023, 6, 1), "copied", "media")
    adopt(archived, a["A2"], d(2023, 6, 2), "copied", "media")
    adopt(deleted, a["A3"], d(2023, 6, 3), "copied", "media")
    withdrawn = adopt(c2, a["A4"], d(2023, 6, 4), "copied", "media")
    withdrawn.deleted_at = timezone.now()
    withdrawn.save()
    adopt(c3, gone, d(2023, 6, 5), "copied", "media")

    SpreadActivityFactory(organisation=large, case=c1, channel="network")
    SpreadActivityFactory(organisation=unit, case=None, channel="conference")
    SpreadActivityFactory(organisation=small, case=draft, channel="media")
    SpreadActivityFactory(organisation=medium, case=archived, channel="direct")
    SpreadActivityFactory(organisation=a["A1"], case=None, channel="other")

    return SimpleNamespace(
        counties=SimpleNamespace(oslo=oslo, vestland=vestland, trondelag=trondelag),
        large=large,
        medium=medium,
        small=small,
        unit=unit,
        adopters=adopters,
        cases=SimpleNamespace(c1=c1, c2=c2, c3=c3, c4=c4, c5=c5),
        draft=draft,
        archived=archived,
        deleted=deleted,
    )


@pytest.fixture(autouse=True)
def _empty_cache():
    """The figures are cached by data version; each test starts without cached figures."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _every_share_shown(settings):
    """This world is small on purpose, so that every share can be worked out by hand: the
    small-number rule (tests/test_small_numbers.py) is set aside to check the arithmetic."""
    settings.STATISTICS_MIN_DENOMINATOR = 1


@pytest.fixture
def data(db):
    return build_dataset()


@pytest.fixture
def result(data):
    return diffusion(filters={})


def s(numerator, denominator, percent):
    """The expected share, with its working."""
    return {
        "numerator": numerator,
        "denominator": denominator,
        "share": round(numerator / denominator, 4),
        "percent": percent,
        "suppressed": False,
    }


NONE_SHARE = {
    "numerator": 0,
    "denominator": 0,
    "share": None,
    "percent": None,
    "suppressed": False,
}


def by_code(rows):
    return {row["code"]: row for row in rows}


# ------------------------------------------------------------------------------------------
# Cases, origin, adoptions
# ------------------------------------------------------------------------------------------


def test_cases_and_origin(result):
    cases = result["cases"]
    assert cases["total"] == 5
    origin = cases["origin"]
    assert origin["counts"] == {"first": 1, "adapted": 2, "copied": 1, "unknown": 1}
    assert origin["known"] == 4
    assert origin["shares_of_known"] == {
        "first": s(1, 4, 25.0),
        "adapted": s(2, 4, 50.0),
        "copied": s(1, 4, 25.0),
    }
    assert origin["unknown"] == s(1, 5, 20.0)


def test_adoptions_by_mode_channel_and_status(result):
    adoptions = result["adoptions"]
    assert adoptions["total"] == 18
    assert by_code(adoptions["by_mode"]) == {
        "adapted": {"code": "adapted", **s(11, 18, 61.1)},
        "copied": {"code": "copied", **s(7, 18, 38.9)},
    }
    channels = {code: row["numerator"] for code, row in by_code(adoptions["by_channel"]).items()}
    assert channels == {
        "network": 7,
        "conference": 3,
        "platform": 2,
        "direct": 2,
        "supplier": 1,
        "research": 1,
        "media": 1,
        "other": 1,
    }
    assert by_code(adoptions["by_channel"])["network"] == {"code": "network", **s(7, 18, 38.9)}
    statuses = {code: row["numerator"] for code, row in by_code(adoptions["by_status"]).items()}
    assert statuses == {"planned": 1, "in-use": 16, "discontinued": 1}


def test_reuse_rate_mean_median_and_distribution(result):
    reuse = result["reuse"]
    assert reuse["reused"] == s(4, 5, 80.0)
    assert reuse["mean_adopters"] == 3.6  # 18 adoptions / 5 cases
    assert reuse["median_adopters"] == 2.0  # 0, 1, 2, 5, 10
    assert [
        (row["bucket"], row["numerator"], row["denominator"]) for row in reuse["distribution"]
    ] == [
        ("0", 1, 5),  # C4
        ("1", 1, 5),  # C2
        ("2-4", 1, 5),  # C3
        ("5-9", 1, 5),  # C5
        ("10+", 1, 5),  # C1
    ]
    assert reuse["distribution"][0]["percent"] == 20.0


def test_median_above_the_exactly_counted_range(data, monkeypatch):
    """With the exact counts cut at 1 adopter the median (2, of 0, 1, 2, 5, 10) lies above
    them and one more query finds it; with an even number of cases it is a mean of two."""
    monkeypatch.setattr(sql, "EXACT_ADOPTER_COUNTS", 1)
    assert diffusion(filters={})["reuse"]["median_adopters"] == 2.0
    # Without C4 (no adopters): 1, 2, 5, 10.
    result = diffusion(filters={"innovation_type": ["service", "process", "product"]})
    assert result["reuse"]["median_adopters"] == 3.5
    assert [row["numerator"] for row in result["reuse"]["distribution"]] == [0, 1, 1, 1, 1]


def test_median_of_no_cases(data):
    assert diffusion(filters={"sector": ["culture"]})["reuse"]["median_adopters"] is None


def test_active_spreaders(result):
    spreaders = result["spreaders"]
    # Owners: Large, Medium, Small, Unit. Large (about C1) and Unit (no case) spread;
    # Small's and Medium's activities are about a draft and an archived case.
    assert spreaders["owners"] == 4
    assert spreaders["active"] == s(2, 4, 50.0)
    # Large (C1, C5), Medium (C2), Small (C3) had a case adopted; Unit's C4 was not.
    assert spreaders["adopted"] == s(3, 4, 75.0)
    activities = spreaders["activities"]
    assert activities["total"] == 2
    assert {
        row["code"]: row["numerator"] for row in activities["by_channel"] if row["numerator"]
    } == {
        "network": 1,
        "conference": 1,
    }


# ------------------------------------------------------------------------------------------
# Breakdowns
# ------------------------------------------------------------------------------------------


def test_breakdown_by_sector(result):
    rows = by_code(result["breakdowns"]["sector"])
    assert list(rows) == [
        "health-care",
        "education",
        "transport",
        "culture",
        "technical",
        "welfare",
        "planning",
        "administration",
    ]
    health = rows["health-care"]  # C1, C2
    assert health["cases"] == 2
    assert health["origin"]["counts"] == {"first": 1, "adapted": 1, "copied": 0, "unknown": 0}
    assert health["origin"]["shares_of_known"]["first"] == s(1, 2, 50.0)
    assert health["adoptions"] == 11
    assert health["adopters_per_case"] == 5.5
    assert health["reused"] == s(2, 2, 100.0)
    assert health["owners"] == 2
    assert health["active_spreaders"] == s(1, 2, 50.0)  # Large
    assert health["adopted_owners"] == s(2, 2, 100.0)

    education = rows["education"]  # C2, C3
    assert (education["cases"], education["adoptions"], education["adopters_per_case"]) == (
        2,
        3,
        1.5,
    )
    assert education["origin"]["shares_of_known"]["copied"] == s(1, 2, 50.0)
    assert education["active_spreaders"] == s(0, 2, 0.0)

    welfare = rows["welfare"]  # C4: unknown origin, no adoptions, owner Unit spreads
    assert welfare["cases"] == 1
    assert welfare["origin"]["known"] == 0
    assert welfare["origin"]["shares_of_known"]["first"] == NONE_SHARE
    assert welfare["reused"] == s(0, 1, 0.0)
    assert welfare["active_spreaders"] == s(1, 1, 100.0)

    assert (rows["technical"]["cases"], rows["technical"]["adoptions"]) == (1, 5)
    # The unpublished cases' sectors stay empty.
    for code in ("transport", "culture", "planning", "administration"):
        assert rows[code]["cases"] == 0
        assert rows[code]["adoptions"] == 0
        assert rows[code]["adopters_per_case"] is None
        assert rows[code]["reused"] == NONE_SHARE


def test_breakdown_by_innovation_type(result):
    rows = by_code(result["breakdowns"]["innovation_type"])
    assert {code: (row["cases"], row["adoptions"]) for code, row in rows.items()} == {
        "service": (2, 12),  # C1 10 + C3 2
        "process": (1, 1),
        "communication": (1, 0),
        "product": (1, 5),
    }
    assert rows["service"]["origin"]["shares_of_known"]["first"] == s(1, 2, 50.0)


def test_breakdown_by_workplace_type_with_not_stated(result):
    rows = by_code(result["breakdowns"]["workplace_type"])
    assert (rows["nursing-home"]["cases"], rows["nursing-home"]["adoptions"]) == (1, 10)
    assert (rows["primary-school"]["cases"], rows["primary-school"]["adoptions"]) == (1, 1)
    assert (rows["home-care"]["cases"], rows["home-care"]["adoptions"]) == (1, 0)
    assert (rows[None]["cases"], rows[None]["adoptions"]) == (2, 7)  # C3, C5
    assert result["breakdowns"]["workplace_type"][-1]["code"] is None
    assert sum(row["cases"] for row in rows.values()) == 5


def test_breakdown_by_employee_band(result):
    rows = by_code(result["breakdowns"]["employee_band"])
    assert (rows["50-99"]["cases"], rows["50-99"]["adoptions"]) == (1, 0)  # C4, by Unit
    assert rows["1-19"]["cases"] == 0
    assert (rows[None]["cases"], rows[None]["adoptions"]) == (4, 18)


def test_breakdown_by_size_class_centrality_region_and_county(result):
    breakdowns = result["breakdowns"]
    size = by_code(breakdowns["size_class"])
    # The Unit is a workplace in Medium: its case counts as medium.
    assert {code: (row["cases"], row["adoptions"]) for code, row in size.items()} == {
        "small": (1, 2),
        "medium": (2, 1),
        "large": (2, 15),
    }
    assert size["large"]["active_spreaders"] == s(1, 1, 100.0)
    assert size["medium"]["active_spreaders"] == s(1, 2, 50.0)  # Unit yes, Medium no

    centrality = by_code(breakdowns["centrality_class"])
    assert {code: row["cases"] for code, row in centrality.items()} == {
        1: 2,
        2: 0,
        3: 2,
        4: 0,
        5: 1,
        6: 0,
    }
    region = by_code(breakdowns["region"])
    assert (region["oslo-viken"]["cases"], region["oslo-viken"]["adoptions"]) == (2, 15)
    assert (region["vestlandet"]["cases"], region["vestlandet"]["adoptions"]) == (3, 3)
    assert region["trondelag"]["cases"] == 0

    county = breakdowns["county"]
    assert [(row["code"], row["name"], row["cases"], row["adoptions"]) for row in county] == [
        ("03", "Oslo", 2, 15),
        ("46", "Vestland", 3, 3),
    ]
    assert county[1]["reused"] == s(2, 3, 66.7)


# ------------------------------------------------------------------------------------------
# Over time, top spreaders, comparison
# ------------------------------------------------------------------------------------------


def test_monthly_series(result):
    months = result["monthly"]["months"]
    assert [
        (m["month"], m["cases"], m["adoptions"], m["cumulative_adoptions"]) for m in months
    ] == [
        ("2024-01", 1, 0, 0),
        ("2024-02", 1, 2, 2),
        # C3 at 23:30 on 5 March and C4; A9's undated adoption counts on the day it was
        # recorded (July).
        ("2024-03", 2, 3, 5),
        # C5 published at 00:30 on 1 April, Norwegian time (31 March in UTC).
        ("2024-04", 1, 2, 7),
        ("2024-05", 0, 4, 11),
        ("2024-06", 0, 3, 14),
        ("2024-07", 0, 3, 17),
        ("2024-08", 0, 1, 18),
    ]
    assert months[-1]["cumulative_cases"] == 5
    assert result["monthly"]["adoptions_after_this_month"] == 0


def test_time_to_first_adoption(result):
    lag = result["time_to_first_adoption"]
    assert lag["adopted_cases"] == 4
    # C1 21 days, C2 20, C3 77 (5 March to 21 May), C5 14 (1 April, Norwegian date).
    assert lag["mean_days"] == 33.0
    assert [(b["code"], b["numerator"], b["denominator"]) for b in lag["buckets"]] == [
        ("before-publication", 0, 4),
        ("within-3-months", 4, 4),
        ("3-12-months", 0, 4),
        ("over-a-year", 0, 4),
    ]


def test_top_spreaders(result, data):
    top = result["top_spreaders"]
    assert [
        (row["organisation"]["name"], row["adopters"], row["adoptions"], row["cases"])
        for row in top
    ] == [
        # C1: A1-A10; C5: A1-A4 and Small: 11 different organisations.
        ("Large", 11, 15, 2),
        ("Small", 2, 2, 1),  # not 3: the adoption of its draft does not count
        ("Medium", 1, 1, 1),
    ]
    large = top[0]
    assert large["organisation"]["slug"] == data.large.slug
    # A1-A9 and Small (A10 lies in A1); counties 03, 46, 50.
    assert (large["municipalities"], large["counties"]) == (10, 3)


def test_comparison_with_the_surveys(result):
    comparison = result["comparison"]
    assert set(comparison["sources"]) == {"ks", "coi"}
    rows = {row["key"]: row for row in comparison["rows"]}
    assert rows["introduced"] == {
        "key": "introduced",
        "survey": {"ks": 74.0, "coi": 80.0},
        "platform": None,
    }
    assert rows["origin-first"]["survey"] == {"ks": 10.0}
    assert rows["origin-first"]["platform"] == s(1, 4, 25.0)
    assert rows["origin-adapted"]["survey"] == {"ks": 51.0}
    assert rows["origin-adapted"]["platform"] == s(2, 4, 50.0)
    assert rows["origin-copied"]["survey"] == {"ks": 32.0}
    assert rows["active-spreaders"]["survey"] == {"ks": 40.0}
    assert rows["active-spreaders"]["platform"] == s(2, 4, 50.0)
    assert [row["code"] for row in rows["main-channels"]["platform"]] == ["network", "conference"]


def test_the_result_is_json_serialisable(result):
    import json

    assert json.loads(json.dumps(result)) == result


def test_bass_says_when_the_data_are_too_few(result):
    fit = result["bass"]["all"]
    # 18 adoptions, from February 2024 to this month (the months since have none).
    today = timezone.localdate()
    months = (today.year - 2024) * 12 + today.month - 2 + 1
    assert fit["status"] == "too-few-data"
    assert (fit["months"], fit["adoptions"]) == (months, 18)
    assert fit["start"] == "2024-02"
    assert (fit["min_months"], fit["min_adoptions"]) == (12, 20)
    sectors = by_code(result["bass"]["sector"])
    assert sectors["health-care"]["adoptions"] == 11
    assert sectors["culture"]["months"] == 0


# ------------------------------------------------------------------------------------------
# Filters
# ------------------------------------------------------------------------------------------


def totals(**filters):
    result = diffusion(filters=filters)
    return result["cases"]["total"], result["adoptions"]["total"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"sector": ["education"]}, (2, 3)),  # C2, C3
        ({"sector": ["education", "welfare"]}, (3, 3)),  # alternatives: C2, C3, C4
        ({"innovation_type": ["service"]}, (2, 12)),  # C1, C3
        ({"workplace_type": ["nursing-home"]}, (1, 10)),  # C1
        ({"employee_band": ["50-99"]}, (1, 0)),  # C4
        ({"county": ["03"]}, (2, 15)),  # C1, C5
        ({"region": ["vestlandet"]}, (3, 3)),  # C2, C3, C4
        ({"size_class": ["medium"]}, (2, 1)),  # C2, C4 (the Unit lies in Medium)
        ({"centrality_class": ["5"]}, (1, 2)),  # C3
        ({"published_from": dt.date(2024, 3, 6)}, (2, 5)),  # C4, C5: C3 was the 5th
        ({"published_to": dt.date(2024, 3, 5)}, (3, 13)),  # C1-C3: C3 at 23:30 counts
        ({"published_from": dt.date(2024, 2, 10), "published_to": dt.date(2024, 3, 31)}, (3, 3)),
        ({"sector": ["health-care"], "county": ["46"]}, (1, 1)),  # filters combine: C2
        ({"sector": ["culture"]}, (0, 0)),  # only the draft has it
    ],
)
def test_each_filter(data, filters, expected):
    assert totals(**filters) == expected


def test_a_filter_narrows_every_figure(data):
    result = diffusion(filters={"county": ["03"]})  # C1 and C5, both Large's
    assert result["filters"]["county"] == ["03"]
    assert result["cases"]["origin"]["counts"] == {
        "first": 1,
        "adapted": 1,
        "copied": 0,
        "unknown": 0,
    }
    assert result["reuse"]["reused"] == s(2, 2, 100.0)
    assert result["spreaders"]["owners"] == 1
    assert [row["organisation"]["name"] for row in result["top_spreaders"]] == ["Large"]
    assert by_code(result["breakdowns"]["sector"])["education"]["cases"] == 0
    assert next(m["month"] for m in result["monthly"]["months"]) == "2024-01"
    assert sum(m["adoptions"] for m in result["monthly"]["months"]) == 15


def test_filters_accept_the_forms_cleaned_data(data):
    filterset = StatsFilter(
        {"county": ["03"], "published_to": "2024-03-31", "sector": ["health-care"]}
    )
    assert filterset.is_valid(), filterset.errors
    result = diffusion(filters=filterset.form.cleaned_data)
    assert result["cases"]["total"] == 1  # C1
    assert result["filters"]["published_to"] == "2024-03-31"
    assert list(filterset.qs) == [data.cases.c1]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"county": "99"}, "county"),
        ({"sector": "space"}, "sector"),
        ({"centrality_class": "7"}, "centrality_class"),
        ({"region": "mars"}, "region"),
        ({"published_from": "2024-13-01"}, "published_from"),
        ({"published_from": "2024-05-01", "published_to": "2024-04-01"}, "published_to"),
    ],
)
def test_invalid_filters_get_a_message_per_field(data, params, field):
    filterset = StatsFilter(params)
    assert not filterset.is_valid()
    assert list(filterset.errors) == [field]
    assert filterset.errors[field][0]


def test_unknown_filter_names_are_a_programming_error():
    with pytest.raises(ValueError, match="nonsense"):
        diffusion(filters={"nonsense": ["x"]})


# ------------------------------------------------------------------------------------------
# Nothing unpublished counts anywhere
# ------------------------------------------------------------------------------------------


def diffusion_after_a_write(*, filters: dict) -> dict:
    """The figures once brought up to date: the first request after a write is served those
    from before, and starts that (at once in the tests)."""
    diffusion(filters=filters)
    return diffusion(filters=filters)


def test_unpublished_cases_and_their_adoptions_are_excluded_everywhere(data):
    result = diffusion(filters={})
    # 2023 holds only adoptions of the draft, the archived and the deleted case, the
    # withdrawn adoption and the adoption by a deleted organisation.
    assert all(m["month"] >= "2024-01" for m in result["monthly"]["months"])
    for name, rows in result["breakdowns"].items():
        assert sum(row["adoptions"] for row in rows) >= 18, name
        if name not in TERM_BREAKDOWNS:
            assert sum(row["cases"] for row in rows) == 5, name
            assert sum(row["adoptions"] for row in rows) == 18, name
    assert by_code(result["adoptions"]["by_channel"])["media"]["numerator"] == 1  # C5 A1 only
    serialized = str(result)
    for case in (data.draft, data.archived, data.deleted):
        assert case.title not in serialized

    # Publishing nothing new but archiving C1 takes its ten adoptions away everywhere.
    data.cases.c1.status = CaseStatus.ARCHIVED
    data.cases.c1.save()
    after = diffusion_after_a_write(filters={})
    assert after["cases"]["total"] == 4
    assert after["adoptions"]["total"] == 8
    assert after["top_spreaders"][0]["adopters"] == 5  # Large through C5 only


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (10, [0, 2, 3, 3, 2]),
        (40, [1, 5, 14, 14, 6]),
        (100, [3, 13, 34, 34, 16]),
    ],
)
def test_rogers_categories_by_order(total, expected):
    categories = [rogers_category(position, total) for position in range(1, total + 1)]
    assert [categories.count(code) for code, _upper in ROGERS_CATEGORIES] == expected
    # The order of the categories follows the order of adoption.
    ranks = [[code for code, _u in ROGERS_CATEGORIES].index(c) for c in categories]
    assert ranks == sorted(ranks)


def test_organisation_kinds_in_the_dataset(data):
    """A guard on the dataset itself: the Unit's attributes are its municipality's."""
    unit = Organisation.objects.get(pk=data.unit.pk)
    assert unit.kind == OrganisationKind.UNIT
    assert (unit.size_class, unit.centrality_class, unit.region) == ("medium", 3, "vestlandet")
    assert unit.county.number == "46"


def test_figures_are_cached_until_the_data_change(data, django_assert_num_queries):
    first = diffusion(filters={"county": ["03"]})
    with django_assert_num_queries(1):  # the data version only
        assert diffusion(filters={"county": ["03"]}) == first
    # Recording a reuse (a save, which writes the change feed) gives new figures, brought up
    # to date behind the first request after it.
    AdoptionFactory(
        case=data.cases.c5, organisation=data.adopters["A9"], adopted_on=dt.date(2024, 8, 2)
    )
    assert diffusion(filters={"county": ["03"]}) == first
    after = diffusion(filters={"county": ["03"]})
    assert after["adoptions"]["total"] == first["adoptions"]["total"] + 1
    # So does a new spread activity, and a change to an organisation.
    SpreadActivityFactory(organisation=data.medium, case=data.cases.c2)
    assert diffusion(filters={})["spreaders"]["active"]["numerator"] == 3
    data.large.region = "innlandet"
    data.large.save()
    regions = diffusion_after_a_write(filters={})["breakdowns"]["region"]
    assert by_code(regions)["oslo-viken"]["cases"] == 0
